"""K8S004 missing-readiness-probe."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ..api import RuleContext
from ._workloads import LONG_RUNNING_KINDS, containers, has_probe, ports_text, report_container

SCOPE = "yaml"


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for container in containers(yf, "K8S004", kinds=LONG_RUNNING_KINDS):
        if not container.ports:
            continue  # a worker or sidecar without ports receives no traffic
        if has_probe(container, "readinessProbe"):
            ctx.examine()
            continue
        report_container(
            ctx, container,
            f"{container.label} {ports_text(container)} but has no readinessProbe: Services "
            "send it traffic as soon as the process starts, before it can answer, and during "
            "rollouts and overload; add a readinessProbe (httpGet on the health route) so only "
            "ready pods receive requests",
        )
