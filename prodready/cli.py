"""Command line: argument parsing and exit codes only; the work happens elsewhere."""

from __future__ import annotations

import gc
import json
import os
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
    internal_error,
    load,
    split_ids,
    split_names,
    use_color,
)

app = typer.Typer(
    name="prodready",
    help="Audit a Python service repository for production readiness.",
    no_args_is_help=True,
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
    "--config", help="Config file (default: the nearest .prodready.toml or pyproject.toml "
                     "with \\[tool.prodready], from PATH up to the repository root).")]
ColorOpt = Annotated[str, typer.Option(
    "--color", help="auto (a terminal, unless NO_COLOR is set or TERM=dumb; FORCE_COLOR "
                    "forces it), always or never.", case_sensitive=False)]


@app.command()
def scan(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Repository, service directory or files to scan (default: .). Files or several "
             "paths: the repository holding them is analysed and only their findings "
             "reported.", show_default=False)] = None,
    format: Annotated[str, typer.Option(
        "--format", "-f",
        help="text, json, sarif, markdown, github, codeclimate or junit.")] = "text",
    output: Annotated[list[str] | None, typer.Option(
        "--output", "-o", help="Also write FORMAT=FILE (repeatable); FORMAT=- prints that "
                               "format on stdout instead of --format's.")] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit 1 when an open finding is at or above this severity "
                          "(critical, high, medium, low, info); add `parse` (e.g. high,parse) "
                          "to fail when a file does not parse.")] = None,
    fail_under: Annotated[float | None, typer.Option(
        "--fail-under", min=0, max=100, help="Exit 1 when the overall score is under SCORE.",
        metavar="SCORE")] = None,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="Exit 0 even when the gate fails (errors still exit 2).")] = False,
    color: ColorOpt = "auto",
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Text output: findings only, no summary.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Text output: also suppressed findings and the config used.")
    ] = False,
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
    from .engine import gc_paused
    from .engine import scan as run_scan
    from .report import OutputFormat, Report, TextOptions, render

    formats = _parse_outputs(format, output)
    path, only = _scan_target(paths or [Path(".")])
    severity, on_parse = _parse_fail_on(fail_on)
    config, source = load(
        only.config_dir if only else path, config_file, scan_root=path,
        select=split_ids(select), ignore=split_ids(ignore), fail_on=severity,
        fail_on_parse=on_parse, fail_under=fail_under,
        include_tests=include_tests or None,
        inline_ignores=False if no_inline_ignores else None,
        require_reason=require_reason or None, include=split_names(include),
    )
    if verbose:
        typer.echo(f"prodready: scanning {path} with config {source or 'defaults'}", err=True)
    previous = None
    if compare is not None:
        try:
            previous = _earlier_report(json.loads(compare.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise fail(f"cannot read --compare report {compare}: {reason}") from None
    # The report reads the scan's objects (millions, on a large tree) and makes thousands
    # more: none is cyclic garbage, and the collector would only walk them all again.
    with gc_paused():
        try:
            result = run_scan(path, config, jobs=jobs, use_cache=not no_cache,
                              memo=diff_base is None)
        except Exception as exc:  # an internal error must never look like a clean run
            raise internal_error(exc) from exc
        if only is not None:
            result = only.keep(result)
        if diff_base is not None:
            result = _keep_changed(result, path, diff_base)
        if baseline is not None:
            result = _apply_baseline(result, baseline)
        report = Report.of(result, previous)
        # FORMAT=- takes stdout in place of --format; the other outputs go to their files
        to_stdout = next((fmt for fmt, target in formats[1:] if target == STDOUT), formats[0][0])
        files = [(fmt, target) for fmt, target in formats[1:] if target != STDOUT]
        options = TextOptions(color=use_color(color, sys.stdout), quiet=quiet, verbose=verbose,
                              prefix=_display_prefix(path))
        sys.stdout.write(render(to_stdout, report, text=options))
        summarized = to_stdout is OutputFormat.GITHUB
        for fmt, target in files:
            assert target is not None
            _write_atomic(target, render(fmt, report, step_summary=not summarized))
            summarized = summarized or fmt is OutputFormat.GITHUB
    if explain_score:
        _print_score_explanation(report, to_stderr=to_stdout is not OutputFormat.TEXT)
    if any(d.kind == "INTERNAL" for d in result.diagnostics):
        raise typer.Exit(EXIT_ERROR)
    failures = report.gate_failures()
    if failures and verbose:
        typer.echo(f"prodready: gate failed: {'; '.join(failures)}", err=True)
    code = EXIT_FINDINGS if failures and not exit_zero else EXIT_CLEAN
    if ctx.obj is not None:  # the replay could not answer this run: the next one may be
        _record_for_replay(ctx.obj, report, to_stdout, options, code)
    raise typer.Exit(code)


def _record_for_replay(replayable: Any, report: Any, fmt: Any, options: Any,
                       code: int) -> None:
    """Keep this run's output for an identical re-run (prodready/replay.py) as a run answered
    from the memo prints it: its stats count the memo's files as cached."""
    from dataclasses import replace

    from .replay import record
    from .report import OutputFormat, render
    from .report.github_format import SUMMARY_ENV

    memo = report.result.memo
    if memo is None or (fmt is OutputFormat.GITHUB and os.environ.get(SUMMARY_ENV)):
        return  # no memo to stand for; a replay would not append the step summary

    def shown(duration: float) -> str:
        stats = replace(report.result.stats, duration_s=duration, cached_files=memo[1])
        again = replace(report, result=replace(report.result, stats=stats))
        return render(fmt, again, step_summary=False, text=options)

    record(replayable, fmt.value, code, memo[0], shown)


def _parse_fail_on(value: str | None) -> tuple[str | None, bool | None]:
    """`--fail-on high,parse` -> ("high", True); severities in any case."""
    if value is None:
        return None, None
    words = [w.strip().lower() for w in value.split(",") if w.strip()]
    on_parse = "parse" in words
    severities = [w for w in words if w != "parse"]
    if len(severities) > 1:
        raise fail(f"--fail-on takes one severity, got {', '.join(severities)}")
    return (severities[0] if severities else None), (True if on_parse else None)


def _display_prefix(root: Path) -> str:
    """How the working directory reaches the scanned root, so printed paths are clickable."""
    try:
        rel = os.path.relpath(root.resolve(), Path.cwd())
    except (OSError, ValueError):
        return f"{root.resolve().as_posix()}/"
    return "" if rel == "." else Path(rel).as_posix() + "/"


def _scan_target(paths: list[Path]) -> tuple[Path, Any]:
    """The directory to scan and, for files or several paths, which findings to keep."""
    from .discover import repository_root
    from .pathfilter import PathFilter

    for p in paths:
        if not p.exists():
            raise fail(f"path does not exist: {p}")
    resolved = [p.resolve() for p in paths]
    if len(resolved) == 1 and resolved[0].is_dir():
        return paths[0], None
    base = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in resolved]))
    root = repository_root(base) or base
    return root, PathFilter(root, resolved, base)


