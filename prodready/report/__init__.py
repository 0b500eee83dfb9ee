"""Reporters: each a pure function of one Report, returning the text to write."""

from __future__ import annotations

import hashlib
import importlib
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from ..masking import mask_secrets
from ..model import Finding
from ..result import ScanResult
from ..scoring import Score, ServiceScore, compute_score, service_scores
from .fingerprint import fingerprint


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
    services: tuple[ServiceScore, ...] = ()  # each detected service scored on its own files

    @classmethod
    def of(cls, result: ScanResult, previous: dict | None = None,
           services: tuple[ServiceScore, ...] | None = None) -> Report:
        return cls(_printable_result(result), compute_score(result), previous,
                   tuple(service_scores(result)) if services is None else services)

    def gate_failures(self) -> list[str]:
        """Why the run fails its gate (fail-on, fail-under, fail-on-parse); empty: it passes."""
        config, reasons = self.result.config, []
        failing = [f for f in self.open_findings if f.severity.rank >= config.fail_on.rank]
        if failing:
            reasons.append(f"{len(failing)} finding(s) at or above {config.fail_on.value}")
        overall = self.score.overall
        if config.fail_under is not None and (overall is None or overall < config.fail_under):
            shown = "N/A" if overall is None else f"{overall:.1f}"
            reasons.append(f"score {shown} is under {config.fail_under:g}")
        unchecked = self.score.unchecked_files
        if unchecked and (config.fail_on_parse or overall is None):
            reasons.append(f"{unchecked} file(s) could not be parsed")
        return reasons

    @property
    def open_findings(self) -> list[Finding]:
        """What still needs attention: neither suppressed nor recorded in the baseline."""
        return [f for f in self.result.active_findings if f.baseline != "baselined"]


def distinct_fingerprints(findings: list[Finding]) -> list[str]:
    """One fingerprint per finding, distinct within a report: identical lines of one file
    (same rule, path and snippet) get an occurrence index, in line order, after the first."""
    seen: dict[str, int] = {}
    prints = []
    for finding in findings:
        base = fingerprint(finding)
        n = seen.get(base, 0)
        seen[base] = n + 1
        prints.append(base if n == 0 else
                      hashlib.sha256(f"{base}#{n}".encode()).hexdigest()[:20])
    return prints


@dataclass(frozen=True, slots=True)
class TextOptions:
    """How the human-readable text report is shown."""

    color: bool = False
    quiet: bool = False  # findings only, no summary
    verbose: bool = False  # suppressed findings too
    prefix: str = ""  # prepended to paths: the scanned root as seen from the working directory


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


def literal_markup(text: str) -> str:
    """Repository text for a rich markup string: printable, and never read as markup."""
    from rich.markup import escape

    return escape(printable(text))


def _printable_result(result: ScanResult) -> ScanResult:
    findings = [_printable_finding(f) for f in result.findings]
    diagnostics = [replace(d, path=printable(d.path),
                           message=printable(mask_secrets(d.message), multiline=True))
                   for d in result.diagnostics]
    return replace(result, findings=findings, diagnostics=diagnostics)


def _printable_finding(finding: Finding) -> Finding:
    """The finding as it may be printed; the very same one when nothing needs escaping or
    masking (most do not, and copying thousands of findings is most of a re-run's report)."""
    path, message = printable(finding.path), printable(mask_secrets(finding.message))
    reason = finding.suppression_reason
    shown_reason = None if reason is None else printable(reason)
    related = tuple(r if r.path == path_r and r.message == message_r
                    else replace(r, path=path_r, message=message_r)
                    for r in finding.related
                    for path_r, message_r in ((printable(r.path),
                                               printable(mask_secrets(r.message))),))
    if (path == finding.path and message == finding.message and shown_reason == reason
            and related == finding.related):
        return finding
    return replace(finding, path=path, message=message, suppression_reason=shown_reason,
                   related=related)


def render(fmt: OutputFormat, report: Report, *, color: bool = False,
           step_summary: bool = True, text: TextOptions | None = None) -> str:
    """Text of `report` in `fmt`; each format lives in prodready/report/<format>.py."""
    module = importlib.import_module(f"prodready.report.{fmt.value}_format")
    if fmt is OutputFormat.TEXT:
        options = text or TextOptions(color=color)
        return str(module.render(report, color=options.color, show_suppressed=options.verbose,
                                 summary=not options.quiet, prefix=options.prefix))
    if fmt is OutputFormat.GITHUB:  # the one reporter with a side effect: the step summary
        return str(module.render(report, summary=step_summary))
    return str(module.render(report))
