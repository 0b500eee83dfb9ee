"""PY014 jwt-verification-disabled."""

from __future__ import annotations

import ast

from ...artifacts.pyast import dotted_name, has_kwargs_splat, keyword, literal_strings, qualified
from ...artifacts.python import PythonFile
from ..api import RuleContext

SCOPE = "python"
# Libraries whose decode() needs an explicit algorithm list to be safe.
NEEDS_ALGORITHMS = {"jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode"}
DECODERS = NEEDS_ALGORITHMS | {"authlib.jose.jwt.decode", "authlib.jose.JsonWebToken.decode",
                               "jwt.PyJWT.decode"}
MODULE_VERIFIES = ("this module also decodes tokens with their signature checked, so this "
                   "one likely only reads a claim before a verified decode; confirm that "
                   "nothing it returns is trusted")


def check(src: PythonFile, ctx: RuleContext) -> None:
    imported: dict[str, str] | None = None
    decoders: list[tuple[ast.Call, str]] = []
    for node in src.calls("decode"):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "decode"):
            continue
        if imported is None:
            imported = src.imports
        name = _local_decoder(src, node) or qualified(dotted_name(node.func), imported)
        if name in DECODERS:
            decoders.append((node, name))
    problems = [_problem(node, name) for node, name in decoders]
    verifies = None in problems
    for (node, _), problem in zip(decoders, problems, strict=True):
        if problem and _disables_verification(node) and _verified_in_same_function(
                src, node, decoders):
            problem = None  # a peek at the claims (the issuer, to find its keys)
        if not problem:
            ctx.examine()
            continue
        # The module checks signatures elsewhere: this decode most likely reads a claim to
        # route the token (its issuer, its owner) before a verified decode. Shown, for a
        # reviewer to confirm, but not counted.
        ctx.report_node(src.path, node, problem, lines=src.lines, informational=(
            MODULE_VERIFIES if verifies and _disables_verification(node) else
            ID_TOKEN if _disables_verification(node) and _token_endpoint_id_token(src, node)
            else FETCHED if _disables_verification(node) and _fetched_token(src, node)
            else EXPIRY_ONLY if _disables_verification(node) and _reads_only(
                src, node, _EXPIRY_CLAIMS)
            else ISSUER_ONLY if _disables_verification(node) and _reads_only(
                src, node, _ROUTING_CLAIMS)
            else ""))


def _local_decoder(src: PythonFile, call: ast.Call) -> str | None:
    """`jwt = JsonWebToken(algorithms)` then `jwt.decode(…)`: a local object that shadows the
    module's name decodes as its class does (`authlib.jose.JsonWebToken.decode`)."""
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    func = src.function_of(call)
    if not isinstance(receiver, ast.Name) or func is None:
        return None
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and any(
                isinstance(t, ast.Name) and t.id == receiver.id for t in node.targets):
            return qualified(dotted_name(node.value.func), src.imports) + ".decode"
    return None


ID_TOKEN = ("an OpenID Connect ID token the function does not take from the request: in the "
            "code flow it comes straight from the provider's token endpoint over TLS, which "
            "OIDC accepts in place of its signature; verify it if a client can supply it")
# What a handler reads a client's input from.
_REQUEST_WORDS = ("request", "body", "form", "payload", "headers", "cookies")


EXPIRY_ONLY = ("only the token's expiry is read: a client timing the refresh of a token it "
               "fetched itself; verify it if the token comes from a caller")
_EXPIRY_CLAIMS = frozenset({"exp", "iat", "nbf"})
ISSUER_ONLY = ("only the token's issuer is read, the standard way to pick the keys that "
               "verify it; confirm that a verified decode follows before any claim is trusted")
_ROUTING_CLAIMS = frozenset({"iss"})


def _reads_only(src: PythonFile, call: ast.Call, claims: frozenset[str]) -> bool:
    """`jwt.decode(…)["exp"]`, or a decoded dict whose every use in the function reads one
    of these claims (`claims["exp"]`, `claims.get("exp")`)."""
    if _claim_read(src, call, claims):
        return True
    parent = src.parent(call)
    target = parent.targets[0] if isinstance(parent, ast.Assign) and len(
        parent.targets) == 1 else parent.target if isinstance(
        parent, ast.AnnAssign | ast.NamedExpr) else None
    func = src.function_of(call)
    if not isinstance(target, ast.Name) or func is None:
        return False
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == target.id
            and isinstance(n.ctx, ast.Load)]
    return bool(uses) and any(_claim_read(src, n, claims) for n in uses) and all(
        _claim_read(src, n, claims) or _presence_test(src, n, claims) for n in uses)


