"""The scan: discover, parse each file once in worker processes, project checks, filters."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import time
import traceback
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, cache
from .artifacts.python import PythonFile, PythonSyntaxError, parse_python
from .artifacts.source import UnreadableFile, decode
from .artifacts.yamldocs import YamlError, is_compose_path, looks_like_template, parse_yaml
from .catalog import Rule, load_catalog
from .checks.api import RuleContext
from .config import Config
from .discover import SourceEntry, discover
from .model import Diagnostic, FileFacts, FileKind, Finding, Scope, SiteCount
from .project import Project
from .result import ScanResult, ScanStats
from .suppress import find_ignores, matching_ignore

CACHE_DIR = cache.CACHE_DIR
TEXT_KEEP_LIMIT = 256_000  # repo files project checks may read
# Below this many files, worker start-up costs more than it saves.
PARALLEL_THRESHOLD = 40


@dataclass(slots=True)
class FileResult:
    path: str
    kind: FileKind
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sites: dict[str, SiteCount] = field(default_factory=dict)
    facts: FileFacts | None = None
    skipped: str | None = None  # binary / undecodable / helm
    cached: bool = False  # served from the cache


# ---------------------------------------------------------------- worker side


@dataclass(frozen=True, slots=True)
class _WorkerState:
    root: str
    config: Config
    rule_ids: tuple[str, ...]
    cache_salt: str | None  # None: no cache, so results need no cache row


_state: _WorkerState | None = None
_rules_by_scope: dict[Scope, list[tuple[Rule, Any]]] = {}


def _init_worker(state: _WorkerState) -> None:
    global _state
    _state = state
    _rules_by_scope.clear()
    catalog = load_catalog()
    for rule_id in state.rule_ids:
        rule = catalog[rule_id]
        module = rule.logic()
        _rules_by_scope.setdefault(Scope(module.SCOPE), []).append((rule, module))


# A file's outcome as a worker returns it: the result, plus the cache key and row to store.
_Analysed = tuple[FileResult, str, str | None]


def _process_batch(entries: list[SourceEntry]) -> list[_Analysed]:
    return [_process_entry(entry) for entry in entries]


def _process_entry(entry: SourceEntry) -> _Analysed:
    assert _state is not None
    data = _read(_state.root, entry)
    if isinstance(data, FileResult):
        return data, "", None
    result = _analyse(entry, data)
    if _state.cache_salt is None:
        return result, "", None
    return result, _cache_key(_state.cache_salt, entry, data), _cache_row(entry, data, result)


def _read(root: str, entry: SourceEntry) -> bytes | FileResult:
    try:
        with open(os.path.join(root, entry.path), "rb") as fh:
            return fh.read()
    except OSError as exc:
        return FileResult(entry.path, entry.kind, diagnostics=[
            Diagnostic("PARSE", entry.path, f"cannot read file: {exc.strerror or exc}")
        ])


def _cache_key(salt: str, entry: SourceEntry, data: bytes) -> str:
    digest = hashlib.sha256(salt.encode())
    digest.update(entry.path.encode("utf-8", "surrogateescape") + b"\0" + entry.kind.encode()
                  + b"\0")
    digest.update(data)
    return digest.hexdigest()


def _text_of(entry: SourceEntry, data: bytes) -> str:
    try:
        return decode(data, python=entry.kind is FileKind.PYTHON).text
    except UnreadableFile:
        return ""


def _cache_row(entry: SourceEntry, data: bytes, result: FileResult) -> str | None:
    """The cache row of a fresh result: parsed trees and texts are re-derived on a hit."""
    facts = result.facts
    artifact = None
    if facts is not None and facts.artifact is not None:
        artifact = {FileKind.DOCKERFILE: "dockerfile", FileKind.YAML: "yaml"}.get(entry.kind)
    return cache.pack(result, _text_of(entry, data), artifact,
                      facts is not None and facts.text is not None)


def _cached_result(entry: SourceEntry, data: bytes, row: str) -> FileResult | None:
    """A result served from its cache row, or None when the row is unusable (a miss)."""
    text = _text_of(entry, data)
    try:
        result, artifact = cache.unpack(row, text)
        if result.path != entry.path or result.kind is not entry.kind:
            return None
        if artifact is not None and result.facts is not None:
            if artifact == "dockerfile":
                from .artifacts.dockerfile import parse_dockerfile

                result.facts.artifact = parse_dockerfile(entry.path, text)
            else:
                result.facts.artifact = parse_yaml(entry.path, text)
    except Exception:  # a corrupt or foreign row is a miss, never a broken scan
        return None
    result.cached = True
    return result


def _analyse(entry: SourceEntry, data: bytes) -> FileResult:
    assert _state is not None
    result = FileResult(entry.path, entry.kind)
    try:
        text = decode(data, python=entry.kind is FileKind.PYTHON).text
    except UnreadableFile as exc:
        result.skipped = "binary" if "binary" in str(exc) else "undecodable"
        if result.skipped == "undecodable":
            result.diagnostics.append(Diagnostic("SKIP", entry.path, f"skipped: {exc}"))
        return result
    result.lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if _is_json_manifest(entry, text):  # JSON is YAML: judged like any other manifest
        entry = SourceEntry(entry.path, FileKind.YAML, entry.size)
        result.kind = FileKind.YAML
        text = text.replace("\t", " ")  # valid JSON has tabs only between tokens; YAML balks
    facts = FileFacts(entry.path, entry.kind, ignores=find_ignores(text))
    result.facts = facts
    target: object | None = None
    scope: Scope | None = None
    try:
        if entry.kind is FileKind.PYTHON:
            target, scope = parse_python(entry.path, text), Scope.PYTHON
            facts.artifact = _python_facts(target)
            if facts.ignores:  # only a suppression comment needs the statement spans
                facts.statements = _multiline_statements(target)
        elif entry.kind is FileKind.DOCKERFILE:
            from .artifacts.dockerfile import parse_dockerfile

            target, scope = parse_dockerfile(entry.path, text), Scope.DOCKERFILE
            facts.artifact = target
        elif entry.kind is FileKind.YAML:
            templated = looks_like_template(text)
            if templated and "/templates/" in f"/{entry.path}":
                result.skipped = "helm"
                return result
            try:
                yaml_file = parse_yaml(entry.path, text)
            except YamlError:
                # only parses once rendered: a template; broken either way: a PARSE error
                if templated and _parses_once_rendered(entry.path, text):
                    result.skipped = "helm"
                    return result
                raise
            for dup in yaml_file.duplicate_keys():
                result.diagnostics.append(Diagnostic(
                    "PARSE", entry.path,
                    f"duplicate key {dup.key!r} (first at line {dup.first_line}); YAML keeps "
                    "only the last value, so the earlier one is silently lost",
                    line=dup.line,
                ))
            target, scope = yaml_file, Scope.YAML
            facts.artifact = yaml_file
        elif len(text) <= TEXT_KEEP_LIMIT:
            facts.text = text
    except (PythonSyntaxError, YamlError) as exc:
        result.diagnostics.append(
            Diagnostic("PARSE", entry.path, str(exc), line=getattr(exc, "line", None))
        )
        target = None
    except Exception as exc:  # a parser bug must not end the scan
        result.diagnostics.append(Diagnostic(
            "PARSE", entry.path, f"cannot parse: {type(exc).__name__}: {exc}"
        ))
        target = None
    if entry.kind is FileKind.YAML and len(text) <= TEXT_KEEP_LIMIT and (_keep_yaml_text(
        entry.path
    ) or entry.path.endswith(".json")):
        facts.text = text
    if target is not None and scope is not None:
        _run_rules(scope, target, result)
    _run_rules(Scope.TEXT, _TextFile(entry.path, text, entry.kind), result)
    return result


_TEMPLATE_LINE = re.compile(r"^\s*\{\{-?.*-?\}\}\s*$", re.MULTILINE)
_TEMPLATE_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_JSON_MANIFEST = re.compile(r'"apiVersion"\s*:\s*"[^"]+"')


def _parses_once_rendered(path: str, text: str) -> bool:
    """A template, not broken YAML: with its actions blanked out the file parses."""
    blanked = _TEMPLATE_ACTION.sub("x", _TEMPLATE_LINE.sub("", text))
    try:
        parse_yaml(path, blanked)
    except YamlError:
        return False
    return True


def _is_json_manifest(entry: SourceEntry, text: str) -> bool:
    """A `.json` file holding a Kubernetes object (or a List of them)."""
    if entry.kind is not FileKind.TEXT or not entry.path.endswith(".json"):
        return False
    head = text.lstrip()[:1]
    if head not in ("{", "[") or not _JSON_MANIFEST.search(text) or '"kind"' not in text:
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class _TextFile:
    path: str
    text: str
    kind: FileKind


def _keep_yaml_text(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.startswith(".pre-commit") or "/workflows/" in f"/{path}"


_SIMPLE_STATEMENTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return,
                      ast.Raise, ast.Assert, ast.Delete, ast.Import, ast.ImportFrom)


def _multiline_statements(src: PythonFile) -> list[tuple[int, int]]:
    spans = [(n.lineno, n.end_lineno or n.lineno) for n in src.nodes(*_SIMPLE_STATEMENTS)]
    return sorted(s for s in spans if s[1] > s[0])


def _python_facts(src: object) -> object | None:
    try:
        from .facts import extract_facts
    except ImportError:
        return None
    return extract_facts(src)  # type: ignore[arg-type]


def _run_rules(scope: Scope, target: object, result: FileResult) -> None:
    assert _state is not None
    for rule, module in _rules_by_scope.get(scope, ()):
        ctx = RuleContext(rule, _state.config)
        try:
            module.check(target, ctx)
        except Exception:
            result.diagnostics.append(Diagnostic(
                "INTERNAL", result.path,
                f"{rule.id} crashed on this file: {traceback.format_exc(limit=-3).strip()}",
            ))
            continue
        result.findings.extend(ctx.findings)
        result.sites.setdefault(rule.id, SiteCount()).add(ctx.sites)


def _code_stamp() -> str:
    """Changes whenever prodready's own code or rules change, not only its version."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml"):
            stat = path.stat()
            digest.update(f"{path.relative_to(package)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _secrets_baseline_digest(root: Path) -> str:
    """REPO001 honours .secrets.baseline, so a new baseline must invalidate cached results."""
    try:
        return hashlib.sha256((root / ".secrets.baseline").read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


# ---------------------------------------------------------------- main side


def selected_rules(config: Config) -> dict[str, Rule]:
    return {rid: rule for rid, rule in load_catalog().items() if config.is_selected(rid)}


def scan(root: Path, config: Config, *, jobs: int | None = None,
         use_cache: bool = True) -> ScanResult:
    started = time.perf_counter()
    root = root.resolve()
    rules = selected_rules(config)
    found = discover(
        root,
        exclude=config.exclude + config.extend_exclude,
        include_tests=config.include_tests,
        max_file_size=config.max_file_size,
    )
    store, warning = cache.open_cache(root) if use_cache and config.cache else (None, None)
    state = _WorkerState(
        root=str(root),
        config=config,
        rule_ids=tuple(rules),
        cache_salt=None if store is None else (
            f"{__version__}|{cache.SCHEMA_VERSION}|{_code_stamp()}|{config.digest()}|"
            f"{','.join(rules)}|{_secrets_baseline_digest(root)}"),
    )
    # Import every rule module before the workers fork: they inherit them instead of each
    # importing them again (the project checks below use the same table).
    _init_worker(state)
    results = _results(found.entries, state, store,
                       jobs or config.jobs or os.cpu_count() or 1)

    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    if warning is not None:
        diagnostics.append(Diagnostic("CACHE", CACHE_DIR, warning))
    sites: dict[str, SiteCount] = defaultdict(SiteCount)
    skipped: dict[str, int] = defaultdict(int)
    files: dict[str, int] = defaultdict(int)
    facts: dict[str, FileFacts] = {}
    project = Project(root=root, config=config, all_files=found.all_files)
    lines = 0
    cached_files = 0
    for res in results:
        findings.extend(res.findings)
        diagnostics.extend(res.diagnostics)
        for rule_id, count in res.sites.items():
            sites[rule_id].add(count)
        if res.skipped:
            skipped[res.skipped] += 1
            if res.skipped == "helm":
                continue
        lines += res.lines
        cached_files += res.cached
        if res.facts is None:
            continue
        facts[res.path] = res.facts
        _count_kind(res, files)
        _add_to_project(project, res.facts)
    helm = [r.path for r in results if r.skipped == "helm"]
    if helm:
        diagnostics.append(Diagnostic(
            "INFO", helm[0],
            f"skipped {len(helm)} Helm/template YAML file(s) that only parse once rendered; "
            "scan the rendered manifests (helm template … > rendered.yaml) to check them",
        ))
    for path in found.oversized:
        skipped["oversized"] += 1
        diagnostics.append(Diagnostic(
            "SKIP", path, f"skipped: larger than max-file-size ({config.max_file_size} bytes)"
        ))

    for rule, module in _rules_by_scope.get(Scope.PROJECT, ()):
        ctx = RuleContext(rule, config)
        try:
            module.check(project, ctx)
        except Exception:
            diagnostics.append(Diagnostic(
                "INTERNAL", ".", f"{rule.id} crashed: {traceback.format_exc(limit=-3).strip()}"
            ))
            continue
        findings.extend(ctx.findings)
        sites[rule.id].add(ctx.sites)

    findings = _filter(findings, facts, config, diagnostics)
    findings, skipped_roles = _judge_what_ships(findings, project, sites)
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule_id))
    diagnostics.sort(key=lambda d: (d.path, d.line or 0, d.kind))
    stats = ScanStats(
        files=dict(files), lines=lines, skipped=dict(skipped),
        duration_s=round(time.perf_counter() - started, 3), cached_files=cached_files,
        skipped_roles=skipped_roles,
    )
    return ScanResult(root, config, rules, findings, diagnostics, dict(sites), stats, project)


