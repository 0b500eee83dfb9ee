"""`--format github`: workflow-command annotations and the appended step summary."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.report import OutputFormat, Report, render
from prodready.report import github_format as gh
from prodready.report.markdown_format import MARKER
from prodready.report.markdown_format import render as render_markdown

BAD = 'import sys\nsys.path.insert(0, "x")\n'
SUPPRESSED = ('import sys\n'
              'sys.path.insert(0, "y")  # prodready: ignore[PY003] -- vendored plugin dir\n')


@pytest.fixture
def report(tmp_path: Path) -> Report:
    files = {"app/a.py": BAD, "app/b.py": SUPPRESSED, "app/broken.py": "def f(:\n"}
    for rel, content in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content, encoding="utf-8")
    cfg = Config.model_validate({"select": ["PY003"]})
    return Report.of(scan(tmp_path, cfg, jobs=1, use_cache=False))


@pytest.fixture(autouse=True)
def no_summary_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(gh.SUMMARY_ENV, raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


def commands(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("::")]


# ------------------------------------------------------------------ escaping

def test_message_escaping() -> None:
    assert gh.escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"


def test_property_escaping() -> None:
    assert gh.escape_property("a:b,c%d\r\ne") == "a%3Ab%2Cc%25d%0D%0Ae"


def test_percent_is_escaped_first() -> None:
    # An already percent-encoded looking text must survive a round trip through the runner.
    assert gh.escape_data("%0A") == "%250A"
    assert gh.escape_property("%3A") == "%253A"


def test_command_shape_and_none_properties_left_out() -> None:
    line = gh.command("error", "bad\nthing", file="a, b.py", line=3, col=None, title="X: y")
    assert line == "::error file=a%2C b.py,line=3,title=X%3A y::bad%0Athing"
    assert gh.command("notice", "m") == "::notice::m"


def test_finding_annotation_fields(report: Report) -> None:
    lines = commands(render(OutputFormat.GITHUB, report))
    finding = next(f for f in report.result.active_findings if f.rule_id == "PY003")
    slug = report.result.rules["PY003"].slug
    expected_level = gh.LEVELS[finding.severity]
    line = next(x for x in lines if "title=PY003" in x)
    assert line.startswith(f"::{expected_level} file=app/a.py,line=2,col={finding.column},")
    assert f"endLine={finding.end_line},endColumn={finding.end_column}," in line
    assert f"title=PY003 {slug}::" in line
    assert line.endswith("::" + gh.escape_data(finding.message))


def test_message_with_newlines_stays_on_one_line(report: Report) -> None:
    finding = report.result.active_findings[0]
    odd = dataclasses.replace(finding, message="50% of\nlines: a,b\r\n", path="x,y:z.py")
    line = gh.finding_command(odd, report)
    assert "\n" not in line and "\r" not in line
    assert "file=x%2Cy%3Az.py," in line
    assert line.endswith("::50%25 of%0Alines: a,b%0D%0A")


# ------------------------------------------------------------------ severity mapping

@pytest.mark.parametrize(("severity", "level"), [
    (Severity.CRITICAL, "error"), (Severity.HIGH, "error"), (Severity.MEDIUM, "warning"),
    (Severity.LOW, "notice"), (Severity.INFO, "notice"),
])
def test_severity_mapping(report: Report, severity: Severity, level: str) -> None:
    finding = dataclasses.replace(report.result.active_findings[0], severity=severity)
    assert gh.finding_command(finding, report).startswith(f"::{level} ")


def test_most_severe_annotations_come_first(report: Report) -> None:
    base = report.result.active_findings[0]
    findings = [dataclasses.replace(base, severity=s, line=i + 1)
                for i, s in enumerate([Severity.LOW, Severity.CRITICAL, Severity.MEDIUM])]
    result = dataclasses.replace(report.result, findings=findings, diagnostics=[])
    levels = [line.split(" ", 1)[0] for line in commands(gh.workflow_commands(Report.of(result)))]
    assert levels == ["::error", "::warning", "::notice"]


# ------------------------------------------------------------------ suppressions, diagnostics

def test_suppressed_findings_are_not_annotated(report: Report) -> None:
    assert any(f.suppressed and f.path == "app/b.py" for f in report.result.findings)
    text = render(OutputFormat.GITHUB, report)
    assert "file=app/b.py" not in text
    finding_lines = [x for x in commands(text) if "title=PY003" in x]
    assert len(finding_lines) == len(report.result.active_findings) == 1


def test_parse_diagnostics_are_warnings(report: Report) -> None:
    lines = [x for x in commands(render(OutputFormat.GITHUB, report)) if "title=PARSE" in x]
    assert len(lines) == 1
    assert lines[0].startswith("::warning file=app/broken.py,")


def test_other_diagnostics_are_not_annotated(report: Report) -> None:
    from prodready.model import Diagnostic

    assert gh.diagnostic_command(Diagnostic("SKIP", "big.bin", "skipped: binary")) is None
    assert gh.diagnostic_command(Diagnostic("PARSE", "a.py", "bad")) == \
        "::warning file=a.py,title=PARSE::bad"


def test_paths_are_relative_to_the_checkout(report: Report, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert gh.workspace_prefix(tmp_path / "svc" / "api", {"GITHUB_WORKSPACE": str(tmp_path)}) \
        == "svc/api/"
    assert gh.workspace_prefix(tmp_path, {"GITHUB_WORKSPACE": str(tmp_path)}) == ""
    assert gh.workspace_prefix(tmp_path, {"GITHUB_WORKSPACE": "/somewhere/else"}) == ""
    assert gh.workspace_prefix(tmp_path, {}) == ""
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path.parent))
    text = render(OutputFormat.GITHUB, report)
    assert f"file={tmp_path.name}/app/a.py," in text
    assert f"file={tmp_path.name}/app/broken.py," in text


# ------------------------------------------------------------------ step summary

def test_no_summary_file_without_the_variable(report: Report, tmp_path: Path) -> None:
    text = render(OutputFormat.GITHUB, report)
    assert MARKER not in text  # stdout carries annotations only
    assert all(line.startswith("::") for line in text.splitlines())


def test_step_summary_is_appended_not_overwritten(
        report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    monkeypatch.setenv(gh.SUMMARY_ENV, str(summary))
    stdout = render(OutputFormat.GITHUB, report)
    assert MARKER not in stdout
    scorecard = render_markdown(report)
    assert summary.read_text(encoding="utf-8") == "## an earlier step\n" + scorecard
    render(OutputFormat.GITHUB, report)
    assert summary.read_text(encoding="utf-8") == "## an earlier step\n" + scorecard * 2


def test_step_summary_file_is_created_when_missing(
        report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "new_summary.md"
    monkeypatch.setenv(gh.SUMMARY_ENV, str(summary))
    render(OutputFormat.GITHUB, report)
    assert summary.read_text(encoding="utf-8") == render_markdown(report)


def test_unwritable_step_summary_is_a_warning_not_a_crash(
        report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(gh.SUMMARY_ENV, str(tmp_path / "missing-dir" / "summary.md"))
    last = commands(render(OutputFormat.GITHUB, report))[-1]
    assert last.startswith("::warning title=prodready::cannot append the step summary")


def test_summary_lists_every_finding_beyond_the_top(report: Report) -> None:
    base = report.result.active_findings[0]
    findings = [dataclasses.replace(base, line=i + 1, message=f"problem {i}") for i in range(25)]
    result = dataclasses.replace(report.result, findings=findings)
    big = Report.of(result)
    text = gh.step_summary(big)
    assert text.startswith(render_markdown(big))
    assert "All 25 findings" in text
    assert all(f"problem {i}" in text for i in range(25))
    small = gh.step_summary(report)
    assert small == render_markdown(report)


def test_cli_format_github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from prodready.cli import app

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "a.py").write_text(BAD, encoding="utf-8")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv(gh.SUMMARY_ENV, str(summary))
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--format", "github",
                                      "--select", "PY003", "--no-cache", "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "title=PY003 " in result.output
    assert summary.read_text(encoding="utf-8").startswith(MARKER)


def test_one_scan_appends_one_step_summary_even_with_two_github_outputs(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from prodready.cli import app

    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    bad = Path(__file__).resolve().parents[1] / "fixtures" / "repos" / "fastapi-bad"
    CliRunner().invoke(app, ["scan", str(bad), "--no-cache", "--format", "github",
                             "--output", f"github={tmp_path / 'annotations.txt'}"])
    assert summary.read_text().count("<!-- prodready-scorecard -->") == 1
    assert (tmp_path / "annotations.txt").read_text().startswith("::")
