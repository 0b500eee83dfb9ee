"""PY015 default-secret-fallback."""

from __future__ import annotations

import ast

from ...artifacts.pyast import dotted_name, keyword, qualified
from ...artifacts.python import PythonFile
from ...devconfig import in_debug_branch, in_dev_class, is_dev_settings_module
from ...facts import in_manual_harness
from ...project.deployment import in_scripts_directory
from ...secretcontext import is_real_secret_value
from ...secretnames import is_client_credential, is_secret_name
from ..api import RuleContext

SCOPE = "python"
ENV_READERS = {"os.getenv", "os.environ.get", "os.environ.setdefault", "environ.get",
               "os.getenvb"}
SETTINGS_BASES = {"BaseSettings", "pydantic_settings.BaseSettings", "pydantic.BaseSettings"}


def check(src: PythonFile, ctx: RuleContext) -> None:
    if is_dev_settings_module(src.path) or in_scripts_directory(src.path):
        # development settings, or the maintainers' scripts (a REPL, a seeding helper): the
        # deployment never reads their fallbacks
        return
    imported = src.imports
    for node in [*src.calls("getenv", "get", "setdefault", "getenvb"),
                 *src.nodes(ast.ClassDef)]:
        if isinstance(node, ast.Call):
            _check_env_read(src, node, imported, ctx)
        elif isinstance(node, ast.ClassDef) and _is_settings_class(node, imported) and \
                not in_dev_class(src, node.lineno):
            _check_settings(src, node, ctx)


def _check_env_read(src: PythonFile, call: ast.Call, imported: dict[str, str],
                    ctx: RuleContext) -> None:
    name = qualified(dotted_name(call.func), imported)
    if name not in ENV_READERS or not call.args:
        return
    key = call.args[0]
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return
    default = call.args[1] if len(call.args) > 1 else None
    if default is None and (kw := keyword(call, "default")) is not None:
        default = kw.value
    value = _literal(default)
    if not is_secret_name(key.value, value):
        return
    if not _known_secret(value, src.path) or in_dev_class(src, call.lineno) or \
            in_debug_branch(src, call.lineno) or in_manual_harness(src, call.lineno) or \
            _strict_in_other_branch(src, call, key.value):
        ctx.examine()
        return
    ctx.report(src.path, call.lineno, call.col_offset + 1,
               f"{key.value} falls back to a literal value: when the variable is missing the "
               "service boots with a secret that is in the source code; fail at start-up instead",
               end_line=call.end_lineno, end_column=(call.end_col_offset or 0) + 1,
               snippet=f"{dotted_name(call.func)}({key.value!r}, …)",
               informational=_client_credential(key.value) or _given_to_client(src, call)
               or _other_services_key(src, key.value))


def _strict_in_other_branch(src: PythonFile, call: ast.Call, key: str) -> bool:
    """The fallback sits in one branch of an `if` whose other branch reads the variable with
    no fallback (`SECRET_KEY = os.environ["SECRET_KEY"]`) or fails without it (`raise
    RuntimeError(...)`): the author chose the literal for a development or non-serving mode,
    and the serving mode already fails at start-up."""
    child: ast.AST = call
    for node in src.ancestors(call):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return False
        if isinstance(node, ast.If):
            other = node.orelse if any(child is stmt for stmt in node.body) else node.body
            if child is not node.test and _reads_strictly(other, key):
                return True
        child = node
    return False


def _reads_strictly(statements: list[ast.stmt], key: str) -> bool:
    reads = raises = False
    for stmt in statements:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and \
                    node.slice.value == key and dotted_name(node.value).endswith("environ"):
                return True
            raises = raises or isinstance(node, ast.Raise)
            reads = reads or (isinstance(node, ast.Call) and bool(node.args) and isinstance(
                node.args[0], ast.Constant) and node.args[0].value == key)
    return reads and raises


# Parameters through which a client presents a credential to the service it calls
_CLIENT_PARAMETERS = frozenset({"api_key", "apikey", "api_token", "access_token", "auth_token",
                                "token", "access_key", "access_key_id", "secret_access_key",
                                "aws_secret_access_key", "password"})