def _presence_test(src: PythonFile, value: ast.AST, claims: frozenset[str]) -> bool:
    """`not value`, or `"exp" in value` / `"exp" not in value` for a claim of these: a test
    that the token decoded and carries the claim, which reads nothing else."""
    parent = src.parent(value)
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return True
    return isinstance(parent, ast.Compare) and len(parent.ops) == 1 and isinstance(
        parent.ops[0], ast.In | ast.NotIn) and parent.comparators[0] is value and isinstance(
        parent.left, ast.Constant) and parent.left.value in claims


def _claim_read(src: PythonFile, value: ast.AST, claims: frozenset[str]) -> bool:
    """`value["exp"]` or `value.get("exp")`, for a claim of these."""
    parent = src.parent(value)
    if isinstance(parent, ast.Subscript) and parent.value is value:
        key = parent.slice
        return isinstance(key, ast.Constant) and key.value in claims
    if isinstance(parent, ast.Attribute) and parent.value is value and parent.attr == "get":
        call = src.parent(parent)
        return isinstance(call, ast.Call) and call.func is parent and bool(call.args) and (
            isinstance(call.args[0], ast.Constant) and call.args[0].value in claims)
    return False


def _token_endpoint_id_token(src: PythonFile, call: ast.Call) -> bool:
    """The decoded value is an OIDC ID token (`id_token`, `self.id_token`, `raw_id_token`)
    and its function reads nothing of a request, where a client could put a forged one."""
    found = keyword(call, "jwt") or keyword(call, "token")
    arg = found.value if found is not None else (call.args[0] if call.args else None)
    if arg is None or "id_token" not in dotted_name(arg).lower():
        return False
    function = src.function_of(call)
    if function is None:
        return False
    names = {n.id.lower() for n in ast.walk(function) if isinstance(n, ast.Name)} | {
        n.attr.lower() for n in ast.walk(function) if isinstance(n, ast.Attribute)} | {
        a.arg.lower() for a in function.args.args}
    return not any(word in name for name in names for word in _REQUEST_WORDS)


FETCHED = ("the token is one the function fetched itself from a service's response (`response."
           "json()[\"token\"]`): a client checking the token it will present, which the "
           "service verifies; verify it if a caller can supply it")


def _fetched_token(src: PythonFile, call: ast.Call) -> bool:
    """The decoded variable was assigned, in the same function, from a response's JSON
    (`token = token_response.json().get("token")`), and the function reads nothing of a
    request."""
    token, function = _token(call), src.function_of(call)
    if token is None or function is None or any(
            word in a.arg.lower() for a in function.args.args for word in _REQUEST_WORDS):
        return False
    return any(isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == token for t in node.targets) and any(
        isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and
        sub.func.attr == "json" for sub in ast.walk(node.value))
        for node in ast.walk(function))


def _token(call: ast.Call) -> str | None:
    """The name of the variable holding the token: the first argument or `jwt=`."""
    found = keyword(call, "jwt") or keyword(call, "token")
    arg = found.value if found is not None else (call.args[0] if call.args else None)
    return arg.id if isinstance(arg, ast.Name) else None


def _verified_in_same_function(src: PythonFile, call: ast.Call,
                               decoders: list[tuple[ast.Call, str]]) -> bool:
    """The same function decodes the same token variable again with verification and an
    algorithm list: the unverified decode only peeks at claims (the issuer, to find its keys)
    and nothing it reads is trusted."""
    token = _token(call)
    func = src.function_of(call)
    if token is None or func is None:
        return False
    return any(
        other is not call and _token(other) == token and _problem(other, name) is None
        and src.function_of(other) is func
        for other, name in decoders)


def _problem(call: ast.Call, name: str) -> str | None:
    if _disables_verification(call):
        return ("jwt.decode() with signature verification turned off accepts any token anyone "
                "can forge; verify with the issuer's key")
    algorithms = keyword(call, "algorithms")
    if algorithms is not None:
        listed = literal_strings(algorithms.value) or []
        if any(a.lower() == "none" for a in listed):
            return ('jwt.decode() accepts the "none" algorithm: an unsigned token passes; list '
                    "only the algorithms your issuer signs with")
        return None
    if name in NEEDS_ALGORITHMS and not has_kwargs_splat(call) and len(call.args) < 3:
        return ("jwt.decode() without algorithms= lets the token's own header choose how it is "
                'checked (algorithm confusion); pass algorithms=["RS256"] or the one you use')
    return None


def _disables_verification(call: ast.Call) -> bool:
    verify = keyword(call, "verify")
    if verify is not None and isinstance(verify.value, ast.Constant) and (
            verify.value.value is False):
        return True
    options = keyword(call, "options")
    if options is None or not isinstance(options.value, ast.Dict):
        return False
    for key, value in zip(options.value.keys, options.value.values, strict=True):
        if (isinstance(key, ast.Constant) and key.value == "verify_signature"
                and isinstance(value, ast.Constant) and value.value is False):
            return True
    return False