def _results(entries: list[SourceEntry], state: _WorkerState, store: cache.FileCache | None,
             jobs: int) -> list[FileResult]:
    """Every file's result in discovery order: cache hits are served here, in the main
    process; only the misses go to the workers."""
    if store is None or state.cache_salt is None:
        return [r for r, _, _ in _run_files(entries, state, jobs)]
    served: dict[str, FileResult] = {}
    misses: list[SourceEntry] = []
    for entry in entries:
        data = _read(state.root, entry)
        row = None if isinstance(data, FileResult) else store.get(
            entry.path, _cache_key(state.cache_salt, entry, data))
        hit = None if row is None or isinstance(data, FileResult) else _cached_result(
            entry, data, row)
        if hit is None:
            misses.append(entry)
        else:
            served[entry.path] = hit
    for result, key, row in _run_files(misses, state, jobs):
        served[result.path] = result
        store.put(result.path, key, row)  # no row (unreadable, uncacheable): forget it
    store.close(e.path for e in entries)
    return [served[e.path] for e in entries]


def _run_files(entries: list[SourceEntry], state: _WorkerState, jobs: int
               ) -> list[_Analysed]:
    if jobs <= 1 or len(entries) < PARALLEL_THRESHOLD:
        _init_worker(state)
        return _process_batch(entries)
    # Big files first, in small batches, so no worker is left with the long tail.
    ordered = sorted(entries, key=lambda e: -e.size)
    batches = [ordered[i:i + 16] for i in range(0, len(ordered), 16)]
    out: list[_Analysed] = []
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(state,)) as pool:
        for batch in pool.map(_process_batch, batches):
            out.extend(batch)
    order = {e.path: i for i, e in enumerate(entries)}
    out.sort(key=lambda r: order[r[0].path])
    return out


