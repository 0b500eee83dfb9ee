"""The `prodready fix` command (registered on the CLI app)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

from ..catalog import load_catalog
from ..model import Finding, FixSafety
from ..report import printable
from ..scoring import compute_score


def fix(
    path: Annotated[Path, typer.Argument(help="Repository to fix.")] = Path("."),
    unsafe_fixes: Annotated[bool, typer.Option(
        "--unsafe-fixes", help="Also apply fixes that may change behaviour.")] = False,
    diff: Annotated[bool, typer.Option(
        "--diff", help="Print a unified diff and write nothing; exit 0 when there is "
                       "nothing to change, 1 when changes are pending, 2 on errors.")
    ] = False,
    show_fixes: Annotated[bool, typer.Option(
        "--show-fixes", help="List, per file, every fix applied.")] = False,
    select: Annotated[list[str] | None, typer.Option(
        "--select", help="Fix only these rules or prefixes (comma-separated, repeatable).")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", help="Leave these rules or prefixes alone (comma-separated, repeatable).")
    ] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit 1 when a finding left after fixing is at or above this "
                          "severity.")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes (default: all cores).")] = None,
    config_file: Annotated[Path | None, typer.Option(
        "--config", help="Config file (default: the nearest .prodready.toml or "
                         "pyproject.toml with \\[tool.prodready]).")] = None,
    include: Annotated[list[str] | None, typer.Option("--include", help=(
        "Also fix artifacts that do not ship: examples, fixtures, dev, docs, generated."))
    ] = None,
) -> None:
    """Apply safe fixes (and unsafe ones with --unsafe-fixes)."""
    from rich.console import Console  # rich is loaded only when a fix runs: start-up cost
    from rich.markup import escape
    from rich.table import Table

    from ..commands import (
        EXIT_CLEAN,
        EXIT_ERROR,
        EXIT_FINDINGS,
        fail,
        internal_error,
        load,
        split_ids,
        split_names,
    )
    from .apply import run_fix

    config, _ = load(path, config_file, select=split_ids(select), ignore=split_ids(ignore),
                      fail_on=fail_on.lower() if fail_on else None,
                      include=split_names(include))
    try:
        outcome = run_fix(path, config, unsafe=unsafe_fixes, dry_run=diff, jobs=jobs)
    except OSError as exc:
        raise fail(f"cannot fix {path}: {exc}") from None
    except Exception as exc:
        raise internal_error(exc) from exc
    console = Console(file=sys.stderr if diff else sys.stdout, width=120, highlight=False)
    if diff:
        sys.stdout.write("".join(outcome.diffs[p] for p in sorted(outcome.diffs)))
    catalog = load_catalog()
    verb = "Would fix" if diff else "Fixed"
    if show_fixes:
        for fixed_path in sorted(outcome.fixes):
            console.print(f"[bold]{escape(fixed_path)}[/bold]:")
            for applied in sorted(outcome.fixes[fixed_path], key=lambda a: (a.line, a.rule_id)):
                label = " [yellow](unsafe)[/yellow]" if applied.safety is FixSafety.UNSAFE \
                    else ""
                console.print(f"  {verb.lower()} {applied.rule_id}{label} (line "
                              f"{applied.line}): {escape(applied.description)}")
    table = Table("Rule", "Category", "Fixes applied" if not diff else "Fixes (dry run)",
                  show_edge=False)
    unsafe_rules = {a.rule_id for fixes in outcome.fixes.values() for a in fixes
                    if a.safety is FixSafety.UNSAFE}
    for rule_id, count in sorted(outcome.applied.items()):
        label = f"{rule_id} (unsafe)" if rule_id in unsafe_rules else rule_id
        table.add_row(label, catalog[rule_id].category.value, str(count))
    by_category: dict[str, int] = {}
    for rule_id, count in outcome.applied.items():
        category = catalog[rule_id].category.value
        by_category[category] = by_category.get(category, 0) + count
    if outcome.applied:
        table.add_section()
        for category, count in sorted(by_category.items()):
            table.add_row("[bold]total[/bold]", category, str(count))
        console.print(table)
    for skipped_path, why in outcome.skipped:
        console.print(f"[yellow]skipped[/yellow] {escape(printable(skipped_path))}: "
                      f"{escape(printable(why))}")
    for failed_path, why in outcome.failed:
        console.print(f"[red]not fixed[/red] {escape(printable(failed_path))}: "
                      f"{escape(printable(why))}")
    left = outcome.after.active_findings
    _print_left(console, left, unsafe_fixes)
    before = compute_score(outcome.before)
    after = compute_score(outcome.after)
    console.print(
        f"{sum(outcome.applied.values())} fix(es) in {len(outcome.changed_files)} file(s); "
        f"{len(left)} finding(s) left. Score {_fmt(before.overall)} -> {_fmt(after.overall)}."
    )
    if outcome.failed:
        raise typer.Exit(EXIT_ERROR)
    if diff:  # a CI check that the fixes were applied: pending changes fail
        raise typer.Exit(EXIT_FINDINGS if outcome.diffs else EXIT_CLEAN)
    failing = [f for f in left if f.severity.rank >= config.fail_on.rank]
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _print_left(console: Console, left: list[Finding], unsafe: bool) -> None:
    """What is left, per rule, and why `fix` did not change it."""
    from rich.markup import escape

    reasons: dict[tuple[str, str], int] = {}
    for finding in left:
        if finding.fix is None or not (finding.fix.edits or finding.fix.codemods):
            why = "no automatic fix" if finding.fix is None else \
                f"display-only: {finding.fix.description}"
        elif finding.fix.safety is FixSafety.UNSAFE and not unsafe:
            why = "unsafe fix: apply with --unsafe-fixes"
        else:
            why = "fix not applied (see above)"
        reasons[(finding.rule_id, why)] = reasons.get((finding.rule_id, why), 0) + 1
    if not reasons:
        return
    console.print("Left:")
    for (rule_id, why), count in sorted(reasons.items()):
        console.print(f"  {rule_id}  {count} finding(s): {escape(why)}")


def _fmt(score: float | None) -> str:
    return "N/A" if score is None else f"{score:.0f}"
