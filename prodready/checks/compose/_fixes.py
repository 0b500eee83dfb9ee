"""Fix edits for the Compose rules: keys added to the service's own definition."""

from __future__ import annotations

import posixpath
import re

from ...artifacts.shell import simple_commands
from ...artifacts.yamldocs import YamlFile, YMap, YNode, YScalar, YSeq
from ...fix.yaml_edits import add_to_mapping, own_child, own_items, replace_node, set_nested
from ...model import Edit, Fix, FixSafety
from ...project import Project
from ...project.compose import Layer, Service
from ...project.services import probe_target, served_port, services_of

# Health checks the official images can run with what they ship.
KNOWN_CHECKS = {
    "postgres": '["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]',
    "postgis": '["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]',
    "redis": '["CMD", "redis-cli", "ping"]',
    "valkey": '["CMD", "valkey-cli", "ping"]',
    "mysql": '["CMD", "mysqladmin", "ping", "-h", "127.0.0.1"]',
    "mariadb": '["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]',
    "mongo": '["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand(\'ping\')"]',
}


def _edit_fix(project: Project, layer: Layer, lines: list[str], what: str,
              keys: list[str] | None = None) -> Fix | None:
    yf = project.yaml_files.get(layer.path)
    if yf is None or not yf.text or layer.node is None:
        return None
    edit = (set_nested(layer.path, yf.text, layer.node, keys, lines) if keys
            else add_to_mapping(layer.path, yf.text, layer.node, lines))
    return Fix(FixSafety.SAFE, what, (edit,)) if edit is not None else None


# Commands that finish: a restart policy would run them again and again.
_ONE_OFF = re.compile(
    r"(?<![\w-])(pytest|py\.test|tox|nox|unittest|behave|coverage run|manage\.py (test|migrate|"
    r"makemigrations|collectstatic|loaddata|createsuperuser)|alembic (upgrade|downgrade)|"
    r"flask db upgrade|(prisma|knex|sequelize|typeorm) migrat\w*|dbmate|flyway|liquibase|"
    r"migrate|certonly|createdb)(?![\w-])", re.IGNORECASE)
_ONE_OFF_NAMES = re.compile(r"(^|[-_])(tests?|migrat\w*|init|setup|seed\w*|e2e|ci|create)"
                            r"($|[-_])", re.IGNORECASE)


def restart_fix(project: Project, svc: Service) -> Fix | None:
    fix = _edit_fix(project, svc.anchor, ["restart: unless-stopped"],
                    "add restart: unless-stopped")
    why = not_long_running(svc)
    if fix is None or why is None:
        return fix
    return Fix(FixSafety.DISPLAY_ONLY, f"{fix.description} (not applied: {why})", fix.edits)


def not_long_running(svc: Service) -> str | None:
    """Why the service may be a one-off (a restart policy would loop it), or None when the
    repository shows nothing of the kind."""
    if svc.has("profiles"):
        return "the service is behind `profiles:`, started on demand"
    if svc.one_shot:
        return "the service runs once (restart \"no\" or a completed dependency)"
    key = one_off_command(svc)
    if key:
        return f"its {key} runs tests or migrations, which finish"
    if _ONE_OFF_NAMES.search(svc.name):
        return f"its name {svc.name!r} reads as a one-off task"
    return None


def finishes(svc: Service) -> bool:
    """The service runs a task that ends: its command runs tests or migrations, or it is
    named for one (`migrations`, `init`) and restarted only on failure, so a clean exit is
    its purpose."""
    if one_off_command(svc):
        return True
    restart = svc.scalar("restart")
    policy = svc.merged_map("deploy", "restart_policy").get("condition")  # swarm's
    swarm = str(policy[2].value) if policy is not None and isinstance(policy[2], YScalar) else ""
    return any(isinstance(r, str) and r.strip().lower().startswith("on-failure")
               for r in (restart, swarm)) and bool(_ONE_OFF_NAMES.search(svc.name))


def one_off_command(svc: Service) -> str:
    """The key (`command`, `entrypoint`) whose command runs a task that finishes: tests,
    migrations, static files, a certificate request ("" when none does)."""
    def text(key: str) -> str:
        found = svc.find(key)
        return " ".join(str(v) for v in _words(found[2])) if found else ""

    entrypoint, command = text("entrypoint"), text("command")
    if _ONE_OFF.search(command):
        return "command"
    if _ONE_OFF.search(entrypoint):
        return "entrypoint"
    # the two make one command line (`entrypoint: certbot`, `command: certonly …`)
    if _ONE_OFF.search(f"{entrypoint} {command}"):
        return "command"
    if command and _finite(command) and (not entrypoint or _SHELL.fullmatch(entrypoint)):
        return "command"  # `bash -c "echo built"`, `wget --mirror …`: it ends
    return ""


