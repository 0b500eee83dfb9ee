"""The plain text report is written without rich, and is exactly what rich would print."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Diagnostic
from prodready.report import Report, text_format

FIXTURE = Path(__file__).parent.parent / "fixtures" / "repos" / "fastapi-bad"


def through_rich(report: Report, show_suppressed: bool) -> str:
    console = Console(record=True, width=120, force_terminal=False, no_color=True,
                      highlight=False, file=io.StringIO())
    shown = [f for f in report.result.findings if show_suppressed or not f.suppressed]
    text_format._body(report, shown, console, plain=False, summary=True, prefix="")
    text_format._summary(console, report)
    return console.export_text(styles=False)


@pytest.fixture(scope="module")
def report() -> Report:
    result = scan(FIXTURE, Config(), jobs=1, use_cache=False)
    first = result.findings[0]
    odd = [replace(first, message=m) for m in (
        "an :thumbs_up: emoji code", "markup [bold]x[/bold] and \\[y", "a\ttab", "trailing ",
        "non-ASCII → … ü", "a bell \x07", "wide 宽字符")]
    odd += [replace(first, path=p) for p in (
        "a/[x]/b.py", "deep/" + "x" * 130 + ".py", "a:smile:b.py", "宽/" + "字" * 70 + ".py")]
    result.findings = sorted(result.findings + odd, key=lambda f: f.path)
    result.diagnostics = [*result.diagnostics, Diagnostic("PARSE", "p[a]th", "m [x]", 3),
                          Diagnostic("SKIP", "q", "tab\tx")]
    return Report.of(result)


@pytest.mark.parametrize("show_suppressed", [False, True])
def test_plain_text_is_byte_identical_to_rich(report: Report, show_suppressed: bool) -> None:
    plain = text_format.render(report, show_suppressed=show_suppressed)
    assert plain == through_rich(report, show_suppressed)
    assert "non-ASCII → … ü" in plain  # written directly, not only through rich
