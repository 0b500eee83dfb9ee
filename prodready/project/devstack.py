"""Compose files that run the checkout under a development server: a developer's stack.

Many repositories name their local stack `docker-compose.yml`, like the file users deploy. Its
services give it away: the source tree is bind-mounted over the image's code and the command
is a reloading development server or the test suite, or the environment switches debug mode
(or a debug toolbar) on, or a database beside it takes connections without a password. Some
marks need no mount: a service builds the development stage of its image, reads its
environment from a development directory, or runs a stand-in for a hosted service (a mail
catcher, a cloud emulator); debug mode beside a database without a password. Such a file is
dev tooling, whatever its name; what the repository deploys with it still decides first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .compose import (
    DATASTORES,
    EDGE_IMAGES,
    OFFICIAL_NAMESPACES,
    image_registry,
    image_repository,
)

# A command that serves from the mounted source and reloads it
_DEV_COMMAND = re.compile(
    r"\brunserver(?:_plus)?\b|--(?:py-)?(?:auto)?reload\b|\bflask\s+run\b"
    r"|\b(?:npm|yarn|pnpm)\s+(?:run\s+)?dev\b"
    r"|\bnodemon\b|\bwatchmedo\b|(?:start|run)[-_]dev\b|\bdev[-_](?:server|start)\b"
    r"|\bdevstack\b|\bjupyter(?:-|\s+)(?:notebook|lab)\b",  # a notebook on the checkout
    re.IGNORECASE)  # no leading wildcard: linear on a crafted command line
# A command that runs tests (a CI job's, or a Compose service's on the mounted source)
RUNS_TESTS = re.compile(
    r"(?<![\w-])(?:pytest|py\.test|tox|nox|unittest|behave|playwright|cypress|"
    r"manage\.py\s+test|(?:make|just)\s+[\w-]*test[\w-]*|(?:npm|yarn|pnpm)\s+(?:run\s+)?test|"
    r"go\s+test|cargo\s+test)(?![\w-])", re.IGNORECASE)
_DEBUG_ON = frozenset({"1", "true", "yes", "on"})
QUOTES = "'\""
_LOCAL_ENV = frozenset({"local", "dev", "development"})
_DEV_STAGE_WORDS = _LOCAL_ENV | {"devel", "debug"}
_ENV_NAMES = frozenset({"env", "environment", "app_env", "django_env", "flask_env", "node_env",
                        "rails_env", "stage", "deploy_env",
                        "django_configuration"})  # django-configurations' class
# The last part of a settings module named for development: `dev`, `dockerdev`, `local`.
_DEV_MODULE = re.compile(r"(?:^|\.)\w*(?:dev|development|local)$")
# `${ENVIRONMENT:-development}` -> development
VARIABLE_DEFAULT = re.compile(r"\$\{\w+:?-([^}]*)\}")


def development_stack(data: Any, image_signal: Callable[[str], str] | None = None,
                      code_dirs: frozenset[str] = frozenset()) -> str:
    """Why the parsed Compose file `data` is a development stack ("" if it is
    not): a service runs with the checkout mounted over its code and a development server
    or a debug switch, its own or (`image_signal`, by service name) the image's it builds."""
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return ""
    # A service behind a profile is optional beside the others; a file whose every service
    # has one is started profile by profile, and each of them counts.
    unprofiled = [n for n, svc in services.items() if isinstance(svc, dict)
                  and "profiles" not in svc]
    stand_in = _stand_in(services, unprofiled)
    if stand_in:
        return stand_in
    open_store = _open_datastore(services)
    for name, svc in services.items():
        if not isinstance(svc, dict) or (unprofiled and name not in unprofiled):
            continue
        stage = _development_stage(svc)
        if stage:
            return f"service {name!r} builds the {stage!r} stage of its image: a development stack"
        argument = _development_build_argument(svc)
        if argument:
            return f"service {name!r} builds its image with {argument}: a development stack"
        script = _development_script(svc)
        if script:
            return (f"service {name!r} starts {script}, a script for development: a "
                    "development stack")
        env_file = _development_env_directory(svc)
        if env_file:
            return (f"service {name!r} reads {env_file}, from a directory of development "
                    "settings: a development stack")
        mount = _checkout_mount(svc, code_dirs) or _reloaded_source(svc)
        if not mount:
            # no checkout, but two marks of a machine nobody serves users from
            signal = _dev_signal(svc) if open_store else ""
            if signal:
                return f"service {name!r} {signal} and {open_store}: a development stack"
            continue
        signal = _dev_signal(svc) or open_store or (image_signal(name) if image_signal else "")
        if signal:
            return (f"service {name!r} mounts the checkout ({mount}) and {signal}: a "
                    "development stack")
    return ""


