"""Signs that code was written on purpose, and what a swallowed error would cost.

Shared by PY001, PY002 and PY012. A rule that flags a deliberate choice teaches its users to
ignore it, so before reporting they ask here:

- `linter_marked`: another linter's disable comment for the same concern sits on the
  statement (`# noqa: BLE001`, `# pylint: disable=broad-except`, `# nosec`, …);
- `handler_intent`: why an `except` handler is deliberate, if it is (marked, explained by a
  comment or the function's docstring, a predicate answering False, nested in a handler that
  already logs, around one that records the error, counted in a metric, the error handed to
  the caller);
- `handler_stakes`: what swallowing costs there: work is lost (a loop over items, a consumer,
  a background task, a request handler), an action silently fails, or only a computed value
  falls back to a default, or the work was best effort (cleanup, caches, telemetry);
- `telemetry_name`: a function or module named for telemetry, whose failure costs nothing.
"""

from __future__ import annotations

import ast
import re
from enum import Enum

from ...artifacts.pyast import dotted_name, qualified
from ...artifacts.python import PythonFile
from ._ast import comments_above
from ._handlers import (
    body_nodes,
    is_broad,
    is_logger_receiver,
    logging_calls,
    reports_error,
    reraises,
)

# Codes of other linters that flag a broad or silent handler: a disable comment for one of
# them means the authors already reviewed this handler.
HANDLER_CODES = frozenset({
    "BLE001", "E722", "S110", "S112", "SIM105", "B902",  # ruff / flake8 / bandit-in-ruff
    "W0703", "W0702", "W0718", "W0719",  # pylint
    "B110", "B112",  # bandit
    "broad-except", "broad-exception-caught", "bare-except", "try-except-pass",
})
TASK_CODES = frozenset({"RUF006"})  # the asyncio-dangling-task rule of ruff

_NOQA = re.compile(r"#\s*noqa\b(?::\s*([A-Za-z0-9_, -]+))?", re.IGNORECASE)
_PYLINT = re.compile(r"#\s*pylint:\s*disable\s*=\s*([\w, -]+)", re.IGNORECASE)
_NOSEC = re.compile(r"#\s*nosec\b", re.IGNORECASE)
# Tool pragmas are markers, not explanations.
_PRAGMA = re.compile(r"^\s*(?:noqa|type:|pragma|pylint|nosec|fmt:|isort:|mypy|pyright|ruff:"
                     r"|prodready:|pyre|coverage)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")  # letters of any script: comments are not all English
# A coverage pragma that an explanation follows on the same comment.
_COVERAGE_PRAGMA = re.compile(r"^pragma:\s*no\s*(?:cover|branch)\s*[-–—:;,]+\s*",
                              re.IGNORECASE)

PREDICATE_PREFIXES = ("is_", "has_", "can_", "should_", "_is_", "_has_", "_can_", "_should_")
METRIC_CALLS = frozenset({"inc", "incr", "increment", "incr_counter", "observe", "add_counter"})
METRIC_RECEIVERS = ("metric", "statsd", "counter", "stats", "prometheus", "meter", "datadog",
                    "dogstatsd")
# Calls that release or tear down: failing to close what is already going away costs nothing.
CLEANUP_VERBS = frozenset({
    "close", "aclose", "dispose", "unlink", "rmtree", "rmdir", "removedirs", "kill",
    "terminate", "shutdown", "disconnect", "cleanup", "teardown", "join", "__exit__",
    "__aexit__", "close_all", "detach", "quit", "destroy", "unpatch", "unbind", "gc",
})
# Verbs that are cleanup only on some receivers: `os.remove(tmp)` but not `orders.remove(id)`.
_CLEANUP_ON = {"remove": ("os", "path", "tmp", "temp", "file"),
               "cancel": ("task", "future", "timer", "handle", "watcher"),
               "stop": ("thread", "timer", "observer", "server", "watcher", "loop", "patcher",
                        "worker", "runner", "daemon", "proc"),
               "release": ("lock", "semaphore", "conn", "connection"),
               # waiting on a child process only reaps it
               "wait": ("proc", "popen", "child")}
CLEANUP_FUNCTIONS = frozenset({"__del__", "__exit__", "__aexit__", "close", "aclose",
                               "shutdown", "cleanup", "teardown", "stop", "dispose",
                               "disconnect", "tearDown", "unbind"})
