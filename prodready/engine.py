"""The scan: discover, parse each file once in worker processes, project checks, filters."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, cache
from .artifacts.source import UnreadableFile, decode, python_lines_text, read_regular_file
from .artifacts.yamldocs import (
    YamlError,
    invalid_compose_services,
    is_compose_path,
    looks_like_template,
    parse_yaml,
)
from .catalog import Rule, load_catalog
from .config import PROFILE_RULES, Config
from .discover import Discovery, SourceEntry, discover
from .model import Diagnostic, FileFacts, FileKind, Finding, Scope, Severity, SiteCount
from .project import Project
from .project.profile import DISTRIBUTED, SERVICE, Profile, profile_of
from .result import ScanResult, ScanStats, ServiceOwner
from .safepath import drop_untrusted_paths

if TYPE_CHECKING:
    from .artifacts.python import PythonFile
    from .project.roles import Role

# The analysis (parsers, rule context, suppressions, worker pool) is imported where it is
# used: a scan the whole-result memo answers never loads it.

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
    skipped: str | None = None  # binary / undecodable / helm / template
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


def _start_worker(state: _WorkerState) -> None:
    """A pool worker's start: the scanned tree stays off sys.path, and the worker ends when
    the scan's process does (killed, it cannot tell the pool to stop)."""
    drop_untrusted_paths(state.root)
    _exit_with(os.getppid())
    _init_worker(state)


def _exit_with(parent: int) -> None:
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="prodready-parent-watch", daemon=True).start()


# A file's outcome as a worker returns it: the result, plus the cache key and row to store.
_Analysed = tuple[FileResult, str, str | None]


def _process_batch(entries: list[SourceEntry]) -> list[_Analysed]:
    with gc_paused():  # in the workers too: parsing is the bulk of the allocations
        return [_process_entry(entry) for entry in entries]


def _process_entry(entry: SourceEntry) -> _Analysed:
    assert _state is not None
    data = _read(_state.root, entry, _state.config.max_file_size)
    if isinstance(data, FileResult):
        return data, "", None
    result = _analyse(entry, data)
    if _state.cache_salt is None:
        return result, "", None
    return result, _cache_key(_state.cache_salt, entry, data), _cache_row(entry, data, result)


def _read(root: str, entry: SourceEntry, limit: int) -> bytes | FileResult:
    try:
        # Non-blocking, regular files only, at most `limit` bytes: a FIFO or device swapped
        # in after discovery never hangs the scan.
        return read_regular_file(os.path.join(root, entry.path), limit)
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
        return _decoded_text(entry, data)
    except UnreadableFile:
        return ""


def _decoded_text(entry: SourceEntry, data: bytes) -> str:
    if entry.kind is FileKind.PYTHON:
        return python_lines_text(decode(data, python=True).text)
    return decode(data).text


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
    from .artifacts.python import PythonSyntaxError, parse_python
    from .suppress import find_ignores

    assert _state is not None
    result = FileResult(entry.path, entry.kind)
    try:
        text = _decoded_text(entry, data)
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
            try:
                target, scope = parse_python(entry.path, text), Scope.PYTHON
            except PythonSyntaxError as error:
                # a project template's module (`from {{ cookiecutter.slug }}.users import …`):
                # the error is on a template tag, not newer syntax in a module with `{{`
                # in its strings
                if _template_tag_at(text, error.line) and _parses_once_rendered(
                        entry.path, text, python=True):
                    result.skipped = "template"
                    return result
                raise
            facts.artifact = _python_facts(target)
            if facts.ignores:  # only a suppression comment needs the statement spans
                facts.statements = _multiline_statements(target)
        elif entry.kind is FileKind.DOCKERFILE:
            from .artifacts.dockerfile import parse_dockerfile

            if _BLOCK_LINE.search(text):  # `{% if cookiecutter.… %}`: a project template's
                result.skipped = "template"
                return result

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
            if is_compose_path(entry.path):
                for name, line in invalid_compose_services(yaml_file)[:1]:
                    result.diagnostics.append(Diagnostic(
                        "PARSE", entry.path,
                        f"not a valid Compose file: service {name!r} is not a mapping (an "
                        "empty service, or keys indented one level too little), so Compose "
                        "refuses it; its services are not judged", line=line))
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


