"""Reporters: each a pure function of one Report, returning the text to write."""

from __future__ import annotations

import importlib
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from ..masking import mask_secrets
from ..result import ScanResult
from ..scoring import Score, compute_score


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    GITHUB = "github"
    CODECLIMATE = "codeclimate"
    JUNIT = "junit"


@dataclass(frozen=True, slots=True)
class Report:
    result: ScanResult
    score: Score
    previous: dict | None = None  # an earlier JSON report to compare with

    @classmethod
    def of(cls, result: ScanResult, previous: dict | None = None) -> Report:
        return cls(_printable_result(result), compute_score(result), previous)


# Repository-controlled text (file names, messages quoting the repository) reaches terminals,
# CI logs, XML and JSON. Secret values it quotes are masked; control characters, line and
# paragraph separators, bidirectional overrides and undecodable bytes (surrogates from a
# file name that is not UTF-8) are written as escapes, so that no output format breaks and
# no terminal interprets them.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` with every character that is not safe to print escaped (`\\x1b`, `\\udcff`);
    newlines and tabs stay when `multiline`."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in text:
        if multiline and char in "\n\t":
            out.append(char)
        elif char in _BIDI or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            code = ord(char)
            if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name
                out.append(f"\\x{code - 0xDC00:02x}")
            else:
                out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def _printable_result(result: ScanResult) -> ScanResult:
    findings = [
        replace(f, path=printable(f.path), message=printable(mask_secrets(f.message)),
                suppression_reason=None if f.suppression_reason is None
                else printable(f.suppression_reason))
        for f in result.findings
    ]
    diagnostics = [replace(d, path=printable(d.path),
                           message=printable(mask_secrets(d.message), multiline=True))
                   for d in result.diagnostics]
    return replace(result, findings=findings, diagnostics=diagnostics)


def render(fmt: OutputFormat, report: Report, *, color: bool = False,
           step_summary: bool = True) -> str:
    """Text of `report` in `fmt`; each format lives in prodready/report/<format>.py."""
    module = importlib.import_module(f"prodready.report.{fmt.value}_format")
    if fmt is OutputFormat.TEXT:
        return str(module.render(report, color=color))
    if fmt is OutputFormat.GITHUB:  # the one reporter with a side effect: the step summary
        return str(module.render(report, summary=step_summary))
    return str(module.render(report))
