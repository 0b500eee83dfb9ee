"""Recognisers of practices a project implements itself, shared by the "no X" rules.

A library import is the easy evidence (`facts.EVIDENCE_IMPORTS`). These functions recognise
the rest from the syntax the worker already parsed: the project's own rate limiter used as a
dependency, hook or middleware (APP003), retry decorators, task options and retry loops of any
origin, and SDK clients that retry by default (APP012), Django settings that send security
headers (APP004, APP006) or mail errors to the admins (APP014). Each returns evidence kinds
(the strings `Service.has()` asks about).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from .artifacts.pyast import dotted_name, keyword

# A name that says it limits request rates: `RateLimiter`, `token_bucket`, `throttle_user`.
# `limiter` as a word of its own (`app_limiter`, `IpLimiter`), not the end of another word
# (QUOTE_DELIMITERS, a misspelt URL_DILIMITER are no rate limits)
LIMITER_NAME = re.compile(r"rate_?limit|throttl|token_?bucket|leaky_?bucket"
                          r"|(?<![A-Za-z])limiter|(?-i:Limiter)", re.IGNORECASE)
_LIMITER_WORDS = ("ratelimit", "rate_limit", "throttl", "tokenbucket", "token_bucket",
                  "leakybucket", "leaky_bucket")


def mentions_limiter(lowered: str) -> bool:
    """LIMITER_NAME anywhere in a whole file, given lower-cased: substring tests cost a
    tenth of the case-insensitive regex."""
    return any(word in lowered for word in _LIMITER_WORDS) or (
        "limiter" in lowered and lowered.count("limiter") > lowered.count("delimiter"))
# Settings that limit an outbound client (an LLM provider, a mail server, a crawler) or the
# service's own background tasks, rather than the requests the service receives.
OUTBOUND_HINT = re.compile(
    r"client|openai|anthropic|azure|llm|gpt|github|gitlab|slack|discord|telegram|twitter|"
    r"upstream|outbound|provider|embedding|scrap|crawl|fetch|webhook|smtp|e?mail|sms|tpm|"
    r"token_?per|tokens_?per|"
    r"task|celery|queue|worker", re.IGNORECASE)
RETRY_DECORATORS = {"retry", "retry_async", "async_retry", "with_retry", "with_retries",
                    "retrying", "retry_on_exception", "retry_on_failure", "on_exception",
                    "on_predicate", "retriable", "retryable", "auto_retry", "backoff"}
RETRY_CALLS = {"Retry", "Retrying", "AsyncRetrying", "retry_call", "RetryPolicy"}
TASK_RETRY_OPTIONS = {"autoretry_for", "retry_backoff", "retry_kwargs", "max_retries",
                      "default_retry_delay", "retry", "retry_when", "min_backoff"}  # + dramatiq
TASK_DECORATORS = ("task", "shared_task", "job", "actor")
# SDK clients that retry failed requests themselves (max_retries defaults to 2).
RETRYING_CLIENTS = ("openai.OpenAI", "openai.AsyncOpenAI", "openai.AzureOpenAI",
                    "openai.AsyncAzureOpenAI", "anthropic.Anthropic", "anthropic.AsyncAnthropic",
                    "anthropic.AnthropicBedrock", "anthropic.AsyncAnthropicBedrock",
                    "anthropic.AnthropicVertex", "anthropic.AsyncAnthropicVertex",
                    # PyGithub 2 retries with GithubRetry, jira with its ResilientSession
                    "github.Github", "jira.JIRA")
# Libraries that pace the project's own outbound calls: not a limit on incoming requests.
OUTBOUND_LIMITERS = ("aiolimiter", "asyncio_throttle", "pyrate_limiter", "ratelimit.",
                     "throttler", "limits.aio")
REQUEST_HOOKS = {"before_request", "before_app_request", "middleware"}


def is_inbound_rate_limit_setting(name: str) -> bool:
    """`RATE_LIMIT_PER_MINUTE` configures the service's own limits; `OPENAI_RATE_LIMIT`
    paces an outbound client, and django-allauth enforces its `ACCOUNT_RATE_LIMITS` itself
    (for its account forms only: no limiter left unregistered)."""
    return bool(LIMITER_NAME.search(name)) and not OUTBOUND_HINT.search(name) and (
        name != "ACCOUNT_RATE_LIMITS")


# sentry_sdk.init options that turn on performance monitoring (transactions per request).
SENTRY_TRACING = ("traces_sample_rate", "traces_sampler", "enable_tracing")


def call_evidence(call: ast.Call, full: str, qualify: Callable[[ast.AST], str]) -> set[str]:
    """Evidence from one call, given its callee's qualified name and how the file names
    things (`bucket` is `app.limits.bucket`, a module-level `TokenBucket(…)`)."""
    last = full.rsplit(".", 1)[-1]
    found: set[str] = set()
    if last in RETRY_CALLS:
        found.add("retry")  # urllib3/rq Retry(…), tenacity Retrying(…)
    elif last in ("HTTPAdapter", "AsyncHTTPTransport", "HTTPTransport") and (
            keyword(call, "max_retries") or keyword(call, "retries")):
        found.add("retry")
    elif full in RETRYING_CLIENTS or full.endswith(tuple("." + c for c in RETRYING_CLIENTS)):
        retries = keyword(call, "max_retries")
        if retries is None or not (isinstance(retries.value, ast.Constant)
                                   and retries.value.value == 0):
            found.add("retry")
    elif last in ("Depends", "Security") and call.args and _names_limiter(call.args[0],
                                                                          qualify):
        found.add("rate-limit")  # Depends(RateLimiter(times=10)), Depends(throttle)
    elif last in ("before_request", "before_app_request") and call.args and (
            _names_limiter(call.args[0], qualify)):
        found.add("rate-limit")  # app.before_request(rate_limit)
    elif last == "retry" and full.startswith("self."):
        found.add("retry")  # a Celery task's self.retry(exc=…)
    elif last in TASK_DECORATORS and any(kw.arg in TASK_RETRY_OPTIONS for kw in call.keywords):
        found.add("retry")  # dramatiq.actor(Task(), retry_when=…), app.task(fn, max_retries=3)
    elif _names_limiter(call, qualify) and not full.startswith(OUTBOUND_LIMITERS) and any(
            _is_request_or_app(arg) for arg in [*call.args, *(k.value for k in call.keywords)]):
        found.add("rate-limit")  # limiter.initialize(app), check_rate_limit(request, "login")
    if full == "sentry_sdk.init" and any(
            keyword(call, name) is not None for name in SENTRY_TRACING):
        # performance monitoring: each request's latency and failures, and a trace id that
        # the sentry-trace header carries to the services it calls
        found |= {"metrics", "request-id"}
    return found


def configures_retries(call: ast.Call) -> bool:
    """A client built to retry: `retry_on_timeout=True`, or `max_retries`/`retries` set to a
    positive number or a policy (`{"max_attempts": 5}`)."""
    for kw in call.keywords:
        value = kw.value
        if kw.arg == "retry_on_timeout" and isinstance(value, ast.Constant) and value.value is True:
            return True
        if kw.arg in ("max_retries", "retries") and not (
                isinstance(value, ast.Constant) and (
                    not isinstance(value.value, int) or value.value <= 0)):
            return True
    return False


# A decorator named for retrying (`retrier`, `retry_on_error`, `with_retries`, `auto_retry`)
_RETRY_WORD = re.compile(r"(?:^|_)retr(?:y|ies|ier|ying)(?:_|$)", re.IGNORECASE)


def decorator_evidence(func: ast.FunctionDef | ast.AsyncFunctionDef,
                       qualify: Callable[[ast.AST], str]) -> set[str]:
    """Evidence from a function's decorators: retry decorators of any library (or the
    project's own), Celery task retry options, rate limits on routes, limiter hooks."""
    found: set[str] = set()
    for deco in func.decorator_list:
        call = deco if isinstance(deco, ast.Call) else None
        name = dotted_name(call.func if call is not None else deco)
        last = name.rsplit(".", 1)[-1]
        if last in RETRY_DECORATORS or _RETRY_WORD.search(last):
            found.add("retry")  # also the project's own: @retrier, @retry_async, @with_retries
        if call is not None and last in TASK_DECORATORS and any(
                kw.arg in TASK_RETRY_OPTIONS for kw in call.keywords):
            found.add("retry")  # Celery autoretry_for/retry_backoff, dramatiq max_retries
        if LIMITER_NAME.search(name):
            found.add("rate-limit")  # @limiter.limit("5/minute"), @throttle(…), @rate_limit
        if last in REQUEST_HOOKS and (LIMITER_NAME.search(func.name) or any(
                _names_limiter(n, qualify) for n in ast.walk(func) if isinstance(n, ast.Call))):
            found.add("rate-limit")  # a before_request hook or middleware that limits
    return found