# `[ \t]`, never `\s`, at a line start: `\s*` would run across every following blank line.
_TEMPLATE_LINE = re.compile(r"^[ \t]*\{\{[^\n]*\}\}[ \t]*$", re.MULTILINE)
_BLOCK_LINE = re.compile(r"^[ \t]*\{[%#][^\n]*[%#]\}[ \t]*$", re.MULTILINE)
_JSON_MANIFEST = re.compile(r'"apiVersion"\s*:\s*"[^"]+"')


def _parses_once_rendered(path: str, text: str, python: bool = False) -> bool:
    """A template, not a broken file: with its actions blanked out, the YAML (or Python)
    parses."""
    from .artifacts.python import PythonSyntaxError, parse_python

    try:
        if python:
            parse_python(path, _blanked(text))
        else:
            parse_yaml(path, _blanked(text))
    except (YamlError, PythonSyntaxError):
        return False
    return True


def _template_tag_at(text: str, line: int | None) -> bool:
    if not line or not looks_like_template(text):
        return False
    lines = text.splitlines()
    found = lines[line - 1] if 0 < line <= len(lines) else ""
    return "{{" in found or "{%" in found


def _blanked(text: str) -> str:
    """The template with lines that hold only a tag (`{{ … }}`, `{% if … %}`, `{# … #}`)
    dropped and every other action replaced: `{{ … }}` by `x`, block tags by nothing."""
    text = _BLOCK_LINE.sub("", _TEMPLATE_LINE.sub("", text))
    return _blank_actions(_blank_actions(text, "{%", "%}", ""), "{{", "}}", "x")


def _blank_actions(text: str, opener: str, closer: str, stand_in: str) -> str:
    """Every `opener … closer` replaced by `stand_in`, in one pass (a lazy regex is quadratic
    when many openers are never closed)."""
    out, start = [], 0
    while (opening := text.find(opener, start)) >= 0:
        closing = text.find(closer, opening + 2)
        if closing < 0:
            break
        out += [text[start:opening], stand_in]
        start = closing + 2
    out.append(text[start:])
    return "".join(out)


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


def _multiline_statements(src: PythonFile) -> list[tuple[int, int]]:
    import ast

    simple = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Raise,
              ast.Assert, ast.Delete, ast.Import, ast.ImportFrom)
    spans = [(n.lineno, n.end_lineno or n.lineno) for n in src.nodes(*simple)]
    return sorted(s for s in spans if s[1] > s[0])


def _python_facts(src: object) -> object | None:
    try:
        from .facts import extract_facts
    except ImportError:
        return None
    return extract_facts(src)  # type: ignore[arg-type]


def _run_rules(scope: Scope, target: object, result: FileResult) -> None:
    from .checks.api import RuleContext

    assert _state is not None
    for rule, module in _rules_by_scope.get(scope, ()):
        ctx = RuleContext(rule, _state.config)
        try:
            module.check(target, ctx)
        except Exception:
            import traceback

            result.diagnostics.append(Diagnostic(
                "INTERNAL", result.path,
                f"{rule.id} crashed on this file: {traceback.format_exc(limit=-3).strip()}",
            ))
            continue
        result.findings.extend(ctx.findings)
        result.sites.setdefault(rule.id, SiteCount()).add(ctx.sites)