# Modules whose whole job is telemetry: a failure there must not cost the real work anything.
TELEMETRY_PARTS = frozenset({"metrics", "metric", "telemetry", "analytics", "statsd",
                             "prometheus", "heartbeat", "otel", "otlp", "tracing"})
# Libraries that only observe the program (APM agents, error trackers, metrics and product
# analytics clients): a call into one is telemetry, whatever its name.
TELEMETRY_LIBRARIES = frozenset({"newrelic", "sentry_sdk", "ddtrace", "datadog", "statsd",
                                 "prometheus_client", "opentelemetry", "elasticapm",
                                 "posthog", "mixpanel", "analytics", "honeybadger", "rollbar"})
# Name parts of calls whose failure must not stop the real work: progress and telemetry hooks,
# log shipping.
NOTIFY_PARTS = frozenset({"callback", "cb", "progress", "log", "logs", "emit", "telemetry",
                          "analytics", "track", "milestone", "metric", "metrics", "heartbeat",
                          "print", "echo", "notice", "hook", "span", "breadcrumb"})
# Calls that build a local value rather than act on the world.
_BUILDERS = frozenset({"append", "extend", "add", "update", "setdefault", "insert",
                       "appendleft", "sort", "reverse", "pop", "discard", "feed"})
# Calls that only check what they are given and raise when it is bad: the attempt computes
# or validates a value, it does not act on the world.
_CHECKS = frozenset({"verify", "validate", "full_clean", "is_valid"})
# Builtins and conversions that compute a value from their arguments.
_PURE = frozenset({"str", "int", "float", "bool", "len", "dict", "list", "tuple", "set",
                   "sorted", "min", "max", "sum", "repr", "format", "getattr", "isinstance",
                   "get", "copy", "deepcopy", "strip", "lower", "upper", "split", "join",
                   "loads", "dumps", "decode", "encode", "parse", "round", "abs"})
_WORKER_NAME = re.compile(r"(?:^|_)(?:consume|consumer|worker|job|task|tasks|process_\w+"
                          r"|handle_message|on_message|listen|listener|poll|dispatch|drain"
                          r"|run_forever|loop)(?:_|$)")
_TASK_DECORATORS = ("task", "shared_task", "actor", "periodic_task", "job", "on_event",
                    "receiver", "subscriber", "consumer", "background")
_ROUTE_DECORATORS = ("get", "post", "put", "patch", "delete", "route", "api_route",
                     "websocket", "api_view", "action", "view_config", "endpoint")
_VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "dispatch", "create",
                           "update", "destroy", "list", "retrieve", "partial_update", "form_valid"})


# --------------------------------------------------------------------------- comments


def _comment(line: str) -> str | None:
    """The `#` comment of a source line (quotes are skipped), or None."""
    quote: str | None = None
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            return line[index:]
    return None


def _comments(src: PythonFile, first: int, last: int) -> list[str]:
    out = []
    for number in range(max(first, 1), min(last, len(src.lines)) + 1):
        comment = _comment(src.lines[number - 1])
        if comment is not None:
            out.append(comment)
    return out


def _marked_codes(comment: str) -> set[str] | None:
    """The codes a disable comment names; an empty set for a bare `# noqa` / `# nosec`;
    None when the comment disables nothing."""
    codes: set[str] = set()
    found = False
    for match in _NOQA.finditer(comment):
        found = True
        if match[1] is None:
            return set()  # bare noqa: everything on the line was reviewed
        codes.update(c.strip() for c in re.split(r"[,\s]+", match[1]) if c.strip())
    for match in _PYLINT.finditer(comment):
        found = True
        codes.update(c.strip() for c in match[1].split(",") if c.strip())
    if _NOSEC.search(comment):
        return set()
    return codes if found else None


def linter_marked(src: PythonFile, first: int, last: int, codes: frozenset[str]) -> bool:
    """A disable comment on lines `first`..`last` for one of `codes` (or for everything)."""
    for comment in _comments(src, first, last):
        named = _marked_codes(comment)
        if named is None:
            continue
        if not named or named & codes or {c.upper() for c in named} & codes:
            return True
    return False


_UNFINISHED = re.compile(r"^\W*(?:todo|fixme|xxx|hack|bug)\b", re.IGNORECASE)


