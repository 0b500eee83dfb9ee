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
