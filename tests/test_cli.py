"""The command line: exit codes, the JSON contract, several outputs, rules/explain/config."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from prodready import __version__
from prodready.catalog import load_catalog
from prodready.cli import app
from prodready.testing import write_tree as make_tree

SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # PY003, medium
TIMEOUT = 'import requests\nrequests.get("http://svc")\n'  # PY006, high
CATALOG = load_catalog()

FINDING_KEYS = {"rule_id", "slug", "severity", "category", "path", "line", "column",
                "end_line", "end_column", "message", "fix", "fingerprint", "suppressed",
                "baseline"}




def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def scan_json(root: Path, *args: str) -> tuple[int, dict]:
    result = invoke("scan", str(root), "--no-cache", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "repo", {
        "app/boot.py": SYS_PATH,
        "app/client.py": TIMEOUT,
        "app/broken.py": "def f(:\n",
        "app/ok.py": "print('hi')\n",
    })


# ------------------------------------------------------------------ exit codes


def test_clean_scan_exits_0(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/ok.py": "print('hi')\n"})
    result = invoke("scan", str(tmp_path), "--select", "PY003", "--no-cache")
    assert result.exit_code == 0, result.output


def test_findings_exit_1(repo: Path) -> None:
    result = invoke("scan", str(repo), "--select", "PY003", "--no-cache")
    assert result.exit_code == 1, result.output
    assert "app/boot.py:2:1" in result.stdout
    assert "PY003" in result.stdout


@pytest.mark.parametrize(("fail_on", "code"), [
    ("critical", 0), ("high", 1), ("medium", 1), ("low", 1), ("info", 1),
])
def test_fail_on_threshold(repo: Path, fail_on: str, code: int) -> None:
    result = invoke("scan", str(repo), "--select", "PY003,PY006", "--no-cache",
                    "--fail-on", fail_on)
    assert result.exit_code == code, result.output


def test_fail_on_only_counts_findings_at_or_above_it(repo: Path) -> None:
    medium_only = ["scan", str(repo), "--select", "PY003", "--no-cache"]
    assert invoke(*medium_only, "--fail-on", "high").exit_code == 0
    assert invoke(*medium_only, "--fail-on", "medium").exit_code == 1


def test_fail_on_sees_severity_overrides(repo: Path) -> None:
    make_tree(repo, {".prodready.toml": 'severity = { PY003 = "critical" }\n'})
    result = invoke("scan", str(repo), "--select", "PY003", "--no-cache",
                    "--fail-on", "critical")
    assert result.exit_code == 1, result.output


def test_fail_on_does_not_hide_findings(repo: Path) -> None:
    code, report = scan_json(repo, "--select", "PY003,PY006", "--fail-on", "critical")
    assert code == 0
    assert {f["rule_id"] for f in report["findings"]} == {"PY003", "PY006"}


@pytest.mark.parametrize("args", [
    ["--select", "NOPE"],
    ["--ignore", "XYZ123"],
    ["--fail-on", "urgent"],
    ["--format", "yaml"],
    ["--output", "json"],
    ["--output", "bogus=out.txt"],
])
def test_usage_errors_exit_2(repo: Path, args: list[str]) -> None:
    result = invoke("scan", str(repo), "--no-cache", *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # no report that could pass for a clean one


def test_nonexistent_path_exits_2(tmp_path: Path) -> None:
    result = invoke("scan", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_a_single_file_reports_only_that_file(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": SYS_PATH, "b.py": SYS_PATH})
    code, report = scan_json(tmp_path / "a.py", "--select", "PY003")
    assert code == 1
    assert [f["path"] for f in report["findings"]] == ["a.py"]


def test_several_paths_report_each_of_them(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/x.py": SYS_PATH, "b/x.py": SYS_PATH, "c/x.py": SYS_PATH})
    result = invoke("scan", str(tmp_path / "a"), str(tmp_path / "c" / "x.py"), "--no-cache",
                    "--select", "PY003", "--format", "json")
    assert result.exit_code == 1, result.output
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["a/x.py", "c/x.py"]


@pytest.mark.parametrize(("name", "text", "key"), [
    (".prodready.toml", 'fail-onn = "high"\n', "fail-onn"),
    ("pyproject.toml", '[tool.prodready]\nselect = ["NOPE"]\n', "NOPE"),
    (".prodready.toml", 'per-file-ignores = { "x/*" = ["PY999"] }\n', "PY999"),
    (".prodready.toml", "select = [\n", "TOML"),
])
def test_bad_config_exits_2_naming_the_problem(repo: Path, name: str, text: str,
                                               key: str) -> None:
    make_tree(repo, {name: text})
    result = invoke("scan", str(repo), "--no-cache")
    assert result.exit_code == 2, result.output
    assert key in result.stderr
    assert name in result.stderr


def test_missing_config_file_exits_2(repo: Path, tmp_path: Path) -> None:
    for missing in ("nope.toml", "nope/pyproject.toml"):
        result = invoke("scan", str(repo), "--config", str(tmp_path / missing))
        assert result.exit_code == 2, result.output


def test_cli_flag_with_a_snake_case_config_file(repo: Path) -> None:
    make_tree(repo, {".prodready.toml": 'fail_on = "critical"\nselect = ["PY003"]\n'})
    assert invoke("scan", str(repo), "--no-cache").exit_code == 0
    assert invoke("scan", str(repo), "--no-cache", "--fail-on", "medium").exit_code == 1


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


# ------------------------------------------------------------------ the JSON contract


def test_json_report_contract(repo: Path) -> None:
    code, report = scan_json(repo, "--select", "PY003,PY006")
    assert code == 1
    assert report["schema_version"] == "1"
    assert report["tool"] == {"name": "prodready", "version": __version__}
    assert Path(report["root"]) == repo.resolve()
    assert isinstance(report["scoring_version"], str)
    score = report["score"]
    assert 0 <= score["overall"] <= 100
    assert score["grade"] in {"A", "B", "C", "D", "F"}
    assert set(score["categories"]) == {"security", "reliability", "observability",
                                        "performance", "operations"}
    for category in score["categories"].values():
        assert {"score", "findings"} <= set(category)

    findings = report["findings"]
    assert [(f["rule_id"], f["path"], f["line"]) for f in findings] == [
        ("PY003", "app/boot.py", 2), ("PY006", "app/client.py", 2)]
    for finding in findings:
        assert set(finding) >= FINDING_KEYS
        rule = CATALOG[finding["rule_id"]]
        assert finding["slug"] == rule.slug
        assert finding["severity"] == rule.severity.value
        assert finding["category"] == rule.category.value
        assert finding["column"] >= 1 and finding["end_line"] >= finding["line"]
        assert finding["end_column"] > finding["column"]
        assert finding["message"]
        assert finding["suppressed"] is False
        assert finding["baseline"] == "new"
        assert finding["fix"] is None or finding["fix"]["safety"] in {
            "safe", "unsafe", "display-only"}
        assert isinstance(finding["fingerprint"], str) and finding["fingerprint"]
    assert len({f["fingerprint"] for f in findings}) == 2

    assert report["diagnostics"] == [{"kind": "PARSE", "path": "app/broken.py", "line": 1,
                                      "message": report["diagnostics"][0]["message"]}]
    stats = report["stats"]
    assert {"python", "dockerfile", "compose", "kubernetes"} <= set(stats["files"])
    assert stats["files"]["python"] == 4
    assert isinstance(stats["duration_s"], (int, float))


def test_json_fingerprints_survive_line_shifts(repo: Path) -> None:
    _, before = scan_json(repo, "--select", "PY003")
    make_tree(repo, {"app/boot.py": "# a new header comment\n\n" + SYS_PATH})
    _, after = scan_json(repo, "--select", "PY003")
    assert after["findings"][0]["line"] == before["findings"][0]["line"] + 2
    assert after["findings"][0]["fingerprint"] == before["findings"][0]["fingerprint"]


def test_json_shows_suppressed_findings(repo: Path) -> None:
    make_tree(repo, {"app/boot.py": SYS_PATH.rstrip("\n")
                     + "  # prodready: ignore[PY003] -- plugin dir\n"})
    code, report = scan_json(repo, "--select", "PY003")
    assert code == 0
    [finding] = report["findings"]
    assert finding["suppressed"] is True


def test_several_outputs_from_one_scan(repo: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from prodready import engine

    scans: list[Path] = []
    real = engine.scan

    def counting(root: Path, *args: object, **kwargs: object) -> engine.ScanResult:
        scans.append(root)
        return real(root, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "scan", counting)
    out = tmp_path / "out"
    result = invoke("scan", str(repo), "--no-cache", "--select", "PY003,PY006",
                    "--output", f"json={out / 'report.json'}",
                    "-o", f"sarif={out / 'nested' / 'prodready.sarif'}")
    assert result.exit_code == 1, result.output
    assert len(scans) == 1
    assert "app/boot.py:2:1" in result.stdout  # the primary format still goes to stdout

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    sarif = json.loads((out / "nested" / "prodready.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    [run] = sarif["runs"]
    from_json = sorted((f["rule_id"], f["path"], f["line"]) for f in report["findings"])
    from_sarif = sorted(
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run["results"])
    assert from_json == from_sarif == [("PY003", "app/boot.py", 2), ("PY006", "app/client.py", 2)]
    assert not list(out.rglob(".*.tmp")) and not list(out.rglob(".report.json*"))


# ------------------------------------------------------------------ --select / --ignore


def rule_ids(report: dict) -> set[str]:
    return {f["rule_id"] for f in report["findings"]}


def test_select_and_ignore(repo: Path) -> None:
    assert rule_ids(scan_json(repo, "--select", "PY003")[1]) == {"PY003"}
    assert rule_ids(scan_json(repo, "--select", "PY003,PY006")[1]) == {"PY003", "PY006"}
    assert rule_ids(scan_json(repo, "--select", "PY003", "--select", "py006")[1]) == {
        "PY003", "PY006"}
    assert rule_ids(scan_json(repo, "--select", "PY", "--ignore", "PY006")[1]) == {"PY003"}
    assert rule_ids(scan_json(repo, "--select", "PY00", "--ignore", "PY003,PY006")[1]) == set()


def test_select_on_the_command_line_replaces_the_config(repo: Path) -> None:
    make_tree(repo, {".prodready.toml": 'select = ["PY006"]\n'})
    assert rule_ids(scan_json(repo)[1]) == {"PY006"}
    assert rule_ids(scan_json(repo, "--select", "PY003")[1]) == {"PY003"}


def test_include_tests_flag(tmp_path: Path) -> None:
    make_tree(tmp_path, {"tests/test_boot.py": SYS_PATH})
    assert scan_json(tmp_path, "--select", "PY003")[1]["findings"] == []
    _, report = scan_json(tmp_path, "--select", "PY003", "--include-tests")
    assert [f["path"] for f in report["findings"]] == ["tests/test_boot.py"]


# ------------------------------------------------------------------ rules / explain / config


def test_rules_lists_every_catalog_rule() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    for rule_id, rule in CATALOG.items():
        assert rule_id in result.stdout
        assert rule.slug in result.stdout


def test_rules_json_and_selection() -> None:
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [r["id"] for r in listed] == list(CATALOG)
    for entry in listed:
        rule = CATALOG[entry["id"]]
        assert (entry["slug"], entry["severity"], entry["category"], entry["fix"]) == (
            rule.slug, rule.severity.value, rule.category.value, rule.fix)
    docker = json.loads(invoke("rules", "--format", "json", "--select", "DOCKER").stdout)
    assert [r["id"] for r in docker] == [i for i in CATALOG if i.startswith("DOCKER")]


@pytest.mark.parametrize("name", ["PY001", "py001", "except-logged-below-error"])
def test_explain_prints_docs_and_examples(name: str) -> None:
    rule = CATALOG["PY001"]
    result = invoke("explain", name)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# PY001 except-logged-below-error")
    assert rule.summary in text
    assert "## Why is this bad?" in text
    assert "## Examples (flagged)" in text and "## Examples (not flagged)" in text
    for example in rule.examples.bad + rule.examples.good:
        assert example.code is not None
        assert example.code.strip().splitlines()[-1].strip() in text
    for reference in rule.references:
        assert reference in text


def test_explain_unknown_rule_exits_2() -> None:
    result = invoke("explain", "NOPE")
    assert result.exit_code == 2
    assert "NOPE" in result.stderr
    assert result.stdout == ""


def config_of(result: Result) -> tuple[str, dict]:
    """The source comment and the [tool.prodready] table: the whole output is TOML."""
    first = result.stdout.partition("\n")[0]
    return first, tomllib.loads(result.stdout)["tool"]["prodready"]


def test_config_prints_the_effective_configuration(tmp_path: Path) -> None:
    result = invoke("config", str(tmp_path))
    assert result.exit_code == 0, result.output
    source, defaults = config_of(result)
    assert source == "# source: defaults"
    assert defaults["select"] == ["ALL"] and defaults["fail-on"] == "low"

    path = make_tree(tmp_path, {".prodready.toml": (
        'fail-on = "high"\nignore = ["PY004"]\nseverity = { PY003 = "info" }\n'
        'per-file-ignores = { "scripts/*" = ["PY006"] }\n')}) / ".prodready.toml"
    source, config = config_of(invoke("config", str(tmp_path)))
    assert source == f"# source: {path}"
    assert config["fail-on"] == "high"
    assert config["ignore"] == ["PY004"]
    assert config["severity"] == {"PY003": "info"}
    assert config["per-file-ignores"] == {"scripts/*": ["PY006"]}
    assert set(config) == set(defaults)


def test_config_with_a_bad_file_exits_2(tmp_path: Path) -> None:
    make_tree(tmp_path, {".prodready.toml": "include-test = true\n"})
    result = invoke("config", str(tmp_path))
    assert result.exit_code == 2
    assert "include-test" in result.stderr
