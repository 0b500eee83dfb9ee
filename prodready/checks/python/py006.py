"""PY006 http-call-without-timeout."""

from __future__ import annotations

import ast
import re

from ...artifacts.pyast import dotted_name, has_kwargs_splat, keyword, qualified
from ...artifacts.python import PythonFile
from ...model import Fix, FixSafety
from ...project.deployment import in_scripts_directory
from ..api import RuleContext
from ._ast import codemod_at
from ._script import in_command_line_command, one_shot_script

SCOPE = "python"
VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}
SESSION_VERBS = VERBS | {"send"}  # Session.send(prepared) takes timeout= as well
HTTPX_CALLS = {f"httpx.{v}" for v in VERBS} | {"httpx.stream", "httpx.Client",
                                               "httpx.AsyncClient"}
SDK_CLIENTS = {"OpenAI", "AsyncOpenAI", "Anthropic", "AsyncAnthropic", "AzureOpenAI",
               "AsyncAzureOpenAI"}


def check(src: PythonFile, ctx: RuleContext) -> None:
    if _run_once(src.path) or one_shot_script(src):
        return
    imported = src.imports
    if not any(m.split(".", 1)[0] in _CLIENT_MODULES for m in imported.values()):
        return  # no HTTP client library imported: nothing here can be an outbound call
    sessions = _session_names(src, imported) - _sessions_with_timeout_adapter(src)
    # Model inference answers after seconds to minutes: a fixed 10 s read timeout would cut
    # off working calls, so no timeout is guessed in modules that talk to models.
    llm = any(m.split(".", 1)[0] in _MODEL_MODULES for m in imported.values())
    self_sessions = {s.split(":", 1)[1] for s in sessions if ":" in s}
    for node in src.calls(*_CALLEES):
        func = node.func
        name = dotted_name(func)
        if name.startswith("self."):
            if name.rsplit(".", 1)[0] not in self_sessions:
                continue  # `self.x.get(...)` where no class stores a session as `self.x`
            name = f"{_class_of(src, node)}:{name}"
        problem = _problem(node, name, sessions, imported)
        if problem is None:
            continue
        if problem == "" or (name.endswith("urlopen") and _sets_default_timeout(src)):
            ctx.examine()  # urllib waits at most the socket default the module sets
            continue
        if keyword(node, "timeout") is None and _every_use_has_timeout(src, node):
            ctx.examine()  # the client is only ever used with a per-call timeout=
            continue
        fix = None
        timeout = ctx.config.http_timeout
        if problem.endswith(_ADD_TIMEOUT_HINTS) and keyword(node, "timeout") is None and \
                not llm and not _model_call(node, name, src.path) and \
                not _asks_to_wait(node, timeout):
            value = int(timeout) if float(timeout).is_integer() else timeout
            fix = Fix(FixSafety.UNSAFE, f"pass timeout={value}",
                      codemods=(codemod_at(src, node, "add-keyword", f"timeout={value}"),))
        ctx.report_node(src.path, node, problem, lines=src.lines, fix=fix,
                        informational="the client's own default bounds every request"
                        if _bounded_default(node, name, imported) else
                        "a command-line program: whoever runs it sees a hang and stops it"
                        if _command_line_module(src.path) or in_command_line_command(src, node)
                        else "")


_MODEL_MODULES = {"openai", "anthropic", "litellm", "ollama", "langchain", "langchain_core",
                  "langchain_openai", "llama_index", "cohere", "mistralai", "groq", "dashscope",
                  "zhipuai", "vertexai", "transformers", "huggingface_hub", "tritonclient",
                  "kserve", "vllm"}
_MODEL_PATHS = re.compile(r"/(chat/)?completions|/v1/messages|/api/(chat|generate|embed)|"
                          r"/generate|/embeddings?|/infer|/predict|/v\d/models/|llm|:predict|"
                          r"openai|anthropic|ollama|llama|gemini|mistral|groq|huggingface|deepseek",
                          re.IGNORECASE)


def _model_call(call: ast.Call, name: str, path: str) -> bool:
    """A call to a model server: an SDK client, a URL naming an inference endpoint, or any
    call of a module named for a model server (`providers/ollama_provider/…`, whose URL is
    built elsewhere)."""
    if name.rsplit(".", 1)[-1] in SDK_CLIENTS or _MODEL_PATHS.search(path.rsplit("/", 1)[-1]):
        return True
    texts = [n.value for n in ast.walk(call) if isinstance(n, ast.Constant)
             and isinstance(n.value, str)]
    texts += [n.id for n in ast.walk(call) if isinstance(n, ast.Name)]
    return any(_MODEL_PATHS.search(text) for text in texts)


_PROBE_NAME = re.compile(r"^(?:health_?check\w*|readyz|livez|healthz|"
                         r"(?:readiness|liveness|startup)[_-]?probe|probe)\.py$")


