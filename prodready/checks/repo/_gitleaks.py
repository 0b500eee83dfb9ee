r"""The findings a project's gitleaks files acknowledge.

`.gitleaksignore` holds one fingerprint a line, `[commit:]path:rule:line`. A project lists
there what its maintainers reviewed and decided is no secret to rotate (a test key, a
development default), as detect-secrets users do in `.secrets.baseline`. gitleaks' rule names
are its own, so a finding is matched by its file and line. The global allowlist of
`.gitleaks.toml` (`[allowlist]`, `[[allowlists]]`) names allowed secrets and paths by regular
expression; only the literal ones are read (a value or a path spelled out, `\+` escapes
allowed), and never run as patterns: the repository may come from anyone.
"""

from __future__ import annotations

import os
import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from stat import S_ISREG
from typing import TypeVar

_COMMIT = re.compile(r"^[0-9a-f]{7,40}:")
_SIZE_LIMIT = 1 << 20  # a fingerprint list, not a data file


@dataclass(frozen=True, slots=True)
class GitleaksIgnore:
    places: frozenset[tuple[str, int]]  # (path, line)
    values: tuple[str, ...] = ()  # allowlisted secrets, spelled out
    paths: frozenset[str] = frozenset()  # allowlisted files

    def covers(self, path: str, line: int, text: str = "") -> bool:
        # a path pattern matches anywhere in the path, as gitleaks searches it: a spelled-out
        # directory (`tools\/docker\/redis-tls`) covers the files below it
        return (path, line) in self.places or any(p in path for p in self.paths) or (
            bool(text) and any(value in text for value in self.values))


NOTHING_IGNORED = GitleaksIgnore(frozenset())
T = TypeVar("T")


def load_repository_file(root: str, name: str, read: Callable[[str, int, int], T], empty: T,
                         limit: int | None = None, *, follow_links: bool = True) -> T:
    """What `read(path, mtime_ns, size)` makes of the file `name` under the repository's root
    (`read` caches by those, so an unchanged file is read once), else `empty`."""
    path = os.path.join(root, name)
    stat = regular_file(path, limit, follow_links=follow_links)
    return empty if stat is None else read(path, stat.st_mtime_ns, stat.st_size)


def regular_file(path: str, limit: int | None = None, *,
                 follow_links: bool = True) -> os.stat_result | None:
    """The stat of a regular file (a FIFO would block the scan) within `limit` bytes, else
    None; without `follow_links`, a symbolic link is none."""
    try:
        stat = os.stat(path) if follow_links else os.lstat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode) or (limit is not None and stat.st_size > limit):
        return None
    return stat


def load_gitleaks_ignore(root: str) -> GitleaksIgnore:
    """The repository's `.gitleaksignore` with its `.gitleaks.toml` allowlist, or an empty
    one."""
    ignore = load_repository_file(root, ".gitleaksignore", _read, NOTHING_IGNORED, _SIZE_LIMIT)
    nothing: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    values, paths = load_repository_file(root, ".gitleaks.toml", _read_allowlist, nothing,
                                         _SIZE_LIMIT)
    if not values and not paths:
        return ignore
    return GitleaksIgnore(ignore.places, tuple(values), frozenset(paths))


@cache
def _read_allowlist(path: str, mtime_ns: int, size: int
                    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(allowed secrets, allowed paths) the global allowlists spell out literally."""
    try:
        with open(path, "rb") as fh:
            config = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
        return (), ()
    many = config.get("allowlists")
    tables = [config.get("allowlist"), *(many if isinstance(many, list) else ())]
    values: list[str] = []
    paths: list[str] = []
    for table in tables:
        if not isinstance(table, dict) or table.get("targetRules"):
            continue  # an allowlist for some of gitleaks' own rules only
        for key, found in (("regexes", values), ("paths", paths)):
            patterns = table.get(key)
            for pattern in patterns if isinstance(patterns, list) else ():
                literal = _literal(pattern) if isinstance(pattern, str) else None
                if literal and len(literal) >= 8:  # short literals would cover too much
                    found.append(literal)
    return tuple(values), tuple(paths)


def _literal(pattern: str) -> str | None:
    """The text a regular expression matches when it is spelled out (`qR\\+vj…`, a path with
    dots), else None."""
    if _METACHARACTERS.search(_ESCAPED.sub("", pattern)):
        return None  # an unescaped class, group, anchor, repetition or alternation
    return _ESCAPED.sub(r"\1", pattern)


_ESCAPED = re.compile(r"\\([^\w\s])")
_METACHARACTERS = re.compile(r"[\\^$*+?{}\[\]|()]")


@cache
def _read(path: str, mtime_ns: int, size: int) -> GitleaksIgnore:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return NOTHING_IGNORED
    return GitleaksIgnore(frozenset(filter(None, map(parse_fingerprint, text.splitlines()))))


def parse_fingerprint(entry: str) -> tuple[str, int] | None:
    """(path, line) of `[commit:]path:rule:line`; None for a comment or anything else."""
    entry = entry.strip()
    if not entry or entry.startswith("#"):
        return None
    parts = _COMMIT.sub("", entry).rsplit(":", 2)
    if len(parts) != 3 or not parts[2].isdigit() or not parts[0]:
        return None
    filename = posixpath.normpath(parts[0].replace("\\", "/")).lstrip("/")
    return filename, int(parts[2])
