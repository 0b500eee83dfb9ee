"""GitHub Actions output: workflow-command annotations, plus the scorecard as the step summary.

`workflow_commands()` and `step_summary()` are pure functions of the report. `render()` returns the
annotations (written to stdout, where the runner reads workflow commands) and, as its one side
effect, appends the step summary to the file named by GITHUB_STEP_SUMMARY when the variable is
set: the runner creates that file per step and concatenates what is appended to it, so it is
never overwritten. Annotation paths must be relative to the checkout: when the scanned root
lies inside GITHUB_WORKSPACE (a service directory of a monorepo), its position is prefixed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..model import Diagnostic, Finding, Severity
from . import Report
from .github_paths import workspace_prefix
from .markdown_format import TOP_LIMIT, md_code, md_text
from .markdown_format import render as render_markdown

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}
DIAGNOSTIC_LEVELS = {"PARSE": "warning", "INTERNAL": "error"}
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
# The runner rejects a step summary over 1 MiB; keep the full finding list well below that.
SUMMARY_LIST_BUDGET = 512 * 1024


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF are percent-encoded (`%` first)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as a message, plus `:` and `,`, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    """One `::level k=v,...::message` line; properties that are None are left out."""
    props = ",".join(f"{key}={escape_property(str(value))}"
                     for key, value in properties.items() if value is not None)
    head = f"::{level} {props}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def _title(finding: Finding, report: Report) -> str:
    rule = report.result.rules.get(finding.rule_id)
    return f"{finding.rule_id} {rule.slug}" if rule else finding.rule_id


def finding_command(finding: Finding, report: Report, prefix: str = "") -> str:
    line = finding.line if finding.line and finding.line > 0 else None
    column = finding.column if line and finding.column and finding.column > 0 else None
    end_line = finding.end_line if line and finding.end_line >= line else None
    end_column = (finding.end_column
                  if column and end_line and finding.end_column and finding.end_column > 0
                  else None)
    return command(LEVELS[finding.severity], finding.message,
                   file=prefix + finding.path, line=line, col=column, endLine=end_line,
                   endColumn=end_column, title=_title(finding, report))


def diagnostic_command(diagnostic: Diagnostic, prefix: str = "") -> str | None:
    level = DIAGNOSTIC_LEVELS.get(diagnostic.kind)
    if level is None:
        return None
    path = prefix + diagnostic.path if diagnostic.path else None
    return command(level, diagnostic.message, file=path, line=diagnostic.line or None,
                   title=diagnostic.kind)


def workflow_commands(report: Report, prefix: str = "") -> str:
    """One workflow command per open finding (most severe first), then diagnostics.

    The runner shows only a few annotations of each level per step; sorting puts the most
    severe first, and the step summary lists everything.
    """
    findings = sorted(
        report.open_findings,
        key=lambda f: (-f.severity.rank, f.path, f.line, f.column, f.rule_id),
    )
    lines = [finding_command(f, report, prefix) for f in findings]
    for diagnostic in report.result.diagnostics:
        line = diagnostic_command(diagnostic, prefix)
        if line is not None:
            lines.append(line)
    return "".join(f"{line}\n" for line in lines)


def step_summary(report: Report) -> str:
    """The markdown scorecard, followed by every finding when it shows only the top ones."""
    text = render_markdown(report)
    active = report.open_findings
    if len(active) <= TOP_LIMIT:
        return text
    ordered = sorted(active, key=lambda f: (-f.severity.rank, f.path, f.line, f.rule_id))
    items: list[str] = []
    used = 0
    for finding in ordered:
        item = (f"- **{finding.severity.value}** `{finding.rule_id}` "
                f"{md_code(f'{finding.path}:{finding.line}')}: {md_text(finding.message)}\n")
        used += len(item.encode())
        if used > SUMMARY_LIST_BUDGET:
            items.append(f"- … and {len(ordered) - len(items)} more "
                         "(see the JSON or SARIF report)\n")
            break
        items.append(item)
    return (f"{text}\n<details>\n<summary>All {len(active)} findings</summary>\n\n"
            f"{''.join(items)}\n</details>\n")


def append_step_summary(report: Report, environ: Mapping[str, str] | None = None) -> str | None:
    """Append the step summary when GITHUB_STEP_SUMMARY names a file; an error text, or None."""
    target = (os.environ if environ is None else environ).get(SUMMARY_ENV)
    if not target:
        return None
    try:
        with Path(target).open("a", encoding="utf-8") as fh:
            fh.write(step_summary(report))
    except OSError as exc:
        return f"cannot append the step summary to {target}: {exc.strerror or exc}"
    return None


def render(report: Report, *, summary: bool = True) -> str:
    text = workflow_commands(report, workspace_prefix(report.result.root, os.environ))
    error = append_step_summary(report) if summary else None
    if error:
        text += command("warning", error, title="prodready") + "\n"
    return text
