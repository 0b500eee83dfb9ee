"""Helpers for checks that attach fixes: positions to offsets, indentation, line endings."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from ..model import Edit

ABSENT = ""  # the base of an edit that creates its file


@lru_cache(maxsize=64)
def digest(text: str) -> str:
    """What an edit carries to prove its offsets still refer to the file's current text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line (1-based line n is index n-1)."""
    starts = [0]
    find = text.find  # C-level scanning: fixes ask this of large Compose files many times
    index = find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = find("\n", index + 1)
    return starts


def offset(text: str, line: int, column: int) -> int:
    """Character offset of a 1-based line and 1-based column."""
    starts = line_starts(text)
    return starts[line - 1] + column - 1 if line - 1 < len(starts) else len(text)


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def insert_line_after(path: str, text: str, line: int, content: str) -> Edit:
    """An edit adding `content` as a new line after 1-based `line` (keeps line endings)."""
    starts = line_starts(text)
    nl = newline_of(text)
    if line < len(starts):
        at = starts[line]
        return Edit(path, at, at, content + nl, base=digest(text))
    # after the last line: make sure it ends with a newline first
    prefix = "" if text.endswith("\n") or not text else nl
    return Edit(path, len(text), len(text), prefix + content + nl, base=digest(text))


def append_lines(path: str, text: str, lines: list[str]) -> Edit:
    nl = newline_of(text)
    prefix = "" if text.endswith("\n") or not text else nl
    return Edit(path, len(text), len(text), prefix + nl.join(lines) + nl,
                base=digest(text))


def ast_offset(text: str, line: int, byte_col: int) -> int:
    """Character offset of an ast position (ast columns count UTF-8 bytes, not characters)."""
    starts = line_starts(text)
    if line - 1 >= len(starts):
        return len(text)
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    prefix = text[start:end].encode("utf-8")[:byte_col].decode("utf-8", errors="ignore")
    return start + len(prefix)