def _count_kind(res: FileResult, files: dict[str, int]) -> None:
    if res.kind is FileKind.YAML:
        artifact = res.facts.artifact if res.facts else None
        if is_compose_path(res.path):
            files["compose"] += 1
        elif artifact is not None and artifact.kubernetes_objects():  # type: ignore[attr-defined]
            files["kubernetes"] += 1
        else:
            files["yaml"] += 1
    else:
        files[res.kind.value] += 1


def _add_to_project(project: Project, facts: FileFacts) -> None:
    if facts.kind is FileKind.DOCKERFILE and facts.artifact is not None:
        project.dockerfiles[facts.path] = facts.artifact
    elif facts.kind is FileKind.YAML and facts.artifact is not None:
        project.yaml_files[facts.path] = facts.artifact  # type: ignore[assignment]
    elif facts.kind is FileKind.PYTHON and facts.artifact is not None:
        project.python[facts.path] = facts.artifact
    if facts.text is not None:
        project.texts[facts.path] = facts.text


def _judge_what_ships(findings: list[Finding], project: Project,
                      sites: dict[str, SiteCount]) -> tuple[list[Finding], dict[str, int]]:
    """Drop findings on examples, fixtures, dev tooling, docs and generated files (counted per
    role); roles the config includes stay, suppressed so they are shown but not scored."""
    from dataclasses import replace

    from .project.deployment import INCLUDE_NAMES, deployment_of

    if not findings:
        return findings, {}
    deployment = deployment_of(project)
    included = {INCLUDE_NAMES[name] for name in project.config.include}
    skipped: dict[str, int] = defaultdict(int)
    out: list[Finding] = []
    for finding in findings:
        role = deployment.skipped_as(finding.rule_id, finding.path, finding.line)
        if role is None:
            out.append(finding)
            continue
        count = sites.get(finding.rule_id)
        if count is not None and count.examined > 0:
            count.examined -= 1  # outside the score: neither a pass nor a failure
            count.failed = max(0, count.failed - 1)
        if role.role in included:
            out.append(finding if finding.suppressed else replace(
                finding, suppressed=True, suppression_reason=f"{role.role}: {role.why}"))
        else:
            skipped[role.role] += 1
    return out, dict(sorted(skipped.items()))


