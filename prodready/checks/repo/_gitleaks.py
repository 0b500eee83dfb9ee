"""The findings a project's `.gitleaksignore` acknowledges.

gitleaks writes one fingerprint a line, `[commit:]path:rule:line`. A project lists there what
its maintainers reviewed and decided is no secret to rotate (a test key, a development
default), as detect-secrets users do in `.secrets.baseline`. gitleaks' rule names are its own,
so a finding is matched by its file and line.
"""

from __future__ import annotations

import os
import posixpath
import re
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

    def covers(self, path: str, line: int) -> bool:
        return (path, line) in self.places


NOTHING_IGNORED = GitleaksIgnore(frozenset())
T = TypeVar("T")


def load_repository_file(root: str, name: str, read: Callable[[str, int, int], T], empty: T,
                         limit: int | None = None) -> T:
    """What `read(path, mtime_ns, size)` makes of the file `name` at the repository's root
    (`read` caches by those, so an unchanged file is read once), else `empty`."""
    path = os.path.join(root, name)
    stat = regular_file(path, limit)
    return empty if stat is None else read(path, stat.st_mtime_ns, stat.st_size)


def regular_file(path: str, limit: int | None = None) -> os.stat_result | None:
    """The stat of a regular file (a FIFO would block the scan) within `limit` bytes, else
    None."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode) or (limit is not None and stat.st_size > limit):
        return None
    return stat


def load_gitleaks_ignore(root: str) -> GitleaksIgnore:
    """The repository's `.gitleaksignore`, or an empty one."""
    return load_repository_file(root, ".gitleaksignore", _read, NOTHING_IGNORED, _SIZE_LIMIT)


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
