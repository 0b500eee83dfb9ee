"""Reading a file's bytes as text: BOMs, PEP 263 cookies, binary and undecodable files."""

from __future__ import annotations

import codecs
import io
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
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFile(f"not valid {encoding} text") from exc
