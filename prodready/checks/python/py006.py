"""PY006 http-call-without-timeout."""

from __future__ import annotations

import ast

from ...artifacts.python import PythonFile
from ..api import RuleContext
from ._ast import dotted_name, has_kwargs_splat, keyword

SCOPE = "python"
VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}
HTTPX_CALLS = {f"httpx.{v}" for v in VERBS} | {"httpx.stream", "httpx.Client",
                                               "httpx.AsyncClient"}
SDK_CLIENTS = {"OpenAI", "AsyncOpenAI", "Anthropic", "AsyncAnthropic", "AzureOpenAI",
               "AsyncAzureOpenAI"}


def check(src: PythonFile, ctx: RuleContext) -> None:
    sessions = _session_names(src.tree)
    imported = _imported_names(src.tree)
    for node in ast.walk(src.tree):
        if not isinstance(node, ast.Call):
            continue
        name = dotted_name(node.func)
        problem = _problem(node, name, sessions, imported)
        if problem is None:
            continue
        if problem == "":
            ctx.examine()
            continue
        ctx.report_node(src.path, node, problem, lines=src.lines)


def _problem(call: ast.Call, name: str, sessions: set[str], imported: dict[str, str]
             ) -> str | None:
    """None: not an outbound call; "": examined and fine; else the message."""
    timeout = keyword(call, "timeout")
    splat = has_kwargs_splat(call)
    qualified = imported.get(name.split(".", 1)[0], "")
    full = f"{qualified}.{name.split('.', 1)[1]}" if "." in name and qualified else (
        qualified or name)
    verb = name.rsplit(".", 1)[-1]
    if full in {f"requests.{v}" for v in VERBS} or (
            verb in VERBS and name.rsplit(".", 1)[0] in sessions):
        if timeout is None and not splat:
            return (f"{name}() has no timeout: a slow or dead peer blocks this worker forever; "
                    "pass timeout=(connect, read) seconds")
        return _none_timeout(timeout, name)
    if full in ("urllib.request.urlopen", "urlopen") and (
            full == "urllib.request.urlopen" or imported.get("urlopen") == "urllib.request"):
        if timeout is None and len(call.args) < 3 and not splat:
            return f"{name}() has no timeout and can hang forever; pass timeout="
        return ""
    if full in HTTPX_CALLS:
        return _none_timeout(timeout, name)
    if full == "aiohttp.ClientSession":
        if timeout is None and not splat:
            return ("aiohttp.ClientSession() without timeout= uses a 5-minute total timeout; "
                    "pass timeout=aiohttp.ClientTimeout(total=…)")
        return _none_timeout(timeout, name)
    last = full.rsplit(".", 1)[-1]
    if last in SDK_CLIENTS and (full.startswith(("openai", "anthropic")) or name in imported):
        if timeout is None and not splat:
            return (f"{last}() without timeout= waits up to 10 minutes per request; "
                    "pass timeout= seconds")
        return _none_timeout(timeout, name)
    return None


def _none_timeout(timeout: ast.keyword | None, name: str) -> str:
    if timeout is not None and isinstance(timeout.value, ast.Constant) and (
            timeout.value.value is None):
        return f"{name}(timeout=None) disables the timeout: the call can hang forever"
    return ""


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> module path it stands for (`import requests as r`, `from x import y`)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _session_names(tree: ast.Module) -> set[str]:
    """Names bound to requests.Session() (incl. `self.session` set in a method)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        value = None
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            value, targets = node.value, node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            value, targets = node.value, [node.target]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            value, targets = node.context_expr, [node.optional_vars]
        if isinstance(value, ast.Call) and dotted_name(value.func) in (
                "requests.Session", "requests.session", "Session"):
            found.update(dotted_name(t) for t in targets if dotted_name(t))
    return found
