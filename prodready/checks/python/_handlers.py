"""What an `except` handler does: broad or narrow, re-raises, logs at which level."""

from __future__ import annotations

import ast

from ...artifacts.pyast import dotted_name

BROAD = {"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"}
LOW_LEVELS = {"debug", "info"}
HIGH_LEVELS = {"warning", "warn", "error", "exception", "critical", "fatal", "log"}
TRACKERS = ("capture_exception", "capture_message", "captureException", "notify",
            "report_exc_info", "record_exception")
ERROR_EXITS = ("error", "fatal", "die", "abort", "fail")  # called by bare name
LOGGER_HINTS = ("log", "logger", "logging", "_log", "structlog")


def is_broad(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(dotted_name(n) in BROAD for n in names)


def body_nodes(handler: ast.ExceptHandler) -> list[ast.AST]:
    """Nodes of the handler body, not descending into nested functions or classes."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = list(handler.body)
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return out


def reraises(handler: ast.ExceptHandler) -> bool:
    return any(isinstance(n, ast.Raise) for n in body_nodes(handler))


def is_logger_receiver(node: ast.AST) -> bool:
    name = dotted_name(node).lower()
    if not name:
        # logging.getLogger(__name__).debug(...) / structlog.get_logger().info(...)
        return isinstance(node, ast.Call) and "log" in dotted_name(node.func).lower()
    last = name.rsplit(".", 1)[-1]
    return any(h in last for h in LOGGER_HINTS)


def logging_calls(handler: ast.ExceptHandler) -> list[tuple[ast.Call, str]]:
    """(call, method) for every logger-like call in the handler body."""
    calls = []
    for node in body_nodes(handler):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and is_logger_receiver(node.func.value)):
            calls.append((node, node.func.attr))
    return calls


def reports_error(handler: ast.ExceptHandler) -> bool:
    """A warning-or-higher log call, an error tracker, a metric/print to stderr, or the
    program's own error exit (`error("…")`, `die(…)`, Flask's `abort(500)`)."""
    for node in body_nodes(handler):
        if not isinstance(node, ast.Call):
            continue
        name = dotted_name(node.func)
        last = name.rsplit(".", 1)[-1] if name else (
            node.func.attr if isinstance(node.func, ast.Attribute) else "")
        if last in TRACKERS or (isinstance(node.func, ast.Name) and last in ERROR_EXITS):
            return True
        if isinstance(node.func, ast.Attribute) and node.func.attr in HIGH_LEVELS and (
                is_logger_receiver(node.func.value)):
            return True
    return False
