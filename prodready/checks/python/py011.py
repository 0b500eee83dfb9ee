"""PY011 exception-detail-leaked."""

from __future__ import annotations

import ast
import re
from http import HTTPStatus

from ...artifacts.pyast import dotted_name, is_unreachable, keyword
from ...artifacts.python import PythonFile
from ...facts import ROUTE_DECORATORS
from ..api import RuleContext
from ._handlers import body_nodes, is_broad

SCOPE = "python"
RESPONSES = {"HTTPException", "JSONResponse", "PlainTextResponse", "HTMLResponse", "ORJSONResponse",
             "UJSONResponse", "Response", "jsonify", "make_response", "abort", "JsonResponse",
             "HttpResponse", "HttpResponseServerError"}
# Responses that encode their body as JSON: an exception object in it is no text but a
# TypeError of the encoder (JSON encoders refuse objects they do not know).
JSON_BODIES = {"JsonResponse", "jsonify", "JSONResponse", "ORJSONResponse", "UJSONResponse"}
TRACEBACK_TEXT = {"traceback.format_exc", "traceback.format_exception", "format_exc",
                  "traceback.format_tb"}


def check(src: PythonFile, ctx: RuleContext) -> None:
    for handler in src.nodes(ast.ExceptHandler):
        if not isinstance(handler, ast.ExceptHandler):
            continue
        broad = is_broad(handler)
        for node in body_nodes(handler):
            if not isinstance(node, ast.Call):
                continue
            name = dotted_name(node.func).rsplit(".", 1)[-1]
            if name not in RESPONSES or _nearest_handler(src, node) is not handler:
                continue
            chain = src.ancestors(node)
            if is_unreachable(chain[:chain.index(handler) + 1], node):
                continue  # after `raise` in the handler: never sent
            if not _carries_exception_text(node, handler.name, json_body=name in JSON_BODIES):
                ctx.examine()
                continue
            status = _status(node)
            if not (broad or status >= 500) or _own_errors_only(src, handler) or (
                    400 <= status < 500 and (_validates_only(src, handler) or
                                             _message_tested(chain, handler))):
                # a narrow handler answering 4xx: a validation message; the app's own
                # errors, whose messages it wrote for its users; an attempt that only
                # validates or tests what the client sent, whose error is the answer; or a
                # branch taken only for messages that say a known thing ("not found")
                ctx.examine()
                continue
            informational = "only administrators reach this endpoint" if _admin_only(
                src, node) else ("only the project's own services reach this endpoint "
                                 "(under /internal)" if _internal_only(src, node) else "")
            ctx.report_node(src.path, node,
                            f"{name}(...) sends the exception's text to the client: it can "
                            "reveal SQL, file paths, hostnames or secrets; log it and return "
                            "a generic message (with a request id)", lines=src.lines,
                            informational=informational)


# An admin, staff or superuser requirement: `Depends(get_admin)`, `dependencies=[Depends(
# check_admin)]`, `@staff_member_required`, `permission_classes = [IsAdminUser]`, a router
# named `admin_router`.
_ADMIN = re.compile(r"admin|superuser|is_staff|staff_member", re.IGNORECASE)
_ADMIN_PATH = re.compile(r"/admin(?![a-z])", re.IGNORECASE)


# Packages of a project's administration tools: `snuba/admin/views.py`, `backoffice/`.
_ADMIN_PACKAGES = frozenset({"admin", "backoffice", "staff"})


def _admin_only(src: PythonFile, node: ast.AST) -> bool:
    """The endpoint around `node` asks for an administrator before it runs: in its
    decorators (the route's router, dependencies or path under `/admin`), its parameters'
    `Depends(...)`, its class's `permission_classes`, a Django `ModelAdmin` it belongs to
    (its views are wrapped in `admin_site.admin_view`), or the administration package it
    lives in."""
    if _ADMIN_PACKAGES & set(src.path.split("/")[:-1]):
        return True
    for scope in src.ancestors(node):
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defaults = [*scope.args.defaults, *(d for d in scope.args.kw_defaults if d)]
            if any(_ADMIN.search(_decorator_text(d)) for d in scope.decorator_list) or any(
                    isinstance(d, ast.Call) and dotted_name(d.func).endswith("Depends")
                    and _ADMIN.search(ast.unparse(d)) for d in defaults):
                return True
        elif isinstance(scope, ast.ClassDef):
            if any(dotted_name(b).rsplit(".", 1)[-1].endswith("Admin") for b in scope.bases):
                return True
            classes = {n.name: n for n in src.tree.body if isinstance(n, ast.ClassDef)}
            if _class_requires_admin(scope, classes, set()):
                return True
    return False


