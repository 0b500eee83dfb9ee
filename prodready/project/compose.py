"""The effective Compose services of a project, shared by the COMPOSE rules.

Compose reads `compose.yaml` / `docker-compose.yml` together with its `*.override.*` file
by default, merging them key by key (the override wins). Every other compose file
(`compose.prod.yaml`, `docker-compose.ci.yml`, …) is judged on its own, except that a service
entry there with neither `image` nor `build` is an overlay of the same-named service in the
base file of its directory (the `-f compose.yaml -f compose.prod.yaml` idiom).

A service keeps its *layers* (one per file that defines it, in merge order), so every
finding can point at the file holding the offending definition, or, for something missing,
at the service key of the file that is judged.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..artifacts.dotenv import env_entries
from ..artifacts.yamldocs import (
    YamlFile,
    YMap,
    YNode,
    YScalar,
    YSeq,
    invalid_compose_services,
    is_compose_path,
)
from . import Project

BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = {
    "compose.override.yaml": ("compose.yaml", "compose.yml"),
    "compose.override.yml": ("compose.yml", "compose.yaml"),
    "docker-compose.override.yaml": ("docker-compose.yaml", "docker-compose.yml"),
    "docker-compose.override.yml": ("docker-compose.yml", "docker-compose.yaml"),
}

DATASTORES = {
    "postgres": "postgres", "postgresql": "postgres", "postgis": "postgres",
    "postgresql-repmgr": "postgres",
    "mysql": "mysql", "mariadb": "mariadb", "mariadb-galera": "mariadb",
    "redis": "redis", "redis-cluster": "redis", "valkey": "valkey", "valkey-cluster": "valkey",
    "mongo": "mongo", "mongodb": "mongo", "mongodb-sharded": "mongo",
    "elasticsearch": "elasticsearch", "opensearch": "opensearch",
    "rabbitmq": "rabbitmq", "rabbitmq-cluster-operator": "rabbitmq",
    "memcached": "memcached", "cassandra": "cassandra",
    # the vendors' own images
    "redis-stack": "redis", "redis-stack-server": "redis", "redismod": "redis",
    "mysql-server": "mysql", "mongodb-community-server": "mongo",
    "mongodb-enterprise-server": "mongo",
}
# Datastores that accept connections within a second of starting and whose clients reconnect
# on their own: a dependant that starts before them notices nothing.
FAST_STARTING = frozenset({"redis", "valkey", "memcached"})
QUICK_START = ("it accepts connections within a second of starting and its clients reconnect: "
               "a health status matters only if it loads a large dataset at start")
# Namespaces whose images count as the official image of a datastore.
OFFICIAL_NAMESPACES = {
    "", "library", "bitnami", "bitnamilegacy", "postgis", "valkey", "opensearchproject",
    "elasticsearch", "redis", "redislabs", "mysql", "mongodb",
}

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
UNKNOWN = "\0"  # stands for the value of an unset variable after interpolation


def interpolate(text: str, env: dict[str, str] | None = None) -> str:
    """Resolve `${VAR}` from `env` (a project's `.env`), `${VAR:-default}` to its default when
    unset; a variable nothing defines becomes UNKNOWN."""
    def repl(match: re.Match[str]) -> str:
        name = match[1] or match[4]
        value = env.get(name) if env else None
        op = (match[2] or "").lstrip(":")
        if op == "-":
            empty_counts = (match[2] or "").startswith(":")
            return value if value is not None and (value or not empty_counts) else (
                match[3] or "")
        if op == "+" and env is not None:
            return (match[3] or "") if value else ""
        return value if value is not None else UNKNOWN

    return _VAR.sub(repl, text.replace("$$", "$"))


def as_text(value: Any) -> str | None:
    """A scalar as Compose sees it (YAML `true` is the string "true")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_prod_file(path: str) -> bool:
    return "prod" in posixpath.basename(path).lower()


def is_default_override(path: str) -> bool:
    return posixpath.basename(path).lower() in OVERRIDE_NAMES


# --------------------------------------------------------------------------- the model


@dataclass(slots=True)
class Layer:
    path: str
    key: YScalar  # the service's key (`  web:`) in this file
    node: YMap | None  # its definition (None when it is not a mapping)

    def get(self, key: str) -> tuple[YScalar, YNode] | None:
        if self.node is None:
            return None
        for k, v in self.node.items:
            if k.value == key:
                return k, v
        return None


@dataclass(slots=True)
class Site:
    """Where something is defined: a file and a position in it."""

    path: str
    line: int
    column: int


@dataclass(slots=True)
class EnvVar:
    name: str
    value: str | None  # None: passed through from the shell (`- KEY` / `KEY:`)
    site: Site


@dataclass(slots=True)
class Port:
    raw: str
    host_ip: str | None  # None when not given (all interfaces)
    site: Site


@dataclass(slots=True)
class Dependency:
    name: str
    condition: str  # service_started | service_healthy | service_completed_successfully
    list_form: bool
    site: Site  # the dependency's entry (list item or mapping key)
    key_site: Site  # the `depends_on:` key
    written: bool = False  # the condition is written out, not Compose's default


@dataclass(slots=True)
class Build:
    path: str  # the compose file that says `build:`
    context: str | None
    dockerfile: str | None
    target: str | None
    inline: bool = False


@dataclass
class Service:
    name: str
    layers: list[Layer]
    anchor: Layer  # where findings about something missing point
    config: ComposeConfig = field(repr=False)
    # `extends:` a service prodready cannot read (another file, a variable): what it adds is
    # unknown
    extends_unknown: bool = False

    # -- plain lookups -------------------------------------------------------------
    def find(self, key: str) -> tuple[Layer, YScalar, YNode] | None:
        """The last layer that defines `key` (the override wins)."""
        for layer in reversed(self.layers):
            found = layer.get(key)
            if found is not None:
                return layer, found[0], found[1]
        return None

    def has(self, key: str) -> bool:
        return self.find(key) is not None

    def scalar(self, key: str) -> Any:
        found = self.find(key)
        if found is None or not isinstance(found[2], YScalar):
            return None
        return found[2].value

    def merged_map(self, *keys: str) -> dict[str, tuple[Layer, YScalar, YNode]]:
        """The mapping at `keys` merged over the layers (override wins per sub-key)."""
        out: dict[str, tuple[Layer, YScalar, YNode]] = {}
        for layer in self.layers:
            node: YNode | None = layer.node
            for key in keys:
                node = node.get(key) if isinstance(node, YMap) else None
            if isinstance(node, YMap):
                for k, v in node.items:
                    out[str(k.value)] = (layer, k, v)
        return out

    def site(self, layer: Layer, key: YScalar | None = None) -> Site:
        node = key or layer.key
        return Site(layer.path, node.line, node.column)

    @property
    def anchor_site(self) -> Site:
        return self.site(self.anchor)

    # -- derived facts ---------------------------------------------------------------
    @property
    def image(self) -> str | None:
        value = self.scalar("image")
        return interpolate(value) if isinstance(value, str) else None

    @property
    def build(self) -> Build | None:
        found = self.find("build")
        if found is None:
            return None
        layer, _, node = found
        if isinstance(node, YScalar) and isinstance(node.value, str):
            return Build(layer.path, node.value, None, None)
        if isinstance(node, YMap):
            def text(key: str) -> str | None:
                value = node.get_value(key)
                return value if isinstance(value, str) else None
            return Build(layer.path, text("context") or ".", text("dockerfile"), text("target"),
                         inline="dockerfile_inline" in node)
        return None

    @property
    def built_by(self) -> Service | None:
        """The service whose `build:` makes this service's image: itself, or a sibling
        that builds the same `image:` tag (`base: {build: ., image: app}` + `web: {image: app}`).
        """
        if self.build is not None:
            return self
        image = self.image
        if not image:
            return None
        for other in self.config.services.values():
            if other is not self and other.build is not None and other.image == image:
                return other
        return None

    @property
    def datastore(self) -> str | None:
        image = self.image
        return datastore_kind(image) if image else None

    def environment(self) -> dict[str, EnvVar]:
        """Every variable, merged over the layers; list and mapping forms both read."""
        out: dict[str, EnvVar] = {}
        for layer in self.layers:
            found = layer.get("environment")
            if found is None:
                continue
            node = found[1]
            if isinstance(node, YMap):
                for k, v in node.items:
                    value = as_text(v.value) if isinstance(v, YScalar) else None
                    name = str(k.value)
                    out[name] = EnvVar(name, value, Site(layer.path, k.line, k.column))
            elif isinstance(node, YSeq):
                for item in node.items:
                    if not isinstance(item, YScalar) or item.value is None:
                        continue
                    name, sep, value = str(as_text(item.value)).partition("=")
                    name = name.strip()
                    if name:
                        out[name] = EnvVar(name, value if sep else None,
                                           Site(layer.path, item.line, item.column))
        return out

    def ports(self) -> list[Port]:
        """Published ports of every layer (Compose appends them), short and long syntax."""
        out: list[Port] = []
        for layer in self.layers:
            found = layer.get("ports")
            if found is None or not isinstance(found[1], YSeq):
                continue
            for item in found[1].items:
                port = _port(layer.path, item)
                if port is not None:
                    out.append(port)
        return out

    def env_files(self) -> list[tuple[str, Site]]:
        """The files `env_file:` names in every layer (a string, a list or long-syntax
        mappings), as repository paths, with where they are named; a path holding a variable
        is left out."""
        out: list[tuple[str, Site]] = []
        for layer in self.layers:
            found = layer.get("env_file")
            if found is None:
                continue
            node = found[1]
            for item in node.items if isinstance(node, YSeq) else [node]:
                value = item.get_value("path") if isinstance(item, YMap) else (
                    item.value if isinstance(item, YScalar) else None)
                if isinstance(value, str) and "$" not in value:
                    out.append((_inside(layer.path, value), Site(layer.path, item.line,
                                                                  item.column)))
        return out

    def bind_mounts(self) -> list[tuple[str, str, Site]]:
        """(host path, container path, where) of every bind mount of a path inside the
        repository (`./certs:/etc/ssl`, long syntax `type: bind`), over every layer."""
        out: list[tuple[str, str, Site]] = []
        for layer in self.layers:
            found = layer.get("volumes")
            if found is None or not isinstance(found[1], YSeq):
                continue
            for item in found[1].items:
                if isinstance(item, YMap):
                    source, target = item.get_value("source"), item.get_value("target")
                elif isinstance(item, YScalar) and isinstance(item.value, str):
                    source, _, rest = item.value.partition(":")
                    target = rest.partition(":")[0]
                else:
                    continue
                if not (isinstance(source, str) and isinstance(target, str)) or \
                        not source.startswith(".") or "$" in source:
                    continue  # a named volume, an absolute path or one chosen at run time
                host = _inside(layer.path, source)
                if host != ".." and not host.startswith("../"):
                    out.append((host, target, Site(layer.path, item.line, item.column)))
        return out

    def depends_on(self) -> list[Dependency]:
        deps: dict[str, Dependency] = {}
        for layer in self.layers:
            found = layer.get("depends_on")
            if found is None:
                continue
            key, node = found
            key_site = Site(layer.path, key.line, key.column)
            if isinstance(node, YSeq):
                for item in node.items:
                    if isinstance(item, YScalar) and isinstance(item.value, str):
                        deps[item.value] = Dependency(
                            item.value, "service_started", True,
                            Site(layer.path, item.line, item.column), key_site)
            elif isinstance(node, YMap):
                for k, v in node.items:
                    condition = "service_started"
                    value = v.get_value("condition") if isinstance(v, YMap) else None
                    if isinstance(value, str):
                        condition = value
                    deps[str(k.value)] = Dependency(
                        str(k.value), condition, False,
                        Site(layer.path, k.line, k.column), key_site,
                        written=isinstance(value, str))
        return list(deps.values())

    @property
    def healthcheck(self) -> bool | None:
        """True/False when the service itself says; None when it does not mention one."""
        merged = self.merged_map("healthcheck")
        found = self.find("healthcheck")
        if found is None:
            return None
        if not merged:
            return None
        disable = merged.get("disable")
        if disable is not None and isinstance(disable[2], YScalar) and disable[2].value is True:
            return False
        test = merged.get("test")
        if test is None:
            return True  # inherits the image's test with other timings
        value = test[2].to_python()
        if isinstance(value, list):
            return bool(value) and str(value[0]).upper() != "NONE"
        return isinstance(value, str) and value.strip().upper() != "NONE" and bool(value.strip())

    @property
    def health_url_path(self) -> str | None:
        """The path the service's own healthcheck fetches from itself over HTTP
        (`curl -f http://localhost:8000/health/` gives `/health/`, a bare host `/`); None
        when the test makes no such request."""
        test = self.merged_map("healthcheck").get("test")
        if test is None or self.healthcheck is not True:
            return None
        value = test[2].to_python()
        return self_url_path(" ".join(map(str, value)) if isinstance(value, list) else str(value))

    @property
    def never_runs(self) -> bool:
        """`deploy.replicas: 0` or `scale: 0`: Compose creates no container (a service kept
        only so that `docker compose pull` fetches its image); or every profile of the service
        says it is switched off (`profiles: ["NEVER-solr"]`, `disabled`)."""
        replicas = self.merged_map("deploy").get("replicas")
        values = [replicas[2].to_python() if replicas is not None else None, self.scalar("scale")]
        if any(str(v).strip() == "0" for v in values if isinstance(v, int | str)
               and not isinstance(v, bool)):
            return True
        found = self.find("profiles")
        profiles = found[2].to_python() if found is not None else None
        return isinstance(profiles, list) and bool(profiles) and all(
            isinstance(p, str) and _OFF_WORDS.intersection(re.split(r"[-_.]", p.lower()))
            for p in profiles)

    @property
    def one_shot(self) -> bool:
        if self.never_runs:
            return True
        restart = self.scalar("restart")
        if restart is False or (isinstance(restart, str) and restart.strip().lower() == "no"):
            return True
        policy = self.merged_map("deploy", "restart_policy").get("condition")
        if policy is not None and isinstance(policy[2], YScalar) and \
                str(policy[2].value).lower() == "none":
            return True
        return self.name in self.config.completed_dependencies()

    @property
    def depended_on(self) -> bool:
        return self.name in self.config.dependencies()


@dataclass
class ComposeConfig:
    """One way Compose is run: base + default override, or an other file on its own."""

    files: list[str]
    services: dict[str, Service] = field(default_factory=dict)  # everything in scope
    judged: list[Service] = field(default_factory=list)  # what this config is judged for
    _deps: dict[str, str] | None = field(default=None, repr=False)

    def _dependency_conditions(self) -> dict[str, str]:
        if self._deps is None:
            deps: dict[str, str] = {}
            for svc in self.services.values():
                for dep in svc.depends_on():
                    # any dependant that needs it to keep running makes it long-running
                    if deps.get(dep.name) != "running":
                        deps[dep.name] = ("completed" if
                                          dep.condition == "service_completed_successfully"
                                          else "running")
            self._deps = deps
        return self._deps

    def dependencies(self) -> set[str]:
        return set(self._dependency_conditions())

    def completed_dependencies(self) -> set[str]:
        return {n for n, c in self._dependency_conditions().items() if c == "completed"}


# --------------------------------------------------------------------------- building


# An HTTP request a container makes to itself.
_SELF_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])"
                       r"(?::[\w${}]+)?(/[^\s'\"\])]*)?")