def _code_stamp() -> str:
    """Changes whenever prodready's own code or rules change, not only its version."""
    from .resources import RULES_DIR

    digest = hashlib.sha256()
    for folder in (Path(__file__).parent, RULES_DIR):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".yaml"):
                stat = path.stat()
                digest.update(f"{path.relative_to(folder)}|{stat.st_size}|"
                              f"{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _secrets_baseline_digest(root: Path) -> str:
    """REPO001 honours .secrets.baseline, so a new baseline must invalidate cached results."""
    try:
        data = read_regular_file(str(root / ".secrets.baseline"), 64_000_000)  # never a FIFO
        return hashlib.sha256(data).hexdigest()[:16]
    except OSError:
        return ""


# ---------------------------------------------------------------- main side


def selected_rules(config: Config) -> dict[str, Rule]:
    return {rid: rule for rid, rule in load_catalog().items() if config.is_selected(rid)}


def scan(root: Path, config: Config, *, jobs: int | None = None, use_cache: bool = True,
         memo: bool = False) -> ScanResult:
    """Scan `root`. With `memo`, an unchanged tree and configuration may be answered with
    the previous scan's result, which has no project model (`result.project` is None)."""
    with gc_paused():
        return _scan(root, config, jobs=jobs, use_cache=use_cache, memo=memo)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The scan allocates millions of short-lived objects that reference counting frees;
    the cycle collector would only walk them again and again (about a fifth of the CPU)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _scan(root: Path, config: Config, *, jobs: int | None, use_cache: bool,
          memo: bool) -> ScanResult:
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
    memo_key = None
    if store is not None and state.cache_salt is not None and memo:
        memo_key = _memo_key(state.cache_salt, root, found)
        remembered = _remembered(store.get_memo(memo_key), root, found, config, rules, started)
        if remembered is not None:
            store.close(None)
            remembered.memo = (memo_key, len(found.entries))
            return remembered
    # Import every rule module before the workers fork: they inherit them instead of each
    # importing them again (the project checks below use the same table).
    _init_worker(state)
    # The repository's own configuration may ask for any number: never more than the cores.
    cores = os.cpu_count() or 1
    jobs = min(jobs or config.jobs or cores, cores)
    eager, deferred = _needed(found.entries)

    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    if warning is not None:
        diagnostics.append(Diagnostic("CACHE", CACHE_DIR, warning))
    sites: dict[str, SiteCount] = defaultdict(SiteCount)
    file_sites: dict[str, dict[str, SiteCount]] = {}  # per file, for per-service scores
    skipped: dict[str, int] = defaultdict(int)
    files: dict[str, int] = defaultdict(int)
    facts: dict[str, FileFacts] = {}
    project = Project(root=root, config=config, all_files=found.all_files)
    counts = {"lines": 0, "cached": 0}

    def absorb(results: list[FileResult]) -> None:
        for res in results:
            findings.extend(res.findings)
            diagnostics.extend(res.diagnostics)
            for rule_id, count in res.sites.items():
                sites[rule_id].add(count)
            if res.sites:
                file_sites[res.path] = res.sites
            if res.skipped:
                skipped[res.skipped] += 1
                if res.skipped in ("helm", "template"):
                    continue
            counts["lines"] += res.lines
            counts["cached"] += res.cached
            if res.facts is None:
                continue
            facts[res.path] = res.facts
            _count_kind(res, files)
            _add_to_project(project, res.facts)

    results = _results(eager, state, store, jobs)
    absorb(results)
    if deferred:
        project.python = _LazyFacts(lambda: absorb(_results(deferred, state, store, jobs)))
    helm = [r.path for r in results if r.skipped == "helm"]
    if helm:
        diagnostics.append(Diagnostic(
            "INFO", helm[0],
            f"skipped {len(helm)} Helm/template YAML file(s) that only parse once rendered; "
            "scan the rendered manifests (helm template … > rendered.yaml) to check them",
        ))
    templates = [r.path for r in results if r.skipped == "template"]
    if templates:
        diagnostics.append(Diagnostic(
            "INFO", templates[0],
            f"skipped {len(templates)} Python file(s) and Dockerfile(s) that are Jinja "
            "templates ({{ … }}, {% … %}) and only parse once rendered; scan a project "
            "rendered from them",
        ))
    for path, why in found.unreadable:
        diagnostics.append(Diagnostic("SKIP", path, f"skipped: {why}"))
    for path in found.oversized:
        skipped["oversized"] += 1
        diagnostics.append(Diagnostic(
            "SKIP", path, f"skipped: larger than max-file-size ({config.max_file_size} bytes)"
        ))

    profile = None
    if rules.keys() & PROFILE_RULES:
        profile = profile_of(project)
        config = _in_profile(config, profile, findings, rules)
    from .checks.api import RuleContext

    for rule, module in _rules_by_scope.get(Scope.PROJECT, ()):
        ctx = RuleContext(rule, config)
        try:
            module.check(project, ctx)
        except Exception:
            import traceback

            diagnostics.append(Diagnostic(
                "INTERNAL", ".", f"{rule.id} crashed: {traceback.format_exc(limit=-3).strip()}"
            ))
            continue
        findings.extend(ctx.findings)
        sites[rule.id].add(ctx.sites)
    if isinstance(project.python, _LazyFacts) and {e.path for e in deferred} & {
            f.path for f in findings}:
        project.python.load()  # their suppression comments apply

    findings = _filter(findings, facts, config, diagnostics)
    findings, skipped_roles = _judge_what_ships(findings, project, sites)
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule_id))
    diagnostics.sort(key=lambda d: (d.path, d.line or 0, d.kind))
    stats = ScanStats(
        files=dict(files), lines=counts["lines"], skipped=dict(skipped),
        duration_s=round(time.perf_counter() - started, 3), cached_files=counts["cached"],
        skipped_roles=skipped_roles,
    )
    result = ScanResult(root, config, rules, findings, diagnostics, dict(sites), stats, project,
                        file_sites=file_sites, profile=profile)
    if isinstance(project.python, _LazyFacts):  # asked for after the scan: no cache, no stats
        project.python.loader = lambda: _add_all(project, _results(deferred, state, None, jobs))
    if store is not None:
        if memo_key is not None:
            from .scoring import service_scores

            # scored once here, for the memo and for this run's report alike
            result.scored = (result.findings, service_scores(result))
            row = _memo_row(result, root, found)
            store.put_memo(memo_key, row)
            if row is not None:
                result.memo = (memo_key, len(found.entries))
        store.close(e.path for e in found.entries)
    return result


