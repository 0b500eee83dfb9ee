"""Compose files the project distributes to operators: log rotation (COMPOSE004) and sizing
(COMPOSE006) are reported as information there, with the reason."""

from __future__ import annotations

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.testing import release_workflow, write_tree

RELEASE = release_workflow("ghcr.io/acme/shop:latest")
TEMPLATE = """\
services:
  web:
    image: ghcr.io/acme/shop:1.4
    restart: unless-stopped
  db:
    image: postgres:16
    restart: unless-stopped
"""
DOCKERFILE = "FROM python:3.12-slim\nCMD [\"gunicorn\", \"shop.wsgi\"]\n"


def _findings(tmp_path, files, **config):
    write_tree(tmp_path, files)
    config.setdefault("select", ["COMPOSE004", "COMPOSE006"])
    result = scan(tmp_path, Config.model_validate(config), jobs=1, use_cache=False)
    return [f for f in result.findings if not f.suppressed]


def test_a_template_that_runs_the_published_image_is_informational(tmp_path):
    findings = _findings(tmp_path, {".github/workflows/release.yml": RELEASE,
                                    "Dockerfile": DOCKERFILE,
                                    "compose.yaml": TEMPLATE})
    mine = [f for f in findings if f.path == "compose.yaml"]
    assert {f.rule_id for f in mine} == {"COMPOSE004", "COMPOSE006"}
    assert len(mine) == 4  # both services, both rules
    for finding in mine:
        assert finding.severity is Severity.INFO
        assert "informational: compose.yaml builds nothing and runs ghcr.io/acme/shop:1.4" \
            in finding.message
        assert finding.fix is None


@pytest.mark.parametrize(("files", "sized_by_host"), [
    # the image is not this repository's
    ({"compose.yaml": TEMPLATE.replace("ghcr.io/acme/shop", "ghcr.io/other/thing")}, True),
    # it builds from source
    ({"compose.yaml": TEMPLATE.replace("image: ghcr.io/acme/shop:1.4", "build: ."),
      "Dockerfile": DOCKERFILE}, True),
    # the maintainers' own production file
    ({"compose.prod.yaml": TEMPLATE, "Dockerfile": DOCKERFILE}, False),
    # the repository runs it itself
    ({"deploy/stack.yml": TEMPLATE, "Dockerfile": DOCKERFILE,
      "Makefile": "up:\n\tdocker compose -f deploy/stack.yml up -d\n"}, False),
])
def test_other_compose_files_keep_their_severity(tmp_path, files, sized_by_host):
    """Not a template for operators: where the repository deploys the file or names it
    production, log rotation and resource limits keep their severity; elsewhere they are the
    host's choice (info)."""
    findings = _findings(tmp_path, {".github/workflows/release.yml": RELEASE, **files})
    assert {f.rule_id for f in findings} == {"COMPOSE004", "COMPOSE006"}
    assert all((f.severity is Severity.INFO) is sized_by_host for f in findings)
    sizing = [f for f in findings if f.rule_id == "COMPOSE006"]
    assert all(("nothing here deploys" in f.message) is sized_by_host for f in sizing)


def test_a_severity_the_configuration_sets_wins(tmp_path):
    findings = _findings(tmp_path, {".github/workflows/release.yml": RELEASE,
                                    "Dockerfile": DOCKERFILE, "compose.yaml": TEMPLATE},
                         severity={"COMPOSE006": "high"})
    sizing = [f for f in findings if f.rule_id == "COMPOSE006"]
    assert sizing and all(f.severity is Severity.HIGH for f in sizing)
    assert all(f.severity is Severity.INFO for f in findings if f.rule_id == "COMPOSE004")


BUILT_HERE = """\
services:
  web:
    build: .
    restart: unless-stopped
  worker:
    build: .
    restart: unless-stopped
"""
SOME_ROTATE = BUILT_HERE.replace("""  web:
    build: .
""", """  web:
    build: .
    logging:
      driver: json-file
      options: {max-size: 10m, max-file: "3"}
""")


@pytest.mark.parametrize("profile", ["service", "distributed"])
def test_a_file_that_rotates_no_logs_leaves_rotation_to_the_daemon(tmp_path, profile):
    findings = _findings(tmp_path, {"Dockerfile": DOCKERFILE, "compose.yaml": BUILT_HERE},
                         select=["COMPOSE004"], profile=profile)
    assert len(findings) == 2
    assert {f.severity for f in findings} == {Severity.INFO}
    assert all("Docker daemon of the host" in f.message for f in findings)


def test_rotation_set_for_some_services_only_is_the_authors_slip(tmp_path):
    findings = _findings(tmp_path, {"Dockerfile": DOCKERFILE, "compose.yaml": SOME_ROTATE},
                         select=["COMPOSE004"])
    [finding] = findings
    assert "'worker'" in finding.message and finding.severity == Severity.LOW


@pytest.mark.parametrize("files", [
    {"compose.prod.yaml": BUILT_HERE},
    {"deploy/stack.yml": BUILT_HERE.replace("build: .", "build: .."),
     "Makefile": "up:\n\tdocker compose -f deploy/stack.yml up -d\n"},
])
def test_a_file_the_repository_deploys_keeps_its_severity(tmp_path, files):
    findings = _findings(tmp_path, {"Dockerfile": DOCKERFILE, **files}, select=["COMPOSE004"])
    assert len(findings) == 2
    assert all(f.severity is not Severity.INFO and "daemon" not in f.message
               for f in findings)


@pytest.mark.parametrize(("profile", "logging_elsewhere", "severity"), [
    ("distributed", False, "info"),  # the users' hosts rotate logs
    ("distributed", True, "low"),  # the file bounds some services and forgets one: a slip
    ("service", False, "low"),  # the team runs it: theirs to bound
])
def test_a_stack_users_start_with_the_projects_script(tmp_path, profile, logging_elsewhere,
                                                      severity):
    stack = ("services:\n  web:\n    build: .\n    restart: unless-stopped\n"
             "  worker:\n    build: .\n    restart: unless-stopped\n")
    if logging_elsewhere:
        stack += ("    logging:\n      driver: json-file\n      options:\n"
                  "        max-size: 10m\n")
    findings = _findings(tmp_path, {"docker-compose.yml": stack, "Dockerfile": DOCKERFILE,
                                    "start.sh": "#!/bin/sh\ndocker compose -f docker-compose.yml"
                                                " up -d\n"},
                         select=["COMPOSE004"], profile=profile)
    assert [f.severity.value for f in findings if f.line == 2] == [severity]


@pytest.mark.parametrize(("readme", "severities"), [
    # the README tells users to start the production file: their hosts size it and rotate logs
    ("Run it:\n\n    docker compose -f docker/docker-compose.prod.yml up -d\n", {"info"}),
    # nothing tells users to start it: a production file keeps its raised severity
    ("Run it with our published images.\n", {"low", "medium"}),
])
def test_a_production_file_a_distributed_projects_users_start(tmp_path, readme, severities):
    stack = ("services:\n  web:\n    build:\n      context: ..\n"
             "    restart: unless-stopped\n")
    findings = _findings(tmp_path, {"docker/docker-compose.prod.yml": stack,
                                    "Dockerfile": DOCKERFILE, "README.md": readme},
                         select=["COMPOSE004", "COMPOSE006"], profile="distributed")
    assert {f.rule_id for f in findings} == {"COMPOSE004", "COMPOSE006"}
    assert {f.severity.value for f in findings} == severities
