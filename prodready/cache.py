"""The per-file result cache: one SQLite database of plain JSON values, never code.

The scanned tree is untrusted (pull requests from forks), so the cache is a format that
cannot run anything when read: rows of JSON text, decoded into a fixed set of prodready's
own dataclasses whose fields are type-checked; anything else is a miss. A cache directory
that git tracks, that another user owns, or that leads outside the repository through a
symlink is ignored with a warning and never written.

The cache holds no file texts and no secret values: texts, Dockerfile and YAML trees and
finding snippets taken from the source are re-derived from the file itself on a hit (such a
snippet is stored as its offset in the file). One row per file: a changed file replaces its
row, files no longer in the tree are evicted after each scan. One more row memoises the
whole result of the last scan for an unchanged tree and configuration, and the `replay` table
keeps the last few runs' output as a run answered from it prints it (prodready/replay.py reads
and writes that table without this module).
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import itertools
import json
import operator
import os
import shutil
import sqlite3
import subprocess
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# the replay reads the same database before any library loads: one spelling of its place
from .replay import CACHE_DIR, DATABASE, MEMO_TABLE, REPLAY_TABLE

SCHEMA_VERSION = 4
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
        self._memo: tuple[str, str] | None = None

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

    def get_memo(self, key: str) -> str | None:
        """The whole result of the last scan, if it was of this very tree and configuration."""
        try:
            row = self._db.execute("SELECT key, value FROM memo").fetchone()
        except sqlite3.Error:
            return None
        return row[1] if row is not None and row[0] == key and isinstance(row[1], str) else None

    def put_memo(self, key: str, value: str | None) -> None:
        self._memo = (key, value or "")

    def close(self, present: Iterable[str] | None) -> None:
        """Write pending rows, evict files no longer in the tree (unless `present` is None:
        nothing was scanned), close the database."""
        try:
            with self._db:
                if self._memo is not None:
                    self._db.execute("DELETE FROM memo")
                    if self._memo[1]:
                        self._db.execute("INSERT INTO memo (key, value) VALUES (?, ?)",
                                         self._memo)
                if present is None:
                    return
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
        if not marker.is_symlink() and not marker.exists():  # never write through a link
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
                db.execute("DROP TABLE IF EXISTS memo")
                db.execute("DROP TABLE IF EXISTS replay")
                db.execute("DROP TABLE IF EXISTS meta")
                db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, key TEXT, value TEXT)")
                db.execute(MEMO_TABLE)
                db.execute(REPLAY_TABLE)
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


_SCALARS = frozenset({str, int, float, bool, type(None)})
_DATACLASS_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _DATACLASS_FIELDS.get(kind)
    if names is None:
        names = _dataclass_fields(kind)
    if names:
        out = {n: v if type(v) in _SCALARS else _plain(v)
               for n in names for v in (getattr(value, n),)}
        out[_TAG] = kind.__name__
        return out
    if kind is list:
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    if isinstance(value, enum.Enum):
        if not _registered(kind):
            raise Uncacheable(kind.__name__)
        return {_TAG: kind.__name__, "v": value.value}
    if kind in (tuple, set, frozenset):
        items = [_plain(v) for v in value]
        if kind is not tuple:
            items.sort(key=repr)  # deterministic rows
        return {_TAG: kind.__name__, "v": items}
    if kind is dict:
        return {_TAG: "dict", "v": [[_plain(k), _plain(v)] for k, v in value.items()]}
    raise Uncacheable(kind.__name__)


def _dataclass_fields(kind: type) -> tuple[str, ...]:
    """Field names of a registered dataclass (empty for anything else), looked up once."""
    if not dataclasses.is_dataclass(kind):
        names: tuple[str, ...] = ()
    elif not _registered(kind):
        raise Uncacheable(kind.__name__)
    else:
        names = tuple(f.name for f in _fields(kind))
    _DATACLASS_FIELDS[kind] = names
    return names


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
    checks = _field_checks(cls)
    if len(obj) != len(checks) + 1:
        raise CorruptEntry(f"{tag} fields differ")
    for name, conforms in checks:
        if name not in obj or not conforms(obj[name]):
            raise CorruptEntry(f"{tag}.{name} is missing or has the wrong type")
    del obj[_TAG]
    return cls(**obj)


def _hashable(key: Any) -> Any:
    if isinstance(key, list | dict | set):
        raise CorruptEntry("unhashable key")
    return key


_Check = Callable[[Any], bool]
_CHECKS: dict[Any, _Check] = {}
_FIELD_CHECKS: dict[type, list[tuple[str, _Check]]] = {}


def _field_checks(cls: type) -> list[tuple[str, _Check]]:
    checks = _FIELD_CHECKS.get(cls)
    if checks is None:
        checks = _FIELD_CHECKS[cls] = [(name, _check(hint)) for name, hint in _hints(cls).items()]
    return checks


def _check(hint: Any) -> _Check:
    """A function telling whether a decoded value has the annotated type (built once per
    annotation: rows hold tens of thousands of values)."""
    check = _CHECKS.get(hint)
    if check is None:
        check = _CHECKS[hint] = _build_check(hint)
    return check


def _build_check(hint: Any) -> _Check:
    if hint is Any or hint is object:
        return lambda value: True
    if hint is None or hint is type(None):
        return lambda value: value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [_check(h) for h in args]
        return lambda value: any(ok(value) for ok in options)
    if origin is None:
        if hint is float:
            return lambda value: type(value) in (int, float)
        if hint in (int, str, bool):
            return lambda value: type(value) is hint
        return lambda value: isinstance(value, hint)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _check(args[0])
            return lambda value: type(value) is tuple and all(item(v) for v in value)
        items = [_check(h) for h in args]
        return lambda value: type(value) is tuple and len(value) == len(items) and all(
            ok(v) for ok, v in zip(items, value, strict=True))
    if origin in (list, set, frozenset):
        item = _check(args[0])
        return lambda value: type(value) is origin and all(item(v) for v in value)
    if origin is dict:
        key, val = _check(args[0]), _check(args[1])
        return lambda value: type(value) is dict and all(
            key(k) and val(v) for k, v in value.items())
    return lambda value: False


_REGISTRY: dict[str, Any] = {}
_MODULE_CLASSES: dict[str, dict[str, Any]] = {}
_VALUE_MODULES = ("prodready.model", "prodready.facts", "prodready.engine")
_HINTS: dict[type, dict[str, Any]] = {}


def _module_classes(name: str) -> dict[str, Any]:
    """The types of one of _VALUE_MODULES a cache row may hold, by name."""
    classes = _MODULE_CLASSES.get(name)
    if classes is None:
        module = importlib.import_module(name)
        if name == "prodready.engine":
            classes = {"FileResult": module.FileResult, "StoredResult": module.StoredResult}
        else:
            classes = {value.__name__: value for value in vars(module).values()
                       if isinstance(value, type) and value.__module__ == name and (
                           dataclasses.is_dataclass(value) or issubclass(value, enum.Enum))}
        _MODULE_CLASSES[name] = classes
    return classes


def _classes() -> dict[str, Any]:
    """Every type a cache row may hold: prodready's own value types, nothing else."""
    if not _REGISTRY:
        for name in _VALUE_MODULES:
            _REGISTRY.update(_module_classes(name))
    return _REGISTRY


