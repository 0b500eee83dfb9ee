"""GitLab code quality and JUnit reports of the bad sample."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from typer.testing import CliRunner

from prodready.cli import app

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "repos" / "fastapi-bad"


def _scan(fmt: str) -> tuple[str, dict]:
    runner = CliRunner()
    out = runner.invoke(app, ["scan", str(BAD), "--no-cache", "--format", fmt])
    ref = runner.invoke(app, ["scan", str(BAD), "--no-cache", "--format", "json"])
    return out.output, json.loads(ref.output)


def test_codeclimate_lists_every_active_finding_with_gitlab_fields():
    text, report = _scan("codeclimate")
    issues = json.loads(text)
    active = [f for f in report["findings"] if not f["suppressed"]]
    assert len(issues) == len(active)
    assert {i["fingerprint"] for i in issues} == {f["fingerprint"] for f in active}
    for issue in issues:
        assert issue["type"] == "issue"
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["lines"]["begin"] >= 1
        assert not issue["location"]["path"].startswith("/")
    secret = next(i for i in issues if i["check_name"].startswith("PY014"))
    assert secret["severity"] == "blocker" and secret["categories"] == ["Security"]


def test_junit_has_a_case_per_rule_and_a_failure_per_finding():
    text, report = _scan("junit")
    root = ET.fromstring(text.split("?>", 1)[1])
    cases = root.findall("./testsuite/testcase")
    failures = root.findall("./testsuite/testcase/failure")
    active = [f for f in report["findings"] if not f["suppressed"]]
    assert len(failures) == len(active)
    assert len(cases) >= len({f["rule_id"] for f in active})
    failing = {c.get("name").split()[0] for c in cases if c.find("failure") is not None}
    assert failing == {f["rule_id"] for f in active}
    assert root.get("failures") == str(len(failing))