def _in_profile(config: Config, profile: Profile, findings: list[Finding],
                rules: dict[str, Rule]) -> Config:
    """The configuration under the profile in force. Per-file findings were made before the
    files could tell the profile: those whose rule it changes get the severity it gives."""
    if profile.name == config.profile:
        return config
    profiled = config.model_copy(update={"profile": profile.name})
    for index, finding in enumerate(findings):
        rule = rules.get(finding.rule_id)
        if rule is None:
            continue
        before, after = config.severity_of(rule), profiled.severity_of(rule)
        if before != after and finding.severity == before:
            findings[index] = replace(finding, severity=after)
    return profiled


def _needed(entries: list[SourceEntry]) -> tuple[list[SourceEntry], list[SourceEntry]]:
    """(files to analyse now, Python files to analyse only if a project check asks).

    Python is most of the work: when no selected file rule reads it, Python files wait
    until a project check first asks for their facts, and are not read at all when no
    project rule is selected (a Dockerfile-only selection on a Python repository reads no
    Python). Other kinds are cheap and always read."""
    scopes = set(_rules_by_scope)
    if Scope.PYTHON in scopes or Scope.TEXT in scopes:
        return entries, []
    eager = [e for e in entries if e.kind is not FileKind.PYTHON]
    deferred = [e for e in entries if e.kind is FileKind.PYTHON]
    return eager, deferred if Scope.PROJECT in scopes else []


class _LazyFacts(dict[str, object]):
    """`Project.python` that analyses the Python files on first use."""

    def __init__(self, loader: Callable[[], None]) -> None:
        super().__init__()
        self.loader: Callable[[], None] | None = loader

    @property
    def pending(self) -> bool:
        """No selected rule has asked for the Python facts: they were never analysed."""
        return self.loader is not None

    def load(self) -> None:
        if self.loader is not None:
            loader, self.loader = self.loader, None
            loader()

    def __getitem__(self, key: str) -> object:
        self.load()
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[str]:
        self.load()
        return super().__iter__()

    def __len__(self) -> int:
        self.load()
        return super().__len__()

    def __contains__(self, key: object) -> bool:
        self.load()
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.load()
        return super().get(key, default)

    def keys(self) -> Any:
        self.load()
        return super().keys()

    def values(self) -> Any:
        self.load()
        return super().values()

    def items(self) -> Any:
        self.load()
        return super().items()


def _add_all(project: Project, results: list[FileResult]) -> None:
    for res in results:
        if res.facts is not None and not res.skipped:
            _add_to_project(project, res.facts)