def _registered(kind: type) -> bool:
    """Is `kind` a type a row may hold? Asked of its own module only, so reading the memo
    (model types) does not import the file facts, a start-up cost of every warm scan."""
    return kind.__module__ in _VALUE_MODULES and \
        _module_classes(kind.__module__).get(kind.__name__) is kind


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


# ---------------------------------------------------------------- typed rows

# The whole-result memo is read on every unchanged re-run, so it is stored without tags:
# a dataclass as the list of its field values, an enum as its value, tuples and sets as
# lists, dicts (string keys only) as objects. JSON text read back against a type annotation
# names every type it may hold, so it still cannot build anything else, and it is decoded
# by the C parser alone (a tagged row calls back into Python for every object in it).


def encode_typed(value: Any) -> str:
    """JSON text of `value` (plain values, registered dataclasses and enums) without tags."""
    return json.dumps(_untagged(value), separators=(",", ":"), ensure_ascii=False)


def decode_typed(text: str, hint: Any) -> Any:
    """The value of type `hint` that `encode_typed` wrote; CorruptEntry for anything else."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CorruptEntry(str(exc)) from exc
    try:
        return _reader(hint)(data)
    except CorruptEntry:
        raise
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. an unknown enum value
        raise CorruptEntry(str(exc)) from exc


def _untagged(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _DATACLASS_FIELDS.get(kind)
    if names is None:
        names = _dataclass_fields(kind)
    if names:
        return [v if type(v) in _SCALARS else _untagged(v)
                for v in (getattr(value, n) for n in names)]
    if kind is list or kind is tuple:
        return [v if type(v) in _SCALARS else _untagged(v) for v in value]
    if isinstance(value, enum.Enum):
        if not _registered(kind):
            raise Uncacheable(kind.__name__)
        return value.value
    if kind in (set, frozenset):
        return sorted((_untagged(v) for v in value), key=repr)
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise Uncacheable("a dict with keys that are not strings")
        return {k: v if type(v) in _SCALARS else _untagged(v) for k, v in value.items()}
    raise Uncacheable(kind.__name__)


_Reader = Callable[[Any], Any]
_READERS: dict[Any, _Reader] = {}


def _reader(hint: Any) -> _Reader:
    """A function from decoded JSON to a value of type `hint` (built once per annotation)."""
    reader = _READERS.get(hint)
    if reader is None:
        reader = _READERS[hint] = _build_reader(hint)
    return reader


def _refuse(what: str) -> CorruptEntry:
    return CorruptEntry(f"not {what}")


def _build_reader(hint: Any) -> _Reader:
    kinds = _scalar_kinds(hint)
    if kinds is not None:
        def scalar(value: Any) -> Any:
            if type(value) not in kinds:
                raise _refuse(str(hint))
            return value
        return scalar
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [_reader(h) for h in args if h is not type(None)]
        nullable = len(options) < len(args)

        def union(value: Any) -> Any:
            if value is None and nullable:
                return None
            for option in options:
                try:
                    return option(value)
                except CorruptEntry:
                    continue
            raise _refuse(str(hint))
        return union
    if origin in (list, set, frozenset) or (origin is tuple and args[1:] == (Ellipsis,)):
        return _items(hint, origin, args[0])
    if origin is tuple:
        return _positional(str(hint), list(args), tuple)
    if origin is dict:
        if args[0] is not str:
            raise TypeError(f"{hint}: only string keys are stored")
        return _mapping(hint, args[1])
    if isinstance(hint, type) and _registered(hint):
        return _class_reader(typing.cast(type, hint))
    raise TypeError(f"{hint} is not stored in typed rows")


def _scalar_kinds(hint: Any) -> frozenset[type] | None:
    """The JSON scalar types a value of `hint` may be, when it holds nothing else: such a
    value is checked where it stands, without a call per value."""
    if hint is None or hint is type(None):
        return frozenset({type(None)})
    if hint in (str, int, bool):
        return frozenset({hint})
    if hint is float:
        return frozenset({int, float})
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [_scalar_kinds(h) for h in typing.get_args(hint)]
        if all(kinds is not None for kinds in options):
            return frozenset().union(*typing.cast(list[frozenset[type]], options))
    return None


def _items(hint: Any, build: Any, item_hint: Any) -> _Reader:
    kinds = _scalar_kinds(item_hint)
    if kinds is not None:
        def scalars(value: Any) -> Any:
            if type(value) is not list or not all(type(v) in kinds for v in value):
                raise _refuse(str(hint))
            return value if build is list else build(value)
        return scalars
    item = _reader(item_hint)

    def items(value: Any) -> Any:
        if type(value) is not list:
            raise _refuse(str(hint))
        return build([item(v) for v in value])
    return items


def _mapping(hint: Any, value_hint: Any) -> _Reader:
    uniform = _uniform_row(value_hint)
    if uniform is not None:
        cls, count, kinds_of_all = uniform

        def rows(value: Any) -> Any:
            # every value a list of `count` values of one kind, checked in C, not per row
            members = value.values() if type(value) is dict else None
            if members is None or not (
                    set(map(type, members)) <= {list} and set(map(len, members)) <= {count}
                    and set(map(type, itertools.chain.from_iterable(members))) <= kinds_of_all):
                raise _refuse(str(hint))
            return {k: cls(*v) for k, v in value.items()}
        return rows
    kinds = _scalar_kinds(value_hint)
    val = None if kinds is not None else _reader(value_hint)

    def mapping(value: Any) -> Any:
        if type(value) is not dict:
            raise _refuse(str(hint))
        if val is not None:
            return {k: val(v) for k, v in value.items()}
        if not all(type(v) in kinds for v in value.values()):  # type: ignore[operator]
            raise _refuse(str(hint))
        return value
    return mapping


def _uniform_row(hint: Any) -> tuple[type, int, frozenset[type]] | None:
    """(class, field count, kinds) for a registered dataclass whose fields all hold one same
    kind of scalar (a SiteCount: two ints), which a mapping of thousands reads in bulk."""
    if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)
            and _registered(hint)):
        return None
    cls = typing.cast(type, hint)
    kinds = {_scalar_kinds(h) for h in _hints(cls).values()}
    if len(kinds) != 1:
        return None
    only = next(iter(kinds))
    if only is None or type(None) in only or not all(
            f.init and not f.kw_only for f in _fields(cls)):
        return None
    return cls, len(_fields(cls)), only


def _class_reader(cls: type) -> _Reader:
    """A registered enum from its value, a registered dataclass from its field values."""
    if issubclass(cls, enum.Enum):
        members = {m.value: m for m in cls}

        def member(value: Any) -> Any:
            try:
                return members[value]
            except (KeyError, TypeError):  # TypeError: a list or an object is no key
                raise _refuse(cls.__name__) from None
        return member
    if not all(f.init and not f.kw_only for f in _fields(cls)):
        raise TypeError(f"{cls.__name__} is not built from its fields in order")
    return _positional(cls.__name__, list(_hints(cls).values()), lambda values: cls(*values))


def _positional(name: str, hints: list[Any], build: Callable[[list[Any]], Any]) -> _Reader:
    """A list of len(hints) values, each of its annotated type, turned into `build(values)`."""
    count = len(hints)
    scalars = [(i, kinds) for i, h in enumerate(hints) if (kinds := _scalar_kinds(h)) is not None]
    others = [(i, _reader(h)) for i, h in enumerate(hints) if _scalar_kinds(h) is None]
    # The scalar fields are checked at once: the tuple of their types must be one of the
    # combinations the annotations allow (a few: only `X | None` fields multiply them).
    allowed = set(itertools.product(*(kinds for _, kinds in scalars)))
    positions = [i for i, _ in scalars]
    pick = (operator.itemgetter(*positions) if len(positions) > 1
            else lambda value: tuple(value[i] for i in positions))

    def read(value: Any) -> Any:
        if type(value) is not list or len(value) != count or tuple(
                map(type, pick(value))) not in allowed:
            raise _refuse(name)
        for i, reader in others:
            value[i] = reader(value[i])  # a list fresh from the parser: ours to fill in
        return build(value)
    return read


# ---------------------------------------------------------------- file results


def pack(result: Any, text: str, artifact: str | None, keeps_text: bool) -> str | None:
    """A cache row for one file's result, or None when it cannot be cached.

    `artifact` names the parsed tree the scan re-derives on a hit ("dockerfile", "yaml");
    `keeps_text` says the file's text is handed to project checks. Neither is stored, and
    snippets taken from `text` are stored as their place in it.
    """
    spans = [_place(f.snippet, text) for f in result.findings]
    findings = [dataclasses.replace(f, snippet="") for f in result.findings]
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
    findings = [dataclasses.replace(f, snippet=_restore(span, text))
                for f, span in zip(result.findings, spans, strict=True)]
    from .facts import PythonFacts

    if result.facts is not None and not isinstance(result.facts.artifact, PythonFacts | None):
        raise CorruptEntry("an artifact the cache never holds")
    result.findings = findings
    if entry.get("text") is True and result.facts is not None:
        result.facts.text = text
    return result, artifact


# ---------------------------------------------------------------- whole results


def pack_findings(findings: list[Any], texts: dict[str, str]) -> list[Any]:
    """(finding without its snippet, the snippet's place in its file's text from `texts`)."""
    return [(dataclasses.replace(f, snippet=""), _place(f.snippet, texts.get(f.path, "")))
            for f in findings]


def unpack_findings(packed: list[tuple[Any, Any]], texts: dict[str, str]) -> list[Any]:
    """The findings `pack_findings` stored, each snippet read back from `texts`.

    The findings are those just decoded from the row, which nothing else holds: each gets its
    snippet in place (a re-run restores thousands, and building each finding a second time
    was most of reading them)."""
    for finding, place in packed:
        if place is not None:
            object.__setattr__(finding, "snippet", _restore(place, texts.get(finding.path, "")))
    return [finding for finding, _ in packed]


def _place(snippet: str, text: str) -> list[int] | str | None:
    """How a snippet is stored: its place in the file when it is a piece of it (source lines
    may hold secrets), else as the rule wrote it (rules build such snippets from names and
    redacted values, e.g. `ENV TOKEN=<redacted>`)."""
    if not snippet:
        return None
    start = text.find(snippet)
    return snippet if start < 0 else [start, len(snippet)]


def _restore(span: Any, text: str) -> str:
    if span is None:
        return ""
    if isinstance(span, str):
        return span
    if not (isinstance(span, list) and len(span) == 2 and all(
            type(n) is int and n >= 0 for n in span)) or span[0] + span[1] > len(text):
        raise CorruptEntry("a snippet outside the file")
    return text[span[0]:span[0] + span[1]]
