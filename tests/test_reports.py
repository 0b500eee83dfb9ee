"""Reports built from real scans: SARIF (schema-valid), markdown scorecard, GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.report import OutputFormat, Report, render
from prodready.report.json_format import fingerprint, report_dict
from prodready.testing import write_tree as make_tree

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"

BAD = 'import sys\nsys.path.insert(0, "x")\n'
SUPPRESSED = ('import sys\n'
              'sys.path.insert(0, "y")  # prodready: ignore[PY003] -- vendored plugin dir\n')




def scan_tree(root: Path, files: dict[str, str] | None = None,
              select: list[str] | None = None) -> Report:
    if files is not None:
        make_tree(root, files)
    cfg = Config.model_validate({"select": select or ["PY003"]})
    return Report.of(scan(root, cfg, jobs=1, use_cache=False))


@pytest.fixture
def report(tmp_path: Path) -> Report:
    return scan_tree(tmp_path, {
        "app/a.py": BAD,
        "app/b.py": SUPPRESSED,
        "app/broken.py": "def f(:\n",
        "app/ok.py": "print('hi')\n",
    })


# ------------------------------------------------------------------ SARIF

def sarif_of(report: Report) -> dict:
    return json.loads(render(OutputFormat.SARIF, report))


def test_sarif_validates_against_the_schema(report: Report) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"SARIF schema not available at {SCHEMA}")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(sarif_of(report), schema)


def test_sarif_rule_metadata(report: Report) -> None:
    run = sarif_of(report)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "prodready"
    assert driver["informationUri"].startswith("https://")
    rule = driver["rules"][0]
    assert rule["id"] == "PY003"
    assert rule["name"] == report.result.rules["PY003"].slug
    assert rule["helpUri"] == report.result.rules["PY003"].doc_url
    assert rule["help"]["markdown"].startswith("# PY003")
    assert rule["shortDescription"]["text"]
    sev = report.result.rules["PY003"].severity.value
    expected = {"critical": "9.5", "high": "7.5", "medium": "5.0", "low": "3.0", "info": "1.0"}
    assert rule["properties"]["security-severity"] == expected[sev]
    assert report.result.rules["PY003"].category.value in rule["properties"]["tags"]


def test_sarif_results_locations_fingerprints_suppressions(report: Report) -> None:
    run = sarif_of(report)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r
              for r in run["results"]}
    # code scanning ignores `suppressions`: a suppressed finding is left out, only counted
    assert set(by_uri) == {"app/a.py"}
    assert run["properties"]["suppressed"] == 1
    active = by_uri["app/a.py"]
    assert active["ruleId"] == "PY003" and active["ruleIndex"] == 0
    loc = active["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert loc["region"]["startLine"] == 2
    assert loc["region"]["startColumn"] == 1
    assert loc["region"]["endLine"] == 2
    sev = report.result.rules["PY003"].severity.value
    level = {"critical": "error", "high": "error", "medium": "warning"}.get(sev, "note")
    assert active["level"] == level
    assert "suppressions" not in active
    finding = next(f for f in report.result.findings if f.path == "app/a.py")
    assert active["partialFingerprints"]["prodready/v1"] == fingerprint(finding)


def test_sarif_parse_diagnostic_is_a_notification(report: Report) -> None:
    run = sarif_of(report)["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    parse = [n for n in notes if n["descriptor"]["id"] == "PARSE"]
    assert len(parse) == 1
    assert parse[0]["level"] == "warning"
    uri = parse[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "app/broken.py"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_fingerprint_survives_line_shift(tmp_path: Path) -> None:
    before = sarif_of(scan_tree(tmp_path / "a", {"app/a.py": BAD}))
    after = sarif_of(scan_tree(tmp_path / "b", {"app/a.py": "# header\n\n" + BAD}))
    r1, r2 = before["runs"][0]["results"][0], after["runs"][0]["results"][0]
    assert r1["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert r2["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert r1["partialFingerprints"] == r2["partialFingerprints"]


def test_json_report_still_round_trips(report: Report) -> None:
    data = report_dict(report)
    assert [f["path"] for f in data["findings"]] == ["app/a.py", "app/b.py"]


# ------------------------------------------------------------------ markdown scorecard

def test_scorecard_marker_scores_top_findings_and_checklist(report: Report) -> None:
    md = render(OutputFormat.MARKDOWN, report)
    assert md.startswith("<!-- prodready-scorecard -->\n")
    assert f"grade {report.score.grade}" in md
    assert "| Category | Score | Findings | Suppressed |" in md
    assert "| performance | N/A | 0 | 0 |" in md
    assert "1 finding(s), 1 suppressed." in md
    assert "[PY003 sys-path-manipulation](https://prodready.dev/rules/PY003) | `app/a.py:2`" in md
    assert "- [ ] [PY003 sys-path-manipulation]" in md
    assert "| Before | After | Change |" not in md


def test_scorecard_compares_with_previous_report(tmp_path: Path) -> None:
    first = scan_tree(tmp_path, {"app/a.py": BAD, "app/ok.py": "print(1)\n"})
    previous = report_dict(first)
    make_tree(tmp_path, {"app/a.py": "print(2)\n", "app/c.py": BAD.replace('"x"', '"z"')})
    cfg = Config.model_validate({"select": ["PY003"]})
    second = Report.of(scan(tmp_path, cfg, jobs=1, use_cache=False), previous)
    md = render(OutputFormat.MARKDOWN, second)
    assert "| Category | Before | After | Change |" in md
    assert "### New findings (1)" in md and "`app/c.py:2`" in md
    assert "### Fixed findings (1)" in md and "`app/a.py:2`" in md


def test_sarif_paths_are_from_the_checkout_root_when_a_subdirectory_is_scanned(
        tmp_path, monkeypatch):
    import json as _json

    from typer.testing import CliRunner

    from prodready.cli import app
    from prodready.testing import write_tree

    write_tree(tmp_path, {"services/api/app/tasks.py": 'import requests\nrequests.get("x")\n'})
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    out = CliRunner().invoke(app, ["scan", str(tmp_path / "services" / "api"), "--no-cache",
                                   "--format", "sarif", "--select", "PY006"])
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in _json.loads(out.output)["runs"][0]["results"]]
    assert uris == ["services/api/app/tasks.py"]
    monkeypatch.delenv("GITHUB_WORKSPACE")
    out = CliRunner().invoke(app, ["scan", str(tmp_path / "services" / "api"), "--no-cache",
                                   "--format", "sarif", "--select", "PY006"])
    assert _json.loads(out.output)["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"]["artifactLocation"]["uri"] == "app/tasks.py"


def test_sarif_uris_are_percent_encoded(tmp_path):
    import json as _json

    from typer.testing import CliRunner

    from prodready.cli import app
    from prodready.testing import write_tree

    write_tree(tmp_path, {"my app/mödule.py": 'import requests\nrequests.get("x")\n'})
    out = CliRunner().invoke(app, ["scan", str(tmp_path), "--no-cache", "--format", "sarif",
                                   "--select", "PY006"])
    [result] = _json.loads(out.output)["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20app/m%C3%B6dule.py"


ENV_READS = {
    "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "app/settings.py": ('import os\n\nDATABASE_URL = os.environ["DATABASE_URL"]\n'
                        'REDIS_URL = os.getenv("REDIS_URL")\n'
                        'DOCUMENTED = os.getenv("DOCUMENTED")\n'),
    ".env.example": "DOCUMENTED=\n",
}


def test_one_env_finding_per_file_lists_every_variable_as_related(tmp_path: Path) -> None:
    report = scan_tree(tmp_path, ENV_READS, select=["APP013"])
    [finding] = report.result.findings
    assert (finding.path, finding.line) == ("app/settings.py", 3)
    assert [(r.line, r.message) for r in finding.related] == [
        (3, "DATABASE_URL is read here"), (4, "REDIS_URL is read here")]
    [result] = sarif_of(report)["runs"][0]["results"]
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in result["relatedLocations"]
            ] == [3, 4]
    data = report_dict(report)
    assert [r["line"] for r in data["findings"][0]["related"]] == [3, 4]
    from prodready.report.json_format import load_report

    assert load_report(json.loads(json.dumps(data))).result.findings[0].related == (
        finding.related)
    if SCHEMA.exists():
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.validate(sarif_of(report), json.loads(SCHEMA.read_text(encoding="utf-8")))