def _memo_key(salt: str, root: Path, found: Discovery) -> str:
    """Same tree, same configuration: every discovered file with its size and times."""
    digest = hashlib.sha256(salt.encode())
    for entry in found.entries:
        stamp = entry.stamp  # discovery's stat of the file: no second one per file
        if not stamp:
            try:
                st = os.stat(os.path.join(root, entry.path))
                stamp = f"{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}"
            except OSError:
                stamp = "unreadable"
        digest.update(f"{entry.path}|{entry.kind}|{stamp}\0".encode("utf-8", "surrogateescape"))
    for name in (*found.all_files, "", *found.oversized):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def _texts_of(root: Path, found: Discovery, paths: set[str], limit: int) -> dict[str, str]:
    texts = {}
    for entry in found.entries:
        if entry.path in paths:
            data = _read(str(root), entry, limit)
            texts[entry.path] = "" if isinstance(data, FileResult) else _text_of(entry, data)
    return texts


@dataclass(slots=True)
class StoredResult:
    """What the whole-result memo keeps of a scan: snippets as places in their files, the
    project model only as the services the per-service scores need."""

    findings: list[tuple[Finding, list[int] | str | None]]
    diagnostics: list[Diagnostic]
    sites: dict[str, SiteCount]
    file_sites: dict[str, dict[str, SiteCount]]
    files: dict[str, int]
    lines: int
    skipped: dict[str, int]
    skipped_roles: dict[str, int]
    service_owners: list[ServiceOwner]
    profile: tuple[str, str, bool] | None  # name, why, configured
    # per service: name, kind, path, root, score, grade, findings (a re-run shows them as
    # they are, without scoring every service again)
    services: list[tuple[str, str, str, str, float | None, str, int]]


def _memo_row(result: ScanResult, root: Path, found: Discovery) -> str | None:
    """The whole result as a cache row, or None."""
    texts = _texts_of(root, found, {f.path for f in result.findings if f.snippet},
                      result.config.max_file_size)
    stats = result.stats
    try:
        return cache.encode_typed(StoredResult(
            cache.pack_findings(result.findings, texts), result.diagnostics, result.sites,
            result.file_sites, stats.files, stats.lines, stats.skipped, stats.skipped_roles,
            _owners(result), None if result.profile is None else (
                result.profile.name, result.profile.why, result.profile.configured),
            [astuple(score) for score in result.scored[1]] if result.scored else []))
    except (cache.Uncacheable, ValueError, RecursionError):
        return None


def _owners(result: ScanResult) -> list[ServiceOwner]:
    from .scoring import service_owners

    assert result.project is not None
    return service_owners(result.project)


def _remembered(row: str | None, root: Path, found: Discovery, config: Config,
                rules: dict[str, Rule], started: float) -> ScanResult | None:
    """The memoised result of an unchanged tree, or None (then the scan runs)."""
    from .scoring import ServiceScore

    if row is None:
        return None
    try:
        memo = cache.decode_typed(row, StoredResult)  # every field's type checked
        if memo.profile is not None and memo.profile[0] not in (SERVICE, DISTRIBUTED):
            return None
        # the snippets are read back from the files only once the row is known to be whole
        paths = {finding.path for finding, place in memo.findings if isinstance(place, list)}
        findings = cache.unpack_findings(memo.findings, _texts_of(root, found, paths,
                                                                   config.max_file_size))
    except cache.CorruptEntry:
        return None
    profile = None if memo.profile is None else Profile(*memo.profile)
    if profile is not None and profile.name != config.profile:
        config = config.model_copy(update={"profile": profile.name})
    stats = ScanStats(files=memo.files, lines=memo.lines, skipped=memo.skipped,
                      duration_s=round(time.perf_counter() - started, 3),
                      cached_files=len(found.entries), skipped_roles=memo.skipped_roles)
    return ScanResult(root, config, rules, findings, memo.diagnostics, memo.sites, stats, None,
                      file_sites=memo.file_sites, service_owners=memo.service_owners,
                      profile=profile,
                      scored=(findings, [ServiceScore(*score) for score in memo.services]))


def _results(entries: list[SourceEntry], state: _WorkerState, store: cache.FileCache | None,
             jobs: int) -> list[FileResult]:
    """Every file's result in discovery order: cache hits are served here, in the main
    process; only the misses go to the workers."""
    if store is None or state.cache_salt is None:
        return [r for r, _, _ in _run_files(entries, state, jobs)]
    served: dict[str, FileResult] = {}
    misses: list[SourceEntry] = []
    for entry in entries:
        data = _read(state.root, entry, state.config.max_file_size)
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
    return [served[e.path] for e in entries]


