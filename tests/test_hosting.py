"""REPO004 on an open-source repository on GitHub: the host scans pushes, a hook is advice."""

from __future__ import annotations

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.testing import write_tree

CI = "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
MIT = "MIT License\n\nCopyright (c) 2026 Acme\n\nPermission is hereby granted, free of charge\n"
PROPRIETARY = "Copyright (c) 2026 Acme Corp. All rights reserved.\n"


def _repo004(tmp_path, files, **config):
    write_tree(tmp_path, {".github/workflows/ci.yml": CI, "requirements.txt": "fastapi==0.115\n",
                          **files})
    result = scan(tmp_path, Config(jobs=1, cache=False, select=["REPO004"], **config))
    return [f for f in result.findings if f.rule_id == "REPO004"]


def test_open_source_on_github_is_informational(tmp_path):
    [finding] = _repo004(tmp_path, {"LICENSE": MIT})
    assert finding.severity == Severity.INFO
    assert "open-source repository (LICENSE)" in finding.message


@pytest.mark.parametrize("licence", [
    "EUROPEAN UNION PUBLIC LICENCE v. 1.2\n",
    "pgAdmin 4\n\nThis software is released under the PostgreSQL licence.\n",
    "Licensed under the Open Software License version 3.0\n",
    "This project is in the public domain within the United States (CC0 1.0).\n",
])
def test_other_open_source_licences_are_recognised(tmp_path, licence):
    [finding] = _repo004(tmp_path, {"LICENSE": licence})
    assert finding.severity == Severity.INFO


def test_a_proprietary_licence_keeps_the_rule_low(tmp_path):
    [finding] = _repo004(tmp_path, {"LICENSE": PROPRIETARY})
    assert finding.severity == Severity.LOW and "found by an attacker first" in finding.message


def test_open_source_elsewhere_than_github_keeps_the_rule_low(tmp_path):
    write_tree(tmp_path, {".gitlab-ci.yml": "test:\n  script: pytest\n", "LICENSE": MIT,
                          "requirements.txt": "fastapi==0.115\n"})
    result = scan(tmp_path, Config(jobs=1, cache=False, select=["REPO004"]))
    [finding] = result.findings
    assert finding.severity == Severity.LOW


def test_a_configured_severity_wins(tmp_path):
    [finding] = _repo004(tmp_path, {"LICENSE.md": MIT}, severity={"REPO004": "medium"})
    assert finding.severity == Severity.MEDIUM


def _outside_github_actions(tmp_path, files):
    write_tree(tmp_path, {"azure-pipelines.yml": "steps:\n  - script: pytest\n", "LICENSE": MIT,
                          "requirements.txt": "fastapi==0.115\n", **files})
    [finding] = scan(tmp_path, Config(jobs=1, cache=False, select=["REPO004"])).findings
    return finding.severity


@pytest.mark.parametrize("files", [
    {"pyproject.toml": '[project]\nname = "app"\n\n[project.urls]\n'
                       'Repository = "https://github.com/acme/app"\n'},
    {"setup.py": 'from setuptools import setup\n\nsetup(name="app", '
                 'url="https://github.com/acme/app")\n'},
    {"README.rst": "App\n===\n\n| Source Code | https://github.com/acme/app |\n"},
    {"README.md": "# App\n\nReport bugs at https://github.com/acme/app/issues\n"},
])
def test_metadata_naming_the_github_repository_says_where_it_is_hosted(tmp_path, files):
    assert _outside_github_actions(tmp_path, files) == Severity.INFO


@pytest.mark.parametrize("files", [
    {"pyproject.toml": '[tool.poetry.dependencies]\n'
                       'utils = { git = "https://github.com/acme/utils.git", tag = "1.0" }\n'},
    {"README.md": "# App\n\n![logo](https://github.com/acme/brand/raw/main/logo.png)\n"},
])
def test_a_dependency_or_an_image_on_github_says_nothing_of_the_repository(tmp_path, files):
    assert _outside_github_actions(tmp_path, files) == Severity.LOW