# A comment above a `try` explains its fallback when it speaks of the failure ("some
# providers reject this call"); otherwise it describes what the block does.
_FAILURE_WORDS = re.compile(
    r"fail|error|raise|exception|reject|refuse|unsupported|not support|may not|might not"
    r"|ignor|skip|fall(?:ing)?\s?back|best[- ]effort|harmless|non-?fatal|optional|expected"
    r"|报错|失败|异常|不支持|忽略", re.IGNORECASE)


# A comment opening a `try` body usually describes the call; it explains the handler only
# when it says the failure is let go on purpose ("catch and ignore any exceptions here").
_LETS_GO = re.compile(
    r"\b(?:catch|ignor|swallow|suppress|silenc)\w*\b.{0,40}\b(?:exception|error|failure)s?\b"
    r"|\b(?:exception|error|failure)s?\b.{0,40}\b(?:ignored|swallowed|suppressed|silenced)\b"
    r"|best[- ]effort|non-?fatal", re.IGNORECASE)


def _comments_opening(src: PythonFile, trial: ast.Try) -> list[str]:
    """The comment lines between `try:` and the first statement of its body."""
    return _comments(src, trial.lineno + 1, trial.body[0].lineno - 1) if trial.body else []


def _explains(comment: str) -> bool:
    """A comment that says why, not a tool pragma nor a note that the handling is unfinished
    (`# TODO: handle this` says the opposite of deliberate)."""
    text = _COVERAGE_PRAGMA.sub("", comment.lstrip("#").strip())  # `pragma: no cover - why`
    if not text or _PRAGMA.match(text) or _UNFINISHED.match(text):
        return False
    text = re.split(r"#\s*(?:noqa|type:|pragma|pylint|nosec)", text, maxsplit=1)[0]
    return len(_WORD.findall(text)) >= 2


# --------------------------------------------------------------------------- handlers


def _try_of(src: PythonFile, handler: ast.ExceptHandler) -> ast.Try | None:
    parent = src.parent(handler)
    return parent if isinstance(parent, ast.Try | getattr(ast, "TryStar", ast.Try)) else None