def _run_files(entries: list[SourceEntry], state: _WorkerState, jobs: int
               ) -> list[_Analysed]:
    if jobs <= 1 or len(entries) < PARALLEL_THRESHOLD:
        _init_worker(state)
        return _process_batch(entries)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Big files first, in small batches, so no worker is left with the long tail.
    ordered = sorted(entries, key=lambda e: -e.size)
    batches = [ordered[i:i + 16] for i in range(0, len(ordered), 16)]
    out: list[_Analysed] = []
    # fork: a worker starts from this process's state (its sys.path already cleaned),
    # never by importing anything again from the current directory.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                             initargs=(state,), mp_context=context) as pool:
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
    """Drop findings on examples, fixtures, dev tooling, docs and generated files, and those a
    fact elsewhere in the project settles (counted per role); roles the config includes stay,
    suppressed so they are shown but not scored."""
    from dataclasses import replace

    from .checks.api import informational_message
    from .project.deployment import deployment_of
    from .project.roles import INCLUDE_NAMES, Role
    from .project.settled import SET_ELSEWHERE, informational, settled

    if not findings:
        return findings, {}
    deployment = deployment_of(project)
    included = {INCLUDE_NAMES[name] for name in project.config.include}
    skipped: dict[str, int] = defaultdict(int)
    out: list[Finding] = []
    for finding in findings:
        role = deployment.skipped_as(finding.rule_id, finding.path, finding.line) or \
            _test_module(project, finding) or _development_app(project, finding)
        if role is None:
            why = settled(project, finding.rule_id, finding.path, finding.line,
                          finding.message)
            role = Role(SET_ELSEWHERE, why) if why else None
        if role is None:
            why = "" if finding.severity is Severity.INFO or (
                finding.rule_id in project.config.severity) else informational(
                project, finding.rule_id, finding.path, finding.line, finding.message)
            out.append(replace(finding, severity=Severity.INFO, fix=None, message=(
                informational_message(finding.message, why))) if why else finding)
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


def _test_module(project: Project, finding: Finding) -> Role | None:
    """A Python module that imports pytest at module level is test code, wherever it sits
    (a pytest plugin inside the package), and invoke's top-level tasks file is the
    developers' automation; a leaked key there still leaks."""
    from .project.roles import DEV_TOOLING, ROLE_BLIND_RULES, TEST_FIXTURE, Role

    python = project.python
    if not finding.path.endswith(".py") or finding.rule_id in ROLE_BLIND_RULES or (
            isinstance(python, _LazyFacts) and python.pending):
        return None
    facts = python.get(finding.path)
    if getattr(facts, "test_code", False):
        return Role(TEST_FIXTURE, "it imports pytest: test code")
    if _INVOKE_TASKS.fullmatch(finding.path) and any(
            name.split(".", 1)[0] == "invoke" for name in getattr(facts, "imports", ())):
        return Role(DEV_TOOLING, "invoke's tasks file: the developers' automation")
    return None


# The file invoke reads its tasks from, at the top of the repository
_INVOKE_TASKS = re.compile(r"tasks\.py|tasks/[^/]+\.py")


def _development_app(project: Project, finding: Finding) -> Role | None:
    """A module of an app (or of a Django project) that only development, test or example
    stacks run."""
    from .project.exposure import development_only
    from .project.roles import ROLE_BLIND_RULES

    path = finding.path
    if finding.rule_id in ROLE_BLIND_RULES or not path.endswith(".py"):
        return None
    directory = os.path.dirname(path)
    # a Django project's package holds its wsgi.py, or its settings/ package sits in one
    django = any(project.has_file(f"{d}/wsgi.py" if d else "wsgi.py")
                 for d in {directory, os.path.dirname(directory)})
    if not (django or getattr(project.python.get(path), "apps", None)):
        return None
    return development_only(project, path)


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

    from .suppress import matching_ignore

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
                if (path, ignore.line) in used or ignore.foreign:
                    continue
                if ignore.rules and not any(config.is_selected(r) for r in ignore.rules):
                    continue
                diagnostics.append(Diagnostic(
                    "IGNORE", path, "suppression comment matches no finding (unused)",
                    line=ignore.line,
                ))
    return out
