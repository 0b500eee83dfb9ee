"""PY002 exception-swallowed."""

from __future__ import annotations

import ast

from ...artifacts.pyast import dotted_name
from ...artifacts.python import PythonFile
from ...model import Fix, FixSafety
from ..api import RuleContext
from ._ast import codemod_at
from ._handlers import is_broad
from ._intent import Stakes, handler_intent, handler_stakes

SCOPE = "python"
_COST = {
    Stakes.LOST_WORK: "the item, message or request it was working on is lost without a trace",
    Stakes.FAILED_ACTION: "the action fails without a trace",
}


def check(src: PythonFile, ctx: RuleContext) -> None:
    logger: str | bool | None = False  # found on first use
    for handler in src.nodes(ast.ExceptHandler):
        if not isinstance(handler, ast.ExceptHandler) or not is_broad(handler):
            continue
        if not all(_is_silent(stmt) for stmt in handler.body):
            ctx.examine()
            continue
        if handler_intent(src, handler) is not None:
            ctx.examine()
            continue
        stakes = handler_stakes(src, handler)
        if stakes not in _COST:
            # Best-effort cleanup or hooks, or a computed value falling back to a default:
            # the authors chose the fallback, and nothing is lost by it.
            ctx.examine()
            continue
        if logger is False:
            logger = _module_logger(src.tree)
        fix = None
        # A handler that returns a value or continues is a fallback path: the failure is
        # expected there, and an ERROR with a traceback on every occurrence is noise.
        if isinstance(logger, str) and not any(
                isinstance(stmt, ast.Return | ast.Continue) for stmt in handler.body):
            mod = codemod_at(src, handler, "log-exception",
                             f'{logger}.exception("unexpected error, continuing")')
            # Shown, never applied: most silent handlers on real code are expected failures
            # (optional integrations, best-effort cleanup), where an ERROR with a traceback
            # on every occurrence is noise; whether this one is unexpected is the author's call.
            fix = Fix(FixSafety.DISPLAY_ONLY, f"log the exception with {logger}.exception()",
                      codemods=(mod,))
        ctx.report(
            src.path, handler.lineno, handler.col_offset + 1,
            f"broad exception handler swallows the error without logging, re-raising or "
            f"counting it: {_COST[stakes]}; log it with .exception(), narrow the exception "
            "type, or say why it is safe to ignore in a comment",
            end_line=handler.lineno, end_column=handler.col_offset + 7,
            snippet=src.source_line(handler.lineno), fix=fix,
        )


def _is_ellipsis(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and (
        stmt.value.value is Ellipsis)


def _is_constant(node: ast.expr | None) -> bool:
    if node is None or isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.List | ast.Tuple | ast.Set) and not node.elts:
        return True
    return isinstance(node, ast.Dict) and not node.keys


def _is_silent(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass | ast.Continue) or _is_ellipsis(stmt):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(
            stmt.value.value, str):
        return True  # a comment-like string
    return isinstance(stmt, ast.Return) and _is_constant(stmt.value)


def _module_logger(tree: ast.Module) -> str | None:
    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call)
                and dotted_name(stmt.value.func).endswith(("getLogger", "get_logger"))):
            return stmt.targets[0].id
    return None
