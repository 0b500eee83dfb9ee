"""Under the distributed profile, telemetry the operator wires is advice, not a defect."""

from __future__ import annotations

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.testing import write_tree

# it renders pages, so HSTS and security headers matter to its browsers
APP = ("from fastapi import FastAPI\nfrom fastapi.templating import Jinja2Templates\n\n"
       "app = FastAPI()\n")
# a second web service, so that request ids (APP009) keep their severity by default
ADMIN = "from flask import Flask\n\nadmin = Flask(__name__)\n"


def _severities(tmp_path, **config) -> dict[str, Severity]:
    # an image of it ships, so something may probe it
    write_tree(tmp_path, {"app/main.py": APP, "admin/app.py": ADMIN,
                          "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"
                                        "CMD [\"uvicorn\", \"app.main:app\"]\n",
                          # and the repository deploys it, publicly: its edge is here,
                          # beside a Prometheus that would scrape its metrics
                          "docker-compose.yml": "services:\n  api:\n    build: .\n"
                                                "    ports: ['8000:8000']\n  prometheus:\n"
                                                "    image: prom/prometheus:v3.0.0\n"})
    result = scan(tmp_path, Config(jobs=1, cache=False, **config))
    return {f.rule_id: f.severity for f in result.findings}


def test_distributed_profile_makes_request_ids_info(tmp_path):
    default = _severities(tmp_path)
    distributed = _severities(tmp_path, profile="distributed")
    assert default["APP009"] != Severity.INFO
    assert distributed["APP009"] == Severity.INFO
    assert distributed["APP014"] == Severity.INFO
    # HSTS and request limits: set by the operator's proxy
    assert default["APP004"] != Severity.INFO and distributed["APP004"] == Severity.INFO
    assert default["APP003"] != Severity.INFO and distributed["APP003"] == Severity.INFO
    # how it is monitored: the operator's exporter, proxy metrics or probes
    assert default["APP007"] != Severity.INFO and distributed["APP007"] == Severity.INFO
    # what the product's own code must provide keeps its severity: a health route to probe
    assert distributed["APP001"] == default["APP001"] != Severity.INFO


def test_an_explicit_severity_still_wins_over_the_profile(tmp_path):
    raised = _severities(tmp_path, profile="distributed", severity={"APP009": "medium"})
    assert raised["APP009"] == Severity.MEDIUM


def test_plain_logs_beside_an_error_tracker_are_information(tmp_path):
    sentry = "import sentry_sdk\n\nsentry_sdk.init(dsn='https://k@o1.ingest.sentry.io/1')\n"
    unused = ("LOGGING = {'formatters': {'logstash': {'()': 'logstash_formatter."
              "LogstashFormatter'}, 'simple': {'format': '%(message)s'}},\n"
              "           'handlers': {'console': {'formatter': 'simple'}}}\n")
    cases = {"plain": {}, "tracked": {"app/errors.py": sentry},
             "tracked, formatter unused": {"app/errors.py": sentry, "app/config.py": unused}}
    found = {}
    for name, extra in cases.items():
        root = tmp_path / name.replace(", ", "-").replace(" ", "-")
        write_tree(root, {"app/main.py": "from flask import Flask\n\napp = Flask(__name__)\n",
                          **extra})
        result = scan(root, Config(jobs=1, cache=False, select=["APP008"]))
        found[name] = [f.severity for f in result.findings]
    assert found == {"plain": [Severity.LOW], "tracked": [Severity.INFO],
                     "tracked, formatter unused": [Severity.LOW]}


def test_metrics_nothing_in_the_repository_collects_are_information(tmp_path):
    """APP007: with no collector (Prometheus, an OpenTelemetry collector, an agent, a chart's
    ServiceMonitor) anywhere in the repository, missing instrumentation is advice."""
    write_tree(tmp_path, {"app/main.py": APP, "Dockerfile": "FROM python:3.12-slim\n"
                          "CMD [\"uvicorn\", \"app.main:app\"]\n"})
    [finding] = [f for f in scan(tmp_path, Config(jobs=1, cache=False)).findings
                 if f.rule_id == "APP007"]
    assert finding.severity == Severity.INFO and "collects metrics" in finding.message
    write_tree(tmp_path / "scraped", {"app/main.py": APP, "deploy/prometheus.yml":
                                      "scrape_configs:\n  - job_name: api\n"})
    [finding] = [f for f in scan(tmp_path / "scraped", Config(jobs=1, cache=False)).findings
                 if f.rule_id == "APP007"]
    assert finding.severity != Severity.INFO


def test_a_json_log_formatter_the_service_installs_but_never_imports_is_information(tmp_path):
    # a shared logging package of the team's sets the formatter up: the lock file shows it
    files = {"app/main.py": APP, "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"
                                               "CMD [\"uvicorn\", \"app.main:app\"]\n"}
    for lock, severity in (({}, Severity.LOW),
                           ({"poetry.lock": '[[package]]\nname = "python-json-logger"\n'
                                            'version = "2.0.7"\n'}, Severity.INFO),
                           ({"requirements.txt": "fastapi==0.115.0\nstructlog==24.4.0\n"},
                            Severity.INFO),
                           # a test requirement installs nothing in the service
                           ({"requirements-test.txt": "structlog==24.4.0\n"}, Severity.LOW)):
        write_tree(tmp_path, {**files, **lock})
        result = scan(tmp_path, Config(jobs=1, cache=False, select=["APP008"]))
        [finding] = result.findings
        assert finding.severity is severity, lock
        for name in lock:
            (tmp_path / name).unlink()