# Words of a Compose profile that keeps its services from ever starting.
_OFF_WORDS = frozenset({"never", "disabled", "off"})


def self_url_path(command: str) -> str | None:
    """The path a healthcheck command fetches from its own container over HTTP (`curl -f
    http://localhost:8000/health/` gives `/health/`, a bare host `/`); None when it makes no
    such request."""
    match = _SELF_URL.search(command)
    return (match[1] or "/") if match else None


def _services_node(yf: YamlFile) -> YMap | None:
    for doc in yf.documents:
        root = doc.root
        if not isinstance(root, YMap):
            continue
        services = root.get("services")
        if isinstance(services, YMap):
            # a file Compose refuses runs nothing (the scan reports it as a PARSE error)
            return None if invalid_compose_services(yf) else services
        if services is None and "version" not in root and root.items and all(
            isinstance(v, YMap) and ("image" in v or "build" in v)
            for k, v in root.items if not str(k.value).startswith("x-")
        ):
            return root  # the old version-1 format: services at the top level
    return None


def _layers(path: str, yf: YamlFile) -> dict[str, Layer]:
    node = _services_node(yf)
    out: dict[str, Layer] = {}
    if node is None:
        return out
    for key, value in node.items:
        name = key.value
        if not isinstance(name, str) or name.startswith("x-"):
            continue
        out[name] = Layer(path, key, value if isinstance(value, YMap) else None)
    return out


