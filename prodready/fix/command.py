"""The `prodready fix` command (registered on the CLI app)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..catalog import load_catalog
from ..scoring import compute_score


def fix(
    path: Annotated[Path, typer.Argument(help="Repository to fix.")] = Path("."),
    unsafe_fixes: Annotated[bool, typer.Option(
        "--unsafe-fixes", help="Also apply fixes that may change behaviour.")] = False,
    diff: Annotated[bool, typer.Option(
        "--diff", help="Print a unified diff and write nothing; exit 1 when there is one.")
    ] = False,
    select: Annotated[list[str] | None, typer.Option("--select")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore")] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1)] = None,
    config_file: Annotated[Path | None, typer.Option("--config")] = None,
    include: Annotated[list[str] | None, typer.Option("--include", help=(
        "Also fix artifacts that do not ship: examples, fixtures, dev, docs, generated."))
    ] = None,
) -> None:
    """Apply safe fixes (and unsafe ones with --unsafe-fixes)."""
    from ..commands import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, load, split_ids, split_names
    from .apply import run_fix

    config, _ = load(path, config_file, select=split_ids(select), ignore=split_ids(ignore),
                      fail_on=fail_on, include=split_names(include))
    outcome = run_fix(path, config, unsafe=unsafe_fixes, dry_run=diff, jobs=jobs)
    console = Console(file=sys.stderr if diff else sys.stdout, width=120)
    if diff:
        sys.stdout.write("".join(outcome.diffs[p] for p in sorted(outcome.diffs)))
    catalog = load_catalog()
    table = Table("Rule", "Category", "Fixes applied" if not diff else "Fixes (dry run)",
                  show_edge=False)
    for rule_id, count in sorted(outcome.applied.items()):
        table.add_row(rule_id, catalog[rule_id].category.value, str(count))
    by_category: dict[str, int] = {}
    for rule_id, count in outcome.applied.items():
        category = catalog[rule_id].category.value
        by_category[category] = by_category.get(category, 0) + count
    if outcome.applied:
        table.add_section()
        for category, count in sorted(by_category.items()):
            table.add_row("[bold]total[/bold]", category, str(count))
        console.print(table)
    for failed_path, why in outcome.failed:
        console.print(f"[red]not fixed[/red] {failed_path}: {why}")
    before = compute_score(outcome.before)
    after = compute_score(outcome.after)
    left = outcome.after.active_findings
    console.print(
        f"{sum(outcome.applied.values())} fix(es) in {len(outcome.changed_files)} file(s); "
        f"{len(left)} finding(s) left. Score {_fmt(before.overall)} -> {_fmt(after.overall)}."
    )
    if outcome.failed:
        raise typer.Exit(EXIT_ERROR)
    failing = [f for f in left if f.severity.rank >= config.fail_on.rank]
    # With --diff, pending changes fail the run too (a CI check that the fixes were applied).
    raise typer.Exit(EXIT_FINDINGS if failing or (diff and outcome.diffs) else EXIT_CLEAN)


def _fmt(score: float | None) -> str:
    return "N/A" if score is None else f"{score:.0f}"
