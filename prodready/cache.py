"""The per-file result cache: one SQLite database of plain JSON values, never code.

The scanned tree is untrusted (pull requests from forks), so the cache is a format that
cannot run anything when read: rows of JSON text, decoded into a fixed set of prodready's
own dataclasses whose fields are type-checked; anything else is a miss. A cache directory
that git tracks, that another user owns, or that leads outside the repository through a
symlink is ignored with a warning and never written.

The cache holds no file texts and no secret values: texts, Dockerfile and YAML trees and
finding snippets are re-derived from the file itself on a hit (a snippet is stored as its
offset in the file). One row per file: a changed file replaces its row, files no longer in
the tree are evicted after each scan.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import shutil
import sqlite3
import subprocess
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CACHE_DIR = ".prodready_cache"
DATABASE = "cache.sqlite3"
SCHEMA_VERSION = 1
_TAG = "$"


class Uncacheable(Exception):
    """A value the cache format does not hold (the file is simply analysed every time)."""


class CorruptEntry(Exception):
    """A stored value that is not what prodready writes: treated as a miss."""


# ---------------------------------------------------------------- the store


class FileCache:
    """Rows of (path, key, value); `key` hashes the salt, path, kind and file content."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._pending: list[tuple[str, str, str]] = []

    def get(self, path: str, key: str) -> str | None:
        try:
            row = self._db.execute("SELECT key, value FROM files WHERE path = ?",
                                   (path,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None or row[0] != key or not isinstance(row[1], str):
            return None
        return row[1]

    def put(self, path: str, key: str, value: str | None) -> None:
        """Store `value`, or forget the file when it cannot be cached (no stale row stays)."""
        self._pending.append((path, key, value if value is not None else ""))

    def close(self, present: Iterable[str]) -> None:
        """Write pending rows, evict files no longer in the tree, close the database."""
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO files (path, key, value) VALUES (?, ?, ?)",
                    [p for p in self._pending if p[2]])
                self._db.executemany("DELETE FROM files WHERE path = ?",
                                     [(p[0],) for p in self._pending if not p[2]])
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS present (path TEXT)")
                self._db.execute("DELETE FROM present")
                self._db.executemany("INSERT INTO present (path) VALUES (?)",
                                     ((p,) for p in present))
                self._db.execute(
                    "DELETE FROM files WHERE path NOT IN (SELECT path FROM present)")
        except sqlite3.Error:
            pass  # a busy or read-only cache only costs the next scan some time
        finally:
            self._pending.clear()
            self._db.close()


def open_cache(root: Path) -> tuple[FileCache | None, str | None]:
    """The repository's cache, or None and the reason it is not used (a warning) if any."""
    folder = root / CACHE_DIR
    problem = _unsafe(root, folder)
    if problem is not None:
        return None, f"cache ignored: {problem}; scanning without it"
    try:
        if not folder.exists():
            folder.mkdir()
        marker = folder / ".gitignore"
        if not marker.exists():
            marker.write_text("# created by prodready\n*\n", encoding="utf-8")
        _drop_legacy(folder)
    except OSError:
        return None, None  # a read-only tree still scans, just without a cache
    database = folder / DATABASE
    problem = _unsafe(root, database)
    if problem is not None:
        return None, f"cache ignored: {problem}; scanning without it"
    connection = _connect(database)
    if connection is None:  # not a database of ours: start afresh
        try:
            database.unlink()
        except OSError:
            return None, None
        connection = _connect(database)
    return (FileCache(connection) if connection is not None else None), None


def _connect(database: Path) -> sqlite3.Connection | None:
    try:
        db = sqlite3.connect(database, timeout=2.0, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        db.execute("PRAGMA synchronous = OFF")
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = None
        if "meta" in tables:
            row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            version = row[0] if row else None
        if version != str(SCHEMA_VERSION):
            with db:
                db.execute("DROP TABLE IF EXISTS files")
                db.execute("DROP TABLE IF EXISTS meta")
                db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, key TEXT, value TEXT)")
        return db
    except sqlite3.Error:
        db.close()
        return None


def _unsafe(root: Path, path: Path) -> str | None:
    """Why `path` (the cache directory or database) must not be trusted, if it must not."""
    name = path.relative_to(root).as_posix()
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return f"{name} cannot be inspected ({exc.strerror or exc})"
    if info is not None:
        real = os.path.realpath(path)
        if not (real + os.sep).startswith(str(root) + os.sep):
            return f"{name} leads outside the repository"
        if hasattr(os, "getuid") and os.stat(path).st_uid != os.getuid():
            return f"{name} is owned by another user"
    if name == CACHE_DIR and _tracked_by_git(root, name):
        return f"{name} is tracked by git (a committed cache is untrusted input)"
    return None


def _tracked_by_git(root: Path, name: str) -> bool:
    git = shutil.which("git")
    if git is None:
        return False
    try:
        out = subprocess.run(
            [git, "-c", "core.fsmonitor=false", "ls-files", "-z", "--", name],
            cwd=root, capture_output=True, timeout=20, check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and bool(out.stdout)


def _drop_legacy(folder: Path) -> None:
    """Earlier versions kept pickled results (with file texts) in `files/`: never read them,
    and remove them so no secret stays at rest."""
    legacy = folder / "files"
    if legacy.is_dir() and not legacy.is_symlink():
        shutil.rmtree(legacy, ignore_errors=True)


# ---------------------------------------------------------------- the value codec


def encode(value: Any) -> str:
    """JSON text of `value`: plain values and registered dataclasses only."""
    return json.dumps(_plain(value), separators=(",", ":"), ensure_ascii=False)


def decode(text: str) -> Any:
    """The value `encode` wrote; raises CorruptEntry for anything else."""
    try:
        return json.loads(text, object_hook=_revive)
    except CorruptEntry:
        raise
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise CorruptEntry(str(exc)) from exc


def _plain(value: Any) -> Any:
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, enum.Enum):
        name = type(value).__name__
        if _classes().get(name) is not type(value):
            raise Uncacheable(name)
        return {_TAG: name, "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _classes().get(name) is not type(value):
            raise Uncacheable(name)
        out = {f.name: _plain(getattr(value, f.name)) for f in _fields(type(value))}
        out[_TAG] = name
        return out
    if type(value) is list:
        return [_plain(v) for v in value]
    if type(value) in (tuple, set, frozenset):
        items = [_plain(v) for v in value]
        if type(value) is not tuple:
            items.sort(key=repr)  # deterministic rows
        return {_TAG: type(value).__name__, "v": items}
    if type(value) is dict:
        return {_TAG: "dict", "v": [[_plain(k), _plain(v)] for k, v in value.items()]}
    raise Uncacheable(type(value).__name__)


_CONTAINERS: dict[str, Any] = {"tuple": tuple, "set": set, "frozenset": frozenset}


def _revive(obj: dict[str, Any]) -> Any:
    tag = obj.get(_TAG)
    if not isinstance(tag, str):
        raise CorruptEntry("an untagged object")
    if tag in _CONTAINERS:
        items = obj["v"]
        if not isinstance(items, list):
            raise CorruptEntry(tag)
        return _CONTAINERS[tag](items)
    if tag == "dict":
        pairs = obj["v"]
        if not isinstance(pairs, list) or not all(
                isinstance(p, list) and len(p) == 2 for p in pairs):
            raise CorruptEntry(tag)
        return dict((_hashable(k), v) for k, v in pairs)
    cls = _classes().get(tag)
    if cls is None:
        raise CorruptEntry(f"unknown type {tag!r}")
    if isinstance(cls, enum.EnumMeta):
        return cls(obj["v"])
    hints = _hints(cls)
    values = {k: v for k, v in obj.items() if k != _TAG}
    if values.keys() != hints.keys():
        raise CorruptEntry(f"{tag} fields differ")
    for name, hint in hints.items():
        if not _conforms(values[name], hint):
            raise CorruptEntry(f"{tag}.{name} has the wrong type")
    return cls(**values)


def _hashable(key: Any) -> Any:
    if isinstance(key, list | dict | set):
        raise CorruptEntry("unhashable key")
    return key


def _conforms(value: Any, hint: Any) -> bool:
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, h) for h in typing.get_args(hint))
    if origin is None:
        if hint is float:
            return type(value) in (int, float)
        if hint is int:
            return type(value) is int
        return isinstance(value, hint)
    args = typing.get_args(hint)
    if not isinstance(value, origin):
        return False
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(v, args[0]) for v in value)
        return len(args) == len(value) and all(_conforms(v, h) for v, h in zip(
            value, args, strict=True))
    if origin in (list, set, frozenset):
        return all(_conforms(v, args[0]) for v in value)
    if origin is dict:
        return all(_conforms(k, args[0]) and _conforms(v, args[1]) for k, v in value.items())
    return False