def configs(project: Project) -> list[ComposeConfig]:
    """Every Compose configuration of the project, each with the services it judges (merged
    once per scan: every COMPOSE rule, APP013 and the service model read them)."""
    cached = project.cache.get("compose-configs")
    if isinstance(cached, list):
        return cached
    built = _configs(project)
    project.cache["compose-configs"] = built
    return built


# `docker compose …`, or a variable holding it (`$DOCKER_COMPOSE --file x.yml run`, Make's
# `$(DOCKER_COMPOSE) -f x.yml up`)
_COMPOSE_COMMAND = re.compile(
    r"(?:\b(?:docker[- ]compose|podman[- ]compose|docker\s+stack\s+deploy)\b"
    r"|\$[({]?\w*COMPOSE\w*[)}]?)[^\n;&|]*")
COMPOSE_FILE_FLAG = re.compile(r"(?:^|\s)(?:-f|--file|-c|--compose-file)[ =][\"']?([^\s\"']+)")


def deployed_runs(project: Project) -> set[tuple[str, ...]]:
    """The file lists the repository starts together with `-f` (`docker compose -f
    compose.yml -f compose.deploy.yml up -d`), in order: configurations that are run. Once
    per scan: every Compose rule asks."""
    found: set[tuple[str, ...]] = project.once("compose-deployed-runs", lambda: {
        files for path, runs in compose_runs(project).items() for source, command in runs
        if path in (files := run_files(source, command))})
    return found