def _class_requires_admin(cls: ast.ClassDef, classes: dict[str, ast.ClassDef],
                          seen: set[str]) -> bool:
    """The view class's `permission_classes`, or that of a base class of the same module
    (`classes`, by name) it inherits them from, asks for an administrator."""
    seen.add(cls.name)
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "permission_classes" for t in stmt.targets):
            return bool(_ADMIN.search(ast.unparse(stmt.value)))
    return any(isinstance(b, ast.Name) and b.id in classes and b.id not in seen
               and _class_requires_admin(classes[b.id], classes, seen) for b in cls.bases)


_INTERNAL_PATH = re.compile(r"/internal(?:/|$)", re.IGNORECASE)


def _internal_only(src: PythonFile, node: ast.AST) -> bool:
    """The endpoint around `node` is served under `/internal`, the path a service keeps for
    its own callers: in its route decorator or its router's `prefix`."""
    func = src.function_of(node)
    if func is None:
        return False
    routers = {n.targets[0].id: n.value for n in src.tree.body if isinstance(n, ast.Assign)
               and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
               and isinstance(n.value, ast.Call)}
    for decorator in func.decorator_list:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in ROUTE_DECORATORS):
            continue
        path = next((a.value for a in decorator.args[:1] if isinstance(a, ast.Constant)
                     and isinstance(a.value, str)), "")
        owner = decorator.func.value
        router = routers.get(owner.id) if isinstance(owner, ast.Name) else None
        prefix = keyword(router, "prefix") if router is not None else None
        if prefix is not None and isinstance(prefix.value, ast.Constant) and isinstance(
                prefix.value.value, str):
            path = prefix.value.value + path
        if _INTERNAL_PATH.match(path):
            return True
    return False


def _message_tested(chain: list[ast.AST], handler: ast.ExceptHandler) -> bool:
    """Between the handler and the response, a branch taken only when the message contains a
    literal (`if "not found" in str(e).lower():`): the text sent is one the code expected."""
    for scope in chain[:chain.index(handler)]:
        if isinstance(scope, ast.If) and any(
                isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.In)
                and isinstance(n.left, ast.Constant) and isinstance(n.left.value, str)
                for n in ast.walk(scope.test)):
            return True
    return False


def _decorator_text(decorator: ast.expr) -> str:
    """What a decorator says about who may call: its name and, for a call, its arguments
    (a path counts only under `/admin`)."""
    if not isinstance(decorator, ast.Call):
        return dotted_name(decorator)
    paths = [a.value for a in decorator.args if isinstance(a, ast.Constant)
             and isinstance(a.value, str)]
    others = [a for a in decorator.args if not isinstance(a, ast.Constant)]
    return " ".join([dotted_name(decorator.func), *(p for p in paths if _ADMIN_PATH.match(p)),
                     *(ast.unparse(a) for a in [*others, *decorator.keywords])])


def _own_errors_only(src: PythonFile, handler: ast.ExceptHandler) -> bool:
    """The handler catches only exception classes of the project itself: defined in this
    file, or imported relatively or from a package the file lives in (`khoj.processor…`
    from `src/khoj/routers/api.py`), by name or through their module
    (`exceptions.ConfigurationInvalid` after `from . import exceptions`)."""
    if handler.type is None:
        return False
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    own = {n.name for n in src.tree.body if isinstance(n, ast.ClassDef)}
    directories = set(src.path.split("/")[:-1])
    for stmt in src.nodes(ast.ImportFrom):
        if isinstance(stmt, ast.ImportFrom) and (stmt.level or (
                stmt.module and stmt.module.split(".", 1)[0] in directories)):
            own |= {alias.asname or alias.name for alias in stmt.names}
    return all(dotted_name(t).split(".", 1)[0] in own if isinstance(t, ast.Attribute) else (
        isinstance(t, ast.Name) and t.id in own) for t in types)


# Name parts of calls that only check what they are given (`validate_schema`,
# `to_valid_user_id`, `provider.test_connection`), and decoders of the client's text
# (`base64.b64decode(body.content)`, `json.loads(raw)`).
_CHECK_PARTS = frozenset({"validate", "valid", "verify", "parse", "check", "test", "b64decode",
                          "loads", "fromisoformat"})
