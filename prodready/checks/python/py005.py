"""PY005 sys-modules-injection."""

from __future__ import annotations

import ast

from ...artifacts.python import PythonFile
from ..api import RuleContext
from ._ast import dotted_name

SCOPE = "python"


def check(src: PythonFile, ctx: RuleContext) -> None:
    for node in [*src.nodes(ast.Assign, ast.AugAssign, ast.AnnAssign),
                 *src.calls("setdefault", "update")]:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        hit = any(isinstance(t, ast.Subscript) and dotted_name(t.value) == "sys.modules"
                  for t in targets)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                node.func.attr in ("setdefault", "update")
                and dotted_name(node.func.value) == "sys.modules"):
            hit = True
        if hit:
            ctx.report_node(
                src.path, node,
                "writing into sys.modules injects a fake or replacement module at run time; "
                "import the real module, or patch it only in tests",
                lines=src.lines,
            )
