"""Per-file Python facts for the service model, extracted in the worker from the one `ast` parse.

Facts are small picklable records: what a later, project-wide step needs to know about a file
(apps, routers, routes, middleware, resources, env reads, evidence of practices) without ever
reading the file again.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from itertools import pairwise

from .artifacts.pyast import (
    database_url,
    dotted_name,
    in_main_block,
    is_main_guard,
    keyword,
    qualified,
    sqlite_url,
    walk,
)
from .artifacts.python import PythonFile
from .devconfig import in_dev_class
from .evidence import (
    ATTEMPT_WORDS,
    LIMITER_NAME,
    RETRY_CALLS,
    RETRYING_CLIENTS,
    call_evidence,
    configures_retries,
    decorator_evidence,
    django_settings_evidence,
    is_inbound_rate_limit_setting,
    loop_evidence,
    mentions_limiter,
    raises_attempt_count,
)

APP_FACTORIES = {
    "fastapi.FastAPI": "fastapi",
    "starlette.applications.Starlette": "starlette",
    "flask.Flask": "flask",
    "flask.app.Flask": "flask",
    "fastapi.applications.FastAPI": "fastapi",
    "quart.Quart": "flask",
}
ROUTER_FACTORIES = {
    "fastapi.APIRouter": "router",
    "fastapi.routing.APIRouter": "router",
    "starlette.routing.Router": "router",
    "flask.Blueprint": "blueprint",
    "flask.blueprints.Blueprint": "blueprint",
    "quart.Blueprint": "blueprint",
    "ninja.NinjaAPI": "router",
    "ninja.Router": "router",
    "rest_framework.routers.DefaultRouter": "drf-router",
    "rest_framework.routers.SimpleRouter": "drf-router",
    "rest_framework_nested.routers.NestedSimpleRouter": "drf-router",
    "rest_framework_nested.routers.NestedDefaultRouter": "drf-router",
}
DRF_ROUTERS = {"DefaultRouter", "SimpleRouter", "NestedSimpleRouter", "NestedDefaultRouter",
               "ExtendedSimpleRouter", "ExtendedDefaultRouter", "OptionalSlashRouter"}
# django-distill's `distill_path` / `distill_re_path` serve like `path` / `re_path`
DJANGO_URL_CALLS = ("path", "re_path", "url", "distill_path", "distill_re_path")
# Wrappers that make a WSGI/ASGI app mountable in another framework's app.
APP_ADAPTERS = ("WSGIMiddleware", "ASGIMiddleware", "WsgiToAsgi")
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "head", "options", "route",
                    "api_route", "websocket"}
# what a worker or command calls on an app it builds only for its configuration and database
CONTEXT_METHODS = ("app_context", "test_request_context")
_APP_WORD = re.compile(r"(?:^|_)app(?:$|_)", re.IGNORECASE)  # create_app, make_light_app
RESOURCE_FACTORIES = {
    "sqlalchemy.create_engine": "database",
    "sqlalchemy.ext.asyncio.create_async_engine": "database",
    "sqlmodel.create_engine": "database",
    "asyncpg.create_pool": "database",
    "psycopg_pool.ConnectionPool": "database",
    "psycopg_pool.AsyncConnectionPool": "database",
    "psycopg2.pool.SimpleConnectionPool": "database",
    "psycopg2.pool.ThreadedConnectionPool": "database",
    "databases.Database": "database",
    "motor.motor_asyncio.AsyncIOMotorClient": "database",
    "pymongo.MongoClient": "database",
    "redis.Redis": "redis",
    "redis.StrictRedis": "redis",
    "redis.from_url": "redis",
    "redis.Redis.from_url": "redis",
    "redis.asyncio.Redis": "redis",
    "redis.asyncio.from_url": "redis",
    "redis.asyncio.Redis.from_url": "redis",
    "aioredis.from_url": "redis",
    "httpx.Client": "http-client",
    "httpx.AsyncClient": "http-client",
    "aiohttp.ClientSession": "http-client",
    "requests.Session": "http-client",
}
DRIVER_CONNECTS = {"psycopg2.connect", "psycopg.connect", "pymysql.connect",
                   "mysql.connector.connect", "asyncpg.connect"}
# Imports that mean connections are pooled (ORMs and pool modules).
POOL_MARKERS = ("sqlalchemy", "psycopg2.pool", "psycopg_pool", "sqlmodel", "databases",
                "django.db", "tortoise", "peewee", "pony")

# A class of the project's own that keeps database connections: `ConnectionPool`, `DbPool`.
OWN_POOL = re.compile(r"(?:conn|connection|db|database|session)\w*pool$", re.IGNORECASE)

# Evidence: an imported module (prefix) that shows a practice is in place.
EVIDENCE_IMPORTS: dict[str, tuple[str, ...]] = {
    "rate-limit": ("slowapi", "fastapi_limiter", "flask_limiter", "django_ratelimit",
                   "ratelimit", "limits", "starlette_rate_limit", "ratelimiter",
                   "fastapi_throttle"),
    "hsts": ("secure", "flask_talisman", "talisman", "starlette_securityheaders"),
    "security-headers": ("secure", "flask_talisman", "talisman", "starlette_securityheaders",
                         "django_csp", "csp"),
    "metrics": ("prometheus_client", "prometheus_fastapi_instrumentator", "starlette_exporter",
                "starlette_prometheus", "opentelemetry", "statsd", "datadog",
                "django_prometheus", "prometheus_flask_exporter", "aioprometheus",
                "ddtrace", "newrelic", "elasticapm", "aiodogstatsd", "logfire",
                "markus",  # Mozilla's metrics library (statsd, Datadog backends)
                "gds_metrics"),  # GOV.UK's Prometheus exporter for Flask
    "structured-logging": ("structlog", "pythonjsonlogger", "python_json_logger", "ecs_logging",
                           "dockerflow.logging",
                           "json_log_formatter", "jsonlogger", "logfire"),
    "request-id": ("asgi_correlation_id", "correlation_id", "django_guid", "flask_request_id",
                   "log_request_id", "opentelemetry", "ddtrace", "starlette_context",
                   "request_id", "elasticapm", "newrelic"),  # APM agents trace each request
    "error-tracking": ("sentry_sdk", "raven", "rollbar", "bugsnag", "honeybadger", "airbrake",
                       "opentelemetry.exporter", "elasticapm", "newrelic", "ddtrace",
                       "logfire"),
    "retry": ("tenacity", "backoff", "stamina", "retrying", "aiohttp_retry", "retry",
              "urllib3.util.retry", "urllib3.Retry", "httpx_retries", "requests.adapters.Retry",
              "redo", "opnieuw"),
    "outbound-http": ("requests", "httpx", "aiohttp", "urllib3"),
    "health-route": ("fastapi_health", "healthcheck", "flask_healthz", "health_check",
                     "starlette_health", "django_health_check", "flask_healthcheck",
                     # Dockerflow's integrations serve /__heartbeat__ and /__lbheartbeat__
                     "dockerflow.fastapi", "dockerflow.flask", "dockerflow.sanic"),
    "proxy-trust": ("werkzeug.middleware.proxy_fix", "uvicorn.middleware.proxy_headers"),
    # API layers that answer every unhandled error of their endpoints themselves (a logged,
    # JSON 500: Flask-RESTful's and Flask-RESTX's `handle_error`, Connexion's problem+json)
    "error-handler": ("flask_restful", "flask_restx", "flask_smorest", "connexion"),
    # pages a browser renders: templates, HTML responses, static files, Django's admin
    "html-pages": ("fastapi.templating", "starlette.templating", "fastapi.staticfiles",
                   "starlette.staticfiles", "fastapi.responses.HTMLResponse",
                   "starlette.responses.HTMLResponse", "flask.render_template",
                   "flask.render_template_string", "flask.send_from_directory",
                   "django.shortcuts.render", "django.views.generic",
                   "django.contrib.admin", "whitenoise", "aiohttp_jinja2", "flask_admin",
                   "sqladmin"),  # not template engines alone: e-mails use them too
}
_EVIDENCE_BY_MODULE: dict[str, set[str]] = {}
for _kind, _modules in EVIDENCE_IMPORTS.items():
    for _module in _modules:
        _EVIDENCE_BY_MODULE.setdefault(_module, set()).add(_kind)

# A URL list or urlconf is served under at most this many prefixes (`api/v1/`, `api/v2/` …):
# includes repeated at every level of a crafted urlconf would otherwise multiply routes.
MAX_INCLUDE_PREFIXES = 16

# Marks a router prefix that names a setting (`\0app.core.config.settings.API_V1_STR`).
SETTING_REFERENCE = "\0"

# Calls with which a program gives up root for another user.
PRIVILEGE_DROPS = frozenset({"setuid", "setresuid", "setreuid"})

# Evidence: a string constant (lower-cased) that shows a practice.
EVIDENCE_STRINGS: dict[str, tuple[str, ...]] = {
    # Django system checks silenced on purpose: the header is sent elsewhere (the proxy)
    "hsts": ("strict-transport-security", "security.w004"),
    "security-headers": ("x-content-type-options", "x-frame-options", "frame-ancestors",
                         "content-security-policy",
                         # Django's middleware, wherever the settings are assembled
                         "django.middleware.security.securitymiddleware",
                         "django.middleware.clickjacking.xframeoptionsmiddleware",
                         "security.w002", "security.w019"),
    "request-id": ("x-request-id", "x-correlation-id", "request-id", "correlation-id",
                   "dockerflowmiddleware",  # Dockerflow sets and logs each request's id
                   "x-amzn-trace-id", "traceparent",
                   # a helper that installs the project's own middleware
                   "request_id_middleware", "requestidmiddleware", "correlation_id_middleware",
                   "elasticapm.contrib",  # the APM agent as a Django/Flask app or middleware
                   # binds a request id (or the caller's X-Request-ID) to every log line
                   "django_structlog.middlewares.requestmiddleware"),
    "structured-logging": ("pythonjsonlogger", "json_log_formatter", "jsonformatter",
                           "jsonlogformatter",  # mozilla's dockerflow.logging.JsonLogFormatter
                           "mozlogformatter",  # ... and its MozlogFormatter (mozlog JSON)
                           "ecs_logging", "structlog",
                           "log_formatter_asim", "log_formatter_ecs"),  # django-log-formatter-*
    "metrics": ("/metrics", "elasticapm.contrib",
                "edx_django_utils.monitoring"),  # Open edX's APM middlewares
    "proxy-trust": ("forwarded_allow_ips",),
}
# A logging format made of `key=value` fields (logfmt), which log stores filter by field:
# `"source=api trace_id=%(otelTraceID)s logger=%(name)s %(message)s"`; not an access-log
# format with a field or two at its end.
LOGFMT = re.compile(r"[\"']\w+=[^\n\"']*?\s\w+=%\(\w+\)s")
_EVIDENCE_BY_STRING: dict[str, set[str]] = {}
for _kind, _needles in EVIDENCE_STRINGS.items():
    for _needle in _needles:
        _EVIDENCE_BY_STRING.setdefault(_needle, set()).add(_kind)
# Last names of every call `_call` looks at; the others are skipped without a lookup.
# A name as environment variables are spelled (`BUGBUG_HTTP_SERVER`)
_UPPER_NAME = re.compile(r"\b[A-Z][A-Z0-9_]{2,}\b")
# dotenv's functions that take the file to read (or, `find_dotenv`, the name to look for)
_DOTENV_CALLS = frozenset({"load_dotenv", "find_dotenv", "dotenv_values"})


_FACT_CALLEES = (
    {f.rsplit(".", 1)[-1] for f in RESOURCE_FACTORIES}
    | {f.rsplit(".", 1)[-1] for f in DRIVER_CONNECTS}
    | {"getenv", "get", "setdefault", "putenv", "setenv", "add_middleware", "middleware",
       "add_exception_handler", "register_error_handler", "exception_handler", "errorhandler",
       "app_errorhandler",  # a Flask blueprint's handler for the whole app
       "include_router", "register_blueprint", "mount", "host", "add_api_route", "add_url_rule",
       "add_router",
       "add_route", "add_resource", "add_event_handler", "register", "signal",
       "add_signal_handler", "teardown_appcontext", "run", "HTTPAdapter", "AsyncHTTPTransport",
       "HTTPTransport", "add", "configure", "dictConfig", "Instrumentator", "instrument_app",
       "instrument", "make_asgi_app", "PrometheusMetrics", "Middleware", "ConnectionPool",
       "AsyncConnectionPool", "SimpleConnectionPool", "ThreadedConnectionPool",
       "Depends", "Security", "before_request", "before_app_request", "retry",
       "init",  # sentry_sdk.init(traces_sample_rate=…)
       "actor", "task", "shared_task",  # task queues' retry options
       "CORS", "cross_origin",
       "call_command", "Popen", "call", "check_call", "check_output",
       "create_subprocess_exec"}
    | RETRY_CALLS | {c.rsplit(".", 1)[-1] for c in RETRYING_CLIENTS} | _DOTENV_CALLS
)
# A function whose source (lower-cased) contains one of these reaches a dependency; plain
# substring tests, since a regex over every function body backtracks on large modules.
_DEPENDENCY_WORDS = ("db", "database", "engine", "session", "redis", "cache", "pool", "conn",
                     "execute", "http_client", ".objects.")  # + Django's model managers
SERVERS = ("uvicorn.", "hypercorn.", "granian.", "gunicorn.", "waitress.serve",
           "werkzeug.serving.run_simple")
# Settings with which the server terminates TLS itself (uvicorn, gunicorn, hypercorn, Flask).
TLS_KEYWORDS = {"ssl_keyfile", "ssl_certfile", "ssl_context", "certfile", "keyfile"}
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"}
RATE_LIMIT_NAME = re.compile(r"(rate_?limit|throttl)", re.IGNORECASE)
# A name that switches development behaviour on (`DEBUG`, `settings.DEBUG`, `VITE_DEV_MODE`).
_DEV_SWITCH = {"debug", "dev", "development"}
_DEV_MODES = {"debug", "dev", "development", "local"}  # values of an environment-name setting
# A comment heading a read saying the variable is deliberately left out of the docs, or unused.
_UNDOCUMENTED = re.compile(
    r"\b(?:not|un)[ -]?documented\b|\btest(?:s|ing)?[ -](?:purposes|only)\b"
    r"|\binternal (?:use|testing)\b|\bno longer used\b|\bcurrently (?:un|not )used\b"
    r"|\b(?:isn't|is not|not) (?:currently )?used at the moment\b", re.IGNORECASE)
HEALTH_SEGMENTS = {"health", "healthz", "healthcheck", "health-check", "health_check",
                   "_health", "livez", "readyz", "liveness", "readiness",
                   "__heartbeat__", "__lbheartbeat__"}  # Dockerflow's
# Words that name a health route only as the last segment of a path without parameters:
# `/status` and `/api/ping` are probes, `/flow_runs/{id}/status` is a resource's state.
WEAK_HEALTH_SEGMENTS = {"live", "ready", "ping", "alive", "status", "_status", "up",
                        "heartbeat"}
_FORMAT_SUFFIXES = frozenset({"json", "xml", "txt", "html"})


@dataclass(slots=True)
class AppFact:
    var: str
    kind: str  # fastapi | starlette | flask | django
    line: int
    column: int
    has_lifespan: bool = False
    middleware: list[str] = field(default_factory=list)  # names passed at construction
    scope: str = ""  # the function creating it ("" = module level)
    enters_context: bool = False  # that function enters the app's context (`.app_context()`)


@dataclass(slots=True)
class RouterFact:
    var: str
    kind: str
    prefix: str
    line: int


@dataclass(slots=True)
class RouteFact:
    owner: str  # variable of the app/router it is registered on ("" for Django urlpatterns)
    path: str | None  # None when not a literal
    methods: tuple[str, ...]
    line: int
    handler: str
    touches: tuple[str, ...] = ()  # names the handler (and its dependencies) reference
    can_fail: bool = False  # can answer something other than 2xx (503, raise, status=…)
    viewset: bool = False  # a DRF `router.register()`: the handler is a viewset class
    # the path is a literal passed through a helper (`org_scoped_rule("/invite/<token>")`,
    # `gettext("/about/")`): right in the usual configuration, not certain
    wrapped: bool = False
    # the handler's docstring says it checks only that the process is up ("Return ok if the
    # system is up", "doesn't do any internal checks"): a deliberate liveness probe
    shallow: bool = False


@dataclass(slots=True)
class ActionFact:
    """An extra route of a DRF viewset: `@action(detail=True, methods=["post"])`."""

    name: str
    detail: bool
    url_path: str
    methods: tuple[str, ...]


@dataclass(slots=True)
class ViewSetFact:
    """What a class that may be a DRF viewset declares: its bases (qualified), the standard
    actions it defines itself (`list`, `retrieve`, …), its extra actions and lookup name."""

    bases: tuple[str, ...]
    methods: tuple[str, ...]
    actions: tuple[ActionFact, ...]
    lookup: str = ""


@dataclass(slots=True)
class MountFact:
    owner: str  # "" for a Django include(): the target is then a urlconf module or a router
    target: str  # qualified dotted name of the router/blueprint being included
    # ("django" for the project's own Django application mounted through WSGIMiddleware)
    prefix: str
    line: int
    development: bool = False  # made only while a debug or dev-mode switch is on
    # the factory whose result the owner holds (`app = create_application()`), qualified
    built_by: str = ""


@dataclass(slots=True)
class Located:
    name: str
    line: int
    column: int = 1


@dataclass(slots=True)
class PythonFacts:
    path: str
    module: str  # dotted module name derived from the path
    imports: set[str] = field(default_factory=set)  # fully qualified imported names
    names: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    apps: list[AppFact] = field(default_factory=list)
    app_classes: dict[str, str] = field(default_factory=dict)  # module.Class -> app kind
    router_classes: dict[str, str] = field(default_factory=dict)  # module.Class -> router kind
    # top-level functions and classes whose source names a database, cache, pool or client:
    # a health handler calling one of them from another module still checks a dependency
    dependency_functions: set[str] = field(default_factory=set)
    # functions that answer 404 unless a setting turns them on (`if not
    # settings.ENABLE_HEALTHZ_ENDPOINT: raise Http404`): a route to them may be switched off
    switched_off_functions: set[str] = field(default_factory=set)
    maybe_apps: list[tuple[str, str, int, int]] = field(default_factory=list)  # var, class
    # the prefix keyword of those calls (`bp = IndicoBlueprint(…, url_prefix="/admin")`)
    maybe_prefixes: dict[str, str] = field(default_factory=dict)  # var -> prefix
    # string defaults of settings classes: `module.Settings.API_V1_STR` -> "/api/v1"
    settings_strings: dict[str, str] = field(default_factory=dict)
    viewsets: dict[str, ViewSetFact] = field(default_factory=dict)  # module.Class -> shape
    # models registered on a Django admin site: (site, app label, model name)
    admin_models: list[tuple[str, str, str]] = field(default_factory=list)
    routers: list[RouterFact] = field(default_factory=list)
    routes: list[RouteFact] = field(default_factory=list)
    mounts: list[MountFact] = field(default_factory=list)
    middleware: list[Located] = field(default_factory=list)  # registered middleware names
    exception_handlers: list[Located] = field(default_factory=list)  # exception types handled
    shutdown_hooks: list[Located] = field(default_factory=list)
    startup_hooks: list[Located] = field(default_factory=list)
    resources: list[Located] = field(default_factory=list)  # name = "kind:variable"
    driver_connects: list[Located] = field(default_factory=list)  # inside functions
    env_reads: list[Located] = field(default_factory=list)
    env_writes: set[str] = field(default_factory=set)  # os.environ[X] = …, setdefault, setenv
    # the project's modules and names it imports, relative imports resolved against its package
    # (`from .importer import X` in `pkg/api.py`: `pkg.importer.X`)
    module_imports: set[str] = field(default_factory=set)
    # upper-case names a program documents itself: its docstring (a program's or management
    # command's) and command-line options' `help=` texts (`export BUGBUG_HTTP_SERVER=…`)
    documented_names: set[str] = field(default_factory=set)
    # files a dotenv loader is given by name: `load_dotenv(find_dotenv(filename=".environment"))`
    dotenv_files: set[str] = field(default_factory=set)
    # read with a numeric or on/off default: `…, "30")`, `…, "false")`
    env_tuned: set[str] = field(default_factory=set)
    commands_called: set[str] = field(default_factory=set)  # call_command("name")
    # Python files the code starts as processes (`subprocess.Popen(["python",
    # f"service/{name}/main.py"])`), as patterns: `service/[^/]+/main\.py`
    spawned: list[str] = field(default_factory=list)
    settings_fields: list[Located] = field(default_factory=list)  # env names of BaseSettings
    evidence: set[str] = field(default_factory=set)
    scheme_checks: list[Located] = field(default_factory=list)
    worker_loops: list[Located] = field(default_factory=list)
    django_settings: dict[str, object] = field(default_factory=dict)
    # settings modules: (first line, last line, NAME) of each module-level constant, and the
    # constants set after each `from <module> import *` (resolved module -> names)
    constants: list[tuple[int, int, str]] = field(default_factory=list)
    star_overrides: dict[str, list[str]] = field(default_factory=dict)
    wildcards: set[str] = field(default_factory=set)  # constants set to "*" or a list with it
    # lines of flask-cors calls that name no origins: the app's CORS_ORIGINS setting applies
    cors_from_config: list[int] = field(default_factory=list)
    application_line: int = 0  # Django `application = get_wsgi_application()`
    has_pool: bool = False
    is_entry_point: bool = False
    test_code: bool = False  # imports pytest at module level: fixtures, plugins, test helpers
    main_serves: bool = False  # its `__main__` block starts a server (`app.run()`)
    # functions named for an app (`create_app()`) called here only to enter the app's context
    # (`create_light_app().app_context()`), and those called otherwise (plain lists: a cached
    # row reads them without a callback per file)
    context_factories: list[str] = field(default_factory=list)
    other_factories: list[str] = field(default_factory=list)
    digest: str = ""  # of the source text: fixes that edit the file prove it is unchanged


def _answers_too_many_requests(func: ast.AST) -> bool:
    """The function raises or returns a 429 response (`raise HTTPException(429, …)`,
    `status_code=429`, `HTTP_429_TOO_MANY_REQUESTS`) when a count passes a limit (`if count >
    most:`): a limiter of the requests it receives. A handler that turns a provider's rate
    limit error into a 429 answers one unconditionally."""
    for test in ast.walk(func):
        if isinstance(test, ast.If) and isinstance(test.test, ast.Compare) and any(
                isinstance(node, ast.Raise | ast.Return) and _mentions_429(node)
                for stmt in test.body for node in ast.walk(stmt)):
            return True
    return False


def _mentions_429(node: ast.AST) -> bool:
    return any((isinstance(sub, ast.Constant) and sub.value == 429) or (
        isinstance(sub, ast.Attribute | ast.Name) and "429" in dotted_name(sub))
        for sub in ast.walk(node))


def _imports_pytest(tree: ast.Module) -> bool:
    """A module-level `import pytest` / `from pytest… import`: code that needs the test runner
    to be importable at all (a `pytest11` plugin, fixtures, helpers), never a service's."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            names = [alias.name for alias in stmt.names]
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            names = [stmt.module]
        else:
            continue
        if any(n.split(".")[0] in ("pytest", "_pytest") or n.startswith("pytest_")
               for n in names):
            return True
    return False