_REGISTRY: dict[str, Any] = {}
_HINTS: dict[type, dict[str, Any]] = {}


def _classes() -> dict[str, Any]:
    """Every type a cache row may hold: prodready's own value types, nothing else."""
    if not _REGISTRY:
        from . import engine, facts, model

        for module in (model, facts):
            for value in vars(module).values():
                if isinstance(value, type) and value.__module__ == module.__name__ and (
                        dataclasses.is_dataclass(value) or issubclass(value, enum.Enum)):
                    _REGISTRY[value.__name__] = value
        _REGISTRY["FileResult"] = engine.FileResult
    return _REGISTRY


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(cls)


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        module = __import__(cls.__module__, fromlist=["_"])
        resolved = typing.get_type_hints(cls, vars(module))
        hints = {f.name: resolved[f.name] for f in _fields(cls)}
        _HINTS[cls] = hints
    return hints


# ---------------------------------------------------------------- file results


def pack(result: Any, text: str, artifact: str | None, keeps_text: bool) -> str | None:
    """A cache row for one file's result, or None when it cannot be cached.

    `artifact` names the parsed tree the scan re-derives on a hit ("dockerfile", "yaml");
    `keeps_text` says the file's text is handed to project checks. Neither is stored, and
    each snippet is stored as its place in `text`.
    """
    spans: list[list[int] | None] = []
    findings = []
    for finding in result.findings:
        if finding.snippet:
            start = text.find(finding.snippet)
            if start < 0:
                return None  # a snippet not taken from the file: keep no copy of it
            spans.append([start, len(finding.snippet)])
            finding = dataclasses.replace(finding, snippet="")
        else:
            spans.append(None)
        findings.append(finding)
    facts = result.facts
    if facts is not None and (artifact is not None or facts.text is not None):
        facts = dataclasses.replace(facts, text=None,
                                    artifact=None if artifact else facts.artifact)
    stored = dataclasses.replace(result, findings=findings, facts=facts, cached=False)
    try:
        return encode({"v": SCHEMA_VERSION, "result": stored, "snippets": spans,
                       "artifact": artifact, "text": keeps_text})
    except (Uncacheable, ValueError, RecursionError):
        return None