def dev_network_stack(data: Any) -> str:
    """Why the parsed Compose file `data` joins a developer's stack ("" if it does not):
    every service is attached to a network named for development (`open-forms-dev`,
    `dev_net`): the services a local checkout talks to, started beside it."""
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict) or not services:
        return ""
    found = ""
    for svc in services.values():
        networks = svc.get("networks") if isinstance(svc, dict) else None
        names = list(networks) if isinstance(networks, dict | list) else []
        dev = next((str(n) for n in names if _DEV_WORDS.intersection(
            re.split(r"[-_.]", str(n).lower()))), "")
        if not dev:
            return ""
        found = found or dev
    return f"its services join the network {found!r}, named for development"


_DEV_WORDS = frozenset({"dev", "development", "devel"})


def local_images_stack(data: Any) -> str:
    """Why the parsed Compose file `data` builds only for the machine it runs on ("" if it
    does not): every service it builds tags its image `local/…` (or `localhost/…`), a name
    no registry serves, so the images are never pushed anywhere to deploy."""
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return ""
    built = [svc for svc in services.values() if isinstance(svc, dict) and "build" in svc]
    tags = [str(svc.get("image") or "") for svc in built]
    if built and all(tag.startswith(("local/", "localhost/")) for tag in tags):
        return (f"every image it builds is tagged for this machine ({tags[0]}): never pushed "
                "to be deployed")
    return ""


def _command_line(svc: dict[str, Any]) -> str:
    """The service's entrypoint and command as one line."""
    return f"{_text(svc.get('entrypoint'))} {_text(svc.get('command'))}"


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return VARIABLE_DEFAULT.sub(r"\1", str(value)) if value is not None else ""


# Images that stand in for a hosted service on a developer's machine or in a test run: mail
# catchers, cloud emulators, HTTP mocks (`*-emulator` and `*-local` images too)
_STAND_INS = frozenset({"mailhog", "mailpit", "maildev", "smtp4dev", "localstack", "azurite",
                       "fake-gcs-server", "moto", "motoserver", "mockserver", "wiremock",
                       "elasticmq"})


def _image_stem(image: str) -> str:
    """`europe-west2-docker.pkg.dev/ci/images/datastore-emulator:latest` -> datastore-emulator"""
    return image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0].lower()


def _stand_in(services: dict[str, Any], unprofiled: list[str]) -> str:
    """Why the file runs a stand-in for a hosted service ("" if it does not): nobody serves
    users with mail caught or a cloud emulated."""
    for name, svc in services.items():
        if not isinstance(svc, dict) or (unprofiled and name not in unprofiled):
            continue
        stem = _image_stem(_text(svc.get("image")))
        if stem in _STAND_INS or stem.endswith(("-emulator", "-local")):
            return (f"service {name!r} runs {stem}, a stand-in for a hosted service: a "
                    "development stack")
    return ""


def _development_env_directory(svc: dict[str, Any]) -> str:
    """The environment file the service reads from a directory named for development
    (`env.d/development/postgresql`), "" if none: a file name alone (`local.env`) needs
    another mark, a directory of such files does not."""
    env_files = svc.get("env_file")
    for entry in env_files if isinstance(env_files, list) else [env_files]:
        path = _text(entry.get("path") if isinstance(entry, dict) else entry)
        if _LOCAL_ENV.intersection(path.lower().split("/")[:-1]):
            return path
    return ""