# A shell the command is handed to (`sh -c`, `/bin/bash -c`): it runs what the command says.
_SHELL = re.compile(r"\s*(?:/(?:usr/)?bin/)?(?:ba|a|da)?sh(?:\s+-\w+)*\s*")
# Programs that do their work and exit: a command made only of them finishes.
_FINITE_PROGRAMS = frozenset({"echo", "printf", "true", "false", "exit", "wget", "curl", "cp",
                              "mv", "rm", "mkdir", "chmod", "chown", "ln", "touch", "tar",
                              "unzip", "gunzip"})


def _finite(command: str) -> bool:
    """Every step of the command line is a program that ends (no loop, no server)."""
    steps = simple_commands(command)
    if not steps:
        return False
    for words in steps:
        while words and re.match(r"\w+=", words[0]):
            words = words[1:]  # `LANG=C wget …`
        if words and posixpath.basename(words[0].strip("'\"")) not in _FINITE_PROGRAMS:
            return False
    return True


def _words(node: YNode) -> list[object]:
    if isinstance(node, YScalar):
        return [node.value]
    if isinstance(node, YSeq):
        return [item.value for item in node.items if isinstance(item, YScalar)]
    return []


def logging_fix(project: Project, svc: Service) -> Fix | None:
    if svc.find("logging") is not None:
        return None  # an existing logging block: which options it needs is for a human
    sibling = _bounded_sibling(svc)
    if sibling is not None:
        # the file's own convention, known to work with the daemon of the hosts that run it
        # (a driver named or not, the sizes its authors chose)
        name, driver, options = sibling
        lines = ["logging:", *([f"  driver: {driver}"] if driver else []), "  options:",
                 *(f'    {key}: "{value}"' for key, value in options)]
        shown = ", ".join(f"{key} {value}" for key, value in options)
        return _edit_fix(project, svc.anchor, lines, f"bound logs as service {name!r} does "
                                                     f"({shown})")
    return _edit_fix(project, svc.anchor, [
        "logging:", "  driver: json-file", "  options:", '    max-size: "10m"',
        '    max-file: "3"'], "bound json-file logs (max-size 10m, max-file 3)")


def _bounded_sibling(svc: Service) -> tuple[str, str, list[tuple[str, str]]] | None:
    """(name, driver or "", options) of another service of the same file whose logging
    bounds json-file logs with plain values."""
    for other in svc.config.services.values():
        if other is svc or other.anchor.path != svc.anchor.path:
            continue
        logging = other.merged_map("logging")
        options = other.merged_map("logging", "options")
        driver_entry = logging.get("driver")
        driver = str(driver_entry[2].value) if driver_entry is not None and isinstance(
            driver_entry[2], YScalar) else ""
        values = [(key, str(node.value)) for key, (_, _, node) in options.items()
                  if isinstance(node, YScalar) and node.value is not None]
        if "max-size" in options and driver in ("", "json-file", "local") and \
                len(values) == len(options) and set(logging) <= {"driver", "options"} and \
                all(_PLAIN_OPTION.fullmatch(key + value) for key, value in values):
            return other.name, driver, values
    return None


_PLAIN_OPTION = re.compile(r"[\w.-]+")  # no variable, quote or newline to carry over


# Images whose check tool arrived in a later release: (minimum major version).
_TOOL_SINCE = {"mongo": 6, "mariadb": 11}


def _has_check_tool(datastore: str, image: str | None) -> bool:
    since = _TOOL_SINCE.get(datastore)
    if since is None:
        return True
    tag = (image or "").split("@", 1)[0].rsplit("/", 1)[-1].partition(":")[2]
    if tag in ("", "latest"):
        return True
    major = re.match(r"\d+", tag)
    return major is not None and int(major.group()) >= since


def healthcheck_fix(project: Project, svc: Service) -> Fix | None:
    test = KNOWN_CHECKS.get(svc.datastore or "")
    if test is not None and not _has_check_tool(svc.datastore or "", svc.image):
        return None  # an older image without the check's tool: it would never be healthy
    if test is not None:
        test = _on_server_port(test, svc)
    if test is None and svc.build is not None:
        test = _built_service_check(project, svc)
    if test is None:
        return None
    return _edit_fix(project, svc.anchor, [
        "healthcheck:", f"  test: {test}", "  interval: 10s", "  timeout: 5s", "  retries: 5"],
        "add a healthcheck")


# How each server's command moves it off its default port, and its check tool's option.
_PG_PORT = re.compile(r"(?<![\w-])(?:-p\s*|--port[=\s]\s*|port=)(\S+)")
_REDIS_PORT = re.compile(r"(?<![\w-])--port\s+(\S+)")
_PORT_OPTIONS = {
    "postgres": (_PG_PORT, "pg_isready", "-p"),
    "postgis": (_PG_PORT, "pg_isready", "-p"),
    "redis": (_REDIS_PORT, "redis-cli", "-p"),
    "valkey": (_REDIS_PORT, "valkey-cli", "-p"),
    "mysql": (re.compile(r"(?<![\w-])(?:-P\s*|--port[=\s]\s*)(\S+)"), "mysqladmin", "-P"),
    "mongo": (re.compile(r"(?<![\w-])--port[=\s]\s*(\S+)"), "mongosh", "--port"),
}
_PORT_VALUE = re.compile(r"\d+|\$\{\w+(?::?-\d+)?\}")


