"""One-shot scripts: modules that run top to bottom once and end the process."""

from __future__ import annotations

import ast

from ...artifacts.python import PythonFile
from ._ast import dotted_name

_EXITS = {"exit", "quit", "sys.exit", "os._exit"}


def one_shot_script(src: PythonFile) -> bool:
    """A module with no function or class of its own that declares itself a program (a
    shebang, or a module-level `exit()` / `sys.exit()`): a wait-for-database script, a
    container health probe. Nothing imports it for its definitions and no worker lives in
    it; a module of definitions (`db.py` holding an engine) is not one."""
    body = src.tree.body
    if any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
           for stmt in body for n in ast.walk(stmt)):
        return False
    if src.source_line(1).startswith("#!"):
        return True
    return any(isinstance(n, ast.Call) and dotted_name(n.func) in _EXITS
               for stmt in body for n in ast.walk(stmt))