def run_files(source: str, command: str) -> tuple[str, ...]:
    """The files a compose command line passes with `-f`, relative to where it runs."""
    base = "" if source.endswith((".yml", ".yaml")) else posixpath.dirname(source)
    return tuple(posixpath.normpath(posixpath.join(base, flag[1]))
                 for flag in COMPOSE_FILE_FLAG.finditer(command))


# `docker-stack.yml` (the name Docker's documentation uses), `docker-compose_swarm.yml`
_STACK_NAME = re.compile(r"^docker-stack\b|(?:^|[-_.])swarm(?:[-_.]|$)")


def is_swarm_stack(project: Project, path: str) -> bool:
    """A file for `docker stack deploy` (named for it or for swarm, deployed with that
    command, or with a service that sets a `deploy:` key only swarm reads): swarm ignores
    `depends_on`, build sections and container names, and restarts its tasks by default."""
    name = posixpath.basename(path).lower().rsplit(".", 1)[0]
    return bool(_STACK_NAME.search(name)) or any(
        "stack" in command.split() for _, command in compose_runs(project).get(path, [])
    ) or path in _swarm_files(project)


# `deploy:` keys only swarm reads: a service with one is written for `docker stack deploy`
SWARM_DEPLOY_KEYS = frozenset({"placement", "mode", "update_config", "rollback_config",
                               "endpoint_mode"})


def _swarm_files(project: Project) -> frozenset[str]:
    """Compose files a service of which sets a `deploy:` key only swarm reads."""
    def find() -> frozenset[str]:
        return frozenset(layer.path for config in configs(project)
                         for svc in config.services.values() for layer in svc.layers
                         if SWARM_DEPLOY_KEYS.intersection(svc.merged_map("deploy")))

    found: frozenset[str] = project.once("compose-swarm-files", find)
    return found


# Compose subcommands that build or ship images and run no container
_IMAGE_SUBCOMMANDS = frozenset({"build", "push", "pull"})
# options of `docker compose` that take a value before the subcommand
_VALUED_OPTIONS = frozenset({"-f", "--file", "-p", "--project-name", "--env-file", "--profile",
                             "--ansi", "--progress", "--project-directory", "--parallel"})


def build_definition(project: Project, path: str) -> str:
    """Why the Compose file only defines images to build and push ("" if it may run them):
    every command of the repository that passes it runs `build`, `push` or `pull` and none
    starts a container, or, when no command names it, it is named for building
    (`docker-compose-build.yml`)."""
    runs = compose_runs(project).get(path, [])
    subcommands = {_subcommand(command) for _, command in runs}
    if runs and subcommands <= _IMAGE_SUBCOMMANDS and subcommands & {"build", "push"}:
        return (f"every command that passes it ({runs[0][0]}) builds, pushes or pulls images "
                "and none starts a container")
    if runs:
        return ""  # started, or only checked (`config`): it runs somewhere
    name = posixpath.basename(path).lower().rsplit(".", 1)[0]
    if "build" in re.split(r"[-_.]", name):
        return f"{posixpath.basename(path)} is named for building images"
    return ""


def one_shot_stack(project: Project, path: str) -> str:
    """Why the Compose file's services run once and exit ("" if they may stay up): every
    command of the repository that passes it runs a service with `run` or starts the stack
    until one container exits (`up --exit-code-from certbot`, `--abort-on-container-exit`)."""
    runs = [*compose_runs(project).get(path, []), *_script_runs(project).get(path, [])]
    if runs and all(_subcommand(command) == "run" or (
            _subcommand(command) == "up" and _UNTIL_EXIT.search(command))
            for _, command in runs):
        return (f"every command that passes it ({runs[0][0]}) runs its services once "
                "(`compose run`, or `up` until a container exits)")
    return ""


_UNTIL_EXIT = re.compile(r"\s--(?:exit-code-from|abort-on-container-exit)\b")


def _subcommand(command: str) -> str:
    """The subcommand of a compose command line (`push` of `docker compose -f a.yml push`)."""
    words = command.split()
    start = next((i + 1 for i, w in enumerate(words) if w in (
        "compose", "docker-compose", "podman-compose", "deploy") or (
        w.startswith("$") and "COMPOSE" in w)), len(words))
    skip = False
    for word in words[start:]:
        if skip:
            skip = False
        elif word in _VALUED_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            return word
    return ""


# Where a project keeps scripts without an extension (`bw-dev`, `bin/compose`, `dev/up`)
_SCRIPT_HOMES = frozenset({"", "bin", "scripts", "script", "dev", "tools"})
_BARE_SCRIPT_LIMIT = 65536


