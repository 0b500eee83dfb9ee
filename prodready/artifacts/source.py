"""Reading a file's bytes as text: BOMs, PEP 263 cookies, binary and undecodable files."""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass


class UnreadableFile(Exception):
    """The file is binary or cannot be decoded; the message says which."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    bom: bool


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def split_lines(text: str) -> list[str]:
    """The file's lines, as every parser, finding, suppression and edit counts them: only
    `\n` ends a line (`\r\n` too, its `\r` dropped). `str.splitlines` also splits on form
    feeds, lone CRs, NEL and U+2028, which would shift every later line number."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


_LONE_CR = re.compile(r"\r(?!\n)")


def python_lines_text(text: str) -> str:
    """Python source as the compiler counts its lines: a lone CR ends a line there (and only
    there), so it becomes `\n` (same length: offsets stay valid) before the lines are split,
    and suppressions, snippets and findings agree with the syntax tree."""
    return _LONE_CR.sub("\n", text) if "\r" in text else text


def read_regular_file(path: str, limit: int) -> bytes:
    """A regular file's bytes. It is opened without blocking and checked before reading, so
    a FIFO or device swapped in after discovery never hangs the scan; it is read to at most
    `limit` bytes (a file that grew past the size limit is refused, not read whole)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file (FIFO, socket or device)")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"larger than max-file-size ({limit} bytes)")
    return data


def decode(data: bytes, *, python: bool = False) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding, True)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"not valid {encoding}: {exc.reason}") from exc
    if b"\0" in data[:8192]:
        raise UnreadableFile("binary file")
    encoding = "utf-8"
    if python:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            raise UnreadableFile(str(exc)) from exc
    try:
        return Decoded(data.decode(encoding), encoding, False)
    except Exception as exc:  # any codec a PEP 263 cookie names may fail in its own way
        raise UnreadableFile(f"not valid {encoding} text") from exc
