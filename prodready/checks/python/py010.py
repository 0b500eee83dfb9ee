"""PY010 cors-wildcard-with-credentials."""

from __future__ import annotations

import ast
import re

from ...artifacts.pyast import dotted_name, is_true, keyword, literal_strings
from ...artifacts.python import PythonFile
from ..api import RuleContext

SCOPE = "python"
# Origins no legitimate allow-list matches; a regex that accepts them accepts everything.
_FOREIGN_ORIGINS = ("https://attacker.invalid", "http://10.0.0.1:8080")
_DJANGO_ALLOW_ALL = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")


def check(src: PythonFile, ctx: RuleContext) -> None:
    for node in src.calls("CORSMiddleware", "add_middleware", "Middleware", "CORS",
                          "cross_origin"):
        if isinstance(node, ast.Call):
            _check_call(src, node, ctx)
    _check_django(src, ctx)


def _check_call(src: PythonFile, call: ast.Call, ctx: RuleContext) -> None:
    name = dotted_name(call.func).rsplit(".", 1)[-1]
    first = dotted_name(call.args[0]).rsplit(".", 1)[-1] if call.args else ""
    if name == "CORSMiddleware" or first == "CORSMiddleware":
        if not is_true(_kw_value(call, "allow_credentials")):
            ctx.examine()
            return
        origins = literal_strings(_kw_value(call, "allow_origins"))
        regex = literal_strings(_kw_value(call, "allow_origin_regex"))
        if origins and "*" in origins:
            what = 'allow_origins=["*"]'
        elif regex and _matches_everything(regex[0]):
            what = f"allow_origin_regex={regex[0]!r}"
        else:
            ctx.examine()
            return
        ctx.report_node(src.path, call,
                        f"CORS allows any origin ({what}) together with allow_credentials=True: "
                        "any website can make authenticated requests with your users' cookies; "
                        "list the trusted origins explicitly", lines=src.lines)
    elif name in ("CORS", "cross_origin") and keyword(call, "supports_credentials"):
        if not is_true(_kw_value(call, "supports_credentials")):
            ctx.examine()
            return
        origin_arg = _kw_value(call, "origins")
        listed = literal_strings(origin_arg)
        if keyword(call, "resources") is not None or (origin_arg is not None and (
                listed is None or "*" not in listed)):
            ctx.examine()
            return
        ctx.report_node(src.path, call,
                        f"{name}(supports_credentials=True) without explicit origins reflects "
                        "every origin: any website can make authenticated requests; pass "
                        "origins=[…] with the trusted sites", lines=src.lines)


def _check_django(src: PythonFile, ctx: RuleContext) -> None:
    flags: dict[str, ast.Assign] = {}
    for stmt in src.tree.body:
        if isinstance(stmt, ast.Assign) and is_true(stmt.value):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    flags[target.id] = stmt
    allow_all = next((flags[n] for n in _DJANGO_ALLOW_ALL if n in flags), None)
    if allow_all is None:
        return
    if "CORS_ALLOW_CREDENTIALS" in flags:
        ctx.report_node(src.path, allow_all,
                        "CORS_ALLOW_ALL_ORIGINS = True with CORS_ALLOW_CREDENTIALS = True lets any "
                        "website make authenticated requests; set CORS_ALLOWED_ORIGINS instead",
                        lines=src.lines)
    else:
        ctx.examine()


def _kw_value(call: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(call, name)
    return kw.value if kw is not None else None


def _matches_everything(pattern: str) -> bool:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return False
    return all(compiled.fullmatch(origin) for origin in _FOREIGN_ORIGINS)