def _script_runs(project: Project) -> dict[str, list[tuple[str, str]]]:
    """The compose runs of scripts without an extension (computed once): read only to know
    how a file is started, not to say the repository deploys it."""
    found: dict[str, list[tuple[str, str]]] = project.once(
        "compose-script-runs", lambda: _runs_in(project, _bare_scripts(project), scripts=True))
    return found


def _bare_scripts(project: Project) -> list[tuple[str, str]]:
    """Scripts without an extension at the top of the repository or in its `bin/`,
    `scripts/`, `dev/` or `tools/` (a `#!` first line): developers' and deploy wrappers that
    run compose (`$DOCKER_COMPOSE --file upgrade-db.yml run …`)."""
    from .documentation import read_text

    found: list[tuple[str, str]] = []
    for path in project.all_files:
        directory, _, name = path.rpartition("/")
        if "." in name or directory not in _SCRIPT_HOMES or path in project.texts:
            continue
        text = read_text(project, path)
        if text.startswith("#!") and len(text) <= _BARE_SCRIPT_LIMIT:
            found.append((path, text))
    return found


def named_compose_files(project: Project) -> dict[str, str]:
    """Compose files under other names that a Makefile, script or CI workflow passes with
    `-f` (`docker compose -f deploy/prod.yml up`): path -> the first file that names it."""
    return {path: runs[0][0] for path, runs in compose_runs(project).items()
            if not is_compose_path(path)}


def compose_runs(project: Project) -> dict[str, list[tuple[str, str]]]:
    """Compose files a Makefile, script or CI workflow passes with `-f`: path -> every
    (file that names it, the compose command line)."""
    cached = project.cache.get("compose-runs")
    if isinstance(cached, dict):
        return cached
    found = _runs_in(project, sorted(project.texts.items()))
    project.cache["compose-runs"] = found
    return found


def _runs_in(project: Project, sources: list[tuple[str, str]], *, scripts: bool = False
             ) -> dict[str, list[tuple[str, str]]]:
    """The compose runs of CI workflows, Makefiles, justfiles and shell scripts among
    `sources` (of every source when they are all `scripts`)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for source, text in sources:
        name = posixpath.basename(source).lower()
        workflow = source.endswith((".yml", ".yaml"))
        if not (scripts or workflow or name in ("makefile", "justfile") or name.endswith(".sh")):
            continue
        base = "" if workflow else posixpath.dirname(source)
        for command in _COMPOSE_COMMAND.finditer(text.replace("\\\n", " ")):
            for flag in COMPOSE_FILE_FLAG.finditer(command[0]):
                path = posixpath.normpath(posixpath.join(base, flag[1]))
                yf = project.yaml_files.get(path)
                if yf is not None and (is_compose_path(path) or _services_node(yf)):
                    runs = found.setdefault(path, [])
                    if (source, command[0]) not in runs:
                        runs.append((source, command[0]))
    return found


# `cd docker/regtest` then, on that line or the next few, the command that starts the stack
_CD = re.compile(r"(?:^|[\s;&(])cd[ \t]+[\"']?([\w./-]+)")
_SCRIPT_CALL = re.compile(r"(?:^|[\s;&])(?:(?:ba|z)?sh[ \t]+(?:\./)?|\./)([\w.-]+)")
_LONG_LINE = 4000  # a CI step's line is shorter; longer lines are data
_DEFAULT_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_CD_WINDOW = 6  # lines after `cd` that still belong to the same step


def directory_compose_runs(project: Project) -> dict[str, list[tuple[str, str]]]:
    """Compose files in a subdirectory that a CI workflow starts from that directory, without
    `-f` (`cd docker/regtest && docker compose up`, or a script there that does): path ->
    (workflow, the command). The repository root's Compose file is left out: nothing tells a
    CI run of it from the one users run."""
    cached = project.cache.get("compose-directory-runs")
    if isinstance(cached, dict):
        return cached
    from .builds import CI_FILES

    found: dict[str, list[tuple[str, str]]] = {}
    for source, yf in sorted(project.yaml_files.items()):
        if not CI_FILES.search(source) or "cd" not in yf.text:
            continue
        lines = yf.text.splitlines()
        for index, line in enumerate(lines):
            if len(line) > _LONG_LINE or "cd" not in line:
                continue
            for cd in _CD.finditer(line):
                directory = posixpath.normpath(cd[1].strip("/"))
                compose = next((f"{directory}/{n}" for n in _DEFAULT_NAMES
                                if f"{directory}/{n}" in project.yaml_files), None)
                if compose is None or directory in (".", ""):
                    continue
                step = "\n".join([line[cd.end():], *lines[index + 1:index + _CD_WINDOW]])
                command = _starts_compose(step.replace("\\\n", " "),
                                          lambda name, d=directory: _script_text(project, d, name))
                if command and (source, command) not in found.get(compose, []):
                    found.setdefault(compose, []).append((source, command))
    project.cache["compose-directory-runs"] = found
    return found


# `source ./env.sh`, `. scripts/common.sh`: the word is read whole, its name kept
_SOURCED = re.compile(r"(?:^|[\s;&])(?:source|\.)[ \t]+(\S+)", re.MULTILINE)
_SCRIPT_NAME = re.compile(r"[\w.-]+\.sh")


def _sourced_name(word: str) -> str:
    name = word.strip("\"';&()").rsplit("/", 1)[-1]
    return name if _SCRIPT_NAME.fullmatch(name) else ""


def _script_text(project: Project, directory: str, name: str) -> str:
    """A script of `directory` with the scripts of that directory it sources (one level)."""
    from .documentation import read_text

    text = read_text(project, f"{directory}/{name}")
    sourced = {found for m in _SOURCED.finditer(text)
               if (found := _sourced_name(m[1])) and found != name}
    return "\n".join([text, *(read_text(project, f"{directory}/{n}") for n in sorted(sourced))])


def _starts_compose(step: str, script_text: Any) -> str:
    """The compose command a CI step runs in its directory without `-f`, directly or through a
    script of that directory ("" if none)."""
    for match in _COMPOSE_COMMAND.finditer(step):
        if _starts_stack(match[0]):
            return match[0].strip()
    for call in _SCRIPT_CALL.finditer(step):
        if any(_starts_stack(m[0]) for m in _COMPOSE_COMMAND.finditer(script_text(call[1]))):
            return call[0].strip(" \t;&")  # as the job writes it: its job is found by it
    return ""


_STARTS = re.compile(r"\s(?:up|run|start|create)\b")


def _starts_stack(command: str) -> bool:
    """`docker compose up -d` in the current directory (not `logs`, not `-f other.yml`)."""
    return bool(_STARTS.search(command)) and not COMPOSE_FILE_FLAG.search(command)


def _configs(project: Project) -> list[ComposeConfig]:
    files = project.compose_files()
    for path in named_compose_files(project):
        files[path] = project.yaml_files[path]
    by_dir: dict[str, dict[str, str]] = {}
    for path in files:
        by_dir.setdefault(posixpath.dirname(path), {})[posixpath.basename(path).lower()] = path
    out: list[ComposeConfig] = []
    for directory in sorted(by_dir):
        names = by_dir[directory]
        bases = [names[n] for n in BASE_NAMES if n in names]
        used: set[str] = set()
        for base in bases:
            stem = posixpath.basename(base).lower().rsplit(".", 1)[0]
            override = next((names[o] for o in (f"{stem}.override.yaml", f"{stem}.override.yml")
                             if o in names and names[o] not in used), None)
            chain = [base] + ([override] if override else [])
            used.update(chain)
            out.append(_build(chain, files))
        primary = bases[0] if bases else None
        for _, path in sorted(names.items()):
            if path not in used:
                out.append(_build_other(path, primary or _base_above(path, by_dir, files),
                                        files))
    for config in out:
        for svc in config.services.values():
            _apply_extends(project, svc)
    return out


def _base_above(path: str, by_dir: dict[str, dict[str, str]], files: dict[str, YamlFile]
                ) -> str | None:
    """For a file whose services only add settings to services it does not define (no image,
    no build), the nearest base file in a directory above that defines them: the overlay is
    layered over it (`-f docker-compose.yml -f compose/with-s3.yml`)."""
    own = _layers(path, files[path])
    directory = posixpath.dirname(path)
    while directory:
        directory = posixpath.dirname(directory)
        names = by_dir.get(directory, {})
        base = next((names[n] for n in BASE_NAMES if n in names), None)
        if base is not None:
            return base if _fragments(own, _layers(base, files[base])) else None
    return None


_RUNNABLE_KEYS = ("image", "build", "extends")


def _fragments(own: dict[str, Layer], base_layers: dict[str, Layer]) -> set[str]:
    """The services of a file that only add to a service another file defines: no image, no
    build, nothing extended; or only a `build:` for a service the base runs from a published
    image (`docker-compose.build.yml`: build from source instead of pulling), or nothing but
    another `build:` of the base's service (`docker-compose-full.yml`: a fuller image)."""
    found = set()
    for name, layer in own.items():
        node = layer.node
        if node is None or not any(k in node for k in _RUNNABLE_KEYS):
            found.add(name)
            continue
        base = base_layers.get(name)
        if base is None or base.node is None or "build" not in node or "image" in node:
            continue
        pulled = "image" in base.node and "build" not in base.node
        if pulled or all(str(k.value) == "build" for k, _ in node.items):
            found.add(name)  # or another build of the base's service, and nothing else
    return found