def _statement_span(facts: FileFacts, finding: Finding) -> tuple[int, int]:
    """The lines a suppression may sit on: the finding's, widened to its statement."""
    start, end = finding.line, finding.end_line
    for first, last in facts.statements:
        if first > end:
            break
        if first <= finding.line <= last:
            start, end = min(start, first), max(end, last)
    return start, end


def _filter(findings: list[Finding], facts: dict[str, FileFacts], config: Config,
            diagnostics: list[Diagnostic]) -> list[Finding]:
    """Apply per-file-ignores (drop), then exemptions and inline ignores (mark suppressed)."""
    from dataclasses import replace

    used: set[tuple[str, int]] = set()
    out: list[Finding] = []
    for finding in findings:
        why = config.ignored_for_path(finding.rule_id, finding.path)
        if why is not None and why.startswith("per-file-ignores"):
            continue
        if why is None and finding.rule_id in config.handled_elsewhere:
            why = f"handled elsewhere: {config.handled_elsewhere[finding.rule_id]}"
        if why is None and config.inline_ignores and finding.path in facts:
            start, end = _statement_span(facts[finding.path], finding)
            ignore = matching_ignore(facts[finding.path].ignores, finding.rule_id, start, end)
            if ignore is not None:
                used.add((finding.path, ignore.line))
                if config.require_reason and not ignore.reason:
                    diagnostics.append(Diagnostic(
                        "IGNORE", finding.path,
                        "suppression without a reason ('-- why') is not honoured "
                        "(require-reason is on)", line=ignore.line,
                    ))
                else:
                    why = ignore.reason or "inline ignore"
        out.append(replace(finding, suppressed=True, suppression_reason=why) if why else finding)
    if config.inline_ignores:
        for path, ff in facts.items():
            for ignore in ff.ignores:
                if (path, ignore.line) in used:
                    continue
                if ignore.rules and not any(config.is_selected(r) for r in ignore.rules):
                    continue
                diagnostics.append(Diagnostic(
                    "IGNORE", path, "suppression comment matches no finding (unused)",
                    line=ignore.line,
                ))
    return out