def _earlier_report(data: Any) -> dict[str, Any]:
    """The parts of an earlier JSON report the scorecard compares with, checked for shape
    (a malformed file is a one-line error, not a traceback in the middle of rendering)."""
    def number(value: Any) -> bool:
        return value is None or (isinstance(value, int | float) and not isinstance(value, bool))

    if not isinstance(data, dict):
        raise ValueError("not a prodready JSON report (expected an object)")
    score = data.get("score") or {}
    categories = (score.get("categories") or {}) if isinstance(score, dict) else None
    if not isinstance(categories, dict) or not number(score.get("overall")) or not all(
            isinstance(c, dict) and number(c.get("score")) for c in categories.values()):
        raise ValueError("its score is malformed")
    findings = data.get("findings") or []
    text_keys = ("fingerprint", "rule_id", "path")
    if not isinstance(findings, list) or not all(
            isinstance(f, dict) and all(isinstance(f.get(k), str) for k in text_keys)
            and isinstance(f.get("message", ""), str) and isinstance(f.get("slug", ""), str)
            and isinstance(f.get("severity", "info"), str)
            and (f.get("line") is None or isinstance(f.get("line"), int))
            for f in findings):
        raise ValueError("its findings are malformed")
    return data


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
    try:
        result = run_scan(path, config)
        document = build(result.findings)
    except Exception as exc:
        raise internal_error(exc) from exc
    _write_atomic(output, dumps(document))
    total = sum(e["count"] for e in document["findings"])
    typer.echo(f"wrote {output}: {total} finding(s) in {len(document['findings'])} entries")


STDOUT = Path("-")


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
    if sum(1 for _, target in result if target == STDOUT) > 1:
        raise fail("only one --output may go to stdout (-)")
    return result


def _write_atomic(target: Path, text: str) -> None:
    """Write a report or baseline; any failure is one line and exit 2."""
    try:
        _write_file(target, text)
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise fail(f"cannot write {target}: {reason}") from None