def loop_evidence(loop: ast.AST) -> set[str]:
    """A bounded retry loop written by hand: `for attempt in range(n)` around a try whose
    handler waits before the next attempt, or whose success leaves the loop (`try: … break
    except Timeout: log`), or around a try that calls out while the loop waits between
    attempts (`await asyncio.sleep(backoff * 2 ** attempt)` after the try)."""
    if not (isinstance(loop, ast.For | ast.AsyncFor) and isinstance(loop.iter, ast.Call)
            and dotted_name(loop.iter.func) == "range"):
        return set()
    for node in ast.walk(loop):
        if not (isinstance(node, ast.Try) and node.handlers):
            continue
        calls_out = any(_calls_out(n) for n in ast.walk(ast.Module(node.body, [])))
        if any(_sleeps(h) for h in node.handlers) or (calls_out and (
                isinstance((node.orelse or node.body)[-1], ast.Break | ast.Return)
                or _sleeps(loop))):
            return {"retry"}
    return set()


# Calls that reach another service over HTTP: `requests.get(url)`, `client.post(…)`,
# `session.request(…)`, `urlopen(…)`
_HTTP_VERBS = frozenset({"post", "put", "patch", "delete", "request", "urlopen"})
_HTTP_RECEIVERS = re.compile(r"^(?:requests|httpx|aiohttp|urllib3|\w*session|\w*client|http)\b",
                             re.IGNORECASE)


