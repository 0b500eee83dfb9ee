"""Command line: argument parsing and exit codes only; the work happens elsewhere."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from . import __version__
from .catalog import load_catalog, rule_matches
from .commands import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    INCLUDE_HELP,
    fail,
    load,
    split_ids,
    split_names,
)

app = typer.Typer(
    name="prodready",
    help="Audit a Python service repository for production readiness.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _version(value: bool) -> None:
    if value:
        typer.echo(f"prodready {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """prodready: production-readiness checks for Python services."""


PathArg = Annotated[Path, typer.Argument(help="Repository to scan.")]
SelectOpt = Annotated[list[str] | None, typer.Option(
    "--select", help="Rules or prefixes to run (comma-separated, repeatable).")]
IgnoreOpt = Annotated[list[str] | None, typer.Option(
    "--ignore", help="Rules or prefixes to skip (comma-separated, repeatable).")]
IncludeOpt = Annotated[list[str] | None, typer.Option("--include", help=INCLUDE_HELP)]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="Config file (default: .prodready.toml or pyproject.toml in PATH).")]


@app.command()
def scan(
    path: PathArg = Path("."),
    format: Annotated[str, typer.Option(
        "--format", "-f",
        help="text, json, sarif, markdown, github, codeclimate or junit.")] = "text",
    output: Annotated[list[str] | None, typer.Option(
        "--output", "-o", help="Also write FORMAT=FILE (repeatable).")] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit 1 when a finding is at or above this severity.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
                                             help="Worker processes (default: all cores).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Skip the cache.")] = False,
    config_file: ConfigOpt = None,
    include_tests: Annotated[bool, typer.Option("--include-tests",
                                                help="Also scan test code.")] = False,
    no_inline_ignores: Annotated[bool, typer.Option(
        "--no-inline-ignores", help="Disregard inline suppression comments.")] = False,
    require_reason: Annotated[bool, typer.Option(
        "--require-reason", help="Honour only suppressions that give a reason.")] = False,
    compare: Annotated[Path | None, typer.Option(
        "--compare", help="An earlier JSON report to compare the scorecard with.")] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="A baseline file: fail only on findings it does not list.")] = None,
    diff_base: Annotated[str | None, typer.Option(
        "--diff-base", help="Keep only findings in code changed since this git ref.")] = None,
    explain_score: Annotated[bool, typer.Option(
        "--explain-score", help="Show, per rule, the points fixing it would recover.")] = False,
    include: IncludeOpt = None,
) -> None:
    """Scan a repository and report findings."""
    from .engine import scan as run_scan
    from .report import OutputFormat, Report, render

    formats = _parse_outputs(format, output)
    config, _ = load(
        path, config_file, select=split_ids(select), ignore=split_ids(ignore), fail_on=fail_on,
        include_tests=include_tests or None,
        inline_ignores=False if no_inline_ignores else None,
        require_reason=require_reason or None, include=split_names(include),
    )
    previous = None
    if compare is not None:
        try:
            previous = json.loads(compare.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise fail(f"cannot read --compare report {compare}: {exc}") from None
    try:
        result = run_scan(path, config, jobs=jobs, use_cache=not no_cache)
    except Exception as exc:  # an internal error must never look like a clean run
        raise fail(f"internal error: {type(exc).__name__}: {exc}") from exc
    if diff_base is not None:
        result = _keep_changed(result, path, diff_base)
    if baseline is not None:
        result = _apply_baseline(result, baseline)
    report = Report.of(result, previous)
    primary, extra = formats[0], formats[1:]
    color = primary[0] is OutputFormat.TEXT and sys.stdout.isatty()
    sys.stdout.write(render(primary[0], report, color=color))
    summarized = primary[0] is OutputFormat.GITHUB
    for fmt, target in extra:
        assert target is not None
        _write_atomic(target, render(fmt, report, step_summary=not summarized))
        summarized = summarized or fmt is OutputFormat.GITHUB
    if explain_score:
        _print_score_explanation(report, to_stderr=primary[0] is not OutputFormat.TEXT)
    if any(d.kind == "INTERNAL" for d in result.diagnostics):
        raise typer.Exit(EXIT_ERROR)
    threshold = config.fail_on
    failing = [f for f in result.active_findings
               if f.severity.rank >= threshold.rank and f.baseline == "new"]
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _apply_baseline(result: Any, path: Path) -> Any:
    from .baseline import BaselineError, apply_to_result, load

    try:
        return apply_to_result(result, load(path))
    except BaselineError as exc:
        raise fail(str(exc)) from None


def _keep_changed(result: Any, root: Path, ref: str) -> Any:
    from .diffbase import DiffBaseError, changed_lines, keep_changed

    try:
        return keep_changed(result, changed_lines(root.resolve(), ref), ref)
    except DiffBaseError as exc:
        raise fail(str(exc)) from None


def _print_score_explanation(report: Any, *, to_stderr: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    score = report.score
    table = Table("Rule", "Category", "Failing", "Examined", "Points", show_edge=False,
                  title="Points each rule would recover if all its findings were fixed")
    rows = sorted(((score.points_recoverable(rid), rid, rs) for rid, rs in score.rules.items()
                   if rs.failed), key=lambda r: (-r[0], r[1]))
    for points, rid, rs in rows:
        rule = report.result.rules[rid]
        table.add_row(f"{rid} {rule.slug}", rule.category.value, str(rs.failed),
                      str(rs.examined), f"+{points:.1f}")
    Console(stderr=to_stderr, width=120).print(table)


@app.command("baseline")
def write_baseline(
    path: PathArg = Path("."),
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write.")] = (
        Path(".prodready-baseline.json")),
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    config_file: ConfigOpt = None,
    include: IncludeOpt = None,
) -> None:
    """Record today's findings so `scan --baseline` fails only on new ones."""
    from .baseline import build, dumps
    from .engine import scan as run_scan

    config, _ = load(path, config_file, select=split_ids(select), ignore=split_ids(ignore),
                     include=split_names(include))
    result = run_scan(path, config)
    document = build(result.findings)
    _write_atomic(output, dumps(document))
    total = sum(e["count"] for e in document["findings"])
    typer.echo(f"wrote {output}: {total} finding(s) in {len(document['findings'])} entries")