def _given_to_client(src: PythonFile, call: ast.Call) -> str:
    """Why a fallback handed straight to a client (`OpenAI(api_key=os.getenv("KEY",
    "dummy"))`) is only information: it is what the service presents to another one, which
    refuses a literal it never issued; it opens nothing in the service itself."""
    parent = src.parent(call)
    if not isinstance(parent, ast.keyword):
        return ""
    outer = src.parent(parent)
    if not (isinstance(outer, ast.Call) and (parent.arg or "").lower() in _CLIENT_PARAMETERS
            and dotted_name(outer.func).rsplit(".", 1)[-1] not in ("update", "dict")):
        return ""  # `jwt.encode(…, key=…)`, `config.update(SECRET_KEY=…)`: the service's own
    return (f"it is passed as {parent.arg}= to a client: the credential the service presents "
            "to another service, which refuses a literal it never issued")


def _check_settings(src: PythonFile, cls: ast.ClassDef, ctx: RuleContext) -> None:
    for stmt in cls.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                and stmt.value is not None):
            continue
        field = stmt.target.id
        value = stmt.value
        if isinstance(value, ast.Call) and dotted_name(value.func).endswith("Field"):
            inner = value.args[0] if value.args else None
            if inner is None and (kw := keyword(value, "default")) is not None:
                inner = kw.value
            value = inner  # type: ignore[assignment]
        literal = _literal(value)
        if not is_secret_name(field, literal):
            continue
        if not _known_secret(literal, src.path):
            ctx.examine()
            continue
        ctx.report(src.path, stmt.lineno, stmt.col_offset + 1,
                   f"settings field {field!r} defaults to a literal secret, so a deployment that "
                   "forgets the variable runs with a key from the source code; declare it "
                   "without a default so start-up fails",
                   snippet=f"{field}: … = …",
                   informational=_client_credential(field) or _other_services_key(src, field))


def _client_credential(name: str) -> str:
    """Why a fallback is only information: the credential the service presents to its
    database, broker, object store, mail server or identity provider opens nothing in the
    service itself; without the variable, the connection to a server set up with another
    one fails."""
    if not is_client_credential(name):
        return ""
    return ("it is the credential the service presents to a server it connects to (a "
            "database, mail server or identity provider): when the variable is missing, the "
            "server, set up with its own, refuses the connection")


def _other_services_key(src: PythonFile, name: str) -> str:
    """Why an API key named after another service (`OLLAMA_API_KEY`, `ENKETO_API_KEY`) is
    only information: the service presents it to that one, which refuses a key it never
    issued. A key named after the service's own package (`MOBSF_API_KEY` in `mobsf/`), or a
    bare `API_KEY`, may be the one its own clients must present: still a finding."""
    words = name.upper().split("_")
    if len(words) < 3 or words[-2:] != ["API", "KEY"]:
        return ""
    own = {part.upper().replace("-", "_").split("_")[0]
           for part in src.path.split("/")[:-1]} | {"APP", "SERVER", "SERVICE", "INTERNAL"}
    if words[0] in own:
        return ""
    return (f"an API key named after another service ({'_'.join(words[:-2])}): the key the "
            "service presents to it, which refuses a literal it never issued; it opens "
            "nothing in the service itself")


def _known_secret(value: str | None, path: str) -> bool:
    """A fallback the service would really run with. A template slot (`<your-key>`,
    `your_api_key_here`, `xxxx`) or a public client key is no usable secret; `changeme` or
    `dev-secret` is, so those stay findings."""
    return value is not None and is_real_secret_value(value, path, strict=True)


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Call) and dotted_name(node.func) in ("SecretStr", "pydantic.SecretStr"
                                                                 ) and node.args:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_settings_class(cls: ast.ClassDef, imported: dict[str, str]) -> bool:
    return any(qualified(dotted_name(b), imported) in SETTINGS_BASES
               or dotted_name(b).endswith("BaseSettings") for b in cls.bases)
