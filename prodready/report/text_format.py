"""Human output: findings grouped by file, `path:line:col  RULE [sev] message`, a score panel."""

from __future__ import annotations

import io
import os
from itertools import groupby
from pathlib import Path

from rich._emoji_replace import _emoji_replace
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape  # repository text is printed literally, never as markup
from rich.table import Table

from ..fix.fixable import fixable_summary, wanted
from ..model import Finding, Severity
from ..project.profile import profile_summary
from . import Report

STYLES = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow",
          Severity.LOW: "cyan", Severity.INFO: "dim"}


def render(report: Report, *, color: bool = False, show_suppressed: bool = False,
           summary: bool = True, prefix: str = "") -> str:
    """`prefix` leads every path: the scanned root as seen from the working directory."""
    console = Console(record=True, width=120, force_terminal=color, no_color=not color,
                      highlight=False, file=io.StringIO())
    shown = [f for f in report.result.findings if show_suppressed or not f.suppressed]
    head = _body(report, shown, console, plain=not color, summary=summary, prefix=prefix)
    if summary:
        _summary(console, report)
    return head + console.export_text(styles=color)


def _body(report: Report, shown: list[Finding], console: Console, *, plain: bool,
          summary: bool, prefix: str) -> str:
    """Findings grouped by file, then diagnostics. Without colour, a line rich would print
    unchanged is written directly (rich costs seconds on thousands of findings); the text
    returned goes before what `console` holds."""
    out: list[str] = []

    def line(text: str, markup: str, *parts: str, soft_wrap: bool) -> None:
        if plain and _literal(text, *parts) and (soft_wrap or cell_len(text) <= console.width):
            out.append(text + "\n")
            return
        console.print(markup, soft_wrap=soft_wrap)
        if plain:
            out.append(console.export_text(styles=False))

    for path, group in groupby(shown, key=lambda f: f.path):
        shown_path = _shown(prefix, path)
        line(shown_path, f"[bold]{escape(shown_path)}[/bold]", shown_path, soft_wrap=False)
        for f in group:
            style = STYLES[f.severity]
            tag = " (suppressed)" if f.suppressed else ""
            where = shown_path  # grouped by path
            mark = "[*] " if wanted(f, unsafe=False) else ""  # fixable, as ruff marks it
            line(f"  {where}:{f.line}:{f.column}  {f.rule_id} {mark}[{f.severity.value}] "
                 f"{f.message}{tag}",
                 f"  {escape(where)}:{f.line}:{f.column}  [bold]{f.rule_id}[/bold] "
                 f"{escape(mark)}[{style}]\\[{f.severity.value}][/{style}] "
                 f"{escape(f.message)}{tag}",
                 where, f.message,
                 soft_wrap=True)  # one finding, one line: greppable and clickable
        line("", "", soft_wrap=False)
    for d in report.result.diagnostics:
        shown_path = _shown(prefix, d.path) if d.path else d.path
        where = f"{shown_path}:{d.line}" if d.line else shown_path
        line(f"{d.kind} {where}: {d.message}",
             f"[magenta]{d.kind}[/magenta] {escape(where)}: {escape(d.message)}", d.kind, where,
             d.message, soft_wrap=True)
    if report.result.diagnostics and summary:
        line("", "", soft_wrap=False)
    return "".join(out)


def _literal(line: str, *parts: str) -> bool:
    """Rich prints `line` unchanged: its repository-controlled `parts` hold no markup or
    escapes, and the line no emoji codes, control characters or trailing blanks."""
    return (line.isprintable() and not any("[" in p or "\\" in p for p in parts)
            and line == line.rstrip() and _emoji_replace(line) == line)


def _summary(console: Console, report: Report) -> None:
    result, score = report.result, report.score
    active = result.active_findings
    suppressed = len(result.findings) - len(active)
    by_sev = {s: sum(1 for f in active if f.severity is s) for s in Severity}
    counts = ", ".join(f"{n} {s.value}" for s, n in by_sev.items() if n)
    files = ", ".join(f"{n} {k}" for k, n in sorted(result.stats.files.items()))
    console.print(
        f"Found {len(active)} finding(s){f' ({counts})' if counts else ''}"
        f"{f', {suppressed} suppressed' if suppressed else ''} in {files or 'no files'} "
        f"({result.stats.lines} lines, {result.stats.duration_s:.2f}s)."
    )
    if score.unchecked_files:
        console.print(f"{score.unchecked_files} file(s) could not be parsed and were not checked "
                      "(see PARSE above).")
    fixable = fixable_summary(active)
    if fixable:
        console.print(fixable, highlight=False)
    if result.stats.skipped_roles:
        roles = ", ".join(f"{n} {role}" for role, n in result.stats.skipped_roles.items())
        console.print(f"Not judged (not what ships): {roles} finding(s); "
                      "--include examples,fixtures,dev,docs,generated shows them.")
    if result.profile is not None and (line := profile_summary(
            result.profile, frozenset(f.rule_id for f in active))):
        console.print(line, highlight=False)
    if result.baseline is not None:
        b = result.baseline
        console.print(f"Baseline: {b['new']} new, {b['baselined']} baselined, "
                      f"{sum(e['count'] for e in b['fixed'])} fixed since the baseline.")
    table = Table(title=None, show_edge=False, pad_edge=False)
    table.add_column("Category")
    table.add_column("Score", justify="right")
    table.add_column("Findings", justify="right")
    for cat, cs in score.categories.items():
        table.add_row(cat.value, "N/A" if cs.score is None else f"{cs.score:.0f}",
                      str(cs.findings))
    overall = "N/A" if score.overall is None else f"{score.overall:.0f}/100"
    table.add_row("[bold]overall[/bold]", f"[bold]{overall}[/bold]", f"grade {score.grade}")
    console.print(table)
    failures = report.gate_failures()
    verdict = f"[red]failed[/red]: {'; '.join(failures)}" if failures else "[green]passed[/green]"
    console.print(f"Gate {verdict}.")


def _shown(prefix: str, path: str) -> str:
    # relpath collapses `../app/` back into the working directory when it lies inside the root
    return Path(os.path.relpath(prefix + path)).as_posix() if prefix else path