def _function_of(src: PythonFile, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for outer in src.ancestors(node):
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
            return outer
        if isinstance(outer, ast.ClassDef | ast.Lambda):
            return None
    return None


def _handler_lines(handler: ast.ExceptHandler) -> tuple[int, int]:
    return handler.lineno, handler.end_lineno or handler.lineno


def is_predicate(func: ast.FunctionDef | ast.AsyncFunctionDef | None) -> bool:
    if func is None:
        return False
    if func.name.startswith(PREDICATE_PREFIXES):
        return True
    return func.returns is not None and dotted_name(func.returns) in ("bool", "builtins.bool")


def _bool_answers(body: list[ast.stmt]) -> set[bool]:
    return {s.value.value for s in _statements(body) if isinstance(s, ast.Return)
            and isinstance(s.value, ast.Constant) and isinstance(s.value.value, bool)}


def _answers_bool(src: PythonFile, handler: ast.ExceptHandler) -> bool:
    """The handler answers a yes/no question: in a predicate (`is_*`, `-> bool`), or where
    the attempt answers the opposite (`try: check(); return True / except: return False`),
    or where a probe that answers on success falls through to the next check on failure
    (`try: b64decode(v); return True / except: pass`)."""
    answers = {s.value.value for s in handler.body if isinstance(s, ast.Return)
               and isinstance(s.value, ast.Constant) and isinstance(s.value.value, bool)}
    if not answers:
        trial = _try_of(src, handler)
        return trial is not None and bool(_bool_answers(trial.body)) and not any(
            isinstance(n, ast.Return | ast.Raise) for n in body_nodes(handler))
    if is_predicate(_function_of(src, handler)):
        return True
    trial = _try_of(src, handler)
    # `try: import_module(m) / except: return False / else: return True`
    return trial is not None and bool(_bool_answers(trial.body + trial.orelse) - answers)


def _returns_value(body: list[ast.stmt]) -> bool:
    """The attempt returns something computed (not a constant)."""
    return any(isinstance(s, ast.Return) and s.value is not None
               and not isinstance(s.value, ast.Constant) for s in _statements(body))


def counts_metric(handler: ast.ExceptHandler) -> bool:
    """`errors.inc()`, `statsd.incr("x")`, `metrics.failures.add(1)`…"""
    for node in body_nodes(handler):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = dotted_name(node.func.value).lower()
        if not receiver and isinstance(node.func.value, ast.Call):  # c.labels(...).inc()
            receiver = dotted_name(node.func.value.func).lower()
        if node.func.attr in METRIC_CALLS:
            return True
        if any(hint in receiver for hint in METRIC_RECEIVERS):
            return True
    return False


_USER_MESSAGES = ("messages.error", "messages.warning", "flash", "message_user", "abort",
                  "show_error", "notify_error")


def tells_the_user(handler: ast.ExceptHandler) -> bool:
    """The failure is shown to the person who asked: a Django/Flask error message, or an
    error response (status 4xx/5xx)."""
    for node in body_nodes(handler):
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            if name.endswith(_USER_MESSAGES) and name:
                return True
            if name.endswith("add_message") and any(
                    dotted_name(a).endswith(("ERROR", "WARNING")) for a in node.args):
                return True
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            for kw in node.value.keywords:
                if kw.arg in ("status", "status_code") and _error_status(kw.value):
                    return True
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and any(
                _error_status(e) for e in node.value.elts[1:]):
            return True  # Flask's `return body, 503`
    return False


_HAND_OVER = frozenset({"update", "append", "add", "extend", "setdefault", "put", "put_nowait"})


def hands_over_the_error(handler: ast.ExceptHandler) -> bool:
    """The caught exception, or a local taken from it, goes into what the code returns or
    keeps (`return {"error": str(e)}`, `entry["error"] = str(e)`, `results.append(e)`,
    `error = e.args[0]; failed[name] = error`): the caller sees the failure."""
    if not handler.name:
        return False
    # the exception and the locals taken from it (`error = e.args[0]`)
    names = {handler.name}
    for node in body_nodes(handler):
        if isinstance(node, ast.Assign) and any(
                isinstance(n, ast.Name) and n.id == handler.name for n in ast.walk(node.value)):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}

    def mentions(node: ast.AST | None) -> bool:
        return node is not None and any(isinstance(n, ast.Name) and n.id in names
                                        for n in ast.walk(node))

    for node in body_nodes(handler):
        if isinstance(node, ast.Return) and mentions(node.value):
            return True
        if isinstance(node, ast.Assign) and mentions(node.value) and any(
                isinstance(t, ast.Subscript | ast.Attribute) for t in node.targets):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in _HAND_OVER and any(mentions(a) for a in node.args):
            return True
    return False


def _error_status(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value >= 400
    name = dotted_name(node)
    return "ERROR" in name or "BAD_REQUEST" in name or "_4" in name or "_5" in name


def _outer_handler_reports(src: PythonFile, handler: ast.ExceptHandler) -> bool:
    """The handler sits inside another handler that already logs or re-raises the error."""
    for outer in src.ancestors(handler):
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            return False
        if isinstance(outer, ast.ExceptHandler):
            if logging_calls(outer) or reports_error(outer) or any(
                    isinstance(n, ast.Raise) for n in body_nodes(outer)):
                return True
    return False


def _returned_later(src: PythonFile, handler: ast.ExceptHandler) -> bool:
    """The error, or a local holding it, is what the function returns after the attempt
    (`except Exception as error: data = None` … `return data, error`)."""
    trial = _try_of(src, handler)
    func = _function_of(src, handler)
    if not handler.name or trial is None or func is None:
        return False
    names = {handler.name}
    for node in body_nodes(handler):
        if isinstance(node, ast.Assign) and any(
                isinstance(n, ast.Name) and n.id == handler.name for n in ast.walk(node.value)):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    end = trial.end_lineno or trial.lineno
    return any(isinstance(s, ast.Return) and s.lineno > end and s.value is not None and any(
        isinstance(n, ast.Name) and n.id in names for n in ast.walk(s.value))
        for s in _statements(func.body))


def _inner_handler_records(src: PythonFile, handler: ast.ExceptHandler) -> bool:
    """A broad handler inside the attempt already logs or records the error before it
    re-raises: the outer handler only decides to move on."""
    trial = _try_of(src, handler)
    if trial is None:
        return False
    for stmt in _statements(trial.body):
        for inner in getattr(stmt, "handlers", None) or []:
            if is_broad(inner) and reraises(inner) and (
                    logging_calls(inner) or reports_error(inner) or hands_over_the_error(inner)):
                return True
    return False


# A docstring that says failures are tolerated ("Never raises", "invalid files are skipped").
_TOLERATES = re.compile(r"never raises?\b|best[- ]effort|fails? silently|non-?fatal"
                        r"|\b(?:errors?|failures?|exceptions?)\b[^.]{0,40}\bswallowed\b",
                        re.IGNORECASE)
_SKIPS = re.compile(r"\b(?:skip|ignor)", re.IGNORECASE)
_BAD_INPUT = re.compile(r"invalid|fail|error|broken|unreadable|corrupt", re.IGNORECASE)


# "Async variant of `Memory._link_entities`": the twin's docstring speaks for both
_VARIANT_OF = re.compile(r"\b(?:variant|version|counterpart|equivalent) of `*([\w.]+)"
                         r"|\bsame as `*([\w.]+)", re.IGNORECASE)


def _docstring_tolerates(src: PythonFile, handler: ast.ExceptHandler) -> bool:
    func = _function_of(src, handler)
    doc = ast.get_docstring(func) if func is not None else None
    if not doc:
        return False
    if _tolerates(doc):
        return True
    twin = _VARIANT_OF.search(doc)
    if twin is None:
        return False
    name = (twin[1] or twin[2]).rstrip(".").rsplit(".", 1)[-1]
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node is not func
               and node.name == name and _tolerates(ast.get_docstring(node) or "")
               for node in src.nodes(ast.FunctionDef, ast.AsyncFunctionDef))


