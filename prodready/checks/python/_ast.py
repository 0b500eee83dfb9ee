"""The codemod anchor the Python rules' fixes share."""

from __future__ import annotations

import ast
from typing import Any

from ...artifacts.pyast import dotted_name
from ...fix.edits import digest
from ...model import Codemod


def codemod_at(src: Any, node: ast.AST, op: str, arg: str = "") -> Codemod:
    """A libcst codemod anchored at an ast node (ast counts UTF-8 bytes, libcst characters)."""
    line = getattr(node, "lineno", 1)
    text = src.source_line(line).encode("utf-8")[: getattr(node, "col_offset", 0)]
    callee = ""
    if isinstance(node, ast.Call):
        callee = dotted_name(node.func).rsplit(".", 1)[-1]
    return Codemod(src.path, op, line, len(text.decode("utf-8", errors="ignore")), arg, callee,
                   base=digest(src.text))