def _apply_extends(project: Project, svc: Service) -> None:
    """Put the layers of the services each layer `extends:` before it (Compose merges the
    extending definition over the extended one)."""
    layers: list[Layer] = []
    for layer in svc.layers:
        extended = _extended(project, layer, set())
        if extended is None:
            svc.extends_unknown = True
        else:
            layers.extend(extended)
        layers.append(layer)
    svc.layers = layers


def extended_layers(project: Project, path: str, service: str) -> list[Layer]:
    """The layers the service `service` of the Compose file `path` extends, outermost first
    ([] when it extends nothing readable)."""
    yf = project.yaml_files.get(path)
    layer = _layers(path, yf).get(service) if yf is not None else None
    return (_extended(project, layer, {(path, service)}) or []) if layer is not None else []


def _extended(project: Project, layer: Layer, seen: set[tuple[str, str]]
              ) -> list[Layer] | None:
    """The layers `layer` extends, outermost first ([] when none; None when unreadable)."""
    found = layer.get("extends")
    if found is None:
        return []
    node = found[1]
    path, service = layer.path, None
    if isinstance(node, YScalar) and isinstance(node.value, str):
        service = node.value
    elif isinstance(node, YMap):
        name, other = node.get_value("service"), node.get_value("file")
        service = name if isinstance(name, str) else None
        if isinstance(other, str):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(layer.path), other))
    yf = project.yaml_files.get(path)
    if service is None or yf is None or (path, service) in seen:
        return None
    target = _layers(path, yf).get(service)
    if target is None:
        return None
    deeper = _extended(project, target, seen | {(path, service)})
    return None if deeper is None else [*deeper, target]


def _build(chain: list[str], files: dict[str, YamlFile]) -> ComposeConfig:
    config = ComposeConfig(files=list(chain))
    order: list[str] = []
    layers: dict[str, list[Layer]] = {}
    for path in chain:
        for name, layer in _layers(path, files[path]).items():
            if name not in layers:
                order.append(name)
            layers.setdefault(name, []).append(layer)
    for name in order:
        svc = Service(name, layers[name], layers[name][0], config)
        config.services[name] = svc
        config.judged.append(svc)
    return config


