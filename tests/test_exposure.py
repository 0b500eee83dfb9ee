"""Exposure per service decides whether the rules about the public edge judge it."""

from __future__ import annotations

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.project.exposure import exposure_of
from prodready.project.services import services_of
from prodready.testing import write_tree

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get('/items')\ndef items():\n" \
      "    return []\n"
DOCKERFILE = "FROM python:3.12-slim\nCOPY app /srv/app\nCMD [\"uvicorn\", \"app.main:app\"]\n"
WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      labels: {app: api, tier: web}
    spec:
      containers:
        - name: api
          image: acme/api:1.0
          command: ["uvicorn", "app.main:app"]
"""
SERVICE = """\
---
apiVersion: v1
kind: Service
metadata:
  name: api-svc
spec:
  selector: {app: api}
  ports: [{port: 80}]
"""


def _exposure(tmp_path, files, **config):
    write_tree(tmp_path, {"app/main.py": APP, "Dockerfile": DOCKERFILE, **files})
    result = scan(tmp_path, Config.model_validate({"select": ["APP", "K8S"], **config}),
                  jobs=1, use_cache=False)
    assert result.project is not None
    services = services_of(result.project)
    assert len(services) == 1
    return exposure_of(result.project, services[0]), result


def _edge_rules(result):
    return sorted({f.rule_id for f in result.active_findings
                   if f.rule_id in ("APP003", "APP004", "APP006")})


def test_nothing_deploys_it_so_exposure_is_unknown_and_edge_rules_still_judge(tmp_path):
    exposure, result = _exposure(tmp_path, {})
    assert exposure.level == "unknown"
    assert _edge_rules(result) == ["APP003", "APP004", "APP006"]


def test_compose_without_published_ports_is_internal(tmp_path):
    exposure, result = _exposure(tmp_path, {
        "docker-compose.yml": "services:\n  api:\n    build: .\n"})
    assert exposure.level == "internal" and "publishes no port" in exposure.why
    assert _edge_rules(result) == []


@pytest.mark.parametrize("ports", ['["8000:8000"]', '["127.0.0.1:8000:8000"]'])
def test_compose_published_port_is_public(tmp_path, ports):
    exposure, result = _exposure(tmp_path, {
        "docker-compose.yml": f"services:\n  api:\n    build: .\n    ports: {ports}\n"})
    assert exposure.level == "public" and "publishes a port" in exposure.why
    assert _edge_rules(result) == ["APP003", "APP004", "APP006"]


def test_an_edge_proxy_publishing_a_port_makes_the_app_behind_it_public(tmp_path):
    exposure, _ = _exposure(tmp_path, {
        "docker-compose.yml": "services:\n  api:\n    build: .\n  proxy:\n"
                              "    image: nginx:1.27\n    ports: ['80:80']\n"})
    assert exposure.level == "public" and "'proxy'" in exposure.why


PROXIED = "services:\n  api:\n    build: .\n  ui:\n    image: acme/ui:1\n  proxy:\n" \
          "    image: nginx:1.27\n    ports: ['80:80']\n"


@pytest.mark.parametrize(("proxy", "files", "level"), [
    ("    depends_on: [ui, api]\n", {}, "public"),
    ("    volumes: ['./nginx:/etc/nginx/conf.d:ro']\n",
     {"nginx/app.conf": "location / { proxy_pass http://api:8000; }\n"}, "public"),
    # the proxy waits for the UI and its configuration sends traffic to the UI only
    ("    depends_on: [ui]\n    volumes: ['./nginx:/etc/nginx/conf.d:ro']\n",
     {"nginx/app.conf": "location / { proxy_pass http://ui:3000; }\n"}, "internal"),
])
def test_an_edge_proxy_fronts_the_services_its_configuration_names(tmp_path, proxy, files,
                                                                   level):
    exposure, _ = _exposure(tmp_path, {"docker-compose.yml": PROXIED + proxy, **files})
    assert exposure.level == level


def test_cluster_ip_service_only_is_internal(tmp_path):
    exposure, result = _exposure(tmp_path, {"k8s/api.yaml": WORKLOAD + SERVICE})
    assert exposure.level == "internal" and "api-svc" in exposure.why
    assert _edge_rules(result) == []


def test_workload_without_any_service_here_is_unknown(tmp_path):
    exposure, _ = _exposure(tmp_path, {"k8s/api.yaml": WORKLOAD})
    assert exposure.level == "unknown"


@pytest.mark.parametrize("extra", [
    SERVICE.replace("  selector:", "  type: LoadBalancer\n  selector:"),
    SERVICE.replace("  selector:", "  type: NodePort\n  selector:"),
    SERVICE + "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n"
              "spec:\n  rules:\n    - http:\n        paths:\n          - path: /\n"
              "            backend:\n              service:\n                name: api-svc\n"
              "                port: {number: 80}\n",
    SERVICE + "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n"
              "  name: web\nspec:\n  rules:\n    - backendRefs:\n        - name: api-svc\n",
    SERVICE + "---\napiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: web\n"
              "spec:\n  to:\n    kind: Service\n    name: api-svc\n",
])
def test_routes_and_outward_services_make_it_public(tmp_path, extra):
    exposure, result = _exposure(tmp_path, {"k8s/api.yaml": WORKLOAD + extra})
    assert exposure.level == "public"
    assert _edge_rules(result) == ["APP003", "APP004", "APP006"]


@pytest.mark.parametrize("extra", [
    SERVICE.replace("  selector:", "  type: NodePort\n  selector:"),
    SERVICE + "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n"
              "spec:\n  defaultBackend:\n    service:\n      name: api-svc\n",
])
def test_an_example_setup_exposes_nothing_in_production(tmp_path, extra):
    # the production manifests keep it cluster-internal; an example variant publishes it
    exposure, result = _exposure(tmp_path, {"k8s/api.yaml": WORKLOAD + SERVICE,
                                            "examples/nodeport/api.yaml": WORKLOAD + extra})
    assert exposure.level == "internal"
    assert _edge_rules(result) == []


def test_a_service_selecting_other_labels_does_not_count(tmp_path):
    other = SERVICE.replace("{app: api}", "{app: other}").replace(
        "  selector:", "  type: LoadBalancer\n  selector:")
    exposure, _ = _exposure(tmp_path, {"k8s/api.yaml": WORKLOAD + SERVICE + other})
    assert exposure.level == "internal"


def test_health_only_app_is_a_health_sidecar(tmp_path):
    write_tree(tmp_path, {"app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n"
                                         "@app.get('/healthz')\ndef ok():\n    return {}\n"})
    result = scan(tmp_path, Config.model_validate({"select": ["APP"]}), jobs=1, use_cache=False)
    assert result.project is not None
    svc = services_of(result.project)[0]
    assert exposure_of(result.project, svc).level == "health-sidecar"
    assert not [f for f in result.active_findings if f.rule_id in ("APP003", "APP004")]


def test_worker_commands_make_a_worker(tmp_path):
    exposure, _ = _exposure(tmp_path, {
        "docker-compose.yml": "services:\n  api:\n    build: .\n    ports: ['8000:8000']\n"
                              "    command: celery -A app.main:app worker\n"})
    assert exposure.level == "worker"


def test_configured_exposure_wins(tmp_path):
    exposure, result = _exposure(
        tmp_path, {"docker-compose.yml": "services:\n  api:\n    build: .\n"
                                         "    ports: ['8000:8000']\n"},
        services={"api": {"exposure": "internal"}})
    assert exposure.level == "internal" and "configuration" in exposure.why
    assert _edge_rules(result) == []


def test_service_settings_reject_unknown_keys_and_values():
    with pytest.raises(ValueError):
        Config.model_validate({"services": {"api": {"exposure": "internet"}}})
    with pytest.raises(ValueError):
        Config.model_validate({"services": {"api": {"exposed": "public"}}})


def test_distributed_profile_makes_sizing_rules_info(tmp_path):
    files = {"k8s/api.yaml": WORKLOAD}
    _, default = _exposure(tmp_path, files)
    _, distributed = _exposure(tmp_path, files, profile="distributed", jobs=1)
    sizing = {f.rule_id: f.severity for f in distributed.findings
              if f.rule_id in ("K8S001", "K8S002")}
    assert sizing and set(sizing.values()) == {Severity.INFO}
    assert {f.severity for f in default.findings if f.rule_id in sizing} != {Severity.INFO}


def test_a_test_harness_compose_file_says_nothing_about_exposure(tmp_path):
    exposure, result = _exposure(tmp_path, {
        "scripts/proxy-test/docker-compose.yml": "services:\n  api:\n    build: ../..\n"})
    assert exposure.level == "unknown"
    assert _edge_rules(result) == ["APP003", "APP004", "APP006"]


@pytest.mark.parametrize(("module", "severity"), [
    ("from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/items')\n"
     "def items():\n    return []\n", Severity.INFO),
    ("from fastapi import FastAPI\nfrom fastapi.staticfiles import StaticFiles\n\n"
     "app = FastAPI()\napp.mount('/', StaticFiles(directory='ui', html=True))\n", Severity.LOW),
    ("from flask import Flask, render_template\n\napp = Flask(__name__)\n\n\n@app.get('/')\n"
     "def index():\n    return render_template('index.html')\n", Severity.LOW),
])
def test_security_headers_matter_where_the_service_renders_pages(tmp_path, module, severity):
    write_tree(tmp_path, {"app/main.py": module})
    result = scan(tmp_path, Config(jobs=1, select=["APP006"]), use_cache=False)
    assert [f.severity for f in result.findings] == [severity]


DEPLOYED = {"Dockerfile": "FROM python:3.12-slim\nCOPY . /srv\n"
                          "CMD [\"gunicorn\", \"app.main:app\"]\n",
            "docker-compose.yml": "services:\n  web:\n    build: .\n    ports: ['80:8000']\n"}


def test_hsts_matters_where_browsers_load_pages():
    from prodready.testing import scan_files

    api = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    pages = "from flask import Flask, render_template\n\napp = Flask(__name__)\n"
    assert [f.severity for f in scan_files({"app/main.py": api, **DEPLOYED}, ["APP004"])] == [
        Severity.INFO]
    assert [f.severity for f in scan_files({"app/main.py": pages, **DEPLOYED}, ["APP004"])] == [
        Severity.MEDIUM]


def test_hsts_a_cdn_sets_in_the_repositorys_terraform_is_set():
    from prodready.testing import scan_files

    pages = "from flask import Flask, render_template\n\napp = Flask(__name__)\n"
    fastly = ('resource "fastly_service_vcl" "site" {\n  header {\n'
              '    destination = "http.Strict-Transport-Security"\n'
              '    source      = "\\"max-age=31536000\\""\n  }\n}\n')
    files = {"app/main.py": pages, **DEPLOYED}
    assert [f.severity for f in scan_files(files, ["APP004"])] == [Severity.MEDIUM]
    assert scan_files({**files, "infra/cdn/main.tf": fastly}, ["APP004"]) == []
    # a CloudFront response headers policy in Terraform's own spelling
    cloudfront = ('resource "aws_cloudfront_response_headers_policy" "site" {\n'
                  '  security_headers_config {\n    strict_transport_security {\n'
                  '      access_control_max_age_sec = 31536000\n    }\n  }\n}\n')
    assert scan_files({**files, "infra/cdn.tf": cloudfront}, ["APP004"]) == []
    # an identity server's realm export sets the header on its own pages, not the app's
    realm = '{"browserSecurityHeaders": {"strictTransportSecurity": "max-age=31536000"}}\n'
    assert [f.severity for f in scan_files({**files, "config/keycloak/realm.json": realm},
                                           ["APP004"])] == [Severity.MEDIUM]

    # a scanner's report the tests read quotes a site's header: it configures nothing
    report = '{"header": "Strict-Transport-Security", "value": "max-age=63072000"}\n'
    assert [f.severity for f in scan_files({**files, "unittests/scans/report.json": report},
                                           ["APP004"])] == [Severity.MEDIUM]
    assert scan_files({**files, "deploy/headers.json": report}, ["APP004"]) == []


@pytest.mark.parametrize(("extra", "severity"), [
    # nothing here deploys it: its edge is configured where it is deployed
    ({}, Severity.INFO),
    # ... unless the repository ships its TLS edge
    ({"deploy/nginx/https.conf": "server {\n  listen 443 ssl;\n"
                                 "  ssl_certificate /etc/ssl/site.pem;\n}\n"}, Severity.MEDIUM),
])
def test_edge_findings_of_an_app_nothing_here_deploys_are_information(extra, severity):
    from prodready.testing import scan_files

    pages = "from flask import Flask, render_template\n\napp = Flask(__name__)\n"
    found = {f.rule_id: f.severity for f in scan_files({"app/main.py": pages, **extra},
                                                       ["APP003", "APP004"])}
    assert found == {"APP003": Severity.INFO, "APP004": severity}


def test_an_app_that_takes_https_on_itself_owns_hsts_wherever_it_runs():
    from prodready.testing import scan_files

    files = {
        "shop/base.py": "INSTALLED_APPS = ['django.contrib.admin']\nROOT_URLCONF = 'shop.urls'\n",
        # a production layer over the base settings (`from .base import *`) redirects to HTTPS
        "shop/production.py": "from .base import *  # noqa\n\n"
                              "SECURE_SSL_REDIRECT = env.bool('SSL_REDIRECT', True)\n",
        "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\n\n"
                        "application = get_wsgi_application()\n",
        "shop/views.py": "from django.shortcuts import render\n\n\ndef index(request):\n"
                         "    return render(request, 'index.html')\n",
    }
    assert [f.severity for f in scan_files(files, ["APP004"])] == [Severity.MEDIUM]
    del files["shop/production.py"]
    assert [f.severity for f in scan_files(files, ["APP004"])] == [Severity.INFO]


def test_an_image_that_ships_a_built_frontend_serves_pages(tmp_path):
    from prodready.testing import scan_files

    api = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    dockerfile = ("FROM node:22 AS ui\nRUN npm ci && npm run build\n"
                  "FROM python:3.12-slim\nCOPY . /srv\nCOPY --from=ui /app/dist /srv/ui\n"
                  "CMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\"]\n")
    found = scan_files({"app/main.py": api, "Dockerfile": dockerfile}, ["APP006"])
    assert [f.severity for f in found] == [Severity.LOW]
