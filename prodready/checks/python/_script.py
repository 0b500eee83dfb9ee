"""One-shot scripts: modules that run top to bottom once and end the process."""

from __future__ import annotations

import ast

from ...artifacts.pyast import dotted_name
from ...artifacts.python import PythonFile

_EXITS = {"exit", "quit", "sys.exit", "os._exit"}
_EXIT_NAMES = ("exit", "quit", "_exit")


def one_shot_script(src: PythonFile) -> bool:
    """A module with no function or class of its own that declares itself a program (a
    shebang, or a module-level `exit()` / `sys.exit()`): a wait-for-database script, a
    container health probe. Nothing imports it for its definitions and no worker lives in
    it; a module of definitions (`db.py` holding an engine) is not one."""
    # the file's node index, not a walk of its tree: every Python file asks
    if src.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        return False
    if src.source_line(1).startswith("#!"):
        return True
    return any(dotted_name(n.func) in _EXITS for n in src.calls(*_EXIT_NAMES))