def _development_build_argument(svc: dict[str, Any]) -> str:
    """The build argument that selects a development build (`ENVIRONMENT=DEV`,
    `BUILD_ENV: local`), "" if none: no deployment builds the image so."""
    build = svc.get("build")
    args = build.get("args") if isinstance(build, dict) else None
    if isinstance(args, list):
        pairs = [_text(a).partition("=")[::2] for a in args]
    elif isinstance(args, dict):
        pairs = [(_text(k), _text(v)) for k, v in args.items()]
    else:
        return ""
    for key, value in pairs:
        lowered, value = key.strip().lower(), value.strip().strip("\"'").lower()
        if (lowered in _ENV_NAMES or lowered.endswith(("_env", "_environment"))) and \
                value in _LOCAL_ENV:
            return f"{key.strip()}={value}"
        if _DEPENDENCY_GROUPS.search(lowered) and _TOOL_GROUPS.intersection(
                re.split(r"[\s,;+]+", value)):
            return f"{key.strip()}={value}"  # `DEPS: main,test,lint`: the test tools installed
    return ""


# A build argument naming the dependency groups or extras to install, and the groups that
# only developers and test runs need
_DEPENDENCY_GROUPS = re.compile(r"(?:^|_)(?:deps|dependencies|groups?|extras|requirements)$")
_TOOL_GROUPS = frozenset({"dev", "development", "test", "tests", "testing", "lint"})


def _development_script(svc: dict[str, Any]) -> str:
    """The script named for development that the service starts (`entrypoint_dev.sh`,
    `docker-entrypoint.dev.sh`, `run-local.sh`), "" if none."""
    for word in _command_line(svc).split():
        name = word.strip(QUOTES + "[],").rsplit("/", 1)[-1].lower()
        if name.endswith((".sh", ".py")) and _LOCAL_ENV.intersection(
                re.split(r"[-_.]", name[:-3])):
            return name
    return ""


def _development_stage(svc: dict[str, Any]) -> str:
    """The development stage (`target: local`) the service builds of a multi-stage
    Dockerfile, "" if none: no deployment builds it."""
    build = svc.get("build")
    target = _text(build.get("target")).lower() if isinstance(build, dict) else ""
    # `local`, `dev`, `backend-development`, `frontend-dev`, `debug`
    return target if _DEV_STAGE_WORDS.intersection(re.split(r"[-_.]", target)) else ""


# Settings with which a database image accepts every connection without a password
_NO_AUTHENTICATION = {"postgres_host_auth_method": {"trust"},
                      "mysql_allow_empty_password": _DEBUG_ON,
                      "mariadb_allow_empty_root_password": _DEBUG_ON,
                      "allow_empty_password": _DEBUG_ON}  # bitnami images


def _open_datastore(services: dict[str, Any]) -> str:
    """Why a database of the file takes connections without a password ("" if none does):
    beside the checkout mounted over a service's code, a developer's stack."""
    for name, svc in services.items():
        for key, value in _environment(svc) if isinstance(svc, dict) else ():
            accepted = _NO_AUTHENTICATION.get(key.lower())
            if accepted and value.strip().strip("'\"").lower() in accepted:
                return f"its {name!r} database takes connections without a password ({key})"
    return ""


def _environment(svc: dict[str, Any]) -> list[tuple[str, str]]:
    """The service's `environment:` as (name, value) pairs, from the mapping or list form."""
    environment = svc.get("environment")
    if isinstance(environment, dict):
        return [(str(k), _text(v)) for k, v in environment.items()]
    if isinstance(environment, list):
        return [(str(e).split("=", 1)[0], str(e).split("=", 1)[1]) for e in environment
                if "=" in str(e)]
    return []


_ANCESTOR = re.compile(r"\.\.(?:/\.\.)*/?")