def _tolerates(doc: str) -> bool:
    return bool(_TOLERATES.search(doc) or (_SKIPS.search(doc) and _BAD_INPUT.search(doc)))


def _sibling_explains(src: PythonFile, trial: ast.Try | None,
                      handler: ast.ExceptHandler) -> bool:
    """An earlier handler of the same `try` explains why its error is let go (`# bypassing the
    error: the end of the records was reached`): the broad one after it is the same choice."""
    if trial is None:
        return False
    for other in trial.handlers:
        if other is handler:
            return False
        if all(_is_pass(s) for s in other.body) and any(
                _explains(c) for c in _comments(src, *_handler_lines(other))):
            return True
    return False


def _is_pass(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(
        stmt.value, ast.Constant) and stmt.value.value is Ellipsis)


def handler_intent(src: PythonFile, handler: ast.ExceptHandler) -> str | None:
    """Why this handler is deliberate, in a few words, or None when nothing says so."""
    first, last = _handler_lines(handler)
    trial = _try_of(src, handler)
    try_line = trial.lineno if trial is not None else first
    if linter_marked(src, first, last, HANDLER_CODES) or linter_marked(
            src, try_line, try_line, HANDLER_CODES):
        return "marked by another linter's disable comment"
    if any(_explains(c) for c in _comments(src, first, last)) or _sibling_explains(
            src, trial, handler) or (
            trial is not None and (any(_explains(c) and _FAILURE_WORDS.search(c)
                                       for c in comments_above(src, trial.lineno)) or
                                   _LETS_GO.search(" ".join(_comments_opening(src, trial))))):
        return "a comment explains the fallback"
    if any(isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
           and isinstance(s.value.value, str) and len(_WORD.findall(s.value.value)) >= 2
           for s in handler.body):
        return "a string explains the fallback"
    if _answers_bool(src, handler):
        return "a predicate answers on failure"
    if counts_metric(handler):
        return "the error is counted in a metric"
    if tells_the_user(handler):
        return "the failure is shown to the user"
    if hands_over_the_error(handler) or _returned_later(src, handler):
        return "the error is handed to the caller"
    if _inner_handler_records(src, handler):
        return "an inner handler already records the error"
    if _docstring_tolerates(src, handler):
        return "the function's docstring says failures are tolerated"
    if _outer_handler_reports(src, handler):
        return "the enclosing handler already reports the error"
    return None


_FALLBACK_WORDS = re.compile(
    r"ignor|skip|fall(?:ing)?\s?back|retr(?:y|ying|ied)|optional|not available|unavailable"
    r"|non-?fatal|harmless|best[- ]effort|continu|default|anonymous|not installed|not found"
    r"|\bwill\b|may not|might not|expected|instead|rely|relying", re.IGNORECASE)


_TRACEBACK_TEXT = frozenset({"traceback.format_exc", "traceback.format_exception",
                             "format_exc"})


