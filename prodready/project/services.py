"""The service model: each web app in the repo with its code, image and deployments.

Built once per scan from the facts the workers returned (`prodready.facts`) and the parsed
Dockerfiles, Compose files and manifests of the Project; nothing is read again here.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import posixpath
import re
import shlex
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from ..artifacts.dockerfile import Dockerfile, variables
from ..artifacts.pyast import qualified
from ..artifacts.yamldocs import YMap, command_line, is_compose_path
from ..discover import PROXY_CONFIGS
from ..facts import (
    MAX_INCLUDE_PREFIXES,
    SETTING_REFERENCE,
    AppFact,
    MountFact,
    PythonFacts,
    RouteFact,
    RouterFact,
    is_health_path,
    module_name,
)
from . import Project
from .admin_site import admin_routes, admin_sites
from .builds import CI_FILES
from .compose import configs, image_repository, self_url_path
from .deployment import in_scripts_directory, path_role
from .viewsets import ViewSets

RESOURCE_KINDS_OWNED = ("database", "redis")
ROOT_MARKERS = ("Dockerfile", "Containerfile", "pyproject.toml", "setup.py", "setup.cfg",
                "requirements.txt", "manage.py")
# Files outside Python that carry evidence of a practice, and the (lower-case) words that
# show it: substring tests on the lower-cased text, far cheaper than regexes over JSON/TOML.
INFRA_EVIDENCE = {
    "hsts": ("strict-transport-security", "stsseconds", "hsts"),
    "security-headers": ("x-frame-options", "x-content-type-options", "frame-ancestors",
                         "contenttypenosniff", "framedeny", "customframeoptionsvalue"),
    "rate-limit": ("limit_req", "rate-limit", "ratelimit", "limit-rps", "limit-rpm",
                   "throttl"),
    "request-id": ("x-request-id", "request_id", "x-correlation-id"),
}
# A logging config file whose records are JSON: a JSON formatter class, or a format string
# shaped like a JSON object (`format={"time": "%(asctime)s", …}`).
STRUCTURED_LOG_CONFIG = re.compile(r"jsonformatter|pythonjsonlogger|json_log|structlog|"
                                   r"ecs_logging|format\s*[=:]\s*['\"]?\{\s*\\?['\"]",
                                   re.IGNORECASE)
THIRD_PARTY_IMAGES = {"nginx", "envoy", "traefik", "haproxy", "busybox", "alpine", "curl",
                      "otel-collector", "opentelemetry-collector", "fluent-bit", "fluentd",
                      "cloud-sql-proxy", "pgbouncer", "istio-proxy", "linkerd-proxy",
                      "prometheus", "grafana", "jaeger", "vault", "oauth2-proxy"}
# Names that show a handler reaches a dependency even when it is not the resource variable;
# the loose form also accepts helper names (`check_dependencies()`), for APP002's benefit.
DEPENDENCY_NAMES = r"db|database|engine|session|redis|cache|pool|conn|execute|http_client"
DEPENDENCY_STRICT = re.compile(rf"({DEPENDENCY_NAMES})", re.IGNORECASE)
DEPENDENCY_LOOSE = re.compile(rf"({DEPENDENCY_NAMES}|ping|select|dependenc|check)", re.IGNORECASE)
HEALTH_HANDLER = re.compile(r"health|liveness|readiness", re.IGNORECASE)
# A declared dependency that instruments the web framework with OpenTelemetry: applied by
# the `opentelemetry-instrument` launcher or an internal package, with no import to find.
OTEL_INSTRUMENTATION = re.compile(
    r"opentelemetry[-_]instrumentation[-_](?:django|flask|fastapi|starlette|asgi|wsgi|falcon"
    r"|pyramid|tornado|aiohttp[-_]server)\b", re.IGNORECASE)
# Launchers that run the server under an APM agent: traces with ids, metrics, and (for the
# vendors' agents) error reports.
APM_LAUNCHERS = {
    "opentelemetry-instrument": {"request-id", "metrics"},
    "ddtrace-run": {"request-id", "metrics", "error-tracking"},
    "newrelic-admin": {"request-id", "metrics", "error-tracking"},
}
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod")
TLS_FLAGS = re.compile(r"--(?:ssl-)?(?:certfile|keyfile)(?![\w-])")  # uvicorn, gunicorn, …
SERVER_PORT_DEFAULTS = {"uvicorn": 8000, "gunicorn": 8000, "hypercorn": 8000, "flask": 5000,
                        "granian": 8000, "daphne": 8000}


@dataclass(slots=True)
class Route:
    path: str | None
    methods: tuple[str, ...]
    handler: str
    file: str
    line: int
    touches: tuple[str, ...]
    can_fail: bool
    certain: bool  # the full path is known (literal path, resolved prefixes)
    calls_dependency_helper: bool = False  # calls another module's function that does
    # a health route only by a strong health word (`/health`), not by a weak last word
    # (`/status`): an operation on a resource (a DRF viewset action `/celery/status/`, an
    # admin page) or a path a helper builds (`org_scoped_rule("/api/organization/status")`)
    strong_health_only: bool = False
    shallow: bool = False  # its docstring says it answers only whether the process is up
    switched_off: bool = False  # its handler answers 404 unless a setting turns it on


# Characters of a URL pattern (a `re_path` regex, a `{param}`, a `<converter:name>`) that a
# probe cannot request as written
_PATTERN_CHARACTERS = re.compile(r"[{}<>()\[\]?*+|\\^$]")


def probe_target(route: Route) -> bool:
    """A health route a probe or health check can request as written: its full path is
    known, is a plain path (no parameter, no regex) and is not switched off by a setting."""
    return route.certain and bool(route.path) and not route.switched_off and \
        _PATTERN_CHARACTERS.search(route.path or "") is None


@dataclass(slots=True)
class Runner:
    """Somewhere the service is started: a Dockerfile CMD, a compose command, a k8s container."""

    source: str  # dockerfile | compose | kubernetes | procfile | python
    path: str
    line: int
    name: str
    command: str
    env: dict[str, str] = field(default_factory=dict)
    probes: list[Probe] = field(default_factory=list)  # Kubernetes HTTP probes
    health_path: str | None = None  # what a Compose or Docker healthcheck fetches from it
    # the server reads its settings from a file (`gunicorn --config gunicorn.py`, gunicorn's
    # own `gunicorn.conf.py`): the port its `bind` names there, None when it names none
    configured: bool = False
    config_port: int | None = None


@dataclass(slots=True)
class Probe:
    kind: str  # liveness | readiness | startup
    path: str | None
    port: object
    path_line: int
    path_column: int
    file: str
    container: str


@dataclass
class Service:
    name: str
    kind: str  # fastapi | starlette | flask | django
    path: str
    line: int
    column: int
    root: str  # directory the service's code lives under ("" = repo root)
    files: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    middleware: list[str] = field(default_factory=list)
    exception_handlers: list[str] = field(default_factory=list)
    shutdown_hooks: list[str] = field(default_factory=list)
    startup_hooks: list[str] = field(default_factory=list)
    resources: list[tuple[str, str, str, int]] = field(default_factory=list)  # kind,var,file,line
    evidence: set[str] = field(default_factory=set)
    scheme_checks: list[tuple[str, int, str]] = field(default_factory=list)
    dockerfiles: list[str] = field(default_factory=list)
    runners: list[Runner] = field(default_factory=list)
    module_ref: str = ""  # `app.main:app`
    env_reads: list[tuple[str, str, int]] = field(default_factory=list)  # name, file, line
    # the paths of apps merged into this one (a Django project mounted into it): their
    # directories hold the service's own code too
    merged_paths: list[str] = field(default_factory=list)

    def uses(self, route: Route) -> list[str]:
        """The service's resources a route's handler touches."""
        owned = {var.rsplit(".", 1)[-1]: var for _, var, _, _ in self.resources}
        return sorted({owned[n] for n in route.touches if n in owned})

    def has(self, evidence: str) -> bool:
        return evidence in self.evidence

    @property
    def health_routes(self) -> list[Route]:
        """Routes on a health path, or whose handler says it is one (`health_check` at "/")."""
        return [r for r in self.routes if (
            is_health_path(r.path, weak=not r.strong_health_only) or HEALTH_HANDLER.search(
                r.handler.rsplit(".", 1)[-1]))]

    @property
    def owned_resources(self) -> list[tuple[str, str, str, int]]:
        return [r for r in self.resources if r[0] in RESOURCE_KINDS_OWNED]

    def server_flags(self) -> str:
        return " ".join(r.command for r in self.runners)

    def terminates_tls(self) -> bool:
        """The server itself speaks HTTPS (`--ssl-certfile`, `--certfile`, `ssl_context=`):
        requests arrive with their real scheme, no proxy header needed."""
        if self.has("tls"):
            return True
        return any(TLS_FLAGS.search(r.command) or any(
            k.upper().endswith(("SSL_CERTFILE", "SSL_KEYFILE")) for k in r.env)
            for r in self.runners)

    def trusts_proxy(self) -> bool:
        if self.has("proxy-trust"):
            return True
        for runner in self.runners:
            if "--forwarded-allow-ips" in runner.command or "FORWARDED_ALLOW_IPS" in runner.env:
                return True
        return False


def touches_dependencies(route: Route, svc: Service, *, strict: bool = False) -> bool:
    owned = {var.rsplit(".", 1)[-1] for _, var, _, _ in svc.owned_resources}
    hint = DEPENDENCY_STRICT if strict else DEPENDENCY_LOOSE
    if not strict and route.calls_dependency_helper:
        return True
    return any(n in owned or hint.search(n) for n in route.touches)


def route_matches(route_path: str, request_path: str) -> bool:
    """Does a route pattern (`/items/{id}`, `/u/<int:pk>`) serve a concrete request path?"""
    def segments(path: str) -> list[str]:
        return [s for s in path.split("?", 1)[0].strip("/").split("/") if s]

    pattern, request = segments(route_path), segments(request_path)
    if len(pattern) != len(request):
        return bool(pattern) and pattern[-1].endswith((":path}", "path>")) and len(
            request) >= len(pattern)
    return all(p == r or p.startswith(("{", "<")) for p, r in zip(pattern, request, strict=True))


def services_of(project: Project) -> list[Service]:
    """The service model of a scan, built on first use and kept on the project."""
    services: list[Service] = project.once("services", lambda: build_services(project))
    return services


def build_services(project: Project) -> list[Service]:
    facts: dict[str, PythonFacts] = {p: f for p, f in project.python.items()
                                     if isinstance(f, PythonFacts)}
    roots = _service_roots(project, facts)
    _resolve_app_subclasses(facts)
    services: list[Service] = []
    mounted = _mounted_targets(facts)
    for path, pf in sorted(facts.items()):
        for app in pf.apps:
            if _is_mounted(f"{pf.module}.{app.var}", mounted):
                continue  # a sub-application: its routes belong to the app that mounts it
            services.append(_new_service(pf, app.var, app.kind, app.line, app.column,
                                         roots.get(path, "")))
    django = _django_services(facts, roots)
    services.extend(django)
    if not services:
        return []
    files_of = _files_by_root(sorted(facts), {s.root for s in services})
    _add_imported_libraries(files_of, facts, roots)
    mounts = _MountIndex(facts)
    settings = _Settings(facts)
    infra = infra_evidence(project)
    helpers = _dependency_helpers(facts)
    viewsets = ViewSets(facts)
    admin = admin_sites(facts)
    for svc in services:
        svc.files = files_of[svc.root]
    _merge_mounted_django(services, facts)
    claims = _route_claims(services, facts)
    app_paths = {s.path for s in services}
    app_modules = {s.module_ref.partition(":")[0] for s in services}
    side_apps = _side_apps(services, facts, claims)
    prefixes_of: dict[int, tuple[list[str], _Prefixes]] = {}
    for svc in services:
        root_files = svc.files
        if id(svc) in side_apps:
            svc.files = [svc.path]  # its own routes and middleware, not the main app's
        # services with the same files (those of one root) share their prefixes
        if id(svc.files) not in prefixes_of:
            urlconf, more = _urlconf_prefixes(facts, svc.files)
            prefixes_of[id(svc.files)] = (svc.files, _Prefixes(
                urlconf, _router_prefixes(facts, svc.files, mounts, urlconf, settings), more))
        _collect(svc, facts, helpers, claims, prefixes_of[id(svc.files)][1], viewsets, admin)
        if root_files is not svc.files:  # a side app: its process's logging, tracking, …
            for path in root_files:
                svc.evidence |= facts[path].evidence
        svc.evidence |= infra
        _link_runners(svc, project, single=len(services) == 1,
                      by_reference_only=id(svc) in side_apps, app_paths=app_paths,
                      app_modules=app_modules)
        for runner in svc.runners:
            for launcher, kinds in APM_LAUNCHERS.items():
                if launcher in runner.command:
                    svc.evidence |= kinds
        images = [r.path for r in svc.runners if r.source == "dockerfile"]
        if images and all(_ships_a_frontend(project, path) for path in images):
            svc.evidence.add("html-pages")  # a built web UI the container serves
    # An app built in a scripts/ folder is a maintenance script's application context (it
    # needs the app's configuration and database), not a service, unless something runs it;
    # so is an app in the module a task worker loads (`celery -A run_celery worker`). An app
    # a management command line builds without any route is one even when the command that
    # starts the server is found: that command serves another app.
    # ... and an app the project's own code starts as a helper process (`subprocess.Popen(
    # ["python", "service/thumbnail/main.py"])`) is part of the service that starts it.
    workers = _worker_modules(project)
    context_only = _context_only_factories(project, facts)
    spawned = [re.compile(p) for pf in facts.values() for p in pf.spawned]
    lent = _lent_routers(services, facts)
    return [svc for svc in services if not _command_line_context(svc, facts) and not (
        _built_for_its_context(svc, facts, context_only)) and not (
        not svc.runners and _bare_leftover(svc, facts, lent)) and (
        svc.runners or (not in_scripts_directory(svc.path)
                        and not _worker_bootstrap(svc, workers)
                        and not any(p.fullmatch(svc.path) for p in spawned)))]


def _lent_routers(services: list[Service], facts: dict[str, PythonFacts]) -> set[str]:
    """The routers and blueprints, qualified, that an app something runs includes
    (`app.include_router(general_router)` after `from .general import router as
    general_router` lends `pkg.api.general.router`)."""
    lent: set[str] = set()
    for svc in services:
        own = facts.get(svc.path)
        if not svc.runners or own is None:
            continue
        for mount in own.mounts:
            if not mount.owner or not mount.target:
                continue
            lent.add(mount.target)
            lent |= {name for name in own.module_imports if name.endswith("." + mount.target)}
    return lent


def _bare_leftover(svc: Service, facts: dict[str, PythonFacts], lent: set[str]) -> bool:
    """An app whose only registrations are routers a served app includes too (`app =
    FastAPI()` and `app.include_router(router)` beside the module's `router`, which the
    app something runs includes): the served app is the service, this one a leftover
    nothing starts."""
    own = facts.get(svc.path)
    module, _, var = svc.module_ref.partition(":")
    if own is None or not lent:
        return False
    app = next((a for a in own.apps if a.var == var and not a.scope), None)
    mounts = [f"{module}.{m.target}" if "." not in m.target else m.target
              for m in own.mounts if m.owner == var]
    if not mounts:  # a bare app beside the router a served app includes
        mounts = [name for name in lent if name.startswith(module + ".")][:1] or [""]
    return app is not None and not app.middleware and not app.has_lifespan and not any(
        route.owner == var for route in own.routes) and all(m in lent for m in mounts)


_CLI_MODULES = frozenset({"cli", "commands", "manage", "management"})


def _command_line_context(svc: Service, facts: dict[str, PythonFacts]) -> bool:
    """An app without routes, built by a command-line module (`commands.py`, a FlaskGroup
    app factory) for its commands: the configuration and database, not HTTP."""
    own = facts.get(svc.path)
    if svc.routes or own is None or own.mounts:
        return False
    name = own.module.rsplit(".", 1)[-1]
    return name in _CLI_MODULES or "flask.cli.FlaskGroup" in own.imports


def _context_only_factories(project: Project, facts: dict[str, PythonFacts]) -> set[str]:
    """Functions named for an app that the project's code calls only to enter the app's
    context (`with create_light_app().app_context():` in a worker or a cron job), and that
    no start script, configuration or page names (`gunicorn 'pkg.app:create_app()'`)."""
    from .documentation import read_text

    context: set[str] = set()
    other: set[str] = set()
    for pf in facts.values():
        if not pf.test_code:
            context.update(pf.context_factories)
            other.update(pf.other_factories)
    found = {name for name in context if not any(_same_function(name, o) for o in other)}
    for path in project.all_files if found else ():
        if _LAUNCH_FILE.search(path):
            text = read_text(project, path)
            found = {name for name in found if not _launches(text, name.rsplit(".", 1)[-1])}
            if not found:
                break
    return found


def _launches(text: str, factory: str) -> bool:
    """The text starts the app through the factory: `module:create_app` (gunicorn, uvicorn,
    Flask) or a call, `create_app()`; not a log line quoted in the notes (`create_app:
    Starting jobs`)."""
    return factory in text and re.search(rf":{re.escape(factory)}\b|\b{re.escape(factory)}\(",
                                         text) is not None


def _same_function(one: str, other: str) -> bool:
    """Two qualified names that may name one function: equal, or one a dotted tail of the
    other (`bn_retry.create_app` and `src.bn_retry.create_app`; a bare `create_app` whose
    import was not resolved matches every function of that name)."""
    return one == other or one.endswith("." + other) or other.endswith("." + one)


# where a start command can name an app factory: scripts, images, Compose and Kubernetes
# files, process and server configurations, pages
_LAUNCH_FILE = re.compile(r"(?:\.(?:sh|ya?ml|ini|cfg|conf|toml|service|md|rst|txt|json)|"
                          r"(?:^|/)(?:Dockerfile[^/]*|Procfile[^/]*|Makefile|[^/]*\.env))$")


def _built_for_its_context(svc: Service, facts: dict[str, PythonFacts],
                           context_only: set[str]) -> bool:
    """An app its factory builds only for workers' application contexts, or that the
    function creating it enters the context of (`FLASK_APP.app_context().push()` in a data
    job's task) while registering nothing on it, where nothing runs it or only as a script
    whose main block starts no server (a scheduled job's image): it serves no HTTP."""
    own = facts.get(svc.path)
    app = next((a for a in own.apps if a.line == svc.line), None) if own else None
    if own is None or app is None:
        return False
    factory = f"{own.module}.{app.scope}"
    if any(_same_function(factory, name) for name in context_only):
        return True
    return app.enters_context and not any(r.owner == app.var for r in own.routes) and not any(
        m.owner == app.var for m in own.mounts) and not own.main_serves and all(
        _PYTHON_SCRIPT.search(r.command) for r in svc.runners)


_PYTHON_SCRIPT = re.compile(r"\bpython[\d.]*(?:\s+-\w+)*\s+\S+\.py\b")


def _worker_bootstrap(svc: Service, workers: set[str]) -> bool:
    """The app lives in a module written to start a task worker (`run_celery.py`,
    `worker.py`) that a worker command loads: the worker's application context."""
    module = svc.module_ref.split(":", 1)[0]
    name = module.rsplit(".", 1)[-1]
    return module in workers and any(word in name for word in ("celery", "worker", "tasks"))


_LONG_LINE = 4000  # a command is shorter; longer lines are data


def _worker_modules(project: Project) -> set[str]:
    """Modules (and `module.attribute` prefixes) that task-worker commands load
    (`celery -A run_celery.notify_celery worker`, `celery --app=tasks beat`), read from the
    scripts, Dockerfiles, Compose files and manifests of the repository."""
    texts = [*project.texts.values(),
             *(getattr(df, "text", "") for df in project.dockerfiles.values()),
             *(yf.text for yf in project.yaml_files.values())]
    found: set[str] = set()
    for text in texts:
        if "celery" not in text:
            continue
        for line in text.splitlines():
            if "celery" not in line or len(line) > _LONG_LINE:
                continue
            words = line.replace("=", " ").replace('"', " ").replace("'", " ").split()
            if not {"worker", "beat"} & set(words):
                continue
            for flag, value in pairwise(words):
                if flag in ("-A", "--app"):
                    found.update({value, value.rsplit(".", 1)[0]})
    return found


# ------------------------------------------------------------------------------ code


def _resolve_app_subclasses(facts: dict[str, PythonFacts]) -> None:
    """`app = Redash()` where `class Redash(Flask)` lives in this repository: an app; `bp =
    IndicoBlueprint(…, url_prefix="/admin")` where `class IndicoBlueprint(Blueprint)` does:
    a blueprint with its prefix."""
    routers = {name: kind for pf in facts.values() for name, kind in pf.router_classes.items()}
    if routers:
        for pf in facts.values():
            known = {r.var for r in pf.routers}
            for var, name, line, _ in pf.maybe_apps:
                kind = _class_kind(routers, name)
                if kind is not None and var not in known:
                    pf.routers.append(RouterFact(var, kind, pf.maybe_prefixes.get(var, ""),
                                                 line))
                    known.add(var)
    apps = {name: kind for pf in facts.values() for name, kind in pf.app_classes.items()}
    if not apps:
        return
    for pf in facts.values():
        known_lines = {a.line for a in pf.apps}
        for var, name, line, column in sorted(pf.maybe_apps, key=lambda m: m[2]):
            kind = _class_kind(apps, name)
            if kind is not None and line not in known_lines and \
                    var not in {a.var for a in pf.apps}:
                pf.apps.append(AppFact(var=var, kind=kind, line=line, column=column))


def _class_kind(classes: dict[str, str], name: str) -> str | None:
    """The kind of the project's class `name` names; imported from below the repository
    root, `polar.app.App` is `server.polar.app.App`."""
    return classes.get(name) or next(
        (kind for cls, kind in classes.items() if cls.endswith("." + name)), None)


def _service_roots(project: Project, facts: dict[str, PythonFacts]) -> dict[str, str]:
    """Python file -> the nearest directory above it that looks like a deployable unit."""
    marked = {posixpath.dirname(p) for p in project.all_files
              if posixpath.basename(p) in ROOT_MARKERS}
    out: dict[str, str] = {}
    for path in facts:
        directory = posixpath.dirname(path)
        while directory and directory not in marked:
            directory = posixpath.dirname(directory)
        out[path] = directory
    return out


def _files_by_root(paths: list[str], roots: set[str]) -> dict[str, list[str]]:
    """Service root -> its files, in `paths` order: a file belongs to the deepest service
    root above it; shared code (under no root) belongs to all. One walk up per file."""
    own: dict[str, list[str]] = {root: [] for root in roots}
    shared: list[str] = []
    for path in paths:
        directory = posixpath.dirname(path)
        while directory not in roots and directory:
            directory = posixpath.dirname(directory)
        if directory in roots:
            own[directory].append(path)
        else:
            shared.append(path)
    if not shared:
        return own
    return {root: list(heapq.merge(files, shared)) for root, files in own.items()}


def _add_imported_libraries(files_of: dict[str, list[str]], facts: dict[str, PythonFacts],
                            roots: dict[str, str]) -> None:
    """Extend each service root's files with the modules of other roots its code imports, and
    theirs in turn: a workspace's shared package (`merino-common/merino_common/…`) whose
    routers, logging setup and middleware the service uses. Modules that build an app of
    their own stay with their service."""
    by_name: dict[str, set[str]] = {}  # importable module name -> files
    for path in facts:
        root = roots.get(path, "")
        relative = path[len(root) + 1:] if root else path
        by_name.setdefault(module_name(relative), set()).add(path)
    for root, files in files_of.items():
        own = set(files)
        local = {module_name(p[len(root) + 1:] if root else p) for p in files}
        added: set[str] = set()
        # from the root's own code: shared files (under no root) belong to every service,
        # and what they import is theirs
        queue = [p for p in files if roots.get(p, "") == root and not facts[p].test_code]
        while queue:
            for name in facts[queue.pop()].imports:
                module = name if name in by_name else name.rpartition(".")[0]
                found = by_name.get(module, ())
                if module in local or len({roots.get(p, "") for p in found}) != 1:
                    continue  # the root's own module, or a name several roots define
                for path in found:
                    if path not in own and path not in added and not facts[path].apps \
                            and not facts[path].test_code:
                        added.add(path)
                        queue.append(path)
        if added:
            files_of[root] = sorted(own | added)


def _mounted_targets(facts: dict[str, PythonFacts]) -> set[str]:
    """The qualified names of every mounted app, also through a package's re-export
    (`from fief.apps import api_app`, where `fief/apps/__init__.py` imports `api.app.app as
    api_app`)."""
    by_module = {pf.module: pf for pf in facts.values()}
    targets: set[str] = set()
    for pf in facts.values():
        for mount in pf.mounts:
            target = mount.target if "." in mount.target else f"{pf.module}.{mount.target}"
            targets.add(mount.target)
            for _ in range(2):  # a re-export of a re-export at most
                targets.add(target)
                module, _, name = target.rpartition(".")
                exported = by_module.get(module)
                if exported is None or name not in exported.names:
                    break
                target = exported.names[name]
            targets.add(target)
    return targets


def _is_mounted(qualified: str, mounted: set[str]) -> bool:
    """`server.polar.backoffice.app` is mounted as `polar.backoffice.app` when the code is
    imported from below the repository root."""
    return any(qualified == t or (qualified.endswith("." + t) and "." in t) for t in mounted)


def _new_service(pf: PythonFacts, var: str, kind: str, line: int, column: int,
                 root: str) -> Service:
    module = pf.module
    prefix = root.replace("/", ".") + "." if root else ""
    if prefix and module.startswith(prefix):
        module = module[len(prefix):]  # as the service imports it: from its own root
    return Service(name=f"{module}:{var}", kind=kind, path=pf.path, line=line, column=column,
                   root=root, module_ref=f"{module}:{var}")


def _django_services(facts: dict[str, PythonFacts], roots: dict[str, str]) -> list[Service]:
    by_dir: dict[str, list[PythonFacts]] = {}
    for pf in facts.values():
        if pf.django_settings and "INSTALLED_APPS" in pf.django_settings:
            by_dir.setdefault(posixpath.dirname(pf.path), []).append(pf)
    out = []
    for directory, settings in sorted(by_dir.items()):
        settings.sort(key=lambda f: (not f.path.endswith(("settings.py", "base.py")), f.path))
        anchor, line = settings[0].path, 1
        project_dir = directory[:-len("/settings")] if directory.endswith("/settings") else (
            directory)
        for entry in ("wsgi.py", "asgi.py"):
            candidate = posixpath.join(project_dir, entry) if project_dir else entry
            entry_facts = facts.get(candidate)
            if entry_facts is not None:
                anchor, line = candidate, entry_facts.application_line or 1
                break
        svc = Service(name=project_dir or "django", kind="django", path=anchor, line=line,
                      column=1, root=roots.get(settings[0].path, ""),
                      module_ref=f"{project_dir.replace('/', '.')}.wsgi:application")
        for pf in settings:
            svc.evidence |= pf.evidence
        svc.exception_handlers.append("django default handler500")
        out.append(svc)
    return out


def _factory_of(host: Service, pf: PythonFacts | None) -> str:
    """The qualified name of the function that creates the host's app ("" at module level)."""
    app = next((a for a in pf.apps if a.line == host.line), None) if pf is not None else None
    return f"{pf.module}.{app.scope}" if pf is not None and app is not None and app.scope \
        else ""


def _merge_mounted_django(services: list[Service], facts: dict[str, PythonFacts]) -> None:
    """A Django project mounted inside another app (`app.mount("/", WSGIMiddleware(
    get_wsgi_application()))`) is part of that app's service, not a service of its own."""
    django = [s for s in services if s.kind == "django"]
    for host in [s for s in services if s.kind != "django"]:
        var = host.module_ref.rsplit(":", 1)[-1]
        pf = facts.get(host.path)
        mounts = [m for m in pf.mounts if m.target == "django" and m.owner in (var, "")] if (
            pf is not None) else []
        factory = _factory_of(host, pf)
        if not mounts and factory:
            # another module mounts Django into what the host's factory returns
            # (`app = create_application(); app.mount("/", get_asgi_application())`)
            mounts = [m for other in facts.values() for m in other.mounts
                      if m.target == "django" and m.built_by
                      and _is_mounted(factory, {m.built_by})]
        if not mounts or not django:
            continue
        mounted = next((d for d in django if d.root == host.root), django[0])
        own = set(host.files)  # a new list: services of one root share theirs
        host.files = host.files + [f for f in mounted.files if f not in own]
        host.evidence |= mounted.evidence
        host.exception_handlers += mounted.exception_handlers
        host.merged_paths.append(mounted.path)
        services.remove(mounted)
        django.remove(mounted)


def _side_apps(services: list[Service], facts: dict[str, PythonFacts],
               claims: dict[int, set[int]]) -> set[int]:
    """Small apps beside a main app of the same root, such as the one-route health app of a
    background worker: they serve only their own routes and run only where named."""
    side: set[int] = set()
    apps_of_root: dict[str, int] = {}
    for svc in services:
        if svc.kind != "django":
            apps_of_root[svc.root] = apps_of_root.get(svc.root, 0) + 1
    for svc in services:
        if svc.kind == "django" or apps_of_root[svc.root] < 2:
            continue
        served = [r for path in svc.files for r in facts[path].routes
                  if id(svc) in claims.get(id(r), ())]
        if 0 < len(served) <= 3 and all(is_health_path(r.path) or (
                r.path or "").rstrip("/").endswith("/metrics") for r in served):
            side.add(id(svc))
    return side


def _route_claims(services: list[Service], facts: dict[str, PythonFacts]
                  ) -> dict[int, set[int]]:
    """id(route) -> ids of the services serving it, where several apps share a root.

    An app serves the routes registered on it (or on an app mounted into it) and those of
    the routers it includes, transitively. Routes nobody claims (a router included in a
    loop, an owner that cannot be resolved) go to the apps with such unresolved includes,
    else to the apps that claimed nothing (among those that include something, when any
    does), else to the apps that include something, else to every app of the root."""
    claims: dict[int, set[int]] = {}
    by_root: dict[str, list[Service]] = {}
    for svc in services:
        if svc.kind != "django":
            by_root.setdefault(svc.root, []).append(svc)
    for group in by_root.values():
        if len(group) > 1:
            claims.update(_claims_in_root(group, facts))
    return claims


def _claims_in_root(group: list[Service], facts: dict[str, PythonFacts]
                    ) -> dict[int, set[int]]:
    files = [p for p in group[0].files if p in facts]
    # every app and router object of the root, by (file, variable) and by qualified name
    objects: dict[tuple[str, str], str] = {}  # -> "app" | "router"
    by_name: dict[str, tuple[str, str]] = {}
    for path in files:
        pf = facts[path]
        for var, kind in [*((a.var, "app") for a in pf.apps),
                          *((r.var, "router") for r in pf.routers)]:
            objects[(path, var)] = kind
            by_name[f"{pf.module}.{var}"] = (path, var)

    def resolve(path: str, name: str) -> tuple[str, str] | None:
        if (path, name) in objects:
            return (path, name)
        full = facts[path].names.get(name.split(".", 1)[0], "")
        full = full + name[len(name.split(".", 1)[0]):] if full else name
        if full in by_name:
            return by_name[full]
        return next((key for qual, key in by_name.items()
                     if "." in full and qual.endswith("." + full)), None)

    children: dict[tuple[str, str], list[tuple[str, str]]] = {}
    open_owners: set[tuple[str, str]] = set()
    for path in files:
        for mount in facts[path].mounts:
            owner = resolve(path, mount.owner) if mount.owner else None
            if owner is None:
                continue
            target = resolve(path, mount.target) if mount.target != "django" else None
            if target is None:
                open_owners.add(owner)  # include_router(router) in a loop, a factory's result
            else:
                children.setdefault(owner, []).append(target)
    served: dict[int, set[tuple[str, str]]] = {}
    mounting: set[int] = set()  # apps that include routers or sub-apps at all
    for svc in group:
        start = (svc.path, svc.module_ref.rsplit(":", 1)[-1])
        if children.get(start) or start in open_owners:
            mounting.add(id(svc))
        seen, stack = {start}, [start]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        served[id(svc)] = seen
    claims: dict[int, set[int]] = {}
    unclaimed: list[tuple[int, str]] = []
    claiming: set[int] = set()
    for path in files:
        for route in facts[path].routes:
            owner = resolve(path, route.owner) if route.owner else None
            owners = {i for i, seen in served.items() if owner in seen} if owner else set()
            if owners:
                claims[id(route)] = owners
                claiming |= owners
            else:
                unclaimed.append((id(route), path))
    # an app that includes nothing (a command line's app context) takes no stray routes
    # while another app includes routers
    candidates = mounting or {id(s) for s in group}
    fallback = {i for i, seen in served.items() if seen & open_owners} or (
        candidates - claiming) or candidates
    for route_id, path in unclaimed:
        # a Flask view file registers on Flask apps, not on the FastAPI app beside them
        framework = {id(s) for s in group if _FRAMEWORK_MODULES.get(s.kind, ()) and any(
            module.startswith(_FRAMEWORK_MODULES[s.kind]) for module in facts[path].imports)}
        claims[route_id] = (fallback & framework) or fallback
    return claims


# The packages whose files register routes on an app of each kind
_FRAMEWORK_MODULES = {"flask": ("flask", "quart"), "fastapi": ("fastapi", "starlette"),
                      "starlette": ("starlette",)}


@dataclass(slots=True)
class _Helpers:
    """Dependency-touching functions and classes of the project: `qualified` holds each
    under every name it can be imported as (`polar.monitor.status` for
    `server/polar/monitor.py`); `classes` the bare names of such classes, which packages
    re-export under other modules (`from .health import *`)."""

    qualified: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    switched_off: set[str] = field(default_factory=set)  # qualified names, likewise


def _dependency_helpers(facts: dict[str, PythonFacts]) -> _Helpers:
    found = _Helpers()
    for pf in facts.values():
        parts = pf.module.split(".") if pf.module else []
        for func in pf.dependency_functions:
            if func[:1].isupper():
                found.classes.add(func)
            for i in range(len(parts)):
                found.qualified.add(".".join([*parts[i:], func]))
        for func in pf.switched_off_functions:
            found.switched_off.update(".".join([*parts[i:], func]) for i in range(len(parts)))
    return found


def _view_class(handler: str) -> str:
    """The class of a class-based view route (`api.HealthCheckView.as_view` -> its name)."""
    parts = handler.split(".")
    if len(parts) >= 2 and parts[-1] == "as_view":
        return parts[-2]
    return ""


def _collect(svc: Service, facts: dict[str, PythonFacts], helpers: _Helpers,
             claims: dict[int, set[int]], prefixes: _Prefixes, viewsets: ViewSets,
             admin: dict[str, list[tuple[str, str]]]) -> None:
    """Everything the service's files register; a route claimed by other apps of the same
    root (registered on them or on a router only they include) stays with them."""
    urlconf, routers = prefixes.urlconf, prefixes.routers
    for path in svc.files:
        pf = facts[path]
        svc.evidence |= pf.evidence
        for route in pf.routes:
            claimed = claims.get(id(route))
            if claimed is not None and id(svc) not in claimed:
                continue
            if route.owner and routers.get((pf.path, route.owner)) == DEVELOPMENT_ONLY:
                continue  # its router is included only in a development mode
            served = _route(pf, route, routers, helpers, urlconf)
            # the same urlconf included again, under another prefix: its routes (those of a
            # router it includes too) are served there as well
            first = urlconf.get(pf.path, "")
            copies = [served]
            for again in prefixes.more.get(pf.path, ()):
                if again == first or route.path is None or served.path is None:
                    continue
                if not route.owner:
                    copies.append(dataclasses.replace(served, path=again + route.path))
                elif served.path.startswith(first):
                    copies.append(dataclasses.replace(
                        served, path=again + served.path[len(first):]))
            for copy in copies:
                if route.viewset:
                    svc.routes += viewsets.expand(copy, pf)
                else:
                    svc.routes.append(copy)
        svc.middleware += [m.name for m in pf.middleware]
        for app in pf.apps:
            svc.middleware += app.middleware
            if app.has_lifespan:
                svc.shutdown_hooks.append("lifespan= argument")
        svc.exception_handlers += [h.name for h in pf.exception_handlers]
        svc.shutdown_hooks += [h.name for h in pf.shutdown_hooks]
        svc.startup_hooks += [h.name for h in pf.startup_hooks]
        for res in pf.resources:
            kind, _, var = res.name.partition(":")
            svc.resources.append((kind, var, path, res.line))
        svc.scheme_checks += [(c.name, c.line, path) for c in pf.scheme_checks]
        svc.env_reads += [(r.name, path, r.line) for r in [*pf.env_reads, *pf.settings_fields]]
    svc.routes += _admin_pages(svc, facts, urlconf, admin)
    svc.routes.sort(key=lambda r: (r.file, r.line))
    svc.env_reads.sort(key=lambda e: (e[1], e[2]))
    svc.resources.sort(key=lambda r: (r[2], r[3]))
    svc.scheme_checks.sort(key=lambda c: (c[2], c[1]))


def _admin_pages(svc: Service, facts: dict[str, PythonFacts], urlconf: dict[str, str],
                 sites: dict[str, list[tuple[str, str]]]) -> list[Route]:
    """The pages of the admin sites the service's urlconfs mount."""
    out: list[Route] = []
    for path in svc.files:
        for mount in facts[path].mounts:
            if not mount.owner and mount.target in sites and not mount.development:
                base = urlconf.get(path, "") + mount.prefix + "/"
                out += admin_routes(base, sites[mount.target], mount.target + ".urls", path,
                                    mount.line)
    return out


def _urlconf_prefixes(facts: dict[str, PythonFacts], files: list[str]
                      ) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Django urlconf file -> the prefix the include() chain above it gives its paths
    (`path("api/", include("shop.urls"))` then `path("v1/", include("shop.v1.urls"))`), and
    the further prefixes of a urlconf included more than once (`api/v1/`, `api/v2/`)."""
    includes = [(p, m) for p in files for m in facts[p].mounts if not m.owner]
    if not includes:
        return {}, {}
    every: dict[str, list[str]] = {}

    def prefixes_of(path: str, depth: int) -> list[str]:
        if path in every or depth > 10:
            return every.get(path, [""])
        every[path] = [""]  # a cycle of includes ends here
        module = facts[path].module
        found: list[str] = []
        for owner, mount in includes:
            target = mount.target
            if owner != path and (target == module or module.endswith("." + target)):
                found += [above + mount.prefix for above in prefixes_of(owner, depth + 1)]
        every[path] = list(dict.fromkeys(found))[:MAX_INCLUDE_PREFIXES] or [""]
        return every[path]

    for path in files:
        if any(not r.owner for r in facts[path].routes) or facts[path].mounts:
            prefixes_of(path, 0)
    first = {path: found[0] for path, found in every.items()}
    more = {path: found[1:] for path, found in every.items() if len(found) > 1}
    return first, more


class _MountIndex:
    """Every mount of the project by target, in file order then source order."""

    def __init__(self, facts: dict[str, PythonFacts]) -> None:
        self.by_target: dict[str, list[tuple[int, int, str, MountFact]]] = {}
        for order, path in enumerate(sorted(facts)):
            for index, mount in enumerate(facts[path].mounts):
                self.by_target.setdefault(mount.target, []).append((order, index, path, mount))

    def first(self, target: str, files: set[str], owner: str | None = None
              ) -> tuple[int, int, str, MountFact] | None:
        """The first mount of `target` in `files` (and in file `owner`, if given)."""
        for order, index, path, mount in self.by_target.get(target, ()):
            if path in files and (owner is None or path == owner):
                return order, index, path, mount
        return None


# The prefix of a router that is included only while a debug or dev-mode switch is on.
DEVELOPMENT_ONLY = "\0development"


@dataclass(slots=True)
class _Prefixes:
    """Where the routes of a set of files are served: Django urlconf file -> the prefix of
    the include() chain above it; (file, router variable) -> its full mount prefix, or None
    when nothing includes it."""

    urlconf: dict[str, str]
    routers: dict[tuple[str, str], str | None]
    more: dict[str, list[str]] = field(default_factory=dict)  # further include() prefixes


class _Settings:
    """String defaults of the project's settings classes, under the names code reads them
    by: `config.settings.API_V1_STR` for `settings = Settings()` in `config.py`."""

    def __init__(self, facts: dict[str, PythonFacts]) -> None:
        fields: dict[str, str] = {}
        for pf in facts.values():
            fields.update(pf.settings_strings)
        self.by_tail: dict[str, list[tuple[str, str]]] = {}
        if not fields:
            return
        by_class: dict[str, list[tuple[str, str]]] = {}
        for key, value in fields.items():
            cls, _, name = key.rpartition(".")
            by_class.setdefault(cls, []).append((name, value))
        named = dict(fields)
        for pf in facts.values():
            for var, cls, _, _ in pf.maybe_apps:  # `settings = Settings()`
                for name, value in by_class.get(cls, ()):
                    named[f"{pf.module}.{var}.{name}"] = value
        for key, value in named.items():
            self.by_tail.setdefault(".".join(key.split(".")[-2:]), []).append((key, value))

    def resolve(self, prefix: str) -> str:
        """A literal prefix as it is; a setting's value where one default matches; else ""."""
        if not prefix.startswith(SETTING_REFERENCE):
            return prefix
        name = prefix[len(SETTING_REFERENCE):]
        found = self.by_tail.get(".".join(name.split(".")[-2:]), [])
        exact = [v for k, v in found if k == name or k.endswith("." + name)
                 or name.endswith("." + k)]
        values = set(exact or [v for _, v in found])
        return values.pop() if len(values) == 1 else ""


def _router_prefixes(facts: dict[str, PythonFacts], files: list[str], mounts: _MountIndex,
                     urlconf: dict[str, str], settings: _Settings
                     ) -> dict[tuple[str, str], str | None]:
    """(file, router var) -> its full mount prefix; None when nothing includes it.

    The mount among `files` that names the router most specifically wins (its qualified name,
    then ever shorter dotted tails of it, then its bare name from the router's own file),
    the first in file order among equals. A router included in
    another router sits below that router's own full prefix, one included in a mounted
    sub-application below the sub-application's mount; a Django include() below its
    urlconf's own prefix.
    """
    members = set(files)
    out: dict[tuple[str, str], str | None] = {}

    def full(path: str, var: str, prefix: str, depth: int) -> str | None:
        key = (path, var)
        if key in out:
            return out[key]
        out[key] = None  # a cycle of includes ends here
        qualified = f"{facts[path].module}.{var}"
        parts = qualified.split(".")
        found = [mounts.first(".".join(parts[i:]), members) for i in range(len(parts) - 1)]
        found.append(mounts.first(var, members, owner=path))
        # the longest name that matches is the most specific: `app.routes.controller.router`
        # before another package's `controller.router`; then the first mount in file order
        hits = [(rank, f) for rank, f in enumerate(found) if f is not None]
        if not hits:
            return None
        if all(h[3].development for _, h in hits):
            out[key] = DEVELOPMENT_ONLY
            return out[key]
        _, (_, _, owner_path, mount) = min(
            ((rank, h) for rank, h in hits if not h[3].development),
            key=lambda rh: (rh[0], rh[1][0], rh[1][1]))
        above = settings.resolve(mount.prefix)
        if not mount.owner:  # a Django include(): below its urlconf's own prefix
            above = urlconf.get(owner_path, "") + above
        else:
            parent = next((r for r in facts[owner_path].routers if r.var == mount.owner), None)
            # a router included in a sub-application sits below the sub-application's mount
            # (`app.mount("/v3/compute", compute_api)`)
            sub_app = parent is None and any(a.var == mount.owner
                                             for a in facts[owner_path].apps)
            if (parent is not None or sub_app) and depth < 10:
                outer = full(owner_path, mount.owner,
                             settings.resolve(parent.prefix) if parent else "", depth + 1)
                if outer == DEVELOPMENT_ONLY:
                    out[key] = outer
                    return outer
                above = (outer or "") + above
        out[key] = above + prefix
        return out[key]

    for path in files:
        for router in facts[path].routers:
            full(path, router.var, settings.resolve(router.prefix), 0)
    return out


_SLASHES = re.compile(r"/{2,}")


def _route(pf: PythonFacts, route: RouteFact, prefixes: dict[tuple[str, str], str | None],
           helpers: _Helpers, urlconf: dict[str, str]) -> Route:
    certain = route.path is not None and not route.wrapped
    path = route.path
    if not route.owner and path is not None:
        path = urlconf.get(pf.path, "") + path
    router = next((r for r in pf.routers if r.var == route.owner), None)
    if router is not None:
        prefix = prefixes.get((pf.path, router.var))
        if prefix is None:
            certain = False
            prefix = "" if router.prefix.startswith(SETTING_REFERENCE) else router.prefix
        path = (prefix + (path or "")) if path is not None else None
    if path is not None and "//" in path:
        path = _SLASHES.sub("/", path)  # `url_prefix="/"` + `/auth/session`
    handler = qualified(route.handler, pf.names)
    calls_helper = any(pf.names[n] in helpers.qualified for n in route.touches
                       if n in pf.names) or (
        _view_class(route.handler) in helpers.classes) or (
        # a view the urlconf imports: its own module says whether it reaches a dependency
        handler in helpers.qualified)
    switched_off = handler in helpers.switched_off or (
        "." not in route.handler and route.handler in pf.switched_off_functions)
    return Route(path, route.methods, route.handler, pf.path, route.line, route.touches,
                 route.can_fail, certain, calls_helper, strong_health_only=route.wrapped,
                 shallow=route.shallow, switched_off=switched_off)


# ------------------------------------------------------------------------ infrastructure


# Images whose stage builds a JavaScript frontend (`npm run build` output)
_JS_BUILD_BASES = re.compile(r"^(?:[\w.-]+/)*(?:node|bun|oven/bun|denoland/deno|deno)(?::|@|$)")


def _ships_a_frontend(project: Project, path: str) -> bool:
    """The image copies the output of a JavaScript build stage (`FROM node AS frontend` …
    `COPY --from=frontend /app/dist …`): the container serves a web UI, whatever serves it."""
    df = project.dockerfiles.get(path)
    stages = getattr(df, "stages", None) or []
    built = {s.name.lower() for s in stages if s.name and _JS_BUILD_BASES.match(s.base_image)}
    return bool(built) and any(ins.flags.get("from", "").lower() in built
                               for stage in stages for ins in stage.find("COPY"))


def _may_configure(path: str) -> bool:
    """A file whose path does not say it is test data, a sample or docs: a scanner's report
    under `unittests/scans/` that quotes a site's Strict-Transport-Security header configures
    nothing."""
    role = path_role(path)
    return role is None or role.judged


def infra_evidence(project: Project) -> set[str]:
    """Practices shown by files that are not Python: Ingress annotations, nginx, gateways."""
    found: set[str] = project.once("infra-evidence", lambda: _infra_evidence(project))
    return found


def _infra_evidence(project: Project) -> set[str]:
    from .documentation import read_text
    from .platform import infrastructure_files, is_terraform

    found: set[str] = set()
    texts: list[str] = []
    for path, text in project.texts.items():
        base = posixpath.basename(path).lower()
        if (base.endswith((".conf", ".conf.template", ".toml", ".json", ".cfg")) or (
                "nginx" in base or "caddy" in base or "haproxy" in base or "traefik" in base
                ) or PROXY_CONFIGS.search(path.lower())) and _may_configure(path):
            texts.append(text)
    # Terraform of the edge, which the scan does not parse: a CDN service's response header
    # (Fastly's `http.Strict-Transport-Security`, CloudFront's `strict_transport_security`)
    for path in filter(is_terraform, infrastructure_files(project)):
        lowered = read_text(project, path).lower()
        if "strict-transport-security" in lowered or "strict_transport_security" in lowered:
            found.add("hsts")
    for _path, doc in project.kubernetes_documents():
        if not isinstance(doc.root, YMap):
            continue
        kind = str(doc.root.get_value("kind", ""))
        if kind in ("ServiceMonitor", "PodMonitor"):
            found.add("metrics")  # the Prometheus operator scrapes the service
        if kind in ("Ingress", "Middleware", "IngressRoute", "Gateway", "HTTPRoute",
                    "VirtualService", "EnvoyFilter", "KongPlugin", "BackendConfig",
                    "ConfigMap", "HTTPProxy", "Mapping", "FrontendConfig"):
            texts.append(repr(doc.root.to_python()))
        elif kind in WORKLOAD_KINDS:
            annotations = repr(doc.root.to_python()).lower()
            if "prometheus.io/scrape" in annotations:
                found.add("metrics")
            if "sidecar.istio.io/inject" in annotations or "linkerd.io/inject" in annotations:
                found.add("request-id")  # the mesh sets and propagates request ids
    # Traefik middlewares declared as Compose labels
    # (`traefik.http.middlewares.hsts.headers.stsseconds=63072000`)
    texts += ["\n".join(line for line in yf.text.splitlines() if "traefik." in line)
              for path, yf in project.yaml_files.items()
              if is_compose_path(path) and "traefik." in yf.text]
    for text in texts:
        lowered = text.lower()
        for kind, words in INFRA_EVIDENCE.items():
            if any(word in lowered for word in words):
                found.add(kind)
    for path, text in project.texts.items():
        base = posixpath.basename(path).lower()
        if "log" in base and STRUCTURED_LOG_CONFIG.search(text):
            found.add("structured-logging")  # logging.conf / logging.ini with a JSON format
        if _declares_dependencies(base) and "instrumentation" in text and \
                OTEL_INSTRUMENTATION.search(text):
            found |= {"request-id", "metrics"}
    for path, yf in project.yaml_files.items():
        if "log" in posixpath.basename(path).lower() and STRUCTURED_LOG_CONFIG.search(yf.text):
            found.add("structured-logging")  # a dictConfig YAML with a JSON formatter
        # an application's own YAML config (`default_http_headers: {X-Frame-Options: …}`)
        if not is_compose_path(path) and not yf.kubernetes_objects() and (
                "/.github/" not in f"/{path}"):
            for kind in ("hsts", "security-headers"):
                lowered = yf.text.lower()
                if any(word in lowered for word in INFRA_EVIDENCE[kind]):
                    found.add(kind)
    if _collects_metrics(project):
        found.add("metrics-collector")
    if _deploys_to_dokku(project):
        found.add("hsts")  # Dokku's nginx sends HSTS on every app it serves over TLS
    return found


def _deploys_to_dokku(project: Project) -> bool:
    """A CI workflow deploys with Dokku (`ssh dokku@host`, `git push dokku`, Dokku's action)."""
    return any(("dokku@" in yf.text or "dokku/github-action" in yf.text
                or "git push dokku" in yf.text)
               for path, yf in project.yaml_files.items() if CI_FILES.search(path))


# Images of metrics collectors and agents a stack may run beside the app
_COLLECTOR_IMAGES = frozenset({
    "prometheus", "grafana-agent", "alloy", "opentelemetry-collector",
    "opentelemetry-collector-contrib", "otel-collector", "agent", "telegraf", "statsd",
    "graphite", "victoria-metrics", "vmagent", "infrastructure", "signoz-otel-collector"})
_COLLECTOR_NAMESPACES = frozenset({"", "library", "prom", "grafana", "otel", "datadog",
                                   "newrelic", "victoriametrics", "bitnami", "signoz"})
# A Prometheus scrape configuration, a Helm chart's ServiceMonitor switch; an OpenTelemetry
# collector's pipeline has both receivers and exporters
_COLLECTOR_CONFIG = re.compile(r"^[ \t]*(?:scrape_configs|serviceMonitor|podMonitor)[ \t]*:",
                               re.MULTILINE)
_RECEIVERS = re.compile(r"^[ \t]*receivers[ \t]*:", re.MULTILINE)
_EXPORTERS = re.compile(r"^[ \t]*exporters[ \t]*:", re.MULTILINE)


def _collects_metrics(project: Project) -> bool:
    """The repository collects metrics: a Compose service runs a collector or agent, or a
    file configures Prometheus, an OpenTelemetry collector or a chart's ServiceMonitor."""
    for config in configs(project):
        for svc in config.services.values():
            namespace, name = image_repository(svc.image or "")
            if name in _COLLECTOR_IMAGES and \
                    namespace.rsplit("/", 1)[-1] in _COLLECTOR_NAMESPACES:
                return True
    # substring tests first: the patterns run only on the few files that may match
    return any(((("scrape_configs" in text or "Monitor" in text)
                 and _COLLECTOR_CONFIG.search(text)) or
                ("receivers" in text and "exporters" in text
                 and _RECEIVERS.search(text) and _EXPORTERS.search(text)))
               for text in (yf.text for yf in project.yaml_files.values()))


def _declares_dependencies(name: str) -> bool:
    """pyproject.toml, setup.cfg, Pipfile, requirements*.txt / *.in."""
    return name in ("pyproject.toml", "setup.cfg", "pipfile") or (
        name.startswith("requirements") and name.endswith((".txt", ".in")))


def _link_runners(svc: Service, project: Project, *, single: bool,
                  by_reference_only: bool = False, app_paths: Collection[str] = frozenset(),
                  app_modules: Collection[str] = frozenset()) -> None:
    refs = _module_refs(svc)
    if by_reference_only:  # a side app runs inside the process that starts its module
        module = svc.module_ref.split(":", 1)[0]
        refs += [module, svc.path]
    directories = project.once("dockerfile-directories", lambda: {
        path: posixpath.dirname(path) for path in project.dockerfiles})
    for path, df, command, started in _dockerfile_commands(project):
        assert df.final_stage is not None
        directory = directories[path]
        if by_reference_only:
            if _mentions(started, refs):
                svc.dockerfiles.append(path)
                svc.runners.append(Runner("dockerfile", path, df.final_stage.line, path,
                                          command))
            continue
        holds_it = directory == svc.root or (
            svc.root and svc.root.startswith(directory + "/" if directory else "")
            and _copies(df, svc.root[len(directory) + 1 if directory else 0:]))
        if (holds_it and not _starts_other_app(started, svc, app_modules)) or (
                _mentions(started, refs) and not _serves_its_own_app(directory, svc, app_paths)):
            svc.dockerfiles.append(path)
            env = {name: value or "" for ins in df.final_stage.find("ENV")
                   for name, value in variables("ENV", ins.args)}
            checks = df.final_stage.find("HEALTHCHECK")
            configured, config_port = _server_config_port(project, df, command)
            svc.runners.append(Runner("dockerfile", path, df.final_stage.line, path, command,
                                      env, health_path=_healthcheck_path(project, df,
                                                                         checks[-1].args)
                                      if checks else None, configured=configured,
                                      config_port=config_port))
    _link_compose(svc, project, refs, app_paths)
    _link_kubernetes(svc, project, refs, single=single, by_reference_only=by_reference_only)
    _link_procfiles(svc, project, refs)


# `web: gunicorn app.wsgi:application`: a process type and its command
_PROCESS = re.compile(r"^([A-Za-z0-9_-]+):[ \t]*(\S.*)$", re.MULTILINE)


def _link_procfiles(svc: Service, project: Project, refs: list[str]) -> None:
    """Processes of a Procfile (Heroku, Dokku, Scalingo, honcho) whose command starts the
    service's module (`web: newrelic-admin run-program gunicorn app.wsgi:application`)."""
    from .documentation import read_text

    for path in project.files_named("Procfile"):
        text = read_text(project, path)
        for match in _PROCESS.finditer(text):
            if _mentions(match[2], refs):
                line = text.count("\n", 0, match.start()) + 1
                svc.runners.append(Runner("procfile", path, line, match[1], match[2].strip()))


def _serves_its_own_app(context: str | None, svc: Service, app_paths: Collection[str]
                        ) -> bool:
    """A build directory that does not hold the service's module but holds another app's:
    a command naming `app:app` there starts that app (one `app.py` per integration, each
    beside its own Dockerfile), not this one."""
    if not context:
        return False
    below = context + "/"
    return not svc.path.startswith(below) and any(
        path.startswith(below) for path in app_paths if path != svc.path)


# `--config gunicorn.py`, `-c config/gunicorn.conf.py`, `--config=hypercorn.toml`
_CONFIG_OPTION = re.compile(r"(?:^|\s)(?:-c|--config)[ =][\"']?([\w./-]+)")
# `bind = ":8080"`, `bind = ["0.0.0.0:8080"]` (gunicorn), `bind = "0.0.0.0:8080"` (hypercorn)
_BIND = re.compile(r"^[ \t]*bind[ \t]*=[ \t]*\[?[ \t]*[\"'][^\"'\n]*:(\d+)[\"']", re.MULTILINE)
_BIND_SET = re.compile(r"^[ \t]*bind[ \t]*=", re.MULTILINE)


def _server_config_port(project: Project, df: Dockerfile, command: str
                        ) -> tuple[bool, int | None]:
    """(the server reads a settings file that sets where it binds, the port it names there):
    the file a `--config` option names, or gunicorn's own `gunicorn.conf.py` in the working
    directory. Once per Dockerfile: every service it runs asks."""
    found: tuple[bool, int | None] = project.once(
        f"server-config:{df.path}", lambda: _read_server_config(project, df, command))
    return found


def _read_server_config(project: Project, df: Dockerfile, command: str
                        ) -> tuple[bool, int | None]:
    from .documentation import read_text
    from .images import image_files

    if not re.search(r"(?<![\w-])(?:gunicorn|hypercorn|uvicorn)(?![\w-])", command):
        return False, None
    named = _CONFIG_OPTION.search(command)
    word = named[1] if named else (
        "gunicorn.conf.py" if re.search(r"(?<![\w-])gunicorn(?![\w-])", command) else None)
    source = image_files(project, df).source(word) if word else None
    text = read_text(project, source) if source else ""
    if not text or not _BIND_SET.search(text):
        # a named file the repository does not hold may bind anywhere; none at all: defaults
        return bool(named) and not text, None
    bound = _BIND.search(text)
    return True, int(bound[1]) if bound else None


def _healthcheck_path(project: Project, df: Dockerfile, args: str) -> str | None:
    """The path of the app a HEALTHCHECK fetches: in its own command, or in the script it
    runs (`HEALTHCHECK CMD python /app/scripts/healthcheck.py`), read from the file the image
    copies there (never run)."""
    for text in [args, *_started_scripts(project, df, args, depth=1)]:
        found = self_url_path(text)
        if found is not None:
            return found
    return None


def _dockerfile_commands(project: Project) -> list[tuple[str, Dockerfile, str, str]]:
    """(path, Dockerfile, start command, what it starts) of every Dockerfile with a final
    stage, once per scan: every service is matched against all of them. What it starts is the
    command and the text of the scripts it runs (`CMD ["/app/run.sh"]`, whose last line
    starts `uvicorn app.main:app`), read from the files the image copies there."""
    def entry(path: str, df: Dockerfile) -> tuple[str, Dockerfile, str, str]:
        command = _dockerfile_command(df)
        return path, df, command, "\n".join([command, *_started_scripts(project, df, command)])

    commands: list[tuple[str, Dockerfile, str, str]] = project.once(
        "dockerfile-commands", lambda: [
            entry(path, df) for path, df in sorted(project.dockerfiles.items())
            if isinstance(df, Dockerfile) and df.final_stage is not None])
    return commands


# A script or program a command runs, or the uWSGI ini file it loads (`module = app.wsgi`)
_SCRIPT_SUFFIXES = (".sh", ".py", ".ini")
SCRIPT_DEPTH = 2  # the entrypoint script, and the program or server configuration it starts


def _started_scripts(project: Project, df: Dockerfile, command: str,
                     depth: int = SCRIPT_DEPTH) -> list[str]:
    """The texts of the scripts a command runs, and of those they run in turn (`depth`
    levels), from the repository files the image copies there."""
    from .documentation import read_text
    from .images import image_files, script_words

    files = None
    texts: list[str] = []
    seen: set[str] = set()
    pending = [command]
    for _ in range(depth):
        words = [w for text in pending for w in script_words(text, _SCRIPT_SUFFIXES)
                 if w not in seen]
        if not words:
            break
        seen.update(words)
        files = files or image_files(project, df)
        sources = [source for source in (files.source(w) for w in words) if source]
        pending = [text for text in (read_text(project, source) for source in sources) if text]
        texts += pending
    return texts


def _module_refs(svc: Service) -> list[str]:
    """Ways a command can name the app: `app.main:app`, `main:app`, `myproject.wsgi`,
    `-m myproject`."""
    module, _, var = svc.module_ref.partition(":")
    parts = module.split(".")
    refs = {f"{'.'.join(parts[i:])}:{var}" for i in range(len(parts))}
    if svc.kind == "django":
        refs |= {".".join(parts[i:]) for i in range(len(parts)) if parts[i:]}
        if len(parts) > 1:  # `python -m myproject runserver`: the project's __main__
            refs.add(f"-m {'.'.join(parts[:-1])}")
    if svc.kind == "flask":
        refs |= {f"{'.'.join(parts[i:])}:create_app" for i in range(len(parts))}
    return sorted(r for r in refs if r and r != f":{var}")


# The application a server command starts: `uvicorn model_server.main:app`, `gunicorn
# "pkg.app:create_app()"`
_SERVED_APP = re.compile(r"\b(?:uvicorn|gunicorn|hypercorn|daphne|granian)\b[^;&|\n]*?"
                         r"[\s\"'=]([A-Za-z_][\w.]*):[A-Za-z_]")


def _starts_other_app(command: str, svc: Service, app_modules: Collection[str] = ()) -> bool:
    """A server command that names the module of another application: the image (or the
    stack) is shared, the process is not this app's. With `app_modules` (the modules of
    every app of the project), only a command naming another app's module and never this
    one's counts: `gunicorn main:app` may serve an app `main.py` imports."""
    named = [found[1] for found in _SERVED_APP.finditer(command)]
    if not app_modules:
        named = named[:1]
    ours = svc.module_ref.partition(":")[0]
    return bool(named) and not any(_same_module(n, ours) for n in named) and (
        not app_modules or any(_same_module(n, m) for n in named for m in app_modules
                               if m != ours))


def _same_module(one: str, other: str) -> bool:
    """Module paths differ by where they start (`onyx.main` run from `backend/`, `main` as
    the service knows it): the same module when one ends with the other."""
    a, b = one.split("."), other.split(".")
    shorter = min(len(a), len(b))
    return a[-shorter:] == b[-shorter:]


def _mentions(command: str, refs: list[str]) -> bool:
    return any(ref in command and _mention_of(ref).search(command) for ref in refs)


@functools.cache
def _mention_of(ref: str) -> re.Pattern[str]:
    """`ref` as a whole name (each service is matched against every command: compiled once)."""
    return re.compile(rf"(?<![\w.]){re.escape(ref)}(?![\w])")


def _copies(df: Dockerfile, relative: str) -> bool:
    head = relative.split("/", 1)[0]
    for stage in df.stages:
        for ins in stage.find("COPY") + stage.find("ADD"):
            if "from" in ins.flags:
                continue  # copied from another stage or image, not from the build context
            try:
                words = ins.exec_form or shlex.split(ins.args, posix=True)
            except ValueError:  # unbalanced quotes: Docker would reject it; split on spaces
                words = ins.args.split()
            sources = [w for w in words if not w.startswith("--")]
            for src in sources[:-1] if len(sources) > 1 else []:
                src = src.strip("./") or "."
                if src == "." or src.split("/", 1)[0] == head:
                    return True
    return False


def _dockerfile_command(df: Dockerfile) -> str:
    """The final image's ENTRYPOINT and CMD, the stage's own or inherited from the stage it
    builds FROM (`FROM app AS app-plus` keeps app's CMD)."""
    from .images import effective_stages

    chain = effective_stages(df) if df.final_stage is not None else []  # final stage first
    parts = []
    for keyword in ("ENTRYPOINT", "CMD"):
        found = next((stage.find(keyword) for stage in chain if stage.find(keyword)), [])
        if found:
            ins = found[-1]
            parts.append(" ".join(ins.exec_form) if ins.exec_form is not None else ins.args)
    return " ".join(parts)


def _link_compose(svc: Service, project: Project, refs: list[str],
                  app_paths: Collection[str] = frozenset()) -> None:
    dockerfile_dirs = {posixpath.dirname(p) for p in svc.dockerfiles}
    seen: set[tuple[str, str]] = set()
    # once per scan: every service is matched to all
    services = project.once("compose-commands", lambda: _compose_commands(project))
    for name, cs, command, built in services:
        linked = built is not None and (built[0] in dockerfile_dirs
                                        or built[1] in svc.dockerfiles) and \
            not _starts_other_app(command, svc)
        linked = linked or (_mentions(command, refs) and not _serves_its_own_app(
            built[0] if built else None, svc, app_paths))
        site = cs.anchor_site
        if not linked or (site.path, name) in seen:
            continue
        seen.add((site.path, name))
        env = {k: (v.value or "") for k, v in cs.environment().items()}
        svc.runners.append(Runner("compose", site.path, site.line, name, command, env,
                                  health_path=cs.health_url_path))
        if cs.image:
            svc.evidence.add(f"image:{_image_name(cs.image)}")


def _link_kubernetes(svc: Service, project: Project, refs: list[str], *, single: bool,
                     by_reference_only: bool = False) -> None:
    from .kubernetes import Container, text_of

    images = {e.split(":", 1)[1] for e in svc.evidence if e.startswith("image:")}
    names = {posixpath.basename(svc.root) if svc.root else project.root.name}
    names |= {posixpath.basename(posixpath.dirname(p)) for p in svc.dockerfiles
              if posixpath.dirname(p)}
    names.add(svc.module_ref.split(".", 1)[0].split(":", 1)[0])
    # image names are lower case; a side app is linked only where its command names it
    names = {name.lower() for name in names} if not by_reference_only else set()
    linked: list[Container] = []
    candidates: list[Container] = []
    # once per scan: every service is matched to all
    running = project.once("long-running-containers", lambda: _long_running(project))
    for container, image_name, command, candidate in running:
        if (image_name and (image_name in images or image_name.rsplit("/", 1)[-1]
                           in names)) or _mentions(command, refs):
            linked.append(container)
        elif candidate:
            candidates.append(container)
    if not linked and single and svc.dockerfiles and len(candidates) == 1:
        linked = candidates  # one service, one image built here, one workload running it
    for container in linked:
        obj = container.workload
        node = container.node
        command = _container_command(node)
        env = {}
        for item in node.get_seq("env") or ():
            if isinstance(item, YMap) and item.get_value("name"):
                env[str(item.get_value("name"))] = text_of(item.get_value("value"))
        runner = Runner("kubernetes", obj.path, container.position[0],
                        f"{obj.name}/{container.name}", command, env)
        for kind in ("liveness", "readiness", "startup"):
            probe = node.get_map(f"{kind}Probe")
            http = probe.get_map("httpGet") if probe is not None else None
            if http is None:
                continue
            key = http.key_node("path")
            runner.probes.append(Probe(
                kind, text_of(http.get_value("path")) or "/", http.get_value("port"),
                key.line if key else http.line, key.column if key else http.column,
                obj.path, container.name))
        svc.runners.append(runner)


def _compose_commands(project: Project
                      ) -> list[tuple[str, Any, str, tuple[str | None, str | None] | None]]:
    """(name, service, start command, (build context, Dockerfile) or None) of every Compose
    service; the context or the Dockerfile is None when it is not known."""
    from .compose import build_context, build_dockerfile, configs

    services: list[tuple[str, Any, str, tuple[str | None, str | None] | None]] = []
    for config in configs(project):
        for name, cs in config.services.items():
            found = cs.find("command")
            build = cs.build
            built = (build_context(project, build), build_dockerfile(project, build)) \
                if build is not None else None
            services.append((name, cs, command_line(found[2] if found else None), built))
    return services


def _long_running(project: Project) -> list[tuple[Any, str, str, bool]]:
    """(container, image name, command, could be this project's) of every long-running
    Kubernetes container."""
    from .compose import datastore_kind
    from .kubernetes import Workload, project_objects, text_of

    running: list[tuple[Any, str, str, bool]] = []
    for obj in project_objects(project):
        if not isinstance(obj, Workload) or not obj.long_running:
            continue
        for container in obj.containers():
            image = text_of(container.node.get_value("image"))
            image_name = _image_name(image) if image else ""
            running.append((container, image_name, _container_command(container.node),
                            bool(image_name) and not datastore_kind(image) and (
                                image_name.rsplit("/", 1)[-1] not in THIRD_PARTY_IMAGES)))
    return running


def _container_command(node: YMap) -> str:
    return " ".join(filter(None, (command_line(node.get(key)) for key in ("command", "args"))))


def _image_name(image: str) -> str:
    """`registry:5000/team/api:1.2@sha256:…` -> `team/api` (registry and tag dropped)."""
    from .compose import image_repository

    return "/".join(part for part in image_repository(image) if part)


def served_port(svc: Service, runner: Runner) -> int | None:
    """The port the server listens on, from the runner's (or the image's) command, or the
    configuration file the server reads."""
    for source in [runner, *(r for r in svc.runners if r.source == "dockerfile")]:
        command = source.command
        if not command:
            continue
        match = re.search(r"(?:--port|-p)[ =](\d+)|--bind[ =]\S*:(\d+)|-b[ =]\S*:(\d+)", command)
        if match:
            return int(next(g for g in match.groups() if g))
        if source.configured:
            return source.config_port  # the file decides, not the server's default
        for server, port in SERVER_PORT_DEFAULTS.items():
            if re.search(rf"(?<![\w-]){server}(?![\w-])", command) and "$" not in command:
                return port
    return None


# ------------------------------------------------------------------------------ output


def server_settings(svc: Service, runner: Runner) -> dict[str, Any]:
    """What a start command says about the server: which, its port, proxy-header trust."""
    command = runner.command
    server = next((s for s in SERVER_PORT_DEFAULTS
                   if re.search(rf"(?<![\w-]){s}(?![\w-])", command)), None)
    return {
        "server": server,
        "port": served_port(svc, runner) if server else None,
        "proxy_headers": "--proxy-headers" in command,
        "forwarded_allow_ips": "--forwarded-allow-ips" in command
        or "FORWARDED_ALLOW_IPS" in runner.env,
    }


def services_to_json(services: list[Service]) -> list[dict[str, Any]]:
    from ..masking import mask_secrets  # start commands and URLs may carry credentials

    return [{
        "name": s.name,
        "kind": s.kind,
        "path": s.path,
        "line": s.line,
        "root": s.root,
        "routes": [{"path": mask_secrets(r.path) if r.path else r.path, "methods": list(r.methods),
                    "handler": r.handler,
                    "file": r.file, "line": r.line, "certain": r.certain, "uses": s.uses(r)}
                   for r in s.routes],
        "middleware": sorted(set(s.middleware)),
        "exception_handlers": sorted(set(s.exception_handlers)),
        "shutdown_hooks": sorted(set(s.shutdown_hooks)),
        "startup_hooks": sorted(set(s.startup_hooks)),
        "resources": [{"kind": k, "name": v, "file": f, "line": ln}
                      for k, v, f, ln in s.resources],
        "env": [{"name": n, "file": f, "line": ln} for n, f, ln in s.env_reads],
        "evidence": sorted(e for e in s.evidence if not e.startswith("image:")),
        "dockerfiles": s.dockerfiles,
        "runners": [{"source": r.source, "path": r.path, "line": r.line, "name": r.name,
                     "command": mask_secrets(r.command) if r.command else r.command,
                     **server_settings(s, r),
                     "probes": [{"kind": p.kind, "path": mask_secrets(p.path) if p.path else p.path,
                                 "port": p.port,
                                 "line": p.path_line} for p in r.probes],
                     "health_path": mask_secrets(r.health_path) if r.health_path else None}
                    for r in s.runners],
    } for s in services]


def render_services_text(services: list[Service]) -> Any:
    from rich.tree import Tree

    from ..masking import mask_secrets
    from ..report import literal_markup

    def shown(value: object) -> str:  # repository text: literal, printable, secrets masked
        return literal_markup(mask_secrets(str(value)))

    tree = Tree(f"[bold]{len(services)} service(s)[/bold]")
    for s in services:
        node = tree.add(f"[bold]{shown(s.name)}[/bold] ({s.kind}) {shown(s.path)}:{s.line}")
        routes = node.add(f"routes ({len(s.routes)})")
        for route in s.routes:
            mark = "" if route.certain else " [dim](prefix unresolved)[/dim]"
            used = s.uses(route)
            uses = f" [cyan]uses {shown(', '.join(used))}[/cyan]" if used else ""
            routes.add(f"{shown(','.join(route.methods))} {shown(route.path or '?')} → "
                       f"{shown(route.handler)}{uses} "
                       f"[dim]{shown(route.file)}:{route.line}[/dim]{mark}")
        if s.middleware:
            node.add("middleware: " + shown(", ".join(sorted(set(s.middleware)))))
        if s.exception_handlers:
            node.add("exception handlers: "
                     + shown(", ".join(sorted(set(s.exception_handlers)))))
        if s.startup_hooks:
            node.add("startup: " + shown(", ".join(sorted(set(s.startup_hooks)))))
        if s.shutdown_hooks:
            node.add("shutdown: " + shown(", ".join(sorted(set(s.shutdown_hooks)))))
        if s.resources:
            res = node.add("resources")
            for kind, var, path, line in s.resources:
                res.add(f"{shown(kind)} {shown(var)} [dim]{shown(path)}:{line}[/dim]")
        if s.env_reads:
            node.add("environment: " + shown(", ".join(sorted({n for n, _, _ in s.env_reads}))))
        evidence = sorted(e for e in s.evidence if not e.startswith("image:"))
        node.add("practices found: " + (shown(", ".join(evidence)) or "none"))
        if s.runners:
            run = node.add("runs as")
            for r in s.runners:
                info = server_settings(s, r)
                flags = "" if not info["server"] else (
                    f" [cyan]{shown(info['server'])} port {shown(info['port'] or '?')}"
                    + (" proxy-headers" if info["proxy_headers"] else "")
                    + (" forwarded-allow-ips" if info["forwarded_allow_ips"] else "") + "[/cyan]")
                branch = run.add(f"{shown(r.source)} {shown(r.name)} "
                                 f"[dim]{shown(r.path)}:{r.line}[/dim]"
                                 + (f": {shown(r.command)}" if r.command else "") + flags)
                for p in r.probes:
                    branch.add(f"{shown(p.kind)} probe {shown(p.path)} port {shown(p.port)}")
                if r.health_path is not None:
                    branch.add(f"healthcheck {shown(mask_secrets(r.health_path))}")
    return tree
