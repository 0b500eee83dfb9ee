"""Per-file Python facts for the service model, extracted in the worker from the one `ast` parse.

Facts are small picklable records: what a later, project-wide step needs to know about a file
(apps, routers, routes, middleware, resources, env reads, evidence of practices) without ever
reading the file again.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from .artifacts.python import PythonFile
from .checks.python._ast import dotted_name, keyword, qualified

APP_FACTORIES = {
    "fastapi.FastAPI": "fastapi",
    "starlette.applications.Starlette": "starlette",
    "flask.Flask": "flask",
    "quart.Quart": "flask",
}
ROUTER_FACTORIES = {
    "fastapi.APIRouter": "router",
    "fastapi.routing.APIRouter": "router",
    "starlette.routing.Router": "router",
    "flask.Blueprint": "blueprint",
    "quart.Blueprint": "blueprint",
}
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "head", "options", "route",
                    "api_route", "websocket"}
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

# Evidence: an imported module (prefix) that shows a practice is in place.
EVIDENCE_IMPORTS: dict[str, tuple[str, ...]] = {
    "rate-limit": ("slowapi", "fastapi_limiter", "flask_limiter", "django_ratelimit",
                   "ratelimit", "limits", "starlette_rate_limit", "ratelimiter",
                   "fastapi_throttle", "aiolimiter"),
    "hsts": ("secure", "flask_talisman", "talisman", "starlette_securityheaders"),
    "security-headers": ("secure", "flask_talisman", "talisman", "starlette_securityheaders",
                         "django_csp", "csp"),
    "metrics": ("prometheus_client", "prometheus_fastapi_instrumentator", "starlette_exporter",
                "starlette_prometheus", "opentelemetry", "statsd", "datadog",
                "django_prometheus", "prometheus_flask_exporter", "aioprometheus",
                "ddtrace", "newrelic", "elasticapm", "aiodogstatsd", "logfire"),
    "structured-logging": ("structlog", "pythonjsonlogger", "python_json_logger", "ecs_logging",
                           "json_log_formatter", "jsonlogger", "logfire"),
    "request-id": ("asgi_correlation_id", "correlation_id", "django_guid", "flask_request_id",
                   "log_request_id", "opentelemetry", "ddtrace", "starlette_context",
                   "request_id"),
    "error-tracking": ("sentry_sdk", "raven", "rollbar", "bugsnag", "honeybadger", "airbrake",
                       "opentelemetry.exporter", "elasticapm", "newrelic", "ddtrace",
                       "logfire"),
    "retry": ("tenacity", "backoff", "stamina", "retrying", "aiohttp_retry", "retry",
              "urllib3.util.retry", "urllib3.Retry", "httpx_retries", "requests.adapters.Retry",
              "redo", "opnieuw"),
    "outbound-http": ("requests", "httpx", "aiohttp", "urllib3"),
    "health-route": ("fastapi_health", "healthcheck", "flask_healthz", "health_check",
                     "starlette_health", "django_health_check", "flask_healthcheck"),
    "proxy-trust": ("werkzeug.middleware.proxy_fix", "uvicorn.middleware.proxy_headers"),
}
_EVIDENCE_BY_MODULE: dict[str, set[str]] = {}
for _kind, _modules in EVIDENCE_IMPORTS.items():
    for _module in _modules:
        _EVIDENCE_BY_MODULE.setdefault(_module, set()).add(_kind)

# Evidence: a string constant (lower-cased) that shows a practice.
EVIDENCE_STRINGS: dict[str, tuple[str, ...]] = {
    "hsts": ("strict-transport-security",),
    "security-headers": ("x-content-type-options", "x-frame-options", "frame-ancestors",
                         "content-security-policy"),
    "request-id": ("x-request-id", "x-correlation-id", "request-id", "correlation-id",
                   "x-amzn-trace-id", "traceparent"),
    "structured-logging": ("pythonjsonlogger", "json_log_formatter", "jsonformatter",
                           "ecs_logging", "structlog"),
    "metrics": ("/metrics",),
    "proxy-trust": ("forwarded_allow_ips",),
}
_EVIDENCE_BY_STRING: dict[str, set[str]] = {}
for _kind, _needles in EVIDENCE_STRINGS.items():
    for _needle in _needles:
        _EVIDENCE_BY_STRING.setdefault(_needle, set()).add(_kind)
# Last names of every call `_call` looks at; the others are skipped without a lookup.
_FACT_CALLEES = (
    {f.rsplit(".", 1)[-1] for f in RESOURCE_FACTORIES}
    | {f.rsplit(".", 1)[-1] for f in DRIVER_CONNECTS}
    | {"getenv", "get", "setdefault", "pop", "add_middleware", "middleware",
       "add_exception_handler", "register_error_handler", "exception_handler", "errorhandler",
       "include_router", "register_blueprint", "mount", "host", "add_api_route", "add_url_rule",
       "add_route", "add_resource", "add_event_handler", "register", "signal",
       "add_signal_handler", "teardown_appcontext", "run", "HTTPAdapter", "AsyncHTTPTransport",
       "HTTPTransport", "add", "configure", "dictConfig", "Instrumentator", "instrument_app",
       "instrument", "make_asgi_app", "PrometheusMetrics", "Middleware", "ConnectionPool",
       "AsyncConnectionPool", "SimpleConnectionPool", "ThreadedConnectionPool"}
)
_DEPENDENCY = re.compile(r"\b\w*(?:db|database|engine|session|redis|cache|pool|conn|"
                         r"execute|http_client)\w*\b", re.IGNORECASE)
RATE_LIMIT_NAME = re.compile(r"(rate_?limit|throttl)", re.IGNORECASE)
HEALTH_SEGMENTS = {"health", "healthz", "healthcheck", "health-check", "health_check",
                   "_health", "livez", "readyz", "live", "ready", "liveness", "readiness",
                   "ping", "heartbeat", "alive", "status", "_status", "up"}


@dataclass(slots=True)
class AppFact:
    var: str
    kind: str  # fastapi | starlette | flask | django
    line: int
    column: int
    has_lifespan: bool = False
    middleware: list[str] = field(default_factory=list)  # names passed at construction


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


@dataclass(slots=True)
class MountFact:
    owner: str
    target: str  # qualified dotted name of the router/blueprint being included
    prefix: str
    line: int


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
    # top-level functions whose source names a database, cache, pool or client: a health
    # handler calling one of them from another module still checks a dependency
    dependency_functions: set[str] = field(default_factory=set)
    maybe_apps: list[tuple[str, str, int, int]] = field(default_factory=list)  # var, class
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
    settings_fields: list[Located] = field(default_factory=list)  # env names of BaseSettings
    evidence: set[str] = field(default_factory=set)
    scheme_checks: list[Located] = field(default_factory=list)
    worker_loops: list[Located] = field(default_factory=list)
    django_settings: dict[str, object] = field(default_factory=dict)
    application_line: int = 0  # Django `application = get_wsgi_application()`
    has_pool: bool = False
    is_entry_point: bool = False


def module_name(path: str) -> str:
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    if parts and parts[0] in ("src", "lib"):
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def extract_facts(src: PythonFile) -> PythonFacts:
    return _Extractor(src).run()


class _Extractor:
    def __init__(self, src: PythonFile) -> None:
        self.src = src
        self.names = src.imports
        self.facts = PythonFacts(path=src.path, module=module_name(src.path), names=self.names)
        self.constants = _module_constants(src.tree)
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {
            n.name: n for n in src.nodes(ast.FunctionDef)}
        self.functions.update((n.name, n) for n in src.nodes(ast.AsyncFunctionDef))

    def q(self, node: ast.AST) -> str:
        return qualified(dotted_name(node), self.names)

    def run(self) -> PythonFacts:
        facts = self.facts
        facts.imports = set(self.names.values())
        for imported in facts.imports:
            parts = imported.split(".")
            for i in range(1, len(parts) + 1):
                facts.evidence.update(_EVIDENCE_BY_MODULE.get(".".join(parts[:i]), ()))
        facts.has_pool = any(i.startswith(POOL_MARKERS) for i in facts.imports)
        facts.is_entry_point = self._is_entry_point()
        nodes = self.src.nodes
        for name in _FACT_CALLEES:
            for call in self.src.calls(name):
                self._call(call)
        for assign in nodes(ast.Assign):
            self._assign(assign)
        for annotated in nodes(ast.AnnAssign):
            self._assign(annotated)
        for func in nodes(ast.FunctionDef):
            self._function(func)
        for afunc in nodes(ast.AsyncFunctionDef):
            self._function(afunc)
        lines = self.src.lines
        for stmt in self.src.tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and _DEPENDENCY.search(
                    "\n".join(lines[stmt.lineno:stmt.end_lineno or stmt.lineno])):
                facts.dependency_functions.add(stmt.name)
        for cls in nodes(ast.ClassDef):
            self._class(cls)
        # Header names and the like: one pass over the source beats one per string constant
        # (a mention in a comment counts too, which only ever spares a "no X" finding).
        lowered = self.src.text.lower()
        for needle, kinds in _EVIDENCE_BY_STRING.items():
            if needle in lowered:
                facts.evidence.update(kinds)
        for compare in nodes(ast.Compare):
            self._compare(compare)
        for sub in nodes(ast.Subscript):  # os.environ["NAME"]
            key = sub.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and qualified(
                    dotted_name(sub.value), self.names) in ("os.environ", "environ"):
                facts.env_reads.append(Located(key.value, sub.lineno, sub.col_offset + 1))
        facts.scheme_checks += [Located("request.is_secure", n.lineno)
                                for n in nodes(ast.Attribute) if n.attr == "is_secure"
                                and _is_request(dotted_name(n.value))]
        for loop in nodes(ast.While):
            if _is_true(loop.test) and _waits(loop) and facts.is_entry_point and (
                    not self._inside_function_except_main(loop)):
                facts.worker_loops.append(Located("while True", loop.lineno,
                                                  loop.col_offset + 1))
        self._django()
        return facts

    # ------------------------------------------------------------------ pieces

    def _is_entry_point(self) -> bool:
        base = self.src.path.rsplit("/", 1)[-1]
        if base in ("__main__.py", "main.py", "worker.py", "run.py", "manage.py"):
            return True
        return any(isinstance(s, ast.If) and "__name__" in ast.dump(s.test)
                   for s in self.src.tree.body)

    def _inside_function_except_main(self, node: ast.AST) -> bool:
        for outer in self.src.ancestors(node):
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                return outer.name not in ("main", "run", "serve", "worker", "loop", "run_forever")
        return False

    def _compare(self, node: ast.Compare) -> None:
        left = dotted_name(node.left)
        if _is_request(left) and left.endswith((".url.scheme", ".scheme")) and any(
                isinstance(c, ast.Constant) and c.value in ("https", "http")
                for c in node.comparators):
            self.facts.scheme_checks.append(Located(left, node.lineno))

    def _assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        value = node.value
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        target = dotted_name(targets[0]) if targets else ""
        if target == "application" and isinstance(value, ast.Call):
            self.facts.application_line = node.lineno
        if target.lower() == "forwarded_allow_ips":  # gunicorn.conf.py
            self.facts.evidence.add("proxy-trust")
        if not isinstance(value, ast.Call) or not target:
            if target and RATE_LIMIT_NAME.search(target):
                self.facts.evidence.add("rate-limit-config")
            return
        factory = self.q(value.func)
        kind = APP_FACTORIES.get(factory)
        if kind is None and factory.rsplit(".", 1)[-1][:1].isupper():
            # maybe the project's own subclass of Flask/FastAPI (`app = Redash()`): the
            # service model resolves it against the app classes of every file
            local = factory if "." in factory else f"{self.facts.module}.{factory}"
            self.facts.maybe_apps.append((target, local, node.lineno, node.col_offset + 1))
        if kind is not None:
            self.facts.apps.append(AppFact(
                var=target, kind=kind, line=node.lineno, column=node.col_offset + 1,
                has_lifespan=any(kw.arg in ("lifespan", "on_shutdown") for kw in value.keywords),
                middleware=_middleware_names(value),
            ))
            for kw in value.keywords:
                if kw.arg == "exception_handlers":
                    self.facts.exception_handlers.append(Located("constructor", node.lineno))
                if kw.arg == "routes":
                    self._starlette_routes(target, kw.value, "")
            return
        kind = ROUTER_FACTORIES.get(factory)
        if kind is not None:
            prefix = self._string_kw(value, "prefix" if kind == "router" else "url_prefix")
            self.facts.routers.append(RouterFact(target, kind, prefix or "", node.lineno))
            routes = keyword(value, "routes")
            if routes is not None:
                self._starlette_routes(target, routes.value, "")
            return
        resource = RESOURCE_FACTORIES.get(factory)
        if resource is not None:
            self.facts.resources.append(Located(f"{resource}:{target}", node.lineno))
        if target.endswith(("wsgi_app", "asgi_app")) and "ProxyFix" in factory:
            self.facts.evidence.add("proxy-trust")

    def _call(self, call: ast.Call) -> None:
        facts = self.facts
        name = dotted_name(call.func)
        full = qualified(name, self.names)
        last = name.rsplit(".", 1)[-1]
        owner = name.rsplit(".", 1)[0] if "." in name else ""
        if RESOURCE_FACTORIES.get(full) == "database" or full.startswith(
                ("psycopg2.pool.", "psycopg_pool.")):
            facts.has_pool = True
        if full in ("os.getenv", "os.environ.get", "os.environ.setdefault", "environ.get",
                    "os.environ.pop") or last in ("getenv",):
            key = call.args[0] if call.args else None
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                facts.env_reads.append(Located(key.value, call.lineno, call.col_offset + 1))
        elif full in DRIVER_CONNECTS and self._in_function(call):
            facts.driver_connects.append(Located(full, call.lineno, call.col_offset + 1))
        elif last == "add_middleware" and call.args:
            facts.middleware.append(Located(dotted_name(call.args[0]) or "?", call.lineno))
            self._middleware_evidence(dotted_name(call.args[0]), call)
        elif last == "middleware" and owner and call.args:
            facts.middleware.append(Located("http-middleware", call.lineno))
        elif last in ("add_exception_handler", "register_error_handler", "exception_handler",
                      "errorhandler") and call.args:
            facts.exception_handlers.append(Located(_exc_name(call.args[0]), call.lineno))
        elif last in ("include_router", "register_blueprint", "mount", "host") and call.args:
            target_node: ast.AST = call.args[0]
            prefix = self._string_kw(call, "prefix" if last == "include_router" else "url_prefix")
            if last in ("mount", "host"):  # mount(path, app), mount(path, app=…), host(name, app)
                app_kw = keyword(call, "app")
                target_node = call.args[1] if len(call.args) > 1 else (
                    app_kw.value if app_kw is not None else call.args[0])
                prefix = (self._literal_str(call.args[0]) or "") if last == "mount" else ""
            target = self.q(target_node)
            if target:
                facts.mounts.append(MountFact(owner, target, prefix or "", call.lineno))
        elif last in ("add_api_route", "add_url_rule", "add_route", "add_resource") and call.args:
            path_node = call.args[1] if last == "add_resource" and len(call.args) > 1 else (
                call.args[0])
            handler = call.args[0] if last == "add_resource" else (
                call.args[1] if len(call.args) > 1 else None)
            if handler is None:
                view = keyword(call, "view_func") or keyword(call, "endpoint")
                handler = view.value if view is not None else None
            self._add_route(owner, path_node, dotted_name(handler) if handler else "",
                            call.lineno, ("GET",))
        elif last == "add_event_handler" and call.args and self._literal_str(
                call.args[0]) in ("shutdown", "startup"):
            event = self._literal_str(call.args[0])
            hooks = facts.shutdown_hooks if event == "shutdown" else facts.startup_hooks
            hooks.append(Located(f"add_event_handler({event})", call.lineno))
        elif full in ("atexit.register", "signal.signal") or last in (
                "add_signal_handler", "teardown_appcontext"):
            facts.shutdown_hooks.append(Located(full or last, call.lineno))
        elif full == "uvicorn.run" and keyword(call, "forwarded_allow_ips") is not None:
            facts.evidence.add("proxy-trust")
        elif last in ("HTTPAdapter", "AsyncHTTPTransport", "HTTPTransport") and (
                keyword(call, "max_retries") or keyword(call, "retries")):
            facts.evidence.add("retry")
        elif (last in ("add", "configure") and "loguru" in full and keyword(call, "serialize")
              ) or (last == "dictConfig" and "json" in ast.dump(call).lower()):
            facts.evidence.add("structured-logging")
        elif last in ("Instrumentator", "instrument_app", "instrument", "make_asgi_app",
                      "PrometheusMetrics"):
            facts.evidence.add("metrics")
        if last in ("Middleware",) and call.args:
            self._middleware_evidence(dotted_name(call.args[0]), call)

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
        if RATE_LIMIT_NAME.search(func.name) and func.name.startswith(("rate", "throttl")):
            facts.evidence.add("rate-limit-config")
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
                if last in ("limit", "limits", "throttle", "ratelimit") or "limiter" in owner:
                    facts.evidence.add("rate-limit")
                continue
            if last in ("limit", "ratelimit", "throttle") or "limiter" in owner.lower():
                facts.evidence.add("rate-limit")
            if last in ROUTE_DECORATORS and owner and call.args:
                methods = (last.upper(),) if last not in ("route", "api_route") else (
                    self._methods(call))
                self._add_route(owner, call.args[0], func.name, func.lineno, methods, func)
            elif last == "on_event" and call.args and self._literal_str(
                    call.args[0]) in ("shutdown", "startup"):
                event = self._literal_str(call.args[0])
                hooks = facts.shutdown_hooks if event == "shutdown" else facts.startup_hooks
                hooks.append(Located(f"on_event({event}) {func.name}", func.lineno))
            elif last in ("exception_handler", "errorhandler") and call.args:
                facts.exception_handlers.append(Located(_exc_name(call.args[0]), func.lineno))
        if func.name == "lifespan" or (any(a.arg == "app" for a in func.args.args) and any(
                isinstance(n, ast.Yield) for n in ast.walk(func))):
            facts.shutdown_hooks.append(Located("lifespan", func.lineno))

    def _class(self, cls: ast.ClassDef) -> None:
        bases = [self.q(b) for b in cls.bases]
        kinds = [APP_FACTORIES[b] for b in bases if b in APP_FACTORIES]
        if kinds:  # class Redash(Flask): instances of it are apps too
            self.facts.app_classes[f"{self.facts.module}.{cls.name}"] = kinds[0]
        if any(b.endswith("BaseSettings") for b in bases):
            prefix = ""
            for stmt in cls.body:
                prefix = prefix or _env_prefix(stmt)
            for stmt in cls.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    if stmt.target.id.startswith("model_"):
                        continue
                    env = (prefix + stmt.target.id).upper()
                    alias = _field_alias(stmt.value)
                    self.facts.settings_fields.append(Located(alias or env, stmt.lineno,
                                                              stmt.col_offset + 1))
                    if RATE_LIMIT_NAME.search(stmt.target.id):
                        self.facts.evidence.add("rate-limit-config")
        if any(b.endswith(("logging.Formatter", "Formatter")) for b in bases) and (
                "json" in ast.dump(cls).lower()):
            self.facts.evidence.add("structured-logging")
        if any("Middleware" in b for b in bases) or cls.name.endswith("Middleware"):
            self._middleware_evidence(cls.name, ast.Call(func=ast.Name("x"), args=[],
                                                         keywords=[]))

    def _add_route(self, owner: str, path_node: ast.AST, handler: str, line: int,
                   methods: tuple[str, ...], func: ast.AST | None = None) -> None:
        path = self._literal_str(path_node)
        if func is None and handler in self.functions:
            func = self.functions[handler.rsplit(".", 1)[-1]]
        touches, can_fail = self._handler_profile(func) if func is not None else ((), True)
        self.facts.routes.append(RouteFact(owner, path, methods, line, handler, touches,
                                           can_fail))
        if path is not None and path.rstrip("/").endswith("/metrics"):
            self.facts.evidence.add("metrics")

    def _handler_profile(self, func: ast.AST) -> tuple[tuple[str, ...], bool]:
        """Names a handler references (following same-file helpers once) and whether it can
        answer with a failure status."""
        names: set[str] = set()
        can_fail = False
        seen: set[str] = set()
        stack = [func]
        while stack:
            current = stack.pop()
            for node in ast.walk(current):
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
        for stmt in self.src.tree.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(
                stmt.targets) == 1 else getattr(stmt, "target", None)
            name = target.id if isinstance(target, ast.Name) else ""
            value = getattr(stmt, "value", None)
            if name == "urlpatterns":
                has_urlpatterns = True
            if isinstance(stmt, ast.Assign) and name.isupper() and value is not None:
                try:
                    settings[name] = ast.literal_eval(value)
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    settings[name] = _summarise(value)
        if has_urlpatterns or base == "urls.py":
            # every path() of the module: patterns are often built in helper lists
            # (`_patterns = [...]`, `urlpatterns = [path(BASE, include(_patterns))]`)
            self._django_urls()
        in_settings = base == "settings.py" or "/settings/" in f"/{self.src.path}"
        if "INSTALLED_APPS" in settings or "ROOT_URLCONF" in settings:
            # Names only: values (SECRET_KEY, passwords) must not leave the worker or be cached.
            self.facts.django_settings = dict.fromkeys(settings)
        if self.facts.django_settings or (in_settings and settings):
            self._django_evidence(settings)  # production.py overrides base.py's settings

    def _django_urls(self) -> None:
        for call in self.src.calls("path", "re_path", "url"):
            if call.args:
                view = call.args[1] if len(call.args) > 1 else None
                if isinstance(view, ast.Call) and dotted_name(view.func).endswith("include"):
                    continue  # a prefix for another urlconf, not an endpoint
                handler = dotted_name(view.func if isinstance(view, ast.Call) else view) if (
                    view is not None) else ""
                raw = self._literal_str(call.args[0])
                path = None if raw is None else "/" + raw.strip("^$").lstrip("/")
                self._add_route("", ast.Constant(path) if path is not None else call.args[0],
                                handler, call.lineno, ("GET",))

    def _django_evidence(self, settings: dict[str, object]) -> None:
        evidence = self.facts.evidence
        text = repr(settings).lower()
        hsts = settings.get("SECURE_HSTS_SECONDS")
        if (isinstance(hsts, int) and hsts > 0) or isinstance(hsts, str):
            evidence.add("hsts")
        if "SECURE_PROXY_SSL_HEADER" in settings:
            evidence.add("proxy-trust")
        if settings.get("SECURE_SSL_REDIRECT") is True:
            self.facts.scheme_checks.append(Located("SECURE_SSL_REDIRECT", 1))
        if "securitymiddleware" in text or "xframeoptionsmiddleware" in text:
            evidence.add("security-headers")
        if "throttle" in text or "ratelimit" in text:
            evidence.add("rate-limit")
        if "health_check" in text:
            evidence.add("health-route")
        if "django_prometheus" in text:
            evidence.add("metrics")
        if "json" in str(settings.get("LOGGING", "")).lower():
            evidence.add("structured-logging")
        if "correlation" in text or "django_guid" in text or "request_id" in text:
            evidence.add("request-id")
        if any(RATE_LIMIT_NAME.search(k) for k in settings):
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
        if isinstance(node, ast.JoinedStr):  # f"{PREFIX}/health": keep the literal tail
            tail = [v.value for v in node.values if isinstance(v, ast.Constant)]
            return "".join(str(t) for t in tail) if tail else None
        return None

    def _string_kw(self, call: ast.Call, name: str) -> str | None:
        kw = keyword(call, name)
        return self._literal_str(kw.value) if kw is not None else None

    def _in_function(self, node: ast.AST) -> bool:
        for outer in self.src.ancestors(node):
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                return outer.name != "main"
        return False


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


def _field_alias(value: ast.AST | None) -> str | None:
    if isinstance(value, ast.Call) and dotted_name(value.func).endswith("Field"):
        for name in ("alias", "validation_alias", "env"):
            kw = keyword(value, name)
            if kw is not None and isinstance(kw.value, ast.Constant) and isinstance(
                    kw.value.value, str):
                return kw.value.value
    return None


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


def _is_true(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in (True, 1)


def is_health_path(path: str | None) -> bool:
    if not path:
        return False
    segments = [s for s in re.split(r"[/.]", path.lower()) if s and not s.startswith(("{", "<"))]
    return any(s in HEALTH_SEGMENTS or s.startswith("health") for s in segments)