def module_name(path: str) -> str:
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    if parts and parts[0] in ("src", "lib"):
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def extract_facts(src: PythonFile) -> PythonFacts:
    from .fix.edits import digest

    facts = _Extractor(src).run()
    facts.digest = digest(src.text)
    return facts


class _Extractor:
    def __init__(self, src: PythonFile) -> None:
        self.src = src
        self.names = src.imports
        self.facts = PythonFacts(path=src.path, module=module_name(src.path), names=self.names)
        self.constants = _module_constants(src.tree)
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {
            n.name: n for n in src.nodes(ast.FunctionDef)}
        self.functions.update((n.name, n) for n in src.nodes(ast.AsyncFunctionDef))
        self.registrations: list[ast.Call] = []
        self.instances: dict[str, str] | None = None  # module-level name -> class called
        self.param_defaults: dict[str, str] | None = None
        self.module_values: dict[str, ast.expr] | None = None
        self._harness: list[tuple[int, int]] | None = None  # see _manual_harness
        self._dev_spans: list[tuple[int, int]] | None = None  # see _development_spans
        self._route_dev_spans: list[tuple[int, int]] | None = None  # _development_route

    def q(self, node: ast.AST) -> str:
        return qualified(dotted_name(node), self.names)

    def qualify(self, node: ast.AST) -> str:
        """Like q(), and a module-level instance by its class: `bucket = TokenBucket(…)`
        makes `bucket` read as `…TokenBucket`."""
        if isinstance(node, ast.Name) and self.instances is None:
            self.instances = {t.id: self.q(stmt.value.func) for stmt in self.src.tree.body
                              if isinstance(stmt, ast.Assign)
                              and isinstance(stmt.value, ast.Call)
                              for t in stmt.targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.Name) and self.instances and node.id in self.instances:
            return self.instances[node.id]
        return self.q(node)

    def run(self) -> PythonFacts:
        facts = self.facts
        facts.imports = set(self.names.values())
        facts.module_imports = self._module_imports()
        for imported in facts.imports:
            parts = imported.split(".")
            for i in range(1, len(parts) + 1):
                facts.evidence.update(_EVIDENCE_BY_MODULE.get(".".join(parts[:i]), ()))
            if (parts[-1].endswith("Metrics") and "metrics" in parts[:-1]) or \
                    "statsd" in parts[1:]:
                # a shared library's `dmutils.metrics.DMGDSMetrics` or its StatsD client
                # (`from baseframe import statsd`)
                facts.evidence.add("metrics")
            if any("tracing" in part.split("_") for part in parts):
                # a team's shared tracing package (`from gcp_tracing import tracing`): its
                # trace context ties one request's work together across services
                facts.evidence.add("request-id")
        facts.has_pool = any(i.startswith(POOL_MARKERS) for i in facts.imports) or any(
            isinstance(node, ast.ClassDef) and OWN_POOL.search(node.name)
            for node in self.src.tree.body)
        facts.is_entry_point = self._is_entry_point()
        facts.documented_names = self._documented_names(facts.is_entry_point)
        facts.test_code = _imports_pytest(self.src.tree)
        facts.main_serves = any(self._starts_server(stmt) for stmt in self.src.tree.body
                                if isinstance(stmt, ast.If) and is_main_guard(stmt.test))
        nodes = self.src.nodes
        wrappers = self._resource_wrappers()
        for name in _FACT_CALLEES:
            for call in self.src.calls(name):
                self._call(call)
        self._app_factory_uses()
        for wrapper in wrappers:  # api.add_org_resource(Resource, "/a", "/b")
            for call in self.src.calls(wrapper):
                owner = dotted_name(call.func).rsplit(".", 1)[0]
                if len(call.args) < 2 or isinstance(call.args[0], ast.Starred):
                    continue
                handler = dotted_name(call.args[0])
                for path_node in call.args[1:]:
                    if not isinstance(path_node, ast.Starred):
                        self._add_route(owner, path_node, handler, call.lineno,
                                        self._methods(call))
        for assign in nodes(ast.Assign):
            self._assign(assign)
        for annotated in nodes(ast.AnnAssign):
            self._assign(annotated)
        for func in nodes(ast.FunctionDef):
            self._function(func)
        for afunc in nodes(ast.AsyncFunctionDef):
            self._function(afunc)
        for call in self.src.calls(""):  # `app.post("/x")(handler)`: a decorator called by hand
            self._decorator_call(call)
        # Header names and the like: one pass over the source beats one per string constant
        # (a mention in a comment counts too, which only ever spares a "no X" finding).
        lowered = self.src.text.lower()
        functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
            *nodes(ast.FunctionDef), *nodes(ast.AsyncFunctionDef)]
        if "setuid" in lowered or "drop_priv" in lowered:
            # a program that gives up root itself (an image's Python entrypoint)
            for call in nodes(ast.Call):
                name = dotted_name(call.func)
                if name.rsplit(".", 1)[-1] in PRIVILEGE_DROPS or "drop_priv" in name.lower():
                    facts.evidence.add("drops-privileges")
                    break
        if "drops-privileges" not in facts.evidence and "os.exec" in lowered and (
                any(_execs_as_user(call) for call in self.src.calls(*_EXECS))):
            facts.evidence.add("drops-privileges")  # `os.execv(…, ["rspamd", "-u", "rspamd"])`
        if "rate-limit" not in facts.evidence and mentions_limiter(lowered):
            for call in nodes(ast.Call):  # the project's own limiter, called by name
                if LIMITER_NAME.search(dotted_name(call.func)):
                    facts.evidence |= call_evidence(call, self.q(call.func), self.qualify)
            if "rate-limit" not in facts.evidence and "429" in lowered and any(
                    LIMITER_NAME.search(func.name) and _answers_too_many_requests(func)
                    for func in functions):
                facts.evidence.add("rate-limit")  # its own limiter answers 429 to the client
        if "logstash" in lowered and "logstashformatter" in lowered.replace("_", ""):
            # a structured formatter the logging configuration names: if no JSON logging is
            # found, it is defined but the handlers log text
            facts.evidence.add("structured-formatter")
        if ("rev-parse" in lowered or "describe" in lowered) and _GIT_IN_CODE.search(lowered):
            facts.evidence.add("reads-git")  # the program reads its checkout's git metadata
        if "setuptools_scm" in lowered and "get_version" in lowered and any(
                qualified(dotted_name(c.func), self.src.imports) == "setuptools_scm.get_version"
                for c in self.src.calls("get_version")) and not self.src.path.endswith(
                "setup.py"):
            facts.evidence.add("reads-git")  # asks setuptools-scm for its version at run time
        if "error-handler" not in facts.evidence and ("call_next" in lowered or (
                "self.app(" in lowered or "self.get_response(" in lowered)):
            if any(_answers_every_failure(t) for t in nodes(ast.Try)):
                facts.evidence.add("error-handler")  # a middleware that turns errors into 500s
        if "timeoutsauce" in lowered and any(
                dotted_name(target).endswith("adapters.TimeoutSauce")
                for assign in nodes(ast.Assign) for target in assign.targets):
            # `requests.adapters.TimeoutSauce = CustomTimeout`: every requests call made after
            # this module is imported gets the patched default timeout
            facts.evidence.add("requests-default-timeout")
        if "retry" not in facts.evidence and ("retries" in lowered or "retry_on" in lowered) \
                and any(configures_retries(call) for call in nodes(ast.Call)):
            # OpenSearch(max_retries=10, retry_on_timeout=True), botocore Config(retries=…)
            facts.evidence.add("retry")
        self._drf_registrations()
        self._admin_registrations()
        facts.apps = _one_per_variable(facts.apps)
        lines = self.src.lines
        for stmt in self.src.tree.body:
            # and classes: a class-based view (`HealthCheckView.as_view()`) routed elsewhere
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and \
                    _mentions_any("\n".join(lines[stmt.lineno:stmt.end_lineno or stmt.lineno]
                                            ).lower(), _DEPENDENCY_WORDS):
                facts.dependency_functions.add(stmt.name)
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    _switched_off_by_default(stmt):
                facts.switched_off_functions.add(stmt.name)
        for cls in nodes(ast.ClassDef):
            self._class(cls)
        for needle, kinds in _EVIDENCE_BY_STRING.items():
            if needle in lowered:
                facts.evidence.update(kinds)
        if "=%(" in lowered and LOGFMT.search(lowered):
            facts.evidence.add("structured-logging")
        for compare in nodes(ast.Compare):
            self._compare(compare)
        for sub in nodes(ast.Subscript):  # os.environ["NAME"]
            key = sub.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and qualified(
                    dotted_name(sub.value), self.names) == "os.environ" and not (
                    isinstance(sub.value, ast.Name) and self._parameter(sub, "environ")):
                if not isinstance(sub.ctx, ast.Load):
                    facts.env_writes.add(key.value)
                elif not self._dev_only(sub):
                    facts.env_reads.append(Located(key.value, sub.lineno, sub.col_offset + 1))
        facts.scheme_checks += [Located("request.is_secure", n.lineno)
                                for n in nodes(ast.Attribute) if n.attr == "is_secure"
                                and _is_request(dotted_name(n.value))
                                and self._secures_transport(n)]
        tries = [t.lineno for t in nodes(ast.Try)]
        if "retry" not in facts.evidence and tries:
            for for_loop in [*nodes(ast.For), *nodes(ast.AsyncFor)]:
                end = for_loop.end_lineno or for_loop.lineno
                if not any(for_loop.lineno < line <= end for line in tries):
                    continue  # no try inside: no hand-written retry, no walk of its body
                found = loop_evidence(for_loop)
                if found:
                    facts.evidence |= found
                    break
        if "retry" not in facts.evidence and any(w in lowered for w in ATTEMPT_WORDS) and any(
                raises_attempt_count(call) for func in functions
                for call in self.src.calls(func.name)
                if func.lineno < call.lineno <= (func.end_lineno or func.lineno)):
            facts.evidence.add("retry")  # a function calling itself with one more attempt
        for loop in nodes(ast.While):
            if _is_true(loop.test) and _waits(loop) and not _retries_until_success(loop) and (
                    facts.is_entry_point) and not self._inside_function_except_main(loop) and (
                    not self._runs_server(loop)):
                facts.worker_loops.append(Located("while True", loop.lineno,
                                                  loop.col_offset + 1))
        self._django()
        return facts

    # ------------------------------------------------------------------ pieces

    def _is_entry_point(self) -> bool:
        if self.src.path.rsplit("/", 1)[-1] in ENTRY_POINT_NAMES:
            return True
        # the test's text fields, not ast.dump: its recursive closure would outlive the file
        return any(isinstance(s, ast.If) and any(
            isinstance(value, str) and "__name__" in value
            for n in ast.walk(s.test) for _, value in ast.iter_fields(n))
                   for s in self.src.tree.body)

    def _inside_function_except_main(self, node: ast.AST) -> bool:
        for outer in self.src.ancestors(node):
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                return outer.name not in ("main", "run", "serve", "worker", "loop", "run_forever")
        return False

    def _compare(self, node: ast.Compare) -> None:
        left = dotted_name(node.left)
        if _is_request(left) and left.endswith((".path", ".path_info", ".url.path")) and any(
                _names_health_path(c) for c in node.comparators):
            self.facts.evidence.add("health-route")  # a middleware answers the probe itself
        if _is_request(left) and left.endswith((".url.scheme", ".scheme")) and any(
                isinstance(c, ast.Constant) and c.value in ("https", "http")
                for c in node.comparators):
            if self._secures_transport(node):
                self.facts.scheme_checks.append(Located(left, node.lineno))

    def _secures_transport(self, node: ast.AST) -> bool:
        """The scheme read sits in code that sends HSTS or redirects to https (a middleware),
        not in code that builds links or cookie flags from it, or checks that a `next` URL
        is safe before redirecting there."""
        scope: ast.AST = self.src.function_of(node) or self.src.tree
        texts = [n.value.lower() for n in ast.walk(scope)
                 if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        if any("strict-transport-security" in text for text in texts):
            return True
        return any("https" in text for text in texts) and any(
            isinstance(n, ast.Call) and "redirect" in dotted_name(n.func).lower()
            for n in ast.walk(scope))

    def _assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        value = node.value
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        target = dotted_name(targets[0]) if targets else ""
        if target == "application" and isinstance(value, ast.Call):
            self.facts.application_line = node.lineno
        if target.lower() == "forwarded_allow_ips":  # gunicorn.conf.py
            self.facts.evidence.add("proxy-trust")
        if target.rsplit(".", 1)[-1] in TLS_KEYWORDS and not (
                isinstance(value, ast.Constant) and not value.value):
            self.facts.evidence.add("tls")  # gunicorn.conf.py / hypercorn config.certfile
        if not isinstance(value, ast.Call) or not target:
            # a setting, not a module's private constant (`_RATE_LIMIT_SCRIPT = """…"""`,
            # the Lua script of a task limiter)
            if target.isupper() and is_inbound_rate_limit_setting(target) and \
                    not target.startswith("_") and not (isinstance(value, ast.Constant) and
                                                        "\n" in str(value.value)):
                self.facts.evidence.add("rate-limit-config")  # RATE_LIMIT_PER_MINUTE = 60
            return
        factory = self.q(value.func)
        kind = APP_FACTORIES.get(factory)
        if kind is None and factory.rsplit(".", 1)[-1][:1].isupper():
            # maybe the project's own subclass of Flask/FastAPI (`app = Redash()`): the
            # service model resolves it against the app classes of every file
            local = factory if "." in factory else f"{self.facts.module}.{factory}"
            self.facts.maybe_apps.append((target, local, node.lineno, node.col_offset + 1))
            prefix = self._prefix_kw(value, "url_prefix") or self._prefix_kw(value, "prefix")
            if prefix:  # or a subclass of a Blueprint / APIRouter, with its prefix
                self.facts.maybe_prefixes[target] = prefix
        if kind is not None and self._demo_app(node):
            return
        if kind is not None:
            scope = self._scope(node)
            self.facts.apps.append(AppFact(
                var=target, kind=kind, line=node.lineno, column=node.col_offset + 1,
                has_lifespan=any(kw.arg in ("lifespan", "on_shutdown") for kw in value.keywords),
                middleware=_middleware_names(value), scope=scope,
                enters_context=bool(scope) and self._context_use(target, node)[0],
            ))
            for kw in value.keywords:
                if kw.arg == "exception_handlers":
                    self.facts.exception_handlers.append(Located("constructor", node.lineno))
                if kw.arg == "routes":
                    self._starlette_routes(target, kw.value, "")
            return
        kind = ROUTER_FACTORIES.get(factory)
        if kind is None and factory.rsplit(".", 1)[-1] in DRF_ROUTERS:
            kind = "drf-router"  # a project's own DRF router subclass (taiga.base.routers)
        if kind is not None:
            prefix = self._prefix_kw(value, "prefix" if kind == "router" else "url_prefix")
            self.facts.routers.append(RouterFact(target, kind, prefix or "", node.lineno))
            if kind == "drf-router" and factory.endswith("DefaultRouter"):
                # a DefaultRouter serves an API root view at its own prefix
                self._add_route(target, ast.Constant("/"), "APIRootView", node.lineno, ("GET",))
            routes = keyword(value, "routes")
            if routes is not None:
                self._starlette_routes(target, routes.value, "")
            return
        resource = RESOURCE_FACTORIES.get(factory)
        if resource == "database" and sqlite_url(database_url(value)):
            resource = None  # a local file: no server to lose, nothing for a probe to check
        if resource is not None:
            self.facts.resources.append(Located(f"{resource}:{target}", node.lineno))
        if target.endswith(("wsgi_app", "asgi_app")) and "ProxyFix" in factory:
            self.facts.evidence.add("proxy-trust")

    def _documented_names(self, program: bool) -> set[str]:
        # a program's or management command's docstring is what its user reads (`--help`,
        # the file they run); a library module's is for its developers
        texts = [ast.get_docstring(self.src.tree, clean=False) or ""] if program or \
            "/management/commands/" in f"/{self.src.path}" else []
        texts += [kw.value.value for kw in self.src.nodes(ast.keyword) if kw.arg == "help"
                  and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)]
        return {name for text in texts if text for name in _UPPER_NAME.findall(text)}

    def _module_imports(self) -> set[str]:
        found: set[str] = set()
        package = self.facts.module.split(".") if self.facts.module else []
        if not self.src.path.endswith("__init__.py"):
            package = package[:-1]
        for node in self.src.nodes(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
                continue
            assert isinstance(node, ast.ImportFrom)
            if node.level:
                if node.level - 1 > len(package):
                    continue  # above the repository
                base = package[:len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module:
                found.update(f"{module}.{alias.name}" for alias in node.names)
        return found

    def _call(self, call: ast.Call) -> None:
        facts = self.facts
        name = dotted_name(call.func)
        full = qualified(name, self.names)
        last = name.rsplit(".", 1)[-1]
        owner = name.rsplit(".", 1)[0] if "." in name else ""
        if RESOURCE_FACTORIES.get(full) == "database" or full.startswith(
                ("psycopg2.pool.", "psycopg_pool.")):
            facts.has_pool = True
        # reads of the process environment only: setdefault() and pop() write it, and a bare
        # `environ` not imported from os is a WSGI/ASGI request's environ
        if (full in ("os.getenv", "os.environ.get") or last == "getenv") and not (
                name.startswith("environ.") and self._parameter(call, "environ")):
            key = call.args[0] if call.args else None
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and (
                    not self._dev_only(call)):
                facts.env_reads.append(Located(key.value, call.lineno, call.col_offset + 1))
                default = call.args[1] if len(call.args) > 1 else next(
                    (kw.value for kw in call.keywords if kw.arg == "default"), None)
                if _numeric(default) or _switch(default):
                    facts.env_tuned.add(key.value)
        elif (full in ("os.environ.setdefault", "os.putenv") or last == "setenv") and (
                call.args and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[0].value, str)):
            facts.env_writes.add(call.args[0].value)  # the project sets it itself
        elif full.startswith("dotenv.") and last in _DOTENV_CALLS:
            given = call.args[0] if call.args else next(
                (kw.value for kw in call.keywords if kw.arg in ("dotenv_path", "filename")), None)
            if isinstance(given, ast.Constant) and isinstance(given.value, str) and given.value:
                facts.dotenv_files.add(given.value)
        elif full in DRIVER_CONNECTS and self._in_function(call):
            facts.driver_connects.append(Located(full, call.lineno, call.col_offset + 1))
        elif last in ("CORS", "cross_origin") and keyword(call, "origins") is None and \
                keyword(call, "resources") is None:
            facts.cors_from_config.append(call.lineno)
        elif last == "add_middleware" and call.args:
            facts.middleware.append(Located(dotted_name(call.args[0]) or "?", call.lineno))
            self._middleware_evidence(dotted_name(call.args[0]), call)
        elif last == "call_command" and call.args and isinstance(call.args[0], ast.Constant) \
                and isinstance(call.args[0].value, str):
            facts.commands_called.add(call.args[0].value)  # a management command run by code
        elif full in SPAWNERS and call.args:
            facts.spawned += _spawned_scripts(call.args[0])
        elif last == "middleware" and owner and call.args:
            facts.middleware.append(Located("http-middleware", call.lineno))
        elif last in ("add_exception_handler", "register_error_handler", "exception_handler",
                      "errorhandler", "app_errorhandler") and call.args:
            for handled in self._loop_values(call, call.args[0]):
                facts.exception_handlers.append(Located(_exc_name(handled), call.lineno))
        elif last in ("include_router", "register_blueprint", "mount", "host", "add_router"
                      ) and call.args:
            target_node: ast.AST = call.args[0]
            prefix = self._prefix_kw(call, "prefix" if last == "include_router" else "url_prefix")
            if last in ("mount", "host", "add_router"):
                # mount(path, app), mount(path, app=…), host(name, app), add_router(path, router)
                app_kw = keyword(call, "app") or keyword(call, "router")
                target_node = call.args[1] if len(call.args) > 1 else (
                    app_kw.value if app_kw is not None else call.args[0])
                prefix = (self._literal_str(call.args[0]) or "") if last != "host" else ""
            target = self._mounted_app(target_node)
            if target:
                facts.mounts.append(MountFact(owner, target, prefix or "", call.lineno,
                                              self._development_route(call.lineno),
                                              self._built_by(call, owner)))
        elif last == "add_resource" and self._forwards_a_parameter(call):
            return  # the body of a registration helper: its callers register the routes
        elif last in ("add_api_route", "add_url_rule", "add_route", "add_resource") and call.args:
            path_node = call.args[1] if last == "add_resource" and len(call.args) > 1 else (
                call.args[0])
            handler = call.args[0] if last == "add_resource" else (
                call.args[1] if len(call.args) > 1 else None)
            if handler is None:
                view = keyword(call, "view_func") or keyword(call, "endpoint")
                handler = view.value if view is not None else None
            if last == "add_url_rule":  # add_url_rule(rule, endpoint, view_func)
                view = keyword(call, "view_func")
                handler = view.value if view is not None else (
                    call.args[2] if len(call.args) > 2 else handler)
            elif last == "add_route" and len(call.args) > 2 and (
                    self._literal_str(call.args[0]) or "").upper() in HTTP_METHODS:
                path_node, handler = call.args[1], call.args[2]  # aiohttp: (method, path, handler)
            rows = self._route_table(call, path_node, handler)
            if rows and "." not in owner:  # a registration helper's blueprint parameter
                func = self.src.function_of(call)
                owner = (self._passed_name(func, owner) if func else None) or owner
            for row_path, row_handler, row_line in rows or [(path_node, handler, call.lineno)]:
                name = dotted_name(row_handler) if row_handler is not None else ""
                self._add_route(owner, row_path, name, row_line, self._methods(call),
                                self.functions.get(name.rsplit(".", 1)[-1]) if name else None)
        elif last == "add_event_handler" and call.args and self._literal_str(
                call.args[0]) in ("shutdown", "startup"):
            event = self._literal_str(call.args[0])
            hooks = facts.shutdown_hooks if event == "shutdown" else facts.startup_hooks
            hooks.append(Located(f"add_event_handler({event})", call.lineno))
        elif last == "register" and owner and full != "atexit.register" and len(call.args) > 1:
            self.registrations.append(call)  # maybe a DRF router: known once routers are
        elif full in ("atexit.register", "signal.signal") or last in (
                "add_signal_handler", "teardown_appcontext"):
            facts.shutdown_hooks.append(Located(full or last, call.lineno))
        elif full == "uvicorn.run" and keyword(call, "forwarded_allow_ips") is not None:
            facts.evidence.add("proxy-trust")
        elif (last in ("add", "configure") and "loguru" in full and keyword(call, "serialize")
              ) or (last == "dictConfig" and "json" in ast.dump(call).lower()):
            facts.evidence.add("structured-logging")
        elif last in ("Instrumentator", "instrument_app", "instrument", "make_asgi_app",
                      "PrometheusMetrics"):
            facts.evidence.add("metrics")
        if last in ("Middleware",) and call.args:
            self._middleware_evidence(dotted_name(call.args[0]), call)
        if last == "run" and any(kw.arg in TLS_KEYWORDS for kw in call.keywords):
            facts.evidence.add("tls")  # uvicorn.run(ssl_keyfile=…), app.run(ssl_context=…)
        facts.evidence |= call_evidence(call, full, self.qualify)

    def _middleware_evidence(self, name: str, call: ast.Call) -> None:
        low = name.lower()
        if RATE_LIMIT_NAME.search(low) or "limiter" in low:
            self.facts.evidence.add("rate-limit")
        if "proxyheaders" in low and keyword(call, "trusted_hosts") is not None:
            self.facts.evidence.add("proxy-trust")
        if "httpsredirect" in low:
            self.facts.scheme_checks.append(Located(name, call.lineno))
        if "correlation" in low or "requestid" in low.replace("_", ""):
            self.facts.evidence.add("request-id")
        if "prometheus" in low or "metrics" in low or "opentelemetry" in low:
            self.facts.evidence.add("metrics")
        if "securityheaders" in low.replace("_", "") or "secure" in low:
            self.facts.evidence.add("security-headers")

    def _function(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        facts = self.facts
        if func.decorator_list:
            facts.evidence |= decorator_evidence(func, self.qualify)
        for deco in func.decorator_list:
            call = deco if isinstance(deco, ast.Call) else None
            name = dotted_name(call.func if call else deco)
            last = name.rsplit(".", 1)[-1]
            owner = name.rsplit(".", 1)[0] if "." in name else ""
            if call is None:
                if last == "teardown_appcontext":  # Flask's hook for app-level clean-up
                    facts.shutdown_hooks.append(Located("teardown_appcontext", func.lineno))
                if last in ("before_serving", "before_first_request"):
                    facts.startup_hooks.append(Located(f"{last} {func.name}", func.lineno))
                if last == "after_serving":
                    facts.shutdown_hooks.append(Located(f"after_serving {func.name}", func.lineno))
                if last in ("asynccontextmanager", "contextmanager") and "lifespan" in func.name:
                    facts.shutdown_hooks.append(Located("lifespan", func.lineno))
                continue
            if last in ROUTE_DECORATORS and owner and call.args:
                methods = (last.upper(),) if last not in ("route", "api_route") else (
                    self._methods(call))
                self._add_route(owner, call.args[0], func.name, func.lineno, methods, func)
            elif last == "on_event" and call.args and self._literal_str(
                    call.args[0]) in ("shutdown", "startup"):
                event = self._literal_str(call.args[0])
                hooks = facts.shutdown_hooks if event == "shutdown" else facts.startup_hooks
                hooks.append(Located(f"on_event({event}) {func.name}", func.lineno))
            elif last in ("exception_handler", "errorhandler", "app_errorhandler") and call.args:
                facts.exception_handlers.append(Located(_exc_name(call.args[0]), func.lineno))
        if func.name == "lifespan" or (any(a.arg == "app" for a in func.args.args) and any(
                isinstance(n, ast.Yield) for n in ast.walk(func))):
            facts.shutdown_hooks.append(Located("lifespan", func.lineno))

    def _dev_only(self, node: ast.AST) -> bool:
        """An environment read that is not the deployment's configuration: in a test or
        development class or a library's manual harness, in a function named for debugging,
        in the body of `if DEBUG:` / `if VITE_DEV_MODE:`, or below a comment saying the
        variable is deliberately undocumented."""
        if self._in_dev_class(node):
            return True
        line = getattr(node, "lineno", 0)
        if self._dev_spans is None:
            self._dev_spans = self._development_spans()
        if any(first <= line <= last for first, last in self._dev_spans):
            return True
        return any(_UNDOCUMENTED.search(text) for text in self._heading_comments(line))

    def _heading_comments(self, line: int) -> list[str]:
        """The comment lines heading the paragraph (lines since the last blank one, at most
        a dozen) that holds `line`: a note above a group of settings covers each of them."""
        out = []
        for number in range(line - 1, max(line - 13, 0), -1):
            text = self.src.source_line(number).strip()
            if not text:
                break
            if text.startswith("#"):
                out.append(text)
        return out

    def _development_spans(self) -> list[tuple[int, int]]:
        """Line spans that only run in development: functions named for debugging and the
        bodies (not the `else`) of an `if` on a debug or dev-mode switch."""
        spans = []
        for func in self.src.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and "debug" in _words(
                    func.name):
                spans.append((func.lineno, func.end_lineno or func.lineno))
        return spans + self._debug_switch_spans()

    def _debug_switch_spans(self) -> list[tuple[int, int]]:
        """The bodies (not the `else`) of an `if` on a debug or dev-mode switch."""
        spans = []
        for branch in self.src.nodes(ast.If):
            if isinstance(branch.test, ast.UnaryOp) or not branch.body:
                continue  # `if not DEBUG:` guards production
            words = {w for n in ast.walk(branch.test) if isinstance(n, ast.Name | ast.Attribute)
                     for w in _words(n.id if isinstance(n, ast.Name) else n.attr)}
            if _DEV_SWITCH & words:
                spans.append((branch.body[0].lineno,
                              branch.body[-1].end_lineno or branch.body[-1].lineno))
        return spans

    def _development_route(self, line: int) -> bool:
        """A route or router registered in the body of `if DEBUG:` or of a comparison of a
        setting with a development mode (`if settings.ENV == "development":`)."""
        if self._route_dev_spans is None:  # (a handler named `debug_…` is still served)
            self._route_dev_spans = [*self._debug_switch_spans(), *(
                (b.body[0].lineno, b.body[-1].end_lineno or b.body[-1].lineno)
                for b in self.src.nodes(ast.If)
                if isinstance(b, ast.If) and b.body and _compares_with_dev_mode(b.test))]
        return any(first <= line <= last for first, last in self._route_dev_spans)

    def _in_dev_class(self, node: ast.AST) -> bool:
        """Inside a test or development configuration class (`class TestingConfig`), or in
        a library module's manual harness: its `if __name__ == "__main__":` block and the
        functions only that block calls. A service's entry point (`main.py`, a block that
        starts a server) is configuration read in production, and stays."""
        line = getattr(node, "lineno", 0)
        if in_dev_class(self.src, line):
            return True
        if self._harness is None:
            self._harness = self._manual_harness()
        return any(first <= line <= last for first, last in self._harness)

    def _app_factory_uses(self) -> None:
        """Sort the functions named for an app by how this file calls them: only to enter
        the app's context (`create_light_app().app_context()`), or otherwise."""
        for name in self.src.call_names():
            if not _APP_WORD.search(name) or name in CONTEXT_METHODS:
                continue
            # qualified, so that one package's job factory is not another's server factory
            full = qualified(name, self.names)
            if full == name and name in self.functions:
                full = f"{self.facts.module}.{name}"
            if all(self._enters_context(call) for call in self.src.calls(name)):
                self.facts.context_factories.append(full)
            else:
                self.facts.other_factories.append(full)

    def _enters_context(self, call: ast.Call) -> bool:
        parent = self.src.parent(call)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(
                parent.targets[0], ast.Name):  # `application = create_app()`, then its context
            return self._context_use(parent.targets[0].id, parent)[1]
        return isinstance(parent, ast.Attribute) and parent.attr in CONTEXT_METHODS and \
            isinstance(self.src.parent(parent), ast.Call)

    def _context_use(self, var: str, node: ast.AST) -> tuple[bool, bool]:
        """How the function (or module) around `node` uses the app in `var`: whether it
        enters the app's context (`with app.app_context():`), and whether that is all it does
        besides reading the app's logger and configuration."""
        entered = other = False
        for sub in ast.walk(self.src.function_of(node) or self.src.tree):
            if isinstance(sub, ast.Name) and sub.id == var and isinstance(sub.ctx, ast.Load):
                parent = self.src.parent(sub)
                attr = parent.attr if isinstance(parent, ast.Attribute) else ""
                if attr in CONTEXT_METHODS:
                    entered = True
                elif attr not in ("logger", "config"):
                    other = True
        return entered, entered and not other

    def _demo_app(self, node: ast.AST) -> bool:
        """An app created in the `__main__` block of a module that is no entry point by name
        (a router module trying its routes by hand): the service imports the module and
        never runs that block."""
        return in_manual_harness(self.src, getattr(node, "lineno", 0))

    def _manual_harness(self) -> list[tuple[int, int]]:
        """Line spans of the `__main__` block of a module that is no entry point by name and
        starts no server there, and of the module functions called only from that block."""
        tree = self.src.tree
        if self.src.path.rsplit("/", 1)[-1] in ENTRY_POINT_NAMES:
            return []
        blocks = [s for s in tree.body if isinstance(s, ast.If) and is_main_guard(s.test)]
        if not blocks or any(self._starts_server(b) for b in blocks):
            return []
        spans = [(b.lineno, b.end_lineno or b.lineno) for b in blocks]
        functions = {s.name: s for s in tree.body
                     if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
        calls: dict[str, list[int]] = {}
        for call in self.src.nodes(ast.Call):
            if isinstance(call.func, ast.Name) and call.func.id in functions:
                calls.setdefault(call.func.id, []).append(call.lineno)
        for name, lines in calls.items():
            if all(any(a <= ln <= b for a, b in spans[:len(blocks)]) for ln in lines):
                fn = functions[name]
                spans.append((fn.lineno, fn.end_lineno or fn.lineno))
        return spans

    def _starts_server(self, block: ast.If) -> bool:
        """The block serves: a server library (`uvicorn.run`), a serving call (`serve`,
        `run_app`, the module's `main()`), or an app, server or bot told to run or start
        (`app.run()`; a connector's `runner.run(...)` is a job, not a server)."""
        for node in ast.walk(block):
            if not isinstance(node, ast.Call):
                continue
            *receiver, last = dotted_name(node.func).split(".")
            if self.q(node.func).startswith(SERVERS) or last in _SERVING_CALLS:
                return True
            if last in ("run", "start") and receiver and _words(receiver[-1]) & _SERVING_OWNERS:
                return True
        return False

    def _runs_server(self, loop: ast.While) -> bool:
        """A loop that (re)starts a web server (`uvicorn.run`, `server.serve()`): the server
        handles SIGTERM itself, so the loop is a supervisor, not a worker loop."""
        for node in ast.walk(loop):
            if isinstance(node, ast.Call):
                full = self.q(node.func)
                if full.startswith(SERVERS) or full.rsplit(".", 1)[-1] in (
                        "serve", "serve_forever"):
                    return True
        return False

    def _loop_values(self, call: ast.Call, node: ast.AST) -> list[ast.AST]:
        """`for code in (404, 500): app.register_error_handler(code, …)`: the literal values
        a loop variable takes; the node itself otherwise."""
        if isinstance(node, ast.Name):
            chain = self.src.ancestors(call)
            branch: ast.AST = call
            for outer in chain:
                if isinstance(outer, ast.If) and any(branch is stmt for stmt in outer.body):
                    chosen = _equal_literal(outer.test, node.id)
                    if chosen is not None:
                        return [chosen]  # `if code == 500:` inside the loop
                if isinstance(outer, ast.For) and isinstance(outer.target, ast.Name) and (
                        outer.target.id == node.id):
                    if branch is outer.body[0] and len(outer.body) == 1 and \
                            self.q(outer.iter).endswith("exceptions.default_exceptions"):
                        # werkzeug's table of every HTTP error, 500 included
                        return [ast.Constant(500)]
                    return self._iterated(outer.iter, chain) or [node]
                branch = outer
        return [node]

    def _iterated(self, iterable: ast.AST, chain: list[ast.AST]) -> list[ast.AST]:
        """The literal items a loop runs over: a literal collection, a name bound to one in
        the enclosing function, or the values of `for key, values in table.items()` over a
        literal dict of lists."""
        if isinstance(iterable, ast.List | ast.Tuple | ast.Set):
            return list(iterable.elts)
        if not isinstance(iterable, ast.Name):
            return []
        for outer in chain:
            if isinstance(outer, ast.For) and isinstance(outer.target, ast.Tuple) and \
                    len(outer.target.elts) == 2 and isinstance(outer.target.elts[1], ast.Name) \
                    and outer.target.elts[1].id == iterable.id and \
                    isinstance(outer.iter, ast.Call) and \
                    isinstance(outer.iter.func, ast.Attribute) and \
                    outer.iter.func.attr in ("items", "iteritems"):
                table = self._bound_literal(outer.iter.func.value, chain)
                if isinstance(table, ast.Dict):
                    return [item for value in table.values
                            for item in self._iterated(value, chain)]
        bound = self._bound_literal(iterable, chain)
        return list(bound.elts) if isinstance(bound, ast.List | ast.Tuple | ast.Set) else []

    def _bound_literal(self, name: ast.AST, chain: list[ast.AST]) -> ast.AST | None:
        """The value a name is assigned in the innermost enclosing function, or at module
        level; for a parameter of that function, the module-level value that its one
        same-file caller passes (`setup_urls(bp, URLS)`)."""
        if not isinstance(name, ast.Name):
            return None
        scope = next((n for n in chain if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)),
                     None)
        if scope is None:
            return self._module_values().get(name.id)
        for stmt in scope.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name.id:
                return stmt.value
        passed = self._passed_name(scope, name.id)
        return self._module_values().get(passed) if passed else None

    def _passed_name(self, func: ast.FunctionDef | ast.AsyncFunctionDef, param: str
                     ) -> str | None:
        """The one name every same-file call of `func` passes for its parameter `param`
        (`setup_urls(bp, URLS)` binds `urls` to `URLS`)."""
        params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
        if param not in params:
            return None
        passed = set()
        for caller in self.src.calls(func.name):
            index = params.index(param) - (isinstance(caller.func, ast.Attribute)
                                           and params[0] in ("self", "cls"))
            arg = caller.args[index] if 0 <= index < len(caller.args) else next(
                (kw.value for kw in caller.keywords if kw.arg == param), None)
            if not isinstance(arg, ast.Name):
                return None
            passed.add(arg.id)
        return passed.pop() if len(passed) == 1 else None

    def _module_values(self) -> dict[str, ast.expr]:
        """Module-level names bound once to a literal collection (`URLS = [(…), …]`)."""
        if self.module_values is None:
            self.module_values = {}
            for stmt in self.src.tree.body:
                target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(
                    stmt.targets) == 1 else (stmt.target if isinstance(stmt, ast.AnnAssign)
                                             else None)
                value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
                if isinstance(target, ast.Name) and isinstance(
                        value, ast.List | ast.Tuple | ast.Set | ast.Dict):
                    self.module_values[target.id] = value
        return self.module_values

    def _route_table(self, call: ast.Call, path_node: ast.AST, handler: ast.AST | None
                     ) -> list[tuple[ast.AST, ast.AST | None, int]]:
        """Routes a loop registers from a literal table (`for rule, view in RULES:
        bp.add_url_rule(rule, view_func=view)`): each row's path, handler and line."""
        if not isinstance(path_node, ast.Name):
            return []
        chain = self.src.ancestors(call)
        loop = next((n for n in chain if isinstance(n, ast.For)), None)
        if loop is None:
            return []
        handler_root = _root_name(handler)
        # the row's layouts by length: the loop's own tuple target, or `a, b = row` inside it
        layouts: dict[int | None, list[str]] = {}
        if isinstance(loop.target, ast.Tuple):
            layouts[len(loop.target.elts)] = [_root_name(e) for e in loop.target.elts]
        elif isinstance(loop.target, ast.Name) and loop.target.id != path_node.id:
            for node in ast.walk(loop):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                        node.targets[0], ast.Tuple) and isinstance(node.value, ast.Name) and (
                        node.value.id == loop.target.id):
                    layouts[len(node.targets[0].elts)] = [_root_name(e)
                                                          for e in node.targets[0].elts]
        elif isinstance(loop.target, ast.Name):
            layouts[None] = [path_node.id]  # `for rule in RULES:` over bare paths
        if not layouts:
            return []
        rows = []
        for row in self._iterated(loop.iter, chain):
            if None in layouts:
                rows.append((row, handler, getattr(row, "lineno", call.lineno)))
                continue
            if not isinstance(row, ast.Tuple | ast.List):
                continue
            names = layouts.get(len(row.elts))
            if names is None or path_node.id not in names:
                continue
            row_handler = row.elts[names.index(handler_root)] if (
                handler_root and handler_root in names) else handler
            rows.append((row.elts[names.index(path_node.id)], row_handler, row.lineno))
        return rows

    def _parameter_defaults(self) -> dict[str, str]:
        """Parameters of the file's functions with one string default (`path="/health"`)."""
        if self.param_defaults is None:
            found: dict[str, set[str]] = {}
            for func in self.functions.values():
                args = func.args
                positional = [*args.posonlyargs, *args.args]
                pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults,
                              strict=True),
                         *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults,
                                                  strict=True) if d is not None)]
                for arg, default in pairs:
                    if isinstance(default, ast.Constant) and isinstance(default.value, str):
                        found.setdefault(arg.arg, set()).add(default.value)
            self.param_defaults = {k: next(iter(v)) for k, v in found.items() if len(v) == 1}
        return self.param_defaults

    def _parameter(self, node: ast.AST, name: str) -> bool:
        """Is `name` a parameter of a function around `node` (a WSGI app's `environ`
        shadowing `from os import environ`)?"""
        for outer in self.src.ancestors(node):
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                args = outer.args
                if any(a.arg == name for a in [*args.posonlyargs, *args.args,
                                               *args.kwonlyargs]):
                    return True
        return False

    def _scope(self, node: ast.AST) -> str:
        for outer in self.src.ancestors(node):
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                return outer.name
        return ""

    def _built_by(self, call: ast.Call, owner: str) -> str:
        """The qualified factory a local owner was assigned from in the function around the
        call (`app = create_application()`), "" when it was not."""
        func = self.src.function_of(call)
        if not owner or "." in owner or func is None:
            return ""
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and any(
                    isinstance(t, ast.Name) and t.id == owner for t in node.targets):
                return self.q(node.value.func)
        return ""

    def _mounted_app(self, node: ast.AST) -> str:
        """What a mount() mounts: `WSGIMiddleware(x)` mounts x; Django's own application
        (`get_wsgi_application()`, a name bound to it, `proj.wsgi.application`) is "django"."""
        if isinstance(node, ast.Call) and dotted_name(node.func).rsplit(".", 1)[-1] in (
                APP_ADAPTERS) and node.args:
            node = node.args[0]
        if isinstance(node, ast.Call) and self.q(node.func).endswith(
                ("get_wsgi_application", "get_asgi_application")):
            return "django"
        target = self.q(node)
        if isinstance(node, ast.Name) and any(
                isinstance(a.value, ast.Call) and self.q(a.value.func).endswith(
                    ("get_wsgi_application", "get_asgi_application"))
                and any(isinstance(t, ast.Name) and t.id == node.id for t in a.targets)
                for a in self.src.nodes(ast.Assign)):
            return "django"
        if target.endswith((".wsgi.application", ".asgi.application")):
            return "django"
        return target

    def _decorator_call(self, call: ast.Call) -> None:
        inner = call.func
        if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                and inner.func.attr in ROUTE_DECORATORS and inner.args and call.args):
            return
        owner = dotted_name(inner.func.value)
        path = self._literal_str(inner.args[0])
        if not owner or path is None or not path.startswith("/"):
            return  # `handlers.get(name)(request)` is a dict lookup, not a route
        last = inner.func.attr
        methods = (last.upper(),) if last not in ("route", "api_route") else (
            self._methods(inner))
        handler = dotted_name(call.args[0])
        self._add_route(owner, inner.args[0], handler, call.lineno, methods,
                        self.functions.get(handler.rsplit(".", 1)[-1]) if handler else None)

    def _drf_registrations(self) -> None:
        """`router.register("users", UserViewSet)`: one route per registered viewset."""
        drf = {r.var for r in self.facts.routers if r.kind == "drf-router"}
        for call in self.registrations:
            owner = dotted_name(call.func).rsplit(".", 1)[0]
            raw = self._literal_str(call.args[0])
            if owner not in drf or raw is None:
                continue

            inner = _clean_django(raw).strip("/")  # `register("", …)`: the router's root
            path = f"/{inner}/" if inner else "/"
            self._add_route(owner, ast.Constant(path), dotted_name(call.args[1]), call.lineno,
                            ("GET", "POST"))
            self.facts.routes[-1].viewset = True

    def _class_name(self, node: ast.expr) -> str:
        """A base class qualified; one of this module's own classes under this module."""
        name = dotted_name(node)
        full = self.q(node)
        if full == name and "." not in name and name not in self.names:
            return f"{self.facts.module}.{name}"
        return full

    def _admin_registrations(self) -> None:
        """`admin.site.register(Check, CheckAdmin)`, `my_site.register(…)` and
        `@admin.register(Check, site=my_site)`: the models a Django admin site serves."""
        for call in self.src.calls("register"):
            if not isinstance(call.func, ast.Attribute):
                continue
            if self.q(call.func) in ("django.contrib.admin.register",
                                      "django.contrib.admin.decorators.register"):
                site_node = _keyword_value(call, "site")  # @admin.register(A, B, site=…)
                site = self._site_name(site_node) if site_node is not None else DEFAULT_ADMIN
                models = call.args
            elif dotted_name(call.func.value).lower().endswith("site") and call.args:
                site = self._site_name(call.func.value)  # site.register(A or [A, B], Admin)
                first = call.args[0]
                models = first.elts if isinstance(first, ast.List | ast.Tuple) else [first]
            else:
                continue
            for model in models:
                if isinstance(model, ast.Name | ast.Attribute):
                    self.facts.admin_models.append((site, self._app_label(model),
                                                    dotted_name(model).rsplit(".", 1)[-1]
                                                    .lower()))

    def _site_name(self, node: ast.expr) -> str:
        name = dotted_name(node)
        full = self.q(node)
        return f"{self.facts.module}.{name}" if full == name and "." not in name else full

    def _app_label(self, model: ast.expr) -> str:
        """The app a model belongs to: the package holding its `models` module, or else the
        app whose admin module registers it."""
        parts = self.q(model).split(".")
        if "models" in parts[:-1]:
            index = len(parts) - 2 - parts[:-1][::-1].index("models")
            if index > 0:
                return parts[index - 1]
        module = self.facts.module.split(".")
        return module[-2] if len(module) > 1 else module[-1]

    def _class(self, cls: ast.ClassDef) -> None:
        bases = [self.q(b) for b in cls.bases]
        self._class_routes(cls)
        if cls.name.endswith(("Settings", "Config")) or any(
                b.endswith("BaseSettings") for b in bases):
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(
                        stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    for target in targets:
                        if isinstance(target, ast.Name):
                            key = f"{self.facts.module}.{cls.name}.{target.id}"
                            self.facts.settings_strings[key] = stmt.value.value
        shape = _viewset_shape(cls, [self._class_name(b) for b in cls.bases])
        if shape is not None:
            self.facts.viewsets[f"{self.facts.module}.{cls.name}"] = shape
        kinds = [APP_FACTORIES[b] for b in bases if b in APP_FACTORIES]
        if kinds:  # class Redash(Flask): instances of it are apps too
            self.facts.app_classes[f"{self.facts.module}.{cls.name}"] = kinds[0]
        routers = [ROUTER_FACTORIES[b] for b in bases if b in ROUTER_FACTORIES]
        if routers:  # class IndicoBlueprint(Blueprint): instances of it are blueprints
            self.facts.router_classes[f"{self.facts.module}.{cls.name}"] = routers[0]
        if any(b.endswith("BaseSettings") for b in bases):
            prefix = ""
            for stmt in cls.body:
                prefix = prefix or _env_prefix(stmt)
            for stmt in cls.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    # pydantic reads neither its own `model_` names, private attributes nor
                    # class variables from the environment
                    if stmt.target.id.startswith(("model_", "_")) or _is_class_var(
                            stmt.annotation):
                        continue
                    env = (prefix + stmt.target.id).upper()
                    alias = _field_alias(stmt.value)
                    self.facts.settings_fields.append(Located(alias or env, stmt.lineno,
                                                              stmt.col_offset + 1))
                    if is_inbound_rate_limit_setting(stmt.target.id):
                        self.facts.evidence.add("rate-limit-config")
        if any(_throttles(stmt) for stmt in cls.body):
            self.facts.evidence.add("rate-limit")  # a DRF view's own `throttle_classes`
        if any(b.endswith(("logging.Formatter", "Formatter")) for b in bases) and (
                "json" in ast.dump(cls).lower()):
            self.facts.evidence.add("structured-logging")
        if any("Middleware" in b for b in bases) or cls.name.endswith("Middleware"):
            self._middleware_evidence(cls.name, ast.Call(func=ast.Name("x"), args=[],
                                                         keywords=[]))

    def _class_routes(self, cls: ast.ClassDef) -> None:
        """`@ns.route("/x")` on a class (Flask-RESTX namespaces, flask-smorest blueprints):
        a route served by the class's HTTP-verb methods."""
        for deco in cls.decorator_list:
            if not (isinstance(deco, ast.Call) and deco.args):
                continue
            name = dotted_name(deco.func)
            if "." in name and name.rsplit(".", 1)[-1] == "route":
                verbs = tuple(stmt.name.upper() for stmt in cls.body
                              if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
                              and stmt.name.upper() in HTTP_METHODS)
                self._add_route(name.rsplit(".", 1)[0], deco.args[0], cls.name, cls.lineno,
                                verbs or ("GET",), cls)

    def _add_route(self, owner: str, path_node: ast.AST, handler: str, line: int,
                   methods: tuple[str, ...], func: ast.AST | None = None) -> None:
        if self._development_route(line) or self._demo_app(path_node):
            # `if settings.DEBUG: urlpatterns += […]`, or a router module's demo app under
            # its main guard: not served in production
            return
        path = self._literal_str(path_node)
        wrapped = path is None and _wrapped_path(path_node) is not None
        if wrapped:
            path = _wrapped_path(path_node)
        if func is None and handler in self.functions:
            func = self.functions[handler.rsplit(".", 1)[-1]]
        touches, can_fail = self._handler_profile(func) if func is not None else ((), True)
        self.facts.routes.append(RouteFact(owner, path, methods, line, handler, touches,
                                           can_fail, wrapped=wrapped,
                                           shallow=_declares_shallow(func)))
        if path is not None and path.rstrip("/").endswith("/metrics"):
            self.facts.evidence.add("metrics")
        if any(RATE_LIMIT_NAME.search(name) for name in touches):
            # the handler calls the project's own limiter (`check_rate_limiting(service)`)
            self.facts.evidence.add("rate-limit")

    def _handler_profile(self, func: ast.AST) -> tuple[tuple[str, ...], bool]:
        """Names a handler references (following same-file helpers once) and whether it can
        answer with a failure status."""
        names: set[str] = set()
        can_fail = False
        seen: set[str] = set()
        stack = [func]
        while stack:
            current = stack.pop()
            for node in walk(current):  # markers (Load, Add, …) are none of these
                if isinstance(node, ast.Name):
                    names.add(node.id)
                elif isinstance(node, ast.Attribute):
                    names.add(node.attr)
                    head = dotted_name(node)
                    if head:
                        names.add(head.split(".", 1)[0])
                elif isinstance(node, ast.Raise) or _failure_status(node):
                    can_fail = True
                elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                    can_fail = True  # Flask: return body, status
                if isinstance(node, ast.Call):
                    callee = dotted_name(node.func).rsplit(".", 1)[-1]
                    if callee in self.functions and callee not in seen and (
                            self.functions[callee] is not func):
                        seen.add(callee)
                        stack.append(self.functions[callee])
            if len(seen) > 20:
                break
        if any(n.endswith("SERVICE_UNAVAILABLE") or "503" in n for n in names):
            can_fail = True
        return tuple(sorted(names)), can_fail

    def _starlette_routes(self, owner: str, node: ast.AST, prefix: str) -> None:
        if not isinstance(node, ast.List | ast.Tuple):
            return
        for elt in node.elts:
            if not (isinstance(elt, ast.Call) and elt.args):
                continue
            kind = dotted_name(elt.func).rsplit(".", 1)[-1]
            if kind == "Route":
                handler = dotted_name(elt.args[1]) if len(elt.args) > 1 else ""
                endpoint = keyword(elt, "endpoint")
                if not handler and endpoint is not None:
                    handler = dotted_name(endpoint.value)
                path = self._literal_str(elt.args[0])
                full = prefix + path if path is not None else elt.args[0]
                self._add_route(owner, ast.Constant(full) if isinstance(full, str) else full,
                                handler, elt.lineno, ("GET",))
            elif kind == "Mount":
                sub = keyword(elt, "routes")
                mount_prefix = self._literal_str(elt.args[0]) or ""
                if sub is not None:
                    self._starlette_routes(owner, sub.value, prefix + mount_prefix)
                elif len(elt.args) > 1 or keyword(elt, "app") is not None:
                    target = elt.args[1] if len(elt.args) > 1 else keyword(elt, "app").value  # type: ignore[union-attr]
                    self.facts.mounts.append(MountFact(owner, self.q(target),
                                                       prefix + mount_prefix, elt.lineno))

    def _django(self) -> None:
        base = self.src.path.rsplit("/", 1)[-1]
        settings: dict[str, object] = {}
        has_urlpatterns = False
        for stmt, nested in [*_module_statements(self.src.tree),
                             *((stmt, True) for stmt in _configuration_bodies(self.src.tree))]:
            grown = _grown_setting(stmt)
            if grown:  # REST_FRAMEWORK.update({...}), MIDDLEWARE.append(...)
                settings[f"{grown}+"] = f"{settings.get(f'{grown}+', '')} {_summarise(stmt)}"
                continue
            stmt = _helper_setting(stmt) or stmt
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [
                getattr(stmt, "target", None)]  # MANAGERS = ADMINS = […] sets both
            for target in targets:
                name = target.id if isinstance(target, ast.Name) else ""
                has_urlpatterns = has_urlpatterns or name == "urlpatterns"
                self._django_setting(settings, stmt, name, nested)
        if has_urlpatterns or base == "urls.py":
            # every path() of the module: patterns are often built in helper lists
            # (`_patterns = [...]`, `urlpatterns = [path(BASE, include(_patterns))]`)
            self._django_urls()
        # settings.py, a settings/ package, or a layer over another settings module
        # (config/django/production.py: `from .base import *`, then its own values)
        in_settings = base == "settings.py" or "/settings/" in f"/{self.src.path}" or any(
            isinstance(stmt, ast.ImportFrom) and stmt.level and any(
                a.name == "*" for a in stmt.names) for stmt in self.src.tree.body)
        if "settings" in self.src.path.lower():
            self._settings_layers()
        if "INSTALLED_APPS" in settings or "ROOT_URLCONF" in settings:
            # Names only: values (SECRET_KEY, passwords) must not leave the worker or be cached.
            self.facts.django_settings = dict.fromkeys(settings)
        if self.facts.django_settings or (in_settings and settings):
            self._django_evidence(settings)  # production.py overrides base.py's settings

    def _settings_layers(self) -> None:
        """What a settings module defines and which other module's constants it sets again
        (`from .base import *` then `DEBUG = False`): production settings layered on a base."""
        constants: list[tuple[int, int, str]] = []
        starred: list[str] = []
        for stmt, _nested in _module_statements(self.src.tree):
            if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
                starred.append(_absolute(self.facts.module, stmt, self.src.path))
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [
                getattr(stmt, "target", None)] if isinstance(stmt, ast.AnnAssign) else []
            for target in targets:
                for name in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if isinstance(name, ast.Name) and name.id.isupper():
                        constants.append((stmt.lineno, stmt.end_lineno or stmt.lineno, name.id))
                        value = getattr(stmt, "value", None)
                        if value is not None and any(
                                isinstance(n, ast.Constant) and n.value == "*"
                                for n in ast.walk(value)):
                            self.facts.wildcards.add(name.id)
        self.facts.constants = constants
        names = sorted({name for _, _, name in constants})
        self.facts.star_overrides = {module: names for module in starred if module}

    @staticmethod
    def _django_setting(settings: dict[str, object], stmt: ast.stmt, name: str,
                        nested: bool) -> None:
        if not name.isupper():
            return
        if isinstance(stmt, ast.AugAssign):
            settings[f"{name}+"] = _summarise(stmt.value)  # MIDDLEWARE += [...]
            return
        value = getattr(stmt, "value", None)
        if not isinstance(stmt, ast.Assign) or value is None:
            return
        try:
            found: object = _literal(value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            found = _summarise(value)
        # set under a condition (`if env("HTTPS"): SECURE_PROXY_SSL_HEADER = …`): the
        # setting can be on, which is what evidence needs
        if not nested or found or not settings.get(name):
            settings[name] = found

    def _django_urls(self) -> None:
        """Every path() of a urlconf with the prefixes of the includes around it in this
        module (`path("api/", include([...]))`, `include(local_list)`); an include() of
        another urlconf or a router's `.urls` is a mount the service model resolves."""
        local_lists = {t.id for stmt in self.src.tree.body if isinstance(stmt, ast.Assign)
                       for t in stmt.targets if isinstance(t, ast.Name)}
        # a list included more than once (`api/v1/`, `api/v2/`) serves under every prefix
        list_prefixes: dict[str, list[str]] = {}
        for _ in range(3):  # lists included by lists: a few rounds settle nested prefixes
            settled: dict[str, list[str]] = {}
            for call in self.src.calls(*DJANGO_URL_CALLS):
                view = _django_view(call)
                included = view.args[0] if isinstance(view, ast.Call) and view.args and (
                    dotted_name(view.func).endswith("include")) else None
                if isinstance(included, ast.Tuple) and included.elts:
                    included = included.elts[0]  # include((patterns, "namespace"))
                if isinstance(included, ast.Name) and included.id in local_lists:
                    own = _clean_django(
                        (self._literal_str(call.args[0]) if call.args else None) or "")
                    found = settled.setdefault(included.id, [])
                    found += [p + own for p in self._django_prefixes(call, list_prefixes)
                              if p + own not in found][:MAX_INCLUDE_PREFIXES - len(found)]
            list_prefixes = settled
        for call in self.src.calls(*DJANGO_URL_CALLS):
            if not call.args:
                continue
            view = _django_view(call)
            raw = self._literal_str(call.args[0])
            fulls: list[str | None] = [None] if raw is None else [
                p + _clean_django(raw) for p in self._django_prefixes(call, list_prefixes)]
            target = self._django_include(view, local_lists)
            if target is not None:
                for full in fulls:
                    if target and full is not None:
                        stripped = full.strip("/")
                        self.facts.mounts.append(MountFact("", target,
                                                           "/" + stripped if stripped else "",
                                                           call.lineno))
                continue  # a prefix for another urlconf, not an endpoint
            handler = dotted_name(view.func if isinstance(view, ast.Call) else view) if (
                view is not None) else ""
            for full in fulls:
                path = None if full is None else "/" + full.lstrip("/")
                self._add_route("", ast.Constant(path) if path is not None else call.args[0],
                                handler, call.lineno, ("GET",))
        for stmt in self.src.tree.body:  # urlpatterns += router.urls
            target_node = stmt.target if isinstance(stmt, ast.AugAssign) else (
                stmt.targets[0] if isinstance(stmt, ast.Assign) else None)
            if not (isinstance(target_node, ast.Name) and target_node.id == "urlpatterns"):
                continue
            for node in ast.walk(stmt.value):  # type: ignore[attr-defined]
                if isinstance(node, ast.BinOp):
                    for side in (node.left, node.right):
                        if isinstance(side, ast.Attribute) and side.attr == "urls":
                            self.facts.mounts.append(MountFact("", self.q(side.value), "",
                                                               stmt.lineno))
            value = getattr(stmt, "value", None)
            if isinstance(value, ast.Attribute) and value.attr == "urls":
                self.facts.mounts.append(MountFact("", self.q(value.value), "", stmt.lineno))

    def _django_prefixes(self, call: ast.Call, list_prefixes: dict[str, list[str]]
                         ) -> list[str]:
        """The prefixes the includes around a path() call in this module give it: one, or
        one per include of the list it is in."""
        prefix = ""
        top: ast.AST | None = None
        for outer in self.src.ancestors(call):
            if isinstance(outer, ast.Call) and outer.args and dotted_name(
                    outer.func).rsplit(".", 1)[-1] in DJANGO_URL_CALLS:
                prefix = _clean_django(self._literal_str(outer.args[0]) or "") + prefix
            if isinstance(outer, ast.stmt):
                top = outer
        if isinstance(top, ast.Assign):
            for target in top.targets:
                if isinstance(target, ast.Name) and list_prefixes.get(target.id):
                    return [above + prefix for above in list_prefixes[target.id]]
        return [prefix]

    def _django_include(self, view: ast.AST | None, local_lists: set[str]) -> str | None:
        """What a path()'s view includes: a urlconf module or router ("" = a list in this
        module, resolved here); None when the view is an endpoint."""
        if isinstance(view, ast.Attribute) and view.attr == "urls":
            return self.q(view.value)  # django-ninja `api.urls`, `admin.site.urls`
        if not (isinstance(view, ast.Call) and dotted_name(view.func).endswith("include")):
            return None
        arg = view.args[0] if view.args else None
        if isinstance(arg, ast.Tuple) and arg.elts:
            arg = arg.elts[0]  # include(("app.urls", "namespace"))
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if _HEALTH_APP.search(arg.value.removesuffix(".urls")):
                # a health app's urlconf: `include("helsinki_health_endpoints.urls")`
                self.facts.evidence.add("health-route")
            return arg.value
        if isinstance(arg, ast.Attribute) and arg.attr == "urls":
            return self.q(arg.value)  # include(router.urls)
        if isinstance(arg, ast.Name) and arg.id in local_lists:
            return ""
        return self.q(arg) if arg is not None else ""

    def _django_evidence(self, settings: dict[str, object]) -> None:
        evidence = self.facts.evidence
        text = repr(settings).lower()
        hsts = settings.get("SECURE_HSTS_SECONDS")
        if (isinstance(hsts, int) and hsts > 0) or isinstance(hsts, str):
            evidence |= {"hsts", "app-hsts"}  # the app sends it, when the request is secure
        if "SECURE_PROXY_SSL_HEADER" in settings:
            evidence.add("proxy-trust")
        if settings.get("SECURE_SSL_REDIRECT") is True:
            self.facts.scheme_checks.append(Located("SECURE_SSL_REDIRECT", 1))
        if settings.get("SECURE_SSL_REDIRECT", False) is not False:
            evidence.add("https-redirect")  # on, or read from the environment: it serves HTTPS
        evidence |= django_settings_evidence(settings)
        if "throttle" in text or "ratelimit" in text:
            evidence.add("rate-limit")
        if "health_check" in text or "dockerflowmiddleware" in text or "hurricane" in text:
            # Dockerflow's middleware answers /__heartbeat__ and /__lbheartbeat__ itself;
            # django-hurricane's server answers /alive and /ready on its probe port
            evidence.add("health-route")
        if "django_prometheus" in text:
            evidence.add("metrics")
        if "json" in str(settings.get("LOGGING", "")).lower():
            evidence.add("structured-logging")
        if "correlation" in text or "django_guid" in text or "request_id" in text:
            evidence.add("request-id")
        if any(is_inbound_rate_limit_setting(k) for k in settings):
            evidence.add("rate-limit-config")

    # ---------------------------------------------------------------- helpers

    def _methods(self, call: ast.Call) -> tuple[str, ...]:
        kw = keyword(call, "methods")
        if kw is not None and isinstance(kw.value, ast.List | ast.Tuple):
            return tuple(str(e.value).upper() for e in kw.value.elts
                         if isinstance(e, ast.Constant))
        return ("GET",)

    def _literal_str(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and isinstance(self.constants.get(node.id), str):
            return self.constants[node.id]  # type: ignore[return-value]
        if isinstance(node, ast.Name) and node.id in self._parameter_defaults():
            return self._parameter_defaults()[node.id]  # def create(health_path="/health")
        if isinstance(node, ast.JoinedStr):  # f"{PREFIX}/health": keep the literal tail
            tail = [v.value for v in node.values if isinstance(v, ast.Constant)]
            return "".join(str(t) for t in tail) if tail else None
        return None

    def _resource_wrappers(self) -> set[str]:
        """Functions of this module that register their own first parameter as a Flask-RESTful
        resource (`def add_org_resource(self, resource, *urls): …self.add_resource(resource,
        *urls)`): each call of one registers routes."""
        found: set[str] = set()
        for call in self.src.calls("add_resource"):
            if self._forwards_a_parameter(call):
                func = next(a for a in self.src.ancestors(call)
                            if isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef))
                found.add(func.name)
        return found

    def _forwards_a_parameter(self, call: ast.Call) -> bool:
        """`add_resource(resource, …)` whose resource is a parameter of the function around it."""
        if not call.args or not isinstance(call.args[0], ast.Name):
            return False
        func = self.src.function_of(call)
        return func is not None and call.args[0].id in {
            a.arg for a in (*func.args.posonlyargs, *func.args.args)}

    def _string_kw(self, call: ast.Call, name: str) -> str | None:
        kw = keyword(call, name)
        return self._literal_str(kw.value) if kw is not None else None

    def _prefix_kw(self, call: ast.Call, name: str) -> str | None:
        """A literal prefix, or a setting's (`prefix=settings.API_V1_STR`) as a reference the
        service model resolves against the settings classes of every file."""
        kw = keyword(call, name)
        if kw is None:
            return None
        found = self._literal_str(kw.value)
        if found is None and isinstance(kw.value, ast.Attribute):
            return SETTING_REFERENCE + self.q(kw.value)
        return found

    def _in_function(self, node: ast.AST) -> bool:
        for outer in self.src.ancestors(node):
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                return outer.name != "main"
        return False


def _words(identifier: str) -> set[str]:
    """`VITE_DEV_MODE` -> {vite, dev, mode}; `isDebugEnabled` -> {is, debug, enabled}."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", identifier)
    return {w for w in spaced.lower().split("_") if w}


def _mentions_any(lowered: str, words: tuple[str, ...]) -> bool:
    return any(word in lowered for word in words)


# calls that serve requests, whatever their receiver
_SERVING_CALLS = frozenset({"serve", "serve_forever", "run_simple", "run_app", "main"})
# receivers whose run()/start() serves: `app.run()`, `socketio.run(app)`, `server.start()`
_SERVING_OWNERS = frozenset({"app", "webapp", "application", "server", "socketio", "sio",
                             "bot", "api", "site", "worker", "daemon"})
ENTRY_POINT_NAMES = ("__main__.py", "main.py", "worker.py", "run.py", "manage.py")


def _literal(node: ast.expr) -> object:
    """The value of a literal expression (strings, numbers, containers), as
    `ast.literal_eval` gives it, without its nested closures, whose reference cycles would
    keep the tree alive until the paused cycle collector runs; ValueError otherwise."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    if isinstance(node, ast.List):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.Set):
        return {_literal(e) for e in node.elts}
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_literal(k): _literal(v)  # type: ignore[arg-type]
                for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _literal(node.operand)
        if isinstance(operand, int | float | complex) and not isinstance(operand, bool):
            return -operand if isinstance(node.op, ast.USub) else +operand
    raise ValueError("not a literal")


def _configuration_bodies(tree: ast.Module) -> list[ast.stmt]:
    """The statements of django-configurations classes (`class Base(Configuration)`, and
    `class Production(Base)` below it): settings written as class attributes."""
    configurations: set[str] = set()
    out: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
                dotted_name(b).endswith("Configuration") or dotted_name(b) in configurations
                for b in node.bases):
            configurations.add(node.name)
            out += node.body
    return out


def _module_statements(tree: ast.Module) -> list[tuple[ast.stmt, bool]]:
    """Module-level statements in source order, with those inside if/try/with blocks
    (flagged as nested); never the bodies of functions or classes."""
    # An explicit stack, not a recursive closure: the closure's reference cycle would keep
    # every file's tree alive until the (paused) cycle collector runs.
    out: list[tuple[ast.stmt, bool]] = []
    stack: list[tuple[list[ast.stmt], bool]] = [(tree.body, False)]
    while stack:
        body, nested = stack.pop()
        for index, stmt in enumerate(body):
            out.append((stmt, nested))
            blocks: list[list[ast.stmt]] = []
            if isinstance(stmt, ast.If | ast.With):
                blocks = [stmt.body, getattr(stmt, "orelse", [])]
            elif isinstance(stmt, ast.Try):
                blocks = [stmt.body, stmt.orelse, stmt.finalbody, *(h.body for h in stmt.handlers)]
            if blocks:  # the rest of this body after the blocks, the blocks in order first
                stack.append((body[index + 1:], nested))
                stack.extend((block, True) for block in reversed(blocks))
                break
    return out


def in_manual_harness(src: PythonFile, line: int) -> bool:
    """`line` is in the `__main__` block of a module that is no entry point by name: someone
    trying the module by hand, never the deployed service."""
    return src.path.rsplit("/", 1)[-1] not in ENTRY_POINT_NAMES and in_main_block(src, line)


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def _numeric(node: ast.expr | None) -> bool:
    """A number, or a string of one (`30`, `"0.5"`): a tuning value's default."""
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return False
    return isinstance(node.value, int | float) or (
        isinstance(node.value, str) and bool(_NUMBER.fullmatch(node.value.strip())))


_SWITCH_WORDS = frozenset({"true", "false", "yes", "no", "on", "off"})


def _switch(node: ast.expr | None) -> bool:
    """`False`, `"false"`, `"on"`: the default of a switch, off or on until someone flips it."""
    return isinstance(node, ast.Constant) and (isinstance(node.value, bool) or (
        isinstance(node.value, str) and node.value.strip().lower() in _SWITCH_WORDS))


def _one_per_variable(apps: list[AppFact]) -> list[AppFact]:
    """An app assigned in both branches of an if/else or try/except is one app, at its
    first assignment; what either branch adds is kept."""
    first: dict[tuple[str, str], AppFact] = {}
    for app in sorted(apps, key=lambda a: (a.line, a.column)):
        kept = first.setdefault((app.var, app.scope), app)
        if kept is not app:
            kept.has_lifespan = kept.has_lifespan or app.has_lifespan
            kept.middleware += [m for m in app.middleware if m not in kept.middleware]
    return list(first.values())


def _django_view(call: ast.Call) -> ast.AST | None:
    if len(call.args) > 1:
        return call.args[1]
    view = keyword(call, "view")
    return view.value if view is not None else None


DEFAULT_ADMIN = "django.contrib.admin.site"  # Django's default AdminSite instance

# DRF viewset methods that the router maps to the list ("") and detail ("d") routes
VIEWSET_METHODS = {"list": ("", "GET"), "create": ("", "POST"), "retrieve": ("d", "GET"),
                   "update": ("d", "PUT"), "partial_update": ("d", "PATCH"),
                   "destroy": ("d", "DELETE")}


# A Django app whose urlconf serves probe routes: `helsinki_health_endpoints`,
# `health_check`, `watchman`
_HEALTH_APP = re.compile(r"(?:^|[._])health(?:[._]|$)|healthz|watchman", re.IGNORECASE)


def _switched_off_by_default(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The function starts by answering 404 when a setting is off (`if not
    settings.ENABLE_HEALTHZ_ENDPOINT: raise Http404(…)`, `abort(404)`)."""
    body = [s for s in func.body if not (isinstance(s, ast.Expr) and isinstance(
        s.value, ast.Constant))]  # past the docstring
    first = body[0] if body else None
    if not isinstance(first, ast.If) or not isinstance(first.test, ast.UnaryOp) or \
            not isinstance(first.test.op, ast.Not):
        return False
    setting = dotted_name(first.test.operand) if isinstance(
        first.test.operand, ast.Attribute | ast.Name | ast.Call) else ""
    if not re.search(r"settings|config|environ|getenv|enable", setting, re.IGNORECASE):
        return False
    text = ast.unparse(first.body[0]) if first.body else ""
    return bool(re.search(r"Http404|NotFound|\b404\b", text))


def _throttles(stmt: ast.stmt) -> bool:
    """`throttle_classes = [PostThrottle, …]` (non-empty) or `throttle_scope = "uploads"` in a
    class body: the view limits its request rate."""
    if not isinstance(stmt, ast.Assign | ast.AnnAssign) or stmt.value is None:
        return False
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    names = {t.id for t in targets if isinstance(t, ast.Name)}
    value = stmt.value
    if "throttle_classes" in names:
        return isinstance(value, ast.List | ast.Tuple) and bool(value.elts)
    return "throttle_scope" in names and isinstance(value, ast.Constant) and bool(value.value)


def _viewset_shape(cls: ast.ClassDef, bases: list[str]) -> ViewSetFact | None:
    """The routes-relevant parts of a class that looks like a DRF viewset or mixin: named
    so or by a base, or declaring an `@action`. Anything else is None."""
    actions: dict[str, ActionFact] = {}
    methods: list[str] = []
    lookup: dict[str, str] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if stmt.name in VIEWSET_METHODS:
                methods.append(stmt.name)
            for deco in stmt.decorator_list:
                action = _action(stmt.name, deco)
                if action is not None:
                    actions[stmt.name] = action
                elif isinstance(deco, ast.Attribute) and isinstance(
                        deco.value, ast.Attribute) and deco.value.attr == "mapping":
                    # `@archive.mapping.delete`: another method on an existing action's route
                    known = actions.get(dotted_name(deco.value.value))
                    if known is not None:
                        known.methods = (*known.methods, deco.attr.upper())
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and (
                isinstance(stmt.value.value, str)):
            for target in stmt.targets:
                if isinstance(target, ast.Name) and target.id in ("lookup_field",
                                                                  "lookup_url_kwarg"):
                    lookup[target.id] = stmt.value.value
    looks_like = any(b.endswith(("ViewSet", "Mixin")) for b in bases) or cls.name.endswith(
        ("ViewSet", "Mixin"))
    if not (looks_like or actions):
        return None
    return ViewSetFact(tuple(bases), tuple(methods), tuple(actions.values()),
                       lookup.get("lookup_url_kwarg") or lookup.get("lookup_field", ""))


def _keyword_value(call: ast.Call, name: str) -> ast.expr | None:
    found = keyword(call, name)
    return found.value if found is not None else None


def _action(name: str, deco: ast.expr) -> ActionFact | None:
    """`@action(detail=…, methods=[…], url_path=…)` (and the older `@detail_route` /
    `@list_route`) on a viewset method."""
    if not isinstance(deco, ast.Call):
        return None
    kind = dotted_name(deco.func).rsplit(".", 1)[-1]
    if kind not in ("action", "detail_route", "list_route"):
        return None
    detail_kw = _keyword_value(deco, "detail")
    detail = kind == "detail_route" or (isinstance(detail_kw, ast.Constant)
                                        and detail_kw.value is True)
    path_kw = _keyword_value(deco, "url_path")
    url_path = path_kw.value if isinstance(path_kw, ast.Constant) and isinstance(
        path_kw.value, str) else name
    methods_kw = _keyword_value(deco, "methods")
    methods = tuple(str(e.value).upper() for e in methods_kw.elts if isinstance(
        e, ast.Constant)) if isinstance(methods_kw, ast.List | ast.Tuple) else ("GET",)
    return ActionFact(name, detail, _clean_django(url_path).strip("/"), methods or ("GET",))


def _clean_django(raw: str) -> str:
    """A urlconf pattern as the path it matches: regex anchors dropped (`^api/$` -> `api/`)."""
    return raw.removeprefix("^").removesuffix("$")


def _root_name(node: ast.AST | None) -> str:
    """The name an expression starts from: `view` of `view.as_view("x")`."""
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


# Calls that start another process with the arguments they are given.
SPAWNERS = frozenset({"subprocess.Popen", "subprocess.run", "subprocess.call",
                      "subprocess.check_call", "subprocess.check_output",
                      "asyncio.create_subprocess_exec"})


def _spawned_scripts(command: ast.AST) -> list[str]:
    """Patterns of the `.py` files a command line starts: literal paths, and f-strings
    whose placeholders stand for one path segment (`f"service/{name}/main.py"`)."""
    parts = command.elts if isinstance(command, ast.List | ast.Tuple) else [command]
    out = []
    for part in parts:
        if isinstance(part, ast.Constant) and isinstance(part.value, str) and (
                part.value.endswith(".py")):
            out.append(re.escape(part.value.removeprefix("./")))
        elif isinstance(part, ast.JoinedStr) and isinstance(part.values[-1], ast.Constant) \
                and str(part.values[-1].value).endswith(".py"):
            out.append("".join(re.escape(str(v.value)) if isinstance(v, ast.Constant)
                               else "[^/]+" for v in part.values))
    return out


def _module_constants(tree: ast.Module) -> dict[str, object]:
    out: dict[str, object] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = stmt.value.value
    return out


def _middleware_names(call: ast.Call) -> list[str]:
    kw = keyword(call, "middleware")
    if kw is None or not isinstance(kw.value, ast.List | ast.Tuple):
        return []
    return [dotted_name(e.args[0]) for e in kw.value.elts
            if isinstance(e, ast.Call) and e.args and dotted_name(e.args[0])]


def _equal_literal(test: ast.AST, name: str) -> ast.Constant | None:
    """The literal of `name == literal` (either side)."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        left, right = test.left, test.comparators[0]
        if isinstance(left, ast.Name) and left.id == name and isinstance(right, ast.Constant):
            return right
        if isinstance(right, ast.Name) and right.id == name and isinstance(left, ast.Constant):
            return left
    return None


_EXECS = ("execv", "execvp", "execve", "execvpe", "execl", "execlp", "execle", "execlpe")
_USER_OPTIONS = ("-u", "--user", "--uid")
_USER_NAME = re.compile(r"[a-z_][a-z0-9_-]*")


def _execs_as_user(call: ast.Call) -> bool:
    """`os.execv("/usr/bin/rspamd", ["rspamd", "-u", "rspamd"])`: the process becomes a
    daemon told to run as another user (a name, not root)."""
    if not dotted_name(call.func).startswith("os.exec"):
        return False
    words = [node.value for arg in call.args
             for node in (arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg])
             if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    return any(word in _USER_OPTIONS and _USER_NAME.fullmatch(user) is not None
               and user not in ("root", "0")
               for word, user in pairwise(words))


def _exc_name(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return dotted_name(node) or "?"


def _env_prefix(stmt: ast.stmt) -> str:
    """`env_prefix` from `model_config = SettingsConfigDict(env_prefix=…)` or `class Config`."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.keyword) and node.arg == "env_prefix" and isinstance(
                node.value, ast.Constant) and isinstance(node.value.value, str):
            return node.value.value
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "env_prefix" for t in node.targets
        ) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return node.value.value
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "env_prefix" and isinstance(
                        value, ast.Constant) and isinstance(value.value, str):
                    return value.value
    return ""


def _is_class_var(annotation: ast.expr) -> bool:
    """`ClassVar[...]` / `typing.ClassVar` (bare or subscripted)."""
    node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return dotted_name(node).rsplit(".", 1)[-1] == "ClassVar"


def _field_alias(value: ast.AST | None) -> str | None:
    if isinstance(value, ast.Call) and dotted_name(value.func).endswith("Field"):
        for name in ("alias", "validation_alias", "env"):
            kw = keyword(value, name)
            if kw is not None and isinstance(kw.value, ast.Constant) and isinstance(
                    kw.value.value, str):
                return kw.value.value
    return None


# A handler's docstring saying it answers only whether the process is up.
_SHALLOW = re.compile(
    r"\bdoes(?:n['’]t|\s+not)\s+(?:do\s+)?(?:any\s+)?(?:internal\s+|dependency\s+|deep\s+)?"
    r"checks?\b|\bif\s+(?:the\s+)?(?:system|service|server|app|application|process)\s+is\s+"
    r"(?:up|alive|running)\b|\bliveness\b", re.IGNORECASE)


def _declares_shallow(func: ast.AST | None) -> bool:
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    doc = ast.get_docstring(func, clean=False) or ""
    return bool(_SHALLOW.search(doc))


def _helper_setting(stmt: ast.stmt) -> ast.Assign | None:
    """`set_option("SECURE_HSTS_SECONDS", 31536000)`: a settings module's own helper that sets
    a setting by name (its default, unless the environment overrides it), read as the
    assignment it stands for."""
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and
            len(call.args) >= 2 and isinstance(call.args[0], ast.Constant)):
        return None
    name = call.args[0].value
    if not (isinstance(name, str) and name.isidentifier() and name.isupper()):
        return None
    target = ast.Name(id=name, ctx=ast.Store())
    return ast.copy_location(ast.Assign(targets=[target], value=call.args[1]), stmt)


def _grown_setting(stmt: ast.stmt) -> str:
    """The setting a statement adds to in place (`REST_FRAMEWORK.update({...})`,
    `MIDDLEWARE.insert(0, ...)`), or ""."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return ""
    func = stmt.value.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
            func.attr in ("update", "append", "extend", "insert", "setdefault")):
        return func.value.id if func.value.id.isupper() else ""
    return ""


def _summarise(node: ast.AST) -> str:
    """A non-literal setting, kept as the dotted names it mentions (for evidence matching)."""
    parts = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
             and isinstance(n.value, str)]
    parts += [dotted_name(n) for n in ast.walk(node) if isinstance(n, ast.Attribute | ast.Name)]
    return " ".join(p for p in parts if p)[:2000]


def _failure_status(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in (500, 502, 503, 504)
    return isinstance(node, ast.keyword) and node.arg in ("status_code", "status")


# `("git", "rev-parse", "HEAD")`, `"git describe --tags"`: the program runs git on itself
_GIT_IN_CODE = re.compile(r"""["']git["']\s*,\s*["'](?:rev-parse|describe)["']"""
                          r"""|["']git\s+(?:rev-parse|describe)\b""")
_NEXT_HANDLERS = ("call_next", "self.app", "self.get_response")


def _answers_every_failure(trial: ast.Try) -> bool:
    """`try: return await call_next(request)` (or `self.app(scope, …)`, Django's
    `self.get_response(request)`) with a broad handler that answers instead of re-raising:
    a middleware that turns every unhandled error into its own response."""
    if not any(isinstance(n, ast.Call) and dotted_name(n.func) in _NEXT_HANDLERS
               for stmt in trial.body for n in ast.walk(stmt)):
        return False
    for handler in trial.handlers:
        broad = handler.type is None or dotted_name(handler.type) in ("Exception",
                                                                       "BaseException")
        if broad and not any(isinstance(n, ast.Raise) for s in handler.body
                             for n in ast.walk(s)):
            return True
    return False


def _names_health_path(node: ast.expr) -> bool:
    """A health path (`"/healthz"`), a constant named for one (`HEALTHCHECK_PATH`), or a
    tuple or list of them."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_health_path(e) for e in node.elts)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return is_health_path(node.value)
    name = dotted_name(node).rsplit(".", 1)[-1]
    return bool(name) and "HEALTH" in name.upper()


def _is_request(name: str) -> bool:
    """`request.url.scheme`, `req.is_secure`, `self.request…`: the incoming request, not a
    parsed outbound URL (`urlparse(url).scheme`)."""
    return any(part in ("request", "req", "http_request") for part in name.split("."))


def _waits(loop: ast.While) -> bool:
    """A service loop: it sleeps, polls or consumes, rather than e.g. reading user input."""
    for node in ast.walk(loop):
        if isinstance(node, ast.Call):
            last = dotted_name(node.func).rsplit(".", 1)[-1]
            if last in ("sleep", "poll", "consume", "receive", "receive_message", "get",
                        "blpop", "brpop", "xread", "fetch", "run_once", "process", "tick"):
                return True
    return False


def _retries_until_success(loop: ast.While) -> bool:
    """A start-up retry (`while True: try: connect(); break except …: sleep(1)`), or a wait
    bounded by a counter (`retries += 1; if retries > MAX: raise`): the loop ends, so it is
    not a worker loop that needs SIGTERM handling."""
    body = [n for stmt in loop.body for n in _shallow(stmt)]
    counters = {n.target.id for n in body if isinstance(n, ast.AugAssign)
                and isinstance(n.target, ast.Name)}
    for node in body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and any(
                isinstance(n, ast.Name) and n.id in counters for n in ast.walk(node.test)
        ) and any(isinstance(n, ast.Raise | ast.Break | ast.Return)
                  for stmt in node.body for n in _shallow(stmt)):
            return True
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.For | ast.AsyncFor | ast.While | ast.FunctionDef
                      | ast.AsyncFunctionDef | ast.ClassDef):
            continue  # an inner loop's break ends that loop, not this one
        if isinstance(node, ast.Try) and any(isinstance(n, ast.Break | ast.Return)
                                             for stmt in node.body + node.orelse
                                             for n in _shallow(stmt)):
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def _shallow(stmt: ast.stmt) -> list[ast.AST]:
    """A statement's nodes, not descending into loops or functions."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        out.append(node)
        if node is not stmt and isinstance(node, ast.For | ast.AsyncFor | ast.While
                                           | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return out


def _wrapped_path(node: ast.AST) -> str | None:
    """The literal path a one-argument helper call wraps (`scoped("/invite/<token>")`)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute) and (
            len(node.args) == 1 and not node.keywords):
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and (
                arg.value.startswith("/")):
            return arg.value
    return None


def _compares_with_dev_mode(test: ast.expr) -> bool:
    """`X == "development"` / `X in ("dev", "local")`: true only in a development mode."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq | ast.In)):
        return False
    values = [n.value for n in ast.walk(test.comparators[0]) if isinstance(n, ast.Constant)]
    return bool(values) and all(isinstance(v, str) and v.lower() in _DEV_MODES for v in values)


def _is_true(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in (True, 1)


def is_health_path(path: str | None, *, weak: bool = True) -> bool:
    """A probe's path: a health word anywhere, or (with `weak`) a word such as `status` or
    `ping` as its last segment. A dependency's status page (`/celery/status/`) only by the
    first."""
    if not path:
        return False
    # a Django regex route's anchors and optional slash (`^status/?$`) are no segments
    segments = [s for s in (part.strip("^$?") for part in re.split(r"[/.]", path.lower())) if s]
    if any(s in HEALTH_SEGMENTS or s.startswith("health") for s in segments):
        return True
    if not weak:
        return False
    if len(segments) > 1 and segments[-1] in _FORMAT_SUFFIXES:
        segments.pop()  # `/ping.json`, `/pingdom/ping.xml`: the probe's answer format
    if len(segments) > 1 and segments[-2] in _DEPENDENCY_NAMES:
        return False  # `/settings/celery/ping/`: one dependency's status, not the app's probe
    return bool(segments) and (segments[-1] in WEAK_HEALTH_SEGMENTS or bool(
        _PREFIXED_PROBE.match(segments[-1]))) and not any(
        s.startswith(("{", "<", "(")) and not _VERSION_PARAMETER.search(s) for s in segments)


# What a weak probe word after them is the status of: `/celery/status/`
_DEPENDENCY_NAMES = frozenset({"celery", "redis", "db", "database", "cache", "queue", "broker",
                               "rabbitmq", "elasticsearch", "opensearch", "worker", "workers"})
# `/monitoring/app_alive/`, `/is-ready`: a probe word after a prefix
# (not `/orders/mark_ready`, a resource's action)
_PREFIXED_PROBE = re.compile(r"^(?:app|is|im|service|server|system|api|pod|lb|k8s)[_-]?"
                             r"(?:alive|ready|live|ping)$")
# `/{version}/ping`, `/(?P<version>(v2))/ping/`: an API version, not a resource's id
_VERSION_PARAMETER = re.compile(r"^[{<(](?:\?p<)?(?:\w+:)?(?:api_?)?version\b")


def _absolute(module: str, stmt: ast.ImportFrom, path: str) -> str:
    """The module a `from … import *` names, relative imports resolved against `module`."""
    if not stmt.level:
        return stmt.module or ""
    package = module.split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    package = package[:len(package) - (stmt.level - 1)] if stmt.level > 1 else package
    return ".".join([*package, *([stmt.module] if stmt.module else [])])
