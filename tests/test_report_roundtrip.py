"""A JSON report carries enough to render the scorecard again (`comment --report`)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from prodready.cli import app
from prodready.comment import scorecard_from_report
from prodready.report.markdown_format import MARKER

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "repos" / "fastapi-bad"


def test_scorecard_from_json_report_matches_the_scan(tmp_path):
    report = tmp_path / "report.json"
    markdown = tmp_path / "scorecard.md"
    result = CliRunner().invoke(app, ["scan", str(BAD), "--no-cache", "--format", "json",
                                      "--output", f"markdown={markdown}"])
    report.write_text(result.output)
    data = json.loads(result.output)
    assert data["rules"]["PY006"]["failed"] >= 1
    rendered = scorecard_from_report(str(report))
    assert MARKER in rendered
    direct = markdown.read_text()
    score_line = next(line for line in direct.splitlines() if "/100" in line)
    assert score_line in rendered


def test_a_file_that_is_not_a_report_is_a_clear_error(tmp_path):
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}')
    result = CliRunner().invoke(app, ["comment", "--report", str(bogus), "--token", "t",
                                      "--repo", "o/r", "--pr", "1"])
    assert result.exit_code == 2
    assert "not a prodready JSON report" in result.output