def _run_once(path: str) -> bool:
    """One-off scripts (`scripts/`, `script/`, an installer's `setup.py`) and container probes
    (`healthcheck.py`, `readyz.py`, `liveness_probe.py`) hold no worker: a hung call ends
    with the run, or is killed by the probe's own timeout."""
    name = path.rsplit("/", 1)[-1].lower()
    return in_scripts_directory(path) or name == "setup.py" or bool(_PROBE_NAME.match(name))


# `cli.py`, `eval_cli.py`, `cli/util.py`, `cli-tool/main.py`, the `manage.py`
# of a Flask-Script or Django project (its own commands): not `client.py`
_COMMAND_LINE = re.compile(r"(?:^|/|[-_])cli(?:[-_][\w-]*)?(?:/|\.py$)|(?:^|/)manage\.py$")


def _command_line_module(path: str) -> bool:
    """A module of the project's command-line program, run by hand in a terminal."""
    return bool(_COMMAND_LINE.search(path.lower()))


_WAIT_KEY = re.compile(r"wait|timeout|duration|delay|sleep|deadline", re.IGNORECASE)


def _asks_to_wait(call: ast.Call, timeout: float) -> bool:
    """The request asks the peer to take at least `timeout` seconds (`{"wait-for-duration-
    secs": 15}` in its body or query): a fixed timeout that short would cut off every answer."""
    for node in ast.walk(call):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and \
                        _WAIT_KEY.search(key.value) and isinstance(value, ast.Constant) and \
                        isinstance(value.value, int | float) and value.value >= timeout:
                    return True
    return False


# Methods of a client that make no request.
_NOT_REQUESTS = {"close", "aclose", "with_options", "copy", "__aenter__", "__aexit__",
                 "mount", "headers", "cookies"}


def _every_use_has_timeout(src: PythonFile, client: ast.Call) -> bool:
    """A client (aiohttp session, SDK client) bound to a name whose every request passes
    `timeout=` (or `**options`): the constructor's default never applies."""
    if _is_requests_session(client, src.imports):
        return False  # a requests Session has no default timeout to speak of
    name, scope = _binding(src, client)
    if not name or scope is None:
        return False
    uses = 0
    for node in ast.walk(scope):
        if not isinstance(node, ast.Call) or node is client:
            continue
        chain = _call_chain(node.func)
        if chain is None or (chain[0] != name and not chain[0].startswith(name + ".")):
            continue
        calls, last = chain[1], chain[2]
        if last in _NOT_REQUESTS:
            continue
        uses += 1
        if not any(keyword(c, "timeout") is not None or has_kwargs_splat(c)
                   for c in (node, *calls)):
            return False
    return uses > 0