def unpack(row: str, text: str) -> tuple[Any, str | None]:
    """(file result with snippets and kept text restored, artifact to re-derive)."""
    from .engine import FileResult

    entry = decode(row)
    if not isinstance(entry, dict) or entry.get("v") != SCHEMA_VERSION:
        raise CorruptEntry("another schema")
    result, spans, artifact = entry.get("result"), entry.get("snippets"), entry.get("artifact")
    if not isinstance(result, FileResult) or not isinstance(spans, list) or len(spans) != len(
            result.findings) or artifact not in (None, "dockerfile", "yaml"):
        raise CorruptEntry("not a file result")
    findings = []
    for finding, span in zip(result.findings, spans, strict=True):
        if span is not None:
            if not (isinstance(span, list) and len(span) == 2 and all(
                    type(n) is int and n >= 0 for n in span)) or span[0] + span[1] > len(text):
                raise CorruptEntry("a snippet outside the file")
            finding = dataclasses.replace(finding, snippet=text[span[0]:span[0] + span[1]])
        findings.append(finding)
    from .facts import PythonFacts

    if result.facts is not None and not isinstance(result.facts.artifact, PythonFacts | None):
        raise CorruptEntry("an artifact the cache never holds")
    result.findings = findings
    if entry.get("text") is True and result.facts is not None:
        result.facts.text = text
    return result, artifact