def _calls_out(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = dotted_name(node.func)
    last = name.rsplit(".", 1)[-1]
    return last in _HTTP_VERBS or (last == "get" and bool(_HTTP_RECEIVERS.match(name)))


_ATTEMPT_WORD = re.compile(r"attempt|retr(?:y|ies)|tries", re.IGNORECASE)
# Words of the file's text without which no argument can name an attempt count (each
# spelling `_ATTEMPT_WORD` accepts contains one)
ATTEMPT_WORDS = ("attempt", "retr", "tries")


def raises_attempt_count(call: ast.Call) -> bool:
    """A function's call of itself with its attempt count raised (`return render(text,
    attempts=attempts + 1)` under `if attempts < MAX_ATTEMPTS`): a bounded retry written by
    hand."""
    for value in [*call.args, *(kw.value for kw in call.keywords)]:
        if isinstance(value, ast.Call) and value.keywords:  # dict(kwargs, attempts=n + 1)
            value = next((kw.value for kw in value.keywords
                          if kw.arg and _ATTEMPT_WORD.search(kw.arg)), value)
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add) and (
                _ATTEMPT_WORD.search(dotted_name(value.left))):
            return True
    return False


def django_settings_evidence(settings: dict[str, object]) -> set[str]:
    """Evidence from a Django settings module's values (literal, or the dotted names they
    mention)."""
    found: set[str] = set()
    text = repr(settings).lower()
    if "securitymiddleware" in text or "xframeoptionsmiddleware" in text:
        found.add("security-headers")  # nosniff by default, X-Frame-Options
    admins = settings.get("ADMINS")
    if (admins and admins not in ("[]", "()")) or "mail_admins" in text or (
            "adminemailhandler" in text):
        found.add("error-tracking")  # Django mails every 500 to ADMINS (mail_admins handler)
    return found


def _names_limiter(node: ast.AST, qualify: Callable[[ast.AST], str]) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return bool(LIMITER_NAME.search(dotted_name(target)) or LIMITER_NAME.search(
        qualify(target)))


def _is_request_or_app(node: ast.AST) -> bool:
    """The incoming request (or something read from it) or the web app itself."""
    head = dotted_name(node).split(".", 1)[0]
    return head in ("request", "req", "app", "current_app", "self.request")


def _sleeps(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and dotted_name(n.func).rsplit(".", 1)[-1] == "sleep"
               for n in ast.walk(node))
