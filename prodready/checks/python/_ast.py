"""The codemod anchor the Python rules' fixes share."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from ...artifacts.pyast import dotted_name
from ...fix.edits import digest
from ...model import Codemod


def comments_above(src: Any, line: int, skip: Callable[[str], bool] | None = None
                   ) -> list[str]:
    """The block of comment lines (stripped) right above `line`, nearest first; with `skip`,
    the lines it accepts (blank lines, the other statements of a run) are passed over first."""
    number = line - 1
    while skip is not None and number >= 1 and skip(src.lines[number - 1]):
        number -= 1
    out: list[str] = []
    while number >= 1 and src.lines[number - 1].lstrip().startswith("#"):
        out.append(src.lines[number - 1].strip())
        number -= 1
    return out


def codemod_at(src: Any, node: ast.AST, op: str, arg: str = "") -> Codemod:
    """A libcst codemod anchored at an ast node (ast counts UTF-8 bytes, libcst characters)."""
    line = getattr(node, "lineno", 1)
    text = src.source_line(line).encode("utf-8")[: getattr(node, "col_offset", 0)]
    callee = ""
    if isinstance(node, ast.Call):
        callee = dotted_name(node.func).rsplit(".", 1)[-1]
    return Codemod(src.path, op, line, len(text.decode("utf-8", errors="ignore")), arg, callee,
                   base=digest(src.text))