def _on_server_port(test: str, svc: Service) -> str | None:
    """The check pointed at the port the service's command moves the server to
    (`command: -p ${DATABASE_PORT:-5432}`): on the default port it would never pass. None when
    the port is set in a way the check cannot follow."""
    found = svc.find("command")
    command = " ".join(str(w) for w in _words(found[2])) if found else ""
    if svc.datastore not in _PORT_OPTIONS:
        return None if re.search(r"(?<![\w-])(?:-P|--port)\b", command) else test
    option, tool, flag = _PORT_OPTIONS[svc.datastore]
    match = option.search(command)
    if match is None:
        return test
    port = match.group(1)
    if not _PORT_VALUE.fullmatch(port):
        return None  # `$$PORT`, `$PORT`, a quoted value: not one the check can repeat
    # right after the program (redis-cli reads what follows its command as arguments); a
    # Compose variable stays one, interpolated from the same source as the command's
    if test.startswith('["CMD-SHELL"'):
        return test.replace(f"{tool} ", f"{tool} {flag} {port} ", 1)
    return test.replace(f'"{tool}",', f'"{tool}", "{flag}", "{port}",', 1)


def _built_service_check(project: Project, svc: Service) -> str | None:
    for app in services_of(project):
        runner = next((r for r in app.runners if r.source == "compose" and r.name == svc.name),
                      None)
        if runner is None:
            continue
        routes = [r for r in app.health_routes if probe_target(r)]
        port = served_port(app, runner)
        if not routes or port is None:
            return None
        route = next((r for r in routes if "live" in (r.path or "")), routes[0])
        return ('["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('
                f"'http://127.0.0.1:{port}{route.path}', timeout=3)\"]")
    return None


def depends_on_fix(project: Project, svc: Service, healthy: set[str]) -> Fix | None:
    """The list form rewritten as a mapping: healthy dependencies get service_healthy."""
    found = svc.find("depends_on")
    if found is None:
        return None
    layer, key, value = found
    yf = project.yaml_files.get(layer.path)
    if yf is None or not yf.text or isinstance(value, YMap) or layer.node is None or \
            own_child(layer.node, "depends_on") is None or value.line < key.line:
        return None  # merged from an anchor, or an alias: editing it changes every user
    names = [str(item.value) for item in getattr(value, "items", [])
             if isinstance(item, YScalar) and item.value is not None]
    if not names:
        return None
    block = ["depends_on:"]
    for name in names:
        condition = "service_healthy" if name in healthy else "service_started"
        block += [f"  {name}:", f"    condition: {condition}"]
    edit = replace_node(layer.path, yf.text, key, value, block)
    if _legacy_v3_format(yf):
        # file format 3.x dropped `condition:`; docker-compose before 1.27 (still on some
        # CI images) refuses the file, while Compose v2 reads it: the team's call
        return Fix(FixSafety.UNSAFE, "depends_on with condition: service_healthy (file "
                   "format 3.x: docker-compose before 1.27 rejects `condition:`)", (edit,))
    return Fix(FixSafety.SAFE, "depends_on with condition: service_healthy", (edit,))


def _legacy_v3_format(yf: YamlFile) -> bool:
    """The file declares Compose file format 3.x (`version: "3.8"`)."""
    root = yf.documents[0].root if yf.documents else None
    version = root.get_value("version") if isinstance(root, YMap) else None
    return str(version).strip().startswith("3") if version is not None else False


def condition_fix(project: Project, svc: Service, dependency: str) -> Fix | None:
    """`condition: service_started` of one mapped dependency becomes service_healthy."""
    found = svc.find("depends_on")
    if found is None:
        return None
    layer, _, mapping = found
    if not isinstance(mapping, YMap) or layer.node is None or \
            own_child(layer.node, "depends_on") is None:
        return None
    owned = own_child(mapping, dependency)
    entry = owned[1] if owned is not None else None
    yf = project.yaml_files.get(layer.path)
    if yf is None or not yf.text or not isinstance(entry, YMap) or \
            (entry.items and not own_items(entry)):
        return None  # the entry only merges an anchor (`<<: *healthy`): shared, not ours
    if entry.get("condition") is not None and own_child(entry, "condition") is None:
        return None
    condition = entry.get("condition")
    if isinstance(condition, YScalar):
        from ...fix.edits import digest, offset

        start = offset(yf.text, condition.line, condition.column)
        end = offset(yf.text, condition.end_line, condition.end_column)
        return Fix(FixSafety.SAFE, "condition: service_healthy",
                   (Edit(layer.path, start, end, "service_healthy", base=digest(yf.text)),))
    edit = add_to_mapping(layer.path, yf.text, entry, ["condition: service_healthy"])
    return Fix(FixSafety.SAFE, "condition: service_healthy", (edit,)) if edit else None