def _checkout_mount(svc: dict[str, Any], code_dirs: frozenset[str] = frozenset()) -> str:
    """The bind mount that puts the repository's source tree (the Compose file's directory,
    its parent or the service's build context, or a directory of it mounted as the working
    directory or where the command runs code from: `./app:/app` for `python
    /app/manage.py runserver`, or a directory of Python code, `code_dirs`, mounted under its
    own name: `./src:/vol/janeway/src`) over the container's code."""
    build = svc.get("build")
    context = build.get("context", ".") if isinstance(build, dict) else build
    # `${PWD}` is the directory Compose is started from: the checkout
    roots = {".", "..", "${PWD}", "$PWD"} | (
        {str(context).rstrip("/") or "."} if context else set())
    workdir = str(svc.get("working_dir") or "").rstrip("/") or None
    command = _command_line(svc)
    for volume in svc.get("volumes") or ():
        if isinstance(volume, dict):
            if volume.get("type", "bind") != "bind":
                continue
            source, target = volume.get("source"), volume.get("target")
        else:
            parts = _text(volume).split(":")  # `${SRC_MOUNT:-./src:/app/src}`
            if len(parts) < 2:
                continue  # an anonymous volume
            source, target = parts[0], parts[1]
        if isinstance(source, str) and target and ((source.rstrip("/") or ".") in roots or (
                _ANCESTOR.fullmatch(source))):  # `../../`: a directory above, the checkout
            return f"{source}:{target}"
        if isinstance(source, str) and source.startswith("./") and target and (
                str(target).rstrip("/") == workdir or (
                    len(str(target).rstrip("/")) > 1 and f"{str(target).rstrip('/')}/" in command)):
            return f"{source}:{target}"  # a source directory the service runs its code from
        name = source.removeprefix("./").rstrip("/") if isinstance(source, str) else ""
        if name in code_dirs and str(target).rstrip("/").rsplit("/", 1)[-1] == name:
            return f"{source}:{target}"  # the project's code directory, under its own name
    return ""


def _reloaded_source(svc: dict[str, Any]) -> str:
    """A source directory bind-mounted into a service whose server reloads on change
    (`./backend:/usr/src/app/backend` beside `gunicorn … --reload`): the reload is for it."""
    if not _DEV_COMMAND.search(_command_line(svc)):
        return ""
    for volume in svc.get("volumes") or ():
        if isinstance(volume, str) and _text(volume).startswith("./"):
            return _text(volume)
    return ""


def development_setting(key: str, value: str) -> bool:
    """An environment variable that switches a development mode on: `DEBUG=1`,
    `ENABLE_DJANGO_TOOLBAR=1`, `APP_ENV=local` (also the project's own:
    `CONCORDIA_ENVIRONMENT=development`), `DJANGO_SETTINGS_MODULE=config.settings.local`."""
    lowered, value = key.lower(), value.strip().strip(QUOTES).lower()
    if (lowered == "debug" or "toolbar" in lowered) and value in _DEBUG_ON:
        return True
    if (lowered in _ENV_NAMES or lowered.endswith(("_env", "_environment"))) and \
            value in _LOCAL_ENV:
        return True
    return lowered.endswith("settings_module") and bool(_DEV_MODULE.search(value))


def development_command(text: str) -> str:
    """The development server a command starts (`runserver`, `--reload`, `flask run`), ""
    if none."""
    found = _DEV_COMMAND.search(text)
    return found[0].strip() if found else ""


def _dev_signal(svc: dict[str, Any]) -> str:
    command = _command_line(svc)
    match = _DEV_COMMAND.search(command) or RUNS_TESTS.search(command)
    if match:
        return f"runs {match[0].strip()!r}"
    for key, value in _environment(svc):
        if development_setting(key, value):
            return f"sets {key}={value.strip().strip(QUOTES).lower()}"
    env_files = svc.get("env_file")
    for entry in env_files if isinstance(env_files, list) else [env_files]:
        path = entry.get("path") if isinstance(entry, dict) else entry
        words = re.split(r"[-_./]", _text(path).lower())
        if _LOCAL_ENV.intersection(words):
            return f"reads {path}"  # `docker/config/local_dev.env`, `env.d/development/common`
    return ""