def _write_file(target: Path, text: str) -> None:
    """Write via a temporary file and rename. The file gets the mode any new file gets
    (0666 less the umask), or keeps the mode of the file it replaces."""
    import stat
    import tempfile

    if target.is_dir():
        raise IsADirectoryError(21, "is a directory")
    data = text.encode("utf-8")
    try:
        existing: int | None = target.stat().st_mode
    except OSError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing):
        with open(target, "wb") as fh:  # /dev/stdout, a pipe: written, never replaced
            fh.write(data)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if existing is not None:
        mode = stat.S_IMODE(existing)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)  # mkstemp creates 0600, which no report or baseline should keep
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _listing_format(value: str) -> str:
    """text, json or yaml, for the listing commands; anything else is a usage error."""
    chosen = value.strip().lower()
    if chosen not in ("text", "json", "yaml"):
        raise fail(f"unknown format {value!r} (choose from text, json, yaml)")
    return chosen


def _dump(data: Any, fmt: str) -> str:
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip("\n")
    return json.dumps(data, indent=2)


ListingFormat = Annotated[str, typer.Option("--format", "-f", help="text, json or yaml.")]


@app.command()
def rules(select: SelectOpt = None, format: ListingFormat = "text") -> None:
    """List the rule catalog."""
    fmt = _listing_format(format)
    catalog = load_catalog()
    wanted = split_ids(select) or []
    chosen = [r for r in catalog.values() if not select or rule_matches(r.id, wanted)]
    if fmt != "text":
        typer.echo(_dump([
            {"id": r.id, "slug": r.slug, "severity": r.severity.value,
             "category": r.category.value, "fix": r.fix, "summary": r.summary}
            for r in chosen
        ], fmt))
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
        from .config import did_you_mean

        names = [*catalog, *(r.slug for r in catalog.values())]
        raise fail(f"unknown rule {rule_id!r}{did_you_mean(wanted, names)}; "
                   "`prodready rules` lists them")
    typer.echo(rule_markdown(rule))


@app.command("config")
def show_config(
    path: PathArg = Path("."),
    config_file: ConfigOpt = None,
    format: Annotated[str, typer.Option(
        "--format", "-f", help="toml (a \\[tool.prodready] table to paste) or json.")] = "toml",
) -> None:
    """Print the effective configuration."""
    from .config import to_toml

    config, source = load(path, config_file)
    data = config.model_dump(mode="json", by_alias=True)
    chosen = format.strip().lower()
    if chosen == "json":
        typer.echo(json.dumps(data, indent=2))
    elif chosen == "toml":
        typer.echo(f"# source: {source or 'defaults'}\n{to_toml(data)}", nl=False)
    else:
        raise fail(f"unknown format {format!r} (choose from toml, json)")


@app.command()
def services(
    path: PathArg = Path("."),
    format: ListingFormat = "text",
    config_file: ConfigOpt = None,
    artifacts: Annotated[bool, typer.Option(
        "--artifacts", help="JSON: list every artifact's role and why instead.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Skip the cache.")] = False,
) -> None:
    """Show the services prodready found and the role of every artifact.

    Apps, routes, resources, images, deployments and exposure; each Dockerfile, manifest and
    Compose file as deployed, example, test fixture, dev tooling, docs or generated, and why.
    """
    from .engine import scan as run_scan

    try:
        from .project.services import build_services, render_services_text, services_to_json
    except ImportError:
        raise fail("the service model is not available in this build") from None
    from .project.deployment import deployment_of, render_roles_text, roles_to_json
    from .project.exposure import annotate_json, annotate_text
    from .project.profile import render_profile_text

    fmt = _listing_format(format)
    config, _ = load(path, config_file)
    try:
        result = run_scan(path, config, use_cache=not no_cache)
        assert result.project is not None
        found = build_services(result.project)
        model = deployment_of(result.project)
        if fmt != "text":
            data = roles_to_json(model) if artifacts else annotate_json(
                result.project, found, services_to_json(found))
            typer.echo(_dump(data, fmt))
            return
        from rich.console import Console

        console = Console()
        if not found:
            console.print("no web application (FastAPI, Starlette, Flask, Django) found")
        else:
            console.print(annotate_text(result.project, found, render_services_text(found)))
        console.print(render_roles_text(model))
        console.print(render_profile_text(result.project))
    except Exception as exc:
        raise internal_error(exc) from exc


def _register_fix() -> None:
    from .fix.command import fix

    app.command()(fix)


def _register_comment() -> None:
    from .comment import comment

    app.command()(comment)


_register_fix()
_register_comment()


def run(replayable: Any = None) -> None:
    """The command: a failure of prodready itself is one line and exit 2, never a traceback
    and never exit 1 (which reads as "findings"). `replayable`: what the replay
    (prodready/replay.py) records this run's output under, if it may."""
    # What is loaded by now lives until exit: the collector need not walk it again (most of a
    # re-run answered from the memo would otherwise go to full collections over the libraries).
    gc.freeze()
    try:
        app(obj=replayable)
    except Exception as exc:
        internal_error(exc)
        raise SystemExit(EXIT_ERROR) from None
