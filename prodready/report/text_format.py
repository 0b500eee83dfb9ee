"""Human output: findings grouped by file, `path:line:col  RULE [sev] message`, a score panel."""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console
from rich.table import Table

from ..model import Severity
from . import Report

STYLES = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow",
          Severity.LOW: "cyan", Severity.INFO: "dim"}


def render(report: Report, *, color: bool = False, show_suppressed: bool = False) -> str:
    console = Console(record=True, width=120, force_terminal=color, no_color=not color,
                      highlight=False, file=io.StringIO())
    result = report.result
    shown = [f for f in result.findings if show_suppressed or not f.suppressed]
    for path, group in groupby(shown, key=lambda f: f.path):
        console.print(f"[bold]{path}[/bold]")
        for f in group:
            style = STYLES[f.severity]
            tag = " (suppressed)" if f.suppressed else ""
            console.print(
                f"  {f.path}:{f.line}:{f.column}  [bold]{f.rule_id}[/bold] "
                f"[{style}]\\[{f.severity.value}][/{style}] {_escape(f.message)}{tag}",
                soft_wrap=True,  # one finding, one line: greppable and clickable
            )
        console.print()
    for d in result.diagnostics:
        where = f"{d.path}:{d.line}" if d.line else d.path
        console.print(f"[magenta]{d.kind}[/magenta] {where}: {_escape(d.message)}",
                      soft_wrap=True)
    if result.diagnostics:
        console.print()
    _summary(console, report)
    return console.export_text(styles=color)


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
    if result.stats.skipped_roles:
        roles = ", ".join(f"{n} {role}" for role, n in result.stats.skipped_roles.items())
        console.print(f"Not judged (not what ships): {roles} finding(s); "
                      "--include examples,fixtures,dev,docs,generated shows them.")
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


def _escape(text: str) -> str:
    return text.replace("[", "\\[")