# The keys of a service that some Compose rule reads
_JUDGED_KEYS = frozenset({
    "image", "build", "command", "entrypoint", "healthcheck", "restart", "deploy", "logging",
    "mem_limit", "memswap_limit", "cpus", "cpu_quota", "cpu_count", "ports", "environment",
    "env_file", "depends_on", "profiles", "scale", "secrets", "extends",
})


def _build_other(path: str, base: str | None, files: dict[str, YamlFile]) -> ComposeConfig:
    own = _layers(path, files[path])
    base_layers = _layers(base, files[base]) if base else {}
    fragments = _fragments(own, base_layers)
    overlays = fragments & set(base_layers)
    config = ComposeConfig(files=([base] if overlays and base else []) + [path])
    if overlays:
        for name, layer in base_layers.items():
            if name not in own:
                config.services[name] = Service(name, [layer], layer, config)
    for name, layer in own.items():
        if base and name in fragments - overlays:
            # settings for a service another file defines (the base's override): the file is
            # layered over that one, nothing runs this service from it alone
            continue
        stack = [base_layers[name], layer] if name in overlays else [layer]
        # An overlay that sets nothing the rules read (a host name, a network, a label) makes
        # no new configuration: what it leaves missing is one finding, at the base's key
        # (a `build:` for the base's published image changes what is run from, not how)
        bare = name in overlays and (layer.node is None or not any(
            str(key.value) in _JUDGED_KEYS - {"build"} for key, _ in layer.node.items))
        svc = Service(name, stack, stack[0] if bare else layer, config)
        config.services[name] = svc
        config.judged.append(svc)
    return config


# --------------------------------------------------------------------------- ports


def _port(path: str, item: YNode) -> Port | None:
    site = Site(path, item.line, item.column)
    if isinstance(item, YMap):
        given = item.get_value("host_ip")
        raw = ", ".join(f"{k.value}: {v.to_python()}" for k, v in item.items)
        return Port(raw, interpolate(str(given)) if given is not None else None, site)
    if not isinstance(item, YScalar) or item.value is None or isinstance(item.value, bool):
        return None
    raw = str(item.value)
    text = interpolate(raw).split("/", 1)[0].strip()
    host_ip: str | None = None
    if text.startswith("["):  # [::1]:5432:5432
        end = text.find("]")
        if end > 0:
            host_ip = text[1:end]
            text = text[end + 1:].lstrip(":")
    parts = text.rsplit(":", 2)
    if host_ip is None and len(parts) == 3:
        host_ip = parts[0]
    elif host_ip is None and text.count(":") > 2:  # bare IPv6 host: ::1:5432:5432
        host_ip = text.rsplit(":", 2)[0]
    return Port(raw, host_ip or None, site)


LOOPBACK = re.compile(r"^(127(\.\d{1,3}){3}|localhost|::1|0{0,4}(:0{0,4}){0,6}:0{0,3}1)$",
                      re.IGNORECASE)


def is_loopback(host_ip: str | None) -> bool:
    if host_ip is None:
        return False
    if UNKNOWN in host_ip:
        return True  # chosen at deploy time: give it the benefit of the doubt
    return bool(LOOPBACK.match(host_ip.strip()))


# --------------------------------------------------------------------------- images


# The images of edge proxies: a service running one serves a deployment's front door
EDGE_IMAGES = frozenset({"nginx", "nginx-unprivileged", "traefik", "caddy", "haproxy", "envoy",
                         "openresty", "kong", "apache", "httpd"})


def image_registry(image: str) -> str:
    """The registry an image reference names (`ghcr.io`, `localhost:5000`), "" for Docker
    Hub."""
    first, slash, _ = image.strip().partition("/")
    return first if slash and ("." in first or ":" in first or first == "localhost"
                               or UNKNOWN in first) else ""  # `${REGISTRY}/postgres:16`


def image_repository(image: str) -> tuple[str, str]:
    """(namespace, name) of an image without registry, tag or digest."""
    ref = image.strip().split("@", 1)[0]
    parts = ref.split("/")
    if image_registry(ref):
        parts = parts[1:]
    last = parts[-1].split(":", 1)[0] if parts else ""
    namespace = "/".join(parts[:-1])
    return namespace.lower(), last.lower()


def datastore_kind(image: str) -> str | None:
    if not image:
        return None
    namespace, name = image_repository(image)
    if UNKNOWN in namespace or UNKNOWN in name:
        return None
    kind = DATASTORES.get(name)
    if kind is None or namespace.rsplit("/", 1)[-1] not in OFFICIAL_NAMESPACES:
        return None
    return kind


# --------------------------------------------------------------------------- Dockerfiles


def dotenv(project: Project, directory: str) -> dict[str, str]:
    """The `.env` Compose reads next to its files: KEY=VALUE lines, quotes removed."""
    cache = project.cache.setdefault("compose-dotenv", {})
    assert isinstance(cache, dict)
    if directory not in cache:
        text = project.texts.get(posixpath.join(directory, ".env") if directory else ".env", "")
        cache[directory] = {entry.name: entry.value for entry in env_entries(text)}
    return cache[directory]


def build_dockerfile(project: Project, build: Build) -> str | None:
    """The repo path of the Dockerfile a `build:` uses (`.env` and defaults interpolated);
    None when it is inline, remote, outside the repository or chosen at deploy time."""
    if build.inline:
        return None
    env = dotenv(project, posixpath.dirname(build.path))
    context = interpolate(build.context or ".", env)
    dockerfile = interpolate(build.dockerfile or "Dockerfile", env)
    if UNKNOWN in context or UNKNOWN in dockerfile or "://" in context or \
            context.startswith(("git@", "github.com/")) or dockerfile.startswith("/"):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(build.path), context,
                                             dockerfile))
    return None if path.startswith("../") or path == ".." else path


