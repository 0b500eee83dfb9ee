"""PY001 except-logged-below-error."""

from __future__ import annotations

import ast

from ...artifacts.python import PythonFile
from ...model import Codemod, Fix, FixSafety, Severity
from ..api import RuleContext, informational_message
from ._ast import codemod_at
from ._handlers import LOW_LEVELS, is_broad, logging_calls, reports_error, reraises
from ._intent import Stakes, handler_intent, handler_stakes, logged_on_purpose
from ._script import in_command_line_command

SCOPE = "python"


def check(src: PythonFile, ctx: RuleContext) -> None:
    for handler in src.nodes(ast.ExceptHandler):
        if not isinstance(handler, ast.ExceptHandler) or not is_broad(handler):
            continue
        calls = logging_calls(handler)
        low = [(call, method) for call, method in calls if method in LOW_LEVELS]
        if not low or reraises(handler) or reports_error(handler):
            ctx.examine()
            continue
        if handler_intent(src, handler) is not None or logged_on_purpose(
                handler, LOW_LEVELS) or handler_stakes(src, handler) in (
                Stakes.FALLBACK, Stakes.BEST_EFFORT):
            # A reviewed handler, or a normal fallback path (an optional feature probe, an
            # anonymous lookup) where debug is the level its authors chose.
            ctx.examine()
            continue
        mods = tuple(codemod_at(src, call, "rename-method", "exception") for call, _ in low)
        methods = ", ".join(sorted({f".{m}()" for _, m in low}))
        message = (f"broad exception handler logs only with {methods}: the failure is "
                   "invisible at the usual production log level; log with .exception() (keeps "
                   "the traceback) or re-raise")
        severity = None
        command_line = in_command_line_command(src, handler)
        if not command_line and all(m == "info" for _, m in low) and \
                ctx.rule.id not in ctx.config.severity:
            # services keep INFO: the failure is seen, only its traceback is missing; the
            # fix that adds it stays on offer
            message = informational_message(message, INFO_LEVEL)
            severity = Severity.INFO
        ctx.report(
            src.path, handler.lineno, handler.col_offset + 1, message,
            end_line=handler.lineno, end_column=handler.col_offset + 7,
            snippet=src.source_line(handler.lineno),
            fix=_fix(handler, low, mods), severity=severity,
            informational="a command of the command-line program: its log goes to the "
                          "terminal or the job log of whoever runs it" if command_line else "",
        )


INFO_LEVEL = "logged at info, a level services keep: only the traceback is missing"


def _fix(handler: ast.ExceptHandler, low: list[tuple[ast.Call, str]],
         mods: tuple[Codemod, ...]) -> Fix:
    """Safe only where the handler does nothing but log at info level: a handler that
    returns, assigns or continues is a fallback path, and a `.debug()` there was chosen to
    stay quiet; raising it to ERROR with a traceback floods logs and error trackers."""
    logged = {id(call) for call, _ in low}
    only_logs = all(
        isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and id(stmt.value) in logged)
        for stmt in handler.body)
    if only_logs and all(method == "info" for _, method in low):
        return Fix(FixSafety.SAFE, "log with .exception() instead", codemods=mods)
    # Shown, never applied: on a fallback path, or at a debug level chosen on purpose (an
    # optional integration failing), the quiet level is the point.
    why = "a fallback path" if not only_logs else "debug level chosen on purpose"
    return Fix(FixSafety.DISPLAY_ONLY, f"log with .exception() instead (not applied: {why})",
               codemods=mods)
