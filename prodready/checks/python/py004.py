"""PY004 literal-dynamic-import."""

from __future__ import annotations

import ast
import re

from ...artifacts.python import PythonFile
from ...model import Fix, FixSafety
from ..api import RuleContext
from ._ast import codemod_at, dotted_name

SCOPE = "python"
_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def check(src: PythonFile, ctx: RuleContext) -> None:
    for node in src.calls("import_module", "__import__"):
        name = dotted_name(node.func)
        if name not in ("importlib.import_module", "import_module", "__import__"):
            continue
        if (len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.Constant)
                or not isinstance(node.args[0].value, str)
                or not _MODULE.fullmatch(node.args[0].value)):
            ctx.examine()
            continue
        module = node.args[0].value
        fix = _fix(src, node, module, name)
        ctx.report_node(
            src.path, node,
            f"{name}({module!r}) imports a fixed module dynamically; a static "
            f"`import {module}` is visible to linters, type checkers and packagers",
            lines=src.lines, fix=fix,
        )


def _fix(src: PythonFile, call: ast.Call, module: str, name: str) -> Fix | None:
    """`x = importlib.import_module("a.b")` as a whole statement becomes `import a.b as x`."""
    parent = src.parent(call)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)) or name == "__import__":
        return None
    target = parent.targets[0].id
    replacement = f"import {module} as {target}" if module.split(".")[-1] != target or (
        "." in module) else f"import {module}"
    return Fix(FixSafety.SAFE, f"use `{replacement}`",
               codemods=(codemod_at(src, parent, "static-import", replacement),))
