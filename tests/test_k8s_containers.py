"""What the Kubernetes container rules ask of containers that do not stay running."""

from __future__ import annotations

import pytest

from prodready.testing import scan_files

WORKLOAD = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    spec:
      initContainers:
        - name: wait
          image: busybox
          command: %s
      containers:
        - name: api
          image: registry.example.com/api:1.0
          securityContext:
            runAsNonRoot: true
            runAsUser: 1000
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
"""


WAITS = {"info"}  # every hardening finding is information
WORKS = {"medium", "low"}  # K8S008/K8S009 medium, K8S010 low


@pytest.mark.parametrize(("command", "severities"), [
    # waits for the database to answer, then exits
    ('["sh", "-c", "until nc -z db 5432; do echo waiting; sleep 2; done"]', WAITS),
    ('["sh", "-c", "while ! wget -q -O- http://api:8000/health; do sleep 1; done"]', WAITS),
    # does work of its own: judged like any container
    ('["sh", "-c", "until nc -z db 5432; do sleep 2; done; python manage.py migrate"]',
     WORKS),
    ('["python", "manage.py", "migrate"]', WORKS),
])
def test_an_init_container_that_only_waits_is_information(command, severities):
    findings = scan_files({"k8s/api.yaml": WORKLOAD % command},
                          ["K8S008", "K8S009", "K8S010"])
    assert {f.rule_id for f in findings} == {"K8S008", "K8S009", "K8S010"}
    assert {f.severity.value for f in findings} == severities