_VALUE_BUILTINS = frozenset({"str", "int", "float", "bool", "len", "dict", "list", "tuple"})


# Calls that read what the client sent (`data.get("role")`, `request.get_json()`) or stamp it
_READS = frozenset({"get", "getlist", "get_json", "json", "pop", "keys", "items", "values",
                    "strip", "lower", "upper", "split", "timestamp", "now", "utcnow"})
# ... and classes that hold and validate it: `ChatMessageDTO(message=…)`, `TeamSchema(**body)`
_INPUT_CLASS = re.compile(r"[A-Z]\w*(?:DTO|Dto|Schema|Form|Serializer|Request|Params|Payload"
                          r"|Input|Body|Query)$")


def _validates_only(src: PythonFile, handler: ast.ExceptHandler) -> bool:
    """Every call the attempt makes, responses aside, validates, tests or reads its input
    (an attempt with no call at all only reads or sets fields of it: `data["username"]`)."""
    trial = src.parent(handler)
    if not isinstance(trial, ast.Try):
        return False
    names = []
    for stmt in trial.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Await) and not (
                    isinstance(node.value, ast.Call) and
                    isinstance(node.value.func, ast.Attribute) and
                    node.value.func.attr in _READS | {"body", "form"}):
                return False  # I/O: a service's error, not the input's (`request.json()` is)
            if isinstance(node, ast.Call):
                name = dotted_name(node.func).rsplit(".", 1)[-1] or (
                    node.func.attr if isinstance(node.func, ast.Attribute) else "")
                if name not in RESPONSES and not name.endswith("Response") and (
                        name not in _VALUE_BUILTINS) and name not in _READS and \
                        not _INPUT_CLASS.match(name):
                    names.append(name)
    return all(_CHECK_PARTS & set(n.lower().split("_")) for n in names)


def _nearest_handler(src: PythonFile, node: ast.AST) -> ast.AST | None:
    return next((a for a in src.ancestors(node) if isinstance(a, ast.ExceptHandler)), None)


def _carries_exception_text(call: ast.Call, bound: str | None, *, json_body: bool = False
                            ) -> bool:
    args: list[ast.AST] = [*call.args, *(kw.value for kw in call.keywords
                                         if kw.arg not in ("status_code", "status", "code"))]
    for arg in args:
        for node in ast.walk(arg):
            if isinstance(node, ast.Call) and dotted_name(node.func) in TRACEBACK_TEXT:
                return True
            if bound and _is_exception_text(node, bound) and not (
                    json_body and isinstance(node, ast.Dict | ast.keyword)):
                return True
    return False


def _is_exception_text(node: ast.AST, bound: str) -> bool:
    """str(e), repr(e), f"{e}", e.args, "%s" % e, "…".format(e) or e itself as a value."""
    def is_e(n: ast.AST) -> bool:
        return isinstance(n, ast.Name) and n.id == bound

    if isinstance(node, ast.Call) and dotted_name(node.func) in ("str", "repr", "format"):
        return any(is_e(a) for a in node.args)
    if isinstance(node, ast.FormattedValue):
        return is_e(node.value)
    if isinstance(node, ast.Attribute) and node.attr == "args":
        return is_e(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        right = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        return any(is_e(r) for r in right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr == "format"):
        return any(is_e(a) for a in node.args)
    if isinstance(node, ast.Dict):
        return any(is_e(v) for v in node.values)
    if isinstance(node, ast.keyword):
        return is_e(node.value)
    return False


def _status(call: ast.Call) -> int:
    """The literal status of a response/exception call, 0 when unknown."""
    for name in ("status_code", "status", "code"):
        kw = keyword(call, name)
        if kw is not None:
            return _int(kw.value)
    fname = dotted_name(call.func).rsplit(".", 1)[-1]
    if fname in ("HTTPException", "abort") and call.args:
        return _int(call.args[0])
    if fname == "HttpResponseServerError":
        return 500
    return 0


def _int(node: ast.AST) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    name = dotted_name(node)  # status.HTTP_500_INTERNAL_SERVER_ERROR / HTTPStatus.…
    for part in name.split("_"):
        if part.isdigit():
            return int(part)
    member = getattr(HTTPStatus, name.rsplit(".", 1)[-1], None)  # HTTPStatus.BAD_REQUEST
    return member.value if isinstance(member, HTTPStatus) else 0