def build_context(project: Project, build: Build) -> str | None:
    """The repository path of a `build:`'s context ("" for the root; None: unknown)."""
    if build.inline:
        return None
    context = interpolate(build.context or ".", dotenv(project, posixpath.dirname(build.path)))
    if UNKNOWN in context or "://" in context or context.startswith(("git@", "github.com/")):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(build.path), context))
    if path.startswith("../") or path == ".." or path.startswith("/"):
        return None
    return "" if path == "." else path


@dataclass(frozen=True, slots=True)
class ImageSource:
    """The repository's Dockerfile that makes the image a service runs, and how it is known."""

    dockerfile: str
    target: str | None
    why: str
    context: str  # the build context ("" for the repository root)


def image_source(project: Project, svc: Service) -> ImageSource | None:
    """The Dockerfile behind a service's image: its own `build:` (or a sibling's that builds
    the same tag), else the image name that CI, skaffold or Compose builds here
    (`image: ghcr.io/org/app:latest` where CI pushes `ghcr.io/org/app` from `./Dockerfile`)."""
    builder = svc.built_by
    build = builder.build if builder is not None else None
    if build is not None:
        path = build_dockerfile(project, build)
        context = build_context(project, build)
        return ImageSource(path, build.target, f"built from {path}",
                           posixpath.dirname(path) if context is None else context
                           ) if path else None
    if not svc.image:
        return None
    from .deployment import deployment_of, image_name

    tag = svc.image.split("@", 1)[0].rpartition(":")[2] if ":" in svc.image.rsplit(
        "/", 1)[-1] else None
    found = deployment_of(project).dockerfile_of_image(image_name(svc.image), tag)
    if found is None or found[0] not in project.dockerfiles:
        return None
    return ImageSource(found[0], None, found[1], posixpath.dirname(found[0]))


def dockerfile_healthcheck(project: Project, svc: Service) -> bool | None:
    """Whether the repo's Dockerfile making `svc`'s image has a HEALTHCHECK (None: unknown,
    or the image is not built here)."""
    source = image_source(project, svc)
    df = project.dockerfiles.get(source.dockerfile) if source else None
    if source is None or df is None:
        return None
    stages = getattr(df, "stages", [])
    if not stages:
        return None
    by_name = {s.name: s for s in stages if s.name}
    stage = by_name.get(source.target.lower()) if source.target else None
    stage = stage or stages[-1]
    seen: list[object] = []
    while stage is not None and stage not in seen:
        seen.append(stage)
        checks = stage.find("HEALTHCHECK")
        if checks:
            return checks[-1].args.strip().upper() != "NONE"
        stage = by_name.get(stage.base_image.lower())
    return False


def has_healthcheck(project: Project, svc: Service) -> bool | None:
    """The service defines a healthcheck, or its image (built in the repo) does.

    None when it cannot be known: built from a Dockerfile prodready does not see.
    A remote image is assumed to have none, unless the repository builds it.
    """
    own = svc.healthcheck
    if own is not None:
        return own
    built = dockerfile_healthcheck(project, svc)
    if built is not None or svc.built_by is not None:
        return built
    return False


def judged_services(project: Project) -> Iterator[Service]:
    """Every service some configuration judges; entries that are not mappings are skipped."""
    for config in configs(project):
        for svc in config.judged:
            if any(layer.node is not None for layer in svc.layers):
                yield svc


def deployed_here(project: Project, config: ComposeConfig) -> bool:
    """The repository runs this Compose file itself: its name says production, a script, CI
    job or Makefile here passes it with `-f`, or the deployment model finds it deployed.
    Elsewhere, host-level choices (sizing, log rotation) belong to whoever starts it."""
    from .deployment import deployment_of
    from .roles import DEPLOYED

    path = config.files[-1]
    return is_prod_file(path) or path in compose_runs(project) or \
        deployment_of(project).role_of(path).role == DEPLOYED


def users_stack(project: Project, path: str) -> bool:
    """A distributed project's documentation tells its users to start this Compose file
    (`docker compose -f docker/docker-compose.prod.yml up`): whatever its name, it runs on
    their hosts, sized and rotated by them."""
    from .profile import DISTRIBUTED, profile_of

    if profile_of(project).name != DISTRIBUTED:
        return False

    def documented() -> frozenset[str]:
        from .documentation import documentation_pages

        return frozenset(posixpath.normpath(flag[1]) for _, text in documentation_pages(project)
                         if "compose" in text for line in text.splitlines() if "compose" in line
                         for flag in COMPOSE_FILE_FLAG.finditer(line))

    found: frozenset[str] = project.once("compose-files-users-start", documented)
    return path in found


def operator_template(project: Project, config: ComposeConfig) -> str:
    """Why a Compose file is a template the project distributes to operators ("" if it is
    not): it builds nothing and runs an image this repository publishes, and nothing here
    runs it with `-f` or calls it production. How much memory it gets and how its logs rotate
    are then the choice of whoever runs it."""
    cache = project.cache.setdefault("compose-templates", {})
    assert isinstance(cache, dict)
    key = tuple(config.files)
    if key not in cache:
        cache[key] = _operator_template(project, config)
    why: str = cache[key]
    return why


def _operator_template(project: Project, config: ComposeConfig) -> str:
    path = config.files[-1]
    if is_prod_file(path) or path in compose_runs(project) or any(
            svc.build is not None for svc in config.services.values()):
        return ""
    for svc in config.judged:
        if svc.image and svc.built_by is None:
            source = image_source(project, svc)
            if source is not None:
                return (f"{path} builds nothing and runs {svc.image}, which this repository "
                        "publishes: a template for operators, who size it and rotate its "
                        "logs")
    return ""


def _inside(compose_path: str, relative: str) -> str:
    """A path a Compose file names, relative to its directory, as a repository path."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(compose_path), relative))
    return "" if joined == "." else joined.removeprefix("./")
