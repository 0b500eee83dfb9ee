"""PY009 debug-mode-enabled."""

from __future__ import annotations

import ast
import re

from ...artifacts.pyast import dotted_name, is_true, keyword
from ...artifacts.python import PythonFile
from ...devconfig import is_dev_settings_module, is_settings_module
from ..api import RuleContext

SCOPE = "python"
APP_FACTORIES = {"FastAPI", "fastapi.FastAPI", "Starlette", "starlette.applications.Starlette"}


def check(src: PythonFile, ctx: RuleContext) -> None:
    for node in [*src.calls("FastAPI", "Starlette", "run"), *src.nodes(ast.Assign)]:
        if isinstance(node, ast.Call):
            _check_call(src, node, ctx)
        elif isinstance(node, ast.Assign) and _is_settings_module(src.path):
            if any(isinstance(t, ast.Name) and t.id == "DEBUG" for t in node.targets):
                if is_true(node.value) and node in src.tree.body and not _gated(src, node) \
                        and not _overridden_later(src, node):
                    ctx.report_node(src.path, node,
                                    "DEBUG = True in a settings module that production may "
                                    "load: Django then shows tracebacks and settings to anyone",
                                    lines=src.lines)
                else:
                    ctx.examine()


def _check_call(src: PythonFile, call: ast.Call, ctx: RuleContext) -> None:
    name = dotted_name(call.func)
    if name in APP_FACTORIES:
        flag, what = keyword(call, "debug"), f"{name}(debug=True) returns tracebacks to clients"
    elif name == "uvicorn.run":
        flag, what = keyword(call, "reload"), "uvicorn.run(reload=True) runs the dev reloader"
        if not _in_entry_point(src, call):
            return
    elif name.endswith(".run") and name.count(".") == 1 and keyword(call, "debug"):
        flag = keyword(call, "debug")
        what = f"{name}(debug=True) starts the Werkzeug debugger (remote code execution)"
        if _loopback_only(call):
            ctx.examine()  # a local development server: nothing outside the machine reaches it
            return
    else:
        return
    if flag is not None and is_true(flag.value) and not _gated(src, call):
        ctx.report_node(src.path, call, what + "; read it from configuration instead",
                        lines=src.lines)
    else:
        ctx.examine()


def _overridden_later(src: PythonFile, node: ast.Assign) -> bool:
    """Below the default, the module sets DEBUG again from its configuration
    (`DEBUG = section.getboolean("debug", DEBUG)`) or loads the deployment's own local
    settings over it (`from .local_settings import *`, `exec(open(…local_settings.py…))`):
    the default is for a checkout, and production decides."""
    for later in ast.walk(src.tree):
        if getattr(later, "lineno", 0) <= node.lineno:
            continue
        if isinstance(later, ast.Assign) and not is_true(later.value) and any(
                isinstance(t, ast.Name) and t.id == "DEBUG" for t in later.targets):
            return True
        if isinstance(later, ast.ImportFrom) and "local" in (later.module or "") and any(
                a.name == "*" for a in later.names):
            return True
        if isinstance(later, ast.Call) and dotted_name(later.func) == "exec" and any(
                isinstance(c, ast.Constant) and isinstance(c.value, str) and
                "local_settings" in c.value for c in ast.walk(later)):
            return True
    return False


_GATE = re.compile(r"debug|dev|local|environ|getenv|settings|config|args|reload|env\b",
                   re.IGNORECASE)


def _gated(src: PythonFile, node: ast.AST) -> bool:
    """Debug mode switched on only when a configuration flag or the environment says so
    (`if settings.DEBUG:`, `if os.environ.get("FLASK_ENV") == "development":`)."""
    for outer in src.ancestors(node):
        if isinstance(outer, ast.If) and "__main__" not in (test := ast.unparse(outer.test)):
            if _GATE.search(test):
                return True
    return False


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _loopback_only(call: ast.Call) -> bool:
    """`app.run(debug=True)` binds 127.0.0.1 unless given another host."""
    host = keyword(call, "host")
    value = host.value if host is not None else (call.args[0] if call.args else None)
    if value is None:
        return True
    return isinstance(value, ast.Constant) and value.value in LOOPBACK


def _in_entry_point(src: PythonFile, node: ast.AST) -> bool:
    for outer in src.ancestors(node):
        if isinstance(outer, ast.If) and "__main__" in ast.unparse(outer.test):
            return True
    return src.path.rsplit("/", 1)[-1] in ("main.py", "run.py", "server.py", "__main__.py",
                                           "app.py", "asgi.py", "wsgi.py")


def _is_settings_module(path: str) -> bool:
    """A settings module the deployment loads: not one for development or tests."""
    return is_settings_module(path) and not is_dev_settings_module(path)