def _binding(src: PythonFile, client: ast.Call) -> tuple[str, ast.AST | None]:
    """The name a client is bound to, and the code that can use it (its class for `self.x`,
    else the enclosing function or module)."""
    parent = src.parent(client)
    name = ""
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        name = dotted_name(parent.targets[0])
    elif isinstance(parent, ast.AnnAssign):
        name = dotted_name(parent.target)
    elif isinstance(parent, ast.withitem) and parent.optional_vars is not None:
        name = dotted_name(parent.optional_vars)
    if not name or "[" in name or isinstance(parent, ast.Return):
        # made in a property (kept per event loop, returned): the class uses `self.<property>`
        prop = _property_of(src, client)
        if prop is not None:
            return f"self.{prop.name}", next(
                (o for o in src.ancestors(prop) if isinstance(o, ast.ClassDef)), None)
    if not name:
        return "", None
    kinds = (ast.ClassDef,) if name.startswith("self.") else (
        ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for outer in src.ancestors(client):
        if isinstance(outer, kinds):
            return name, outer
    return name, src.tree


def _property_of(src: PythonFile, node: ast.AST) -> ast.FunctionDef | None:
    """The method decorated `@property` (or `@cached_property`) whose body holds `node`."""
    for outer in src.ancestors(node):
        if isinstance(outer, ast.FunctionDef):
            if any(dotted_name(d).rsplit(".", 1)[-1] in ("property", "cached_property")
                   for d in outer.decorator_list):
                return outer
            return None
    return None


def _call_chain(func: ast.expr) -> tuple[str, list[ast.Call], str] | None:
    """`self.client.with_options(timeout=5).chat.create` -> ("self.client", [the
    with_options call], "create"): the receiver's name, the calls along the way, the method."""
    if not isinstance(func, ast.Attribute):
        return None
    last = func.attr
    calls: list[ast.Call] = []
    node: ast.expr = func.value
    while True:
        name = dotted_name(node)
        if name:
            return name, calls, last
        if isinstance(node, ast.Call):
            calls.append(node)
            node = node.func
        elif isinstance(node, ast.Attribute):
            inner = dotted_name(node.value)
            if inner:
                return inner, calls, last
            node = node.value
        else:
            return None


# Messages of the "no timeout at all" cases, the ones a timeout= argument fixes.
_ADD_TIMEOUT_HINTS = ("pass timeout=(connect, read) seconds", "pass timeout=",
                      "pass timeout= seconds")
_CLIENT_MODULES = {"requests", "httpx", "urllib", "aiohttp", "openai", "anthropic"}
def _sets_default_timeout(src: PythonFile) -> bool:
    """The module calls `socket.setdefaulttimeout(…)`, which bounds urllib's connections."""
    return any(qualified(dotted_name(call.func), src.imports) == "socket.setdefaulttimeout"
               for call in src.calls("setdefaulttimeout"))


_CALLEES = SESSION_VERBS | {"stream", "Client", "AsyncClient", "urlopen", "ClientSession"} | (
    SDK_CLIENTS)


def _problem(call: ast.Call, name: str, sessions: set[str], imported: dict[str, str]
             ) -> str | None:
    """None: not an outbound call; "": examined and fine; else the message."""
    timeout = keyword(call, "timeout")
    splat = has_kwargs_splat(call)
    full = qualified(name, imported)
    verb = name.rsplit(".", 1)[-1]
    # `requests.get` is the library's only where an import binds the name: a module that
    # sets `requests = Session()` of its own class calls that object
    imported_name = name.split(".", 1)[0] in imported
    if (full in {f"requests.{v}" for v in VERBS} and imported_name) or (
            verb in SESSION_VERBS and name.rsplit(".", 1)[0] in sessions):
        if timeout is None and not splat:
            return (f"{_shown(name)}() has no timeout: a slow or dead peer blocks this "
                    "worker forever; pass timeout=(connect, read) seconds")
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


def _bounded_default(call: ast.Call, name: str, imported: dict[str, str]) -> bool:
    """An aiohttp session or an SDK client left at its default timeout: long (5 and 10
    minutes) but bounded, so a slow peer holds the worker for minutes, not forever."""
    full = qualified(name, imported)
    return keyword(call, "timeout") is None and (
        full == "aiohttp.ClientSession" or full.rsplit(".", 1)[-1] in SDK_CLIENTS)


def _none_timeout(timeout: ast.keyword | None, name: str) -> str:
    if timeout is not None and isinstance(timeout.value, ast.Constant) and (
            timeout.value.value is None):
        return f"{_shown(name)}(timeout=None) disables the timeout: the call can hang forever"
    return ""


def _session_names(src: PythonFile, imported: dict[str, str]) -> set[str]:
    """Names bound to a requests session; `self.x` is keyed by its class (`Cls:self.x`)."""
    found: set[str] = set()
    for node in src.nodes(ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith):
        value = None
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            value, targets = node.value, node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            value, targets = node.value, [node.target]
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None and _is_requests_session(
                        item.context_expr, imported):
                    found.add(dotted_name(item.optional_vars))
            continue
        if value is None or not _is_requests_session(value, imported):
            continue
        for target in targets:
            name = dotted_name(target)
            if name.startswith("self."):
                found.add(f"{_class_of(src, node)}:{name}")
            elif name:
                found.add(name)
    found.discard("")
    return found


def _sessions_with_timeout_adapter(src: PythonFile) -> set[str]:
    """Sessions configured with a timeout at construction: an adapter given `timeout=` is
    mounted on them (`session.mount("https://", TimeoutAdapter(timeout=5))`), so every
    request through them has one. Keyed like `_session_names`."""
    found: set[str] = set()
    for call in src.calls("mount"):
        if not (isinstance(call.func, ast.Attribute) and len(call.args) >= 2
                and isinstance(call.args[1], ast.Call)
                and keyword(call.args[1], "timeout") is not None):
            continue
        name = dotted_name(call.func.value)
        if name.startswith("self."):
            found.add(f"{_class_of(src, call)}:{name}")
        elif name:
            found.add(name)
    return found


def _is_requests_session(value: ast.expr, imported: dict[str, str]) -> bool:
    if not isinstance(value, ast.Call):
        return False
    name = dotted_name(value.func)
    head, _, rest = name.partition(".")
    qualified = imported.get(head, head) + (f".{rest}" if rest else "")
    return qualified in ("requests.Session", "requests.session", "requests.sessions.Session")


def _class_of(src: PythonFile, node: ast.AST) -> str:
    for outer in src.ancestors(node):
        if isinstance(outer, ast.ClassDef):
            return f"{outer.name}@{outer.lineno}"
    return ""


def _shown(name: str) -> str:
    return name.split(":", 1)[-1]