# Images a developer runs beside code started from the checkout: mail catchers, object-store
# and cloud emulators, database consoles, brokers (the datastores are compose.DATASTORES).
_BACKING_TOOLS = frozenset({
    "minio", "minio-client", "mc", "mailhog", "mailpit", "maildev", "smtp4dev", "localstack",
    "azurite", "fake-gcs-server", "adminer", "pgadmin4", "phpmyadmin", "redis-commander",
    "zookeeper", "kafka", "cp-kafka", "cp-zookeeper", "nats", "mosquitto", "memcached",
    "clickhouse-server", "meilisearch", "typesense", "qdrant", "chroma", "weaviate",
    "prometheus", "grafana", "influxdb",
})


def backing_services_stack(data: Any) -> str:
    """Why the parsed Compose file `data` only runs the services the project's code needs,
    published to the host for code run from the checkout ("" if it is not that): every
    service runs a datastore or tool image, none is built here, and a datastore publishes
    its port."""
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict) or not services:
        return ""
    published: list[str] = []
    for name, svc in services.items():
        if isinstance(svc, dict) and "profiles" in svc:
            continue  # optional beside the others
        if not isinstance(svc, dict) or "build" in svc or not isinstance(svc.get("image"), str):
            return ""
        image = _image_stem(svc["image"])
        # a vendor's local emulator (`dynamodb-local`, `tinybird-local`) backs code too
        if image not in DATASTORES and image not in _BACKING_TOOLS and \
                not image.endswith(("-local", "-emulator")):
            return ""
        if image in DATASTORES and svc.get("ports"):
            published.append(str(name))
    if not published:
        return ""
    return (f"runs only backing services and publishes {', '.join(sorted(published))} to the "
            "host, for the project's code run from the checkout: a development stack")


# Edge software that serves a deployment (a proxy, its certificates): a file of them runs the
# project's front door, not something its code is developed against.
_EDGE_IMAGES = EDGE_IMAGES | {"certbot", "nginx-proxy", "acme-companion",
                              "letsencrypt-nginx-proxy-companion", "swag"}


# Docker Hub namespaces of vendors publishing their own software (beside the datastores' in
# compose.OFFICIAL_NAMESPACES): no project's image of its own lives there.
_VENDORS = frozenset({"grafana", "prom", "confluentinc", "wurstmeister", "graylog",
                      "clickhouse", "minio", "localstack", "mailhog", "axllent",
                      "jaegertracing", "otel", "openzipkin", "hashicorp", "apache", "selenium",
                      "dpage", "timescale", "cockroachdb", "elastic", "jboss"})


def third_party_stack(data: Any, own_names: frozenset[str]) -> str:
    """Why the parsed Compose file `data` runs only other projects' software ("" if it does
    not): every service pulls an official Docker Hub image or a known vendor's, which
    nothing here builds and which is not named after the project (`own_names`: the images
    built here, the project's names and their words). Below the repository's root, such a
    file starts what the code is developed or tested against (a Grafana to debug an
    integration with, the databases of a test matrix), not the project itself. Any other
    image may be the project's own, published where the repository does not say; a proxy
    serves a deployment; a service that depends on one the file does not define, or a
    network of another stack, joins that stack: each keeps the file judged."""
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict) or not services or _joins_external_network(data):
        return ""
    stems = set()
    for svc in services.values():
        image = svc.get("image") if isinstance(svc, dict) else None
        if not isinstance(image, str) or "build" in svc or "$" in image or image_registry(image):
            return ""
        namespace, name = image_repository(image)
        words = {*namespace.split("/"), name, *name.split("-")} - {""}
        if name in _EDGE_IMAGES or words & own_names or f"{namespace}/{name}" in own_names or (
                namespace not in OFFICIAL_NAMESPACES and namespace not in _VENDORS):
            return ""
        depends = svc.get("depends_on")
        if isinstance(depends, (list, dict)) and any(
                str(other) not in services for other in depends):
            return ""
        stems.add(name)
    shown = ", ".join(sorted(stems)[:3]) + (", ..." if len(stems) > 3 else "")
    return (f"it runs only other projects' images ({shown}), none built here or named after "
            "the project: what the code is developed or tested against")


def _joins_external_network(data: dict[str, Any]) -> bool:
    networks = data.get("networks")
    return isinstance(networks, dict) and any(
        isinstance(net, dict) and net.get("external") not in (None, False)
        for net in networks.values())