def logged_on_purpose(handler: ast.ExceptHandler, levels: frozenset[str] | set[str]) -> bool:
    """A low-level log call that shows the level was chosen: it attaches the traceback
    (`exc_info=True`) or its message says what happens instead ("ignoring", "will retry",
    "falling back to …")."""
    for call, method in logging_calls(handler):
        if method not in levels:
            continue
        for kw in call.keywords:
            if kw.arg in ("exc_info", "stack_info") and not (
                    isinstance(kw.value, ast.Constant) and not kw.value.value):
                return True
        if any(isinstance(n, ast.Call) and dotted_name(n.func) in _TRACEBACK_TEXT
               for a in call.args for n in ast.walk(a)):
            return True  # `log.debug(traceback.format_exc())`: the traceback, on purpose
        for arg in call.args[:1]:
            text = ""
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value
            elif isinstance(arg, ast.JoinedStr):
                text = " ".join(v.value for v in arg.values
                                if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if _FALLBACK_WORDS.search(text):
                return True
    return False


# --------------------------------------------------------------------------- stakes


class Stakes(Enum):
    LOST_WORK = "lost-work"  # an item, message, task or request result is lost
    FAILED_ACTION = "failed-action"  # an action on the world silently fails
    FALLBACK = "fallback"  # a computed value falls back to a default
    BEST_EFFORT = "best-effort"  # releasing what is going away, or a progress/telemetry hook


def _call_of(stmt: ast.AST) -> ast.Call | None:
    value = stmt.value if isinstance(stmt, ast.Expr) else None
    if isinstance(value, ast.Await):
        value = value.value
    return value if isinstance(value, ast.Call) else None


def _last_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a block and of its nested blocks (not of nested functions)."""
    out: list[ast.stmt] = []
    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        out.append(stmt)
        for name in ("body", "orelse", "finalbody"):
            stack.extend(getattr(stmt, name, []) or [])
        for inner in getattr(stmt, "handlers", []) or []:
            stack.extend(inner.body)
        for case in getattr(stmt, "cases", []) or []:
            stack.extend(case.body)
    return out


# A conversion whose result is thrown away is a test of its input (`json.loads(body)` as a
# statement asks "is this JSON?"). Not `get`, `set`, `copy` or `join`: those also name I/O.
_TESTS_BY_COMPUTING = (_PURE - {"get", "set", "copy", "deepcopy", "join", "format"}) | {
    "b64decode", "urlsafe_b64decode", "literal_eval"}


def _actions(body: list[ast.stmt]) -> list[ast.Call]:
    """Calls made for their effect (expression statements, `await x()`) that neither log nor
    build a local value, and the calls whose results a builder collects
    (`changed.extend(apply(item))`: `apply` does the work)."""
    out = []
    for stmt in _statements(body):
        call = _call_of(stmt)
        if call is None:
            continue
        if isinstance(call.func, ast.Attribute) and is_logger_receiver(call.func.value):
            continue
        if _last_name(call) in _CHECKS or _last_name(call) in _TESTS_BY_COMPUTING:
            continue
        if _last_name(call) in _BUILDERS:
            out.extend(_collected_calls(call))
            continue
        out.append(call)
    return out


def _collected_calls(builder: ast.Call) -> list[ast.Call]:
    found = []
    for arg in [*builder.args, *(k.value for k in builder.keywords)]:
        if isinstance(arg, ast.Await):
            arg = arg.value
        # a class built to be collected (`qs.append(Q(pk=arg))`) is a value, not work done
        if isinstance(arg, ast.Call) and _last_name(arg) not in _PURE and \
                not _last_name(arg)[:1].isupper():
            found.append(arg)
    return found


def _collects_work(body: list[ast.stmt]) -> bool:
    return any((call := _call_of(s)) is not None and _last_name(call) in _BUILDERS
               and _collected_calls(call) for s in _statements(body))


def _name_parts(name: str) -> list[str]:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [p for p in name.lower().split("_") if p]


def _loop_source(src: PythonFile, node: ast.AST, name: str) -> str:
    """The iterable a loop variable comes from (`servers` for `for s in servers`), or ''."""
    for outer in src.ancestors(node):
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            return ""
        if isinstance(outer, ast.For | ast.AsyncFor) and isinstance(outer.target, ast.Name) \
                and outer.target.id == name:
            return dotted_name(outer.iter)
    return ""


def _cleanup_call(src: PythonFile, call: ast.Call) -> bool:
    """`os.remove(tmp)`, `timer.cancel()`, `s.stop()` in `for s in servers`."""
    name = _last_name(call)
    receivers = _CLEANUP_ON.get(name)
    if receivers is None or not isinstance(call.func, ast.Attribute):
        return False
    receiver = dotted_name(call.func.value)
    if isinstance(call.func.value, ast.Name):
        receiver += " " + _loop_source(src, call, call.func.value.id)
    return any(hint in receiver.lower() for hint in receivers)


def _cleanup_name(parts: list[str]) -> bool:
    """A verb that releases only some things, followed by one of them: `stop_worker`,
    `remove_temp_file`, `cancel_timer` (but not `cancel_order`)."""
    receivers = _CLEANUP_ON.get(parts[0]) if parts else None
    return receivers is not None and any(hint in part for part in parts[1:]
                                         for hint in receivers)


def _bookkeeping_name(parts: list[str]) -> bool:
    """`update_last_login`, `set_last_seen`, `touch`: noting when something was last used."""
    return parts == ["touch"] or (len(parts) > 2 and parts[1] == "last" and parts[0] in (
        "update", "set", "record", "mark", "bump", "touch"))


def _best_effort_name(name: str) -> bool:
    if name.strip("_") in CLEANUP_VERBS or name in CLEANUP_VERBS:
        return True  # `conn.close()`, `self.__close__()`
    parts = _name_parts(name)
    return _cleanup_name(parts) or _bookkeeping_name(parts) or any(
        part in NOTIFY_PARTS or part.removesuffix("s") in NOTIFY_PARTS
        or part in CLEANUP_VERBS for part in parts)


def _cache_call(call: ast.Call) -> bool:
    """A read or write of a cache (`cache.delete(key)`, `redis.set(cache_key, v)`): a cache
    holds copies, so a failed write only costs a later recomputation."""
    receiver = dotted_name(call.func.value) if isinstance(call.func, ast.Attribute) else ""
    key = dotted_name(call.args[0]) if call.args else ""
    return "cache" in receiver.lower() or "cache_key" in key.lower()


def _logging_class(src: PythonFile, func: ast.AST | None) -> bool:
    """A method of a `logging.Handler` (or another `logging` class): logging must never
    raise into the code that logs."""
    owner = src.parent(func) if func is not None else None
    if not isinstance(owner, ast.ClassDef):
        return False
    return any(qualified(dotted_name(base), src.imports).startswith("logging.")
               for base in owner.bases)


def telemetry_name(name: str) -> bool:
    """A function or module named for telemetry: `send_usage_telemetry`, `metrics.py`."""
    return any(part in TELEMETRY_PARTS for part in _name_parts(name))


def _telemetry_module(src: PythonFile) -> bool:
    return telemetry_name(src.path.rsplit("/", 1)[-1].removesuffix(".py"))


def _is_best_effort(src: PythonFile, trial: ast.Try, func: ast.AST | None) -> bool:
    """Only releases, cache updates, progress callbacks, telemetry or log shipping are
    attempted."""
    if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and (
            func.name in CLEANUP_FUNCTIONS or _best_effort_name(func.name)):
        return True
    if _logging_class(src, func) or _telemetry_module(src):
        return True
    # what an inner attempt does is judged by its own handler
    handled = {id(node) for stmt in _statements(trial.body) if isinstance(stmt, ast.Try)
               and any(is_broad(h) for h in stmt.handlers) for node in ast.walk(stmt)}
    actions = [call for call in _actions(trial.body) if id(call) not in handled]
    if not actions or not all(_best_effort_name(_last_name(c)) or _cleanup_call(src, c)
                              or _cache_call(c) or _telemetry_call(src, c) for c in actions):
        return False
    return not any(isinstance(s, ast.Return) for s in _statements(trial.body))


def _telemetry_call(src: PythonFile, call: ast.Call) -> bool:
    """`newrelic.agent.record_custom_event(…)`, `sentry_sdk.capture_message(…)`."""
    name = qualified(dotted_name(call.func), src.imports)
    return name.split(".", 1)[0] in TELEMETRY_LIBRARIES and "." in name


def _in_finally(src: PythonFile, node: ast.AST) -> bool:
    child = node
    for outer in src.ancestors(node):
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return False
        if isinstance(outer, ast.Try) and child in outer.finalbody:
            return True
        child = outer
    return False


def _in_loop(src: PythonFile, node: ast.AST) -> bool:
    child = node
    for outer in src.ancestors(node):
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            return False
        if isinstance(outer, ast.For | ast.AsyncFor | ast.While) and child in outer.body:
            return True
        child = outer
    return False


def _decorator_names(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = []
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = dotted_name(target)
        if name:
            names.append(name.rsplit(".", 1)[-1])
    return names


def _is_worker(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if any(name in _TASK_DECORATORS for name in _decorator_names(func)):
        return True
    return bool(_WORKER_NAME.search(func.name.lower()))


def _is_request_handler(src: PythonFile, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if any(name in _ROUTE_DECORATORS for name in _decorator_names(func)):
        return True
    parent = src.parent(func)
    if isinstance(parent, ast.ClassDef) and func.name in _VIEW_METHODS:
        bases = " ".join(dotted_name(b) for b in parent.bases)
        return any(word in bases for word in ("View", "ViewSet", "Resource", "Handler"))
    return False


def _next_statement(src: PythonFile, trial: ast.Try) -> ast.stmt | None:
    """The statement that follows the `try` in its block."""
    parent = src.parent(trial)
    block = next((b for b in (getattr(parent, f, None) for f in ("body", "orelse", "finalbody"))
                  if isinstance(b, list) and any(s is trial for s in b)), None)
    if block is None:
        return None
    position = next(i for i, s in enumerate(block) if s is trial)
    return block[position + 1] if position + 1 < len(block) else None


def _tries_another_way(src: PythonFile, trial: ast.Try) -> bool:
    """`try: cache.incr(key); return / except: pass / cache.set(key, …)`: the attempt leaves
    the function on success, so the code after it is the other way to the same end (an
    action; a value computed by the attempt and a default answer after it are not)."""
    last = trial.body[-1] if trial.body else None
    following = _next_statement(src, trial)
    return isinstance(last, ast.Return) and last.value is None and not trial.orelse and \
        following is not None and not isinstance(following, ast.Return | ast.Raise | ast.Pass)


def _checked_after(src: PythonFile, trial: ast.Try) -> bool:
    """The statement after the attempt checks its outcome with what the attempt acted on:
    `try: makedirs(d) / except: pass / if not isdir(d): …`."""
    following = _next_statement(src, trial)
    if not isinstance(following, ast.If | ast.Assert):
        return False
    acted_on = {dotted_name(a) for call in _actions(trial.body) for a in call.args} - {""}
    return any(isinstance(n, ast.Call) and any(dotted_name(a) in acted_on for a in n.args)
               for n in ast.walk(following.test))


def handler_stakes(src: PythonFile, handler: ast.ExceptHandler) -> Stakes:
    """What silencing this handler costs."""
    trial = _try_of(src, handler)
    func = _function_of(src, handler)
    if trial is None:
        return Stakes.FAILED_ACTION
    if _is_best_effort(src, trial, func) or _in_finally(src, handler):
        return Stakes.BEST_EFFORT
    statements = _statements(trial.body)
    if any(isinstance(s, ast.Import | ast.ImportFrom) for s in statements):
        return Stakes.FALLBACK  # an optional feature: set up when its package is there
    if _returns_value(trial.body + trial.orelse) and all(
            isinstance(s, ast.Return) for s in handler.body if not isinstance(s, ast.Pass)):
        return Stakes.FALLBACK  # computes a value, or answers a default
    if _checked_after(src, trial) or _tries_another_way(src, trial):
        return Stakes.FALLBACK  # the next statement tests, or does, what the attempt tried
    acts = bool(_actions(trial.body))
    # A loop whose attempt returns or breaks on success is a search for the first candidate
    # that works (encodings, hosts, formats): a failed candidate is the normal path.
    searching = any(isinstance(s, ast.Return | ast.Break) for s in statements) and not (
        _collects_work(trial.body))
    if searching and _in_loop(src, trial):
        return Stakes.FALLBACK
    if acts and (_in_loop(src, trial) or (func is not None and (
            _is_worker(func) or _is_request_handler(src, func)))):
        return Stakes.LOST_WORK
    return Stakes.FAILED_ACTION if acts else Stakes.FALLBACK
