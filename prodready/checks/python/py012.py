"""PY012 dangling-asyncio-task."""

from __future__ import annotations

import ast

from ...artifacts.pyast import dotted_name, function_body_nodes, qualified
from ...artifacts.python import PythonFile
from ..api import RuleContext
from ._intent import TASK_CODES, linter_marked, telemetry_name

SCOPE = "python"
SPAWNERS = {"asyncio.create_task", "asyncio.ensure_future"}


def check(src: PythonFile, ctx: RuleContext) -> None:
    imported: dict[str, str] | None = None
    for node in src.calls("create_task", "ensure_future"):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)):
            continue
        last = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        if last not in ("create_task", "ensure_future"):
            continue
        if imported is None:
            imported = src.imports
        if not _spawns_unowned_task(node, imported):
            continue  # TaskGroup, nursery, or a custom helper: it keeps its own reference
        if _runs_telemetry(node):
            ctx.examine()  # losing a usage report or a heartbeat costs the service nothing
            continue
        if _never_suspends(src, node):
            ctx.examine()  # it runs to its end in its first step: nothing left to collect
            continue
        if _in_finalizer(src, node):
            ctx.examine()  # best-effort cleanup of an object being collected: no owner left
            continue
        if isinstance(src.parent(node), ast.Expr) and not linter_marked(
                src, node.lineno, node.end_lineno or node.lineno, TASK_CODES):
            ctx.report_node(src.path, node,
                            f"the task from {dotted_name(node.func) or last}() is not kept: the "
                            "event loop holds only a weak reference, so it can be "
                            "garbage-collected mid-run and its exception is never seen; keep it "
                            "in a set and add a done callback (or use a TaskGroup)",
                            lines=src.lines)
        else:
            ctx.examine()


def _in_finalizer(src: PythonFile, node: ast.AST) -> bool:
    """Inside `__del__`: the object that could hold the task is the one going away."""
    return any(isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef)
               and outer.name == "__del__" for outer in src.ancestors(node))


def _spawns_unowned_task(call: ast.Call, imported: dict[str, str]) -> bool:
    name = qualified(dotted_name(call.func), imported)
    if name in SPAWNERS:
        return True
    if not isinstance(call.func, ast.Attribute) or call.func.attr != "create_task":
        return False
    receiver = call.func.value
    if isinstance(receiver, ast.Call):  # asyncio.get_event_loop().create_task(...)
        return "loop" in dotted_name(receiver.func).lower()
    return "loop" in dotted_name(receiver).rsplit(".", 1)[-1].lower()


def _runs_telemetry(call: ast.Call) -> bool:
    """The task runs a telemetry coroutine: `create_task(send_usage_telemetry())`."""
    coroutine = call.args[0] if call.args else None
    if not isinstance(coroutine, ast.Call):
        return False
    return telemetry_name(dotted_name(coroutine.func).rsplit(".", 1)[-1])


def _never_suspends(src: PythonFile, call: ast.Call) -> bool:
    """The task runs a coroutine of this file (`create_task(self.notify(...))`, a module
    function) whose body never awaits: it finishes in the step that starts it, so the loop's
    weak reference cannot lose it half-way, and an error it raises is still logged."""
    coroutine = call.args[0] if call.args else None
    if not isinstance(coroutine, ast.Call):
        return False
    func = coroutine.func
    if isinstance(func, ast.Name):
        candidates = [f for f in src.tree.body
                      if isinstance(f, ast.AsyncFunctionDef) and f.name == func.id]
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
            func.value.id in ("self", "cls")):
        owner = next((a for a in src.ancestors(call) if isinstance(a, ast.ClassDef)), None)
        candidates = [f for f in owner.body if isinstance(f, ast.AsyncFunctionDef)
                      and f.name == func.attr] if owner is not None else []
    else:
        return False
    return len(candidates) == 1 and not any(
        isinstance(node, ast.Await | ast.AsyncFor | ast.AsyncWith)
        for node in function_body_nodes(candidates[0]))