def _parse_outputs(primary: str, outputs: list[str] | None) -> list[tuple[Any, Path | None]]:
    from .report import OutputFormat

    def fmt_of(name: str) -> OutputFormat:
        try:
            return OutputFormat(name.strip().lower())
        except ValueError:
            choices = ", ".join(f.value for f in OutputFormat)
            raise fail(f"unknown format {name!r} (choose from {choices})") from None

    result: list[tuple[Any, Path | None]] = [(fmt_of(primary), None)]
    for item in outputs or []:
        name, sep, target = item.partition("=")
        if not sep or not target:
            raise fail(f"--output expects FORMAT=FILE, got {item!r}")
        result.append((fmt_of(name), Path(target)))
    return result


def _write_atomic(target: Path, text: str) -> None:
    import os
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def rules(
    select: SelectOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List the rule catalog."""
    catalog = load_catalog()
    wanted = split_ids(select) or []
    chosen = [r for r in catalog.values() if not select or rule_matches(r.id, wanted)]
    if format == "json":
        typer.echo(json.dumps([
            {"id": r.id, "slug": r.slug, "severity": r.severity.value,
             "category": r.category.value, "fix": r.fix, "summary": r.summary}
            for r in chosen
        ], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("ID", "Slug", "Severity", "Category", "Fix", "Summary", show_edge=False)
    for r in chosen:
        table.add_row(r.id, r.slug, r.severity.value, r.category.value,
                      "—" if r.fix == "none" else r.fix, r.summary)
    Console(width=160).print(table)


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id or slug, e.g. PY001.")]) -> None:
    """Print a rule's documentation and examples."""
    from .docs import rule_markdown

    catalog = load_catalog()
    wanted = rule_id.strip()
    rule = catalog.get(wanted.upper()) or next(
        (r for r in catalog.values() if r.slug == wanted.lower()), None)
    if rule is None:
        raise fail(f"unknown rule {rule_id!r}; `prodready rules` lists them")
    typer.echo(rule_markdown(rule))


@app.command("config")
def show_config(path: PathArg = Path("."), config_file: ConfigOpt = None) -> None:
    """Print the effective configuration (as TOML-like JSON)."""
    config, source = load(path, config_file)
    typer.echo(f"# source: {source or 'defaults'}")
    typer.echo(json.dumps(config.model_dump(mode="json", by_alias=True), indent=2))


@app.command()
def services(
    path: PathArg = Path("."),
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    config_file: ConfigOpt = None,
    artifacts: Annotated[bool, typer.Option(
        "--artifacts", help="JSON: list every artifact's role and why instead.")] = False,
) -> None:
    """Show the services prodready found (apps, routes, resources, images, deployments,
    exposure) and the role of every artifact (deployed, example, test fixture, dev, docs)."""
    from .engine import scan as run_scan

    try:
        from .project.services import build_services, render_services_text, services_to_json
    except ImportError:
        raise fail("the service model is not available in this build") from None
    from .project.deployment import deployment_of, render_roles_text, roles_to_json
    from .project.exposure import annotate_json, annotate_text

    config, _ = load(path, config_file)
    result = run_scan(path, config, use_cache=True)
    assert result.project is not None
    found = build_services(result.project)
    model = deployment_of(result.project)
    if format == "json":
        data = roles_to_json(model) if artifacts else annotate_json(
            result.project, found, services_to_json(found))
        typer.echo(json.dumps(data, indent=2))
        return
    from rich.console import Console

    console = Console()
    if not found:
        console.print("no web application (FastAPI, Starlette, Flask, Django) found")
    else:
        console.print(annotate_text(result.project, found, render_services_text(found)))
    console.print(render_roles_text(model))


def _register_fix() -> None:
    from .fix.command import fix

    app.command()(fix)


def _register_comment() -> None:
    from .comment import comment

    app.command()(comment)


_register_fix()
_register_comment()
