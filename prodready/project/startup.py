"""Whether a Compose service waits for its dependencies itself when it starts.

A container can wait for a database without Compose's help: its `command` loops until the port
answers (`until nc -z db 5432`, `while ! pg_isready`), runs a wait tool (`wait-for-it`,
`dockerize -wait`, `manage.py wait_for_db`), or its image's entrypoint does so: the entrypoint
script the repository holds (found through the Dockerfile's ENTRYPOINT/CMD and what it
COPYs), a script it runs whose name says it waits (`ping.py`, `wait_for_db.py`), or an s6 init
step copied into the image (`init-wait-for-db`). Such a service starts its real work only once
the dependency answers, so `condition: service_healthy` would add nothing.

What is waited for is read from the evidence: dependency names it mentions
(`wait-for-it postgres:5432`), else the kind of store its words name (`wait_for_redis`), else,
for a wait step that names no address, a database (`wait_for_db`, `ping.py`: waiting "for the
database" is what such steps do). A probe loop that names neither waits for something else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..artifacts.dockerfile import Dockerfile
from ..artifacts.yamldocs import YNode, YScalar, YSeq, command_line
from . import Project
from .compose import Service, datastore_kind, image_source, interpolate
from .deployment import path_role
from .images import ImageFiles, image_commands, image_files

# A wait tool or step, by name. (`dockerize … -wait` and shell probe loops are found line by
# line in `_waits`: as regexes they backtrack over the rest of the line at every occurrence,
# which a crafted line turns into minutes.)
_WAIT_TOOL = re.compile(
    r"(?<![\w-])(?:wait-for-it(?:\.sh)?|wait_for_it(?:\.sh)?|wait-for(?:\.sh)?|wait4x|wait4ports|"
    r"docker-compose-wait|"
    r"wait[-_]for[-_](?:db|database|postgres\w*|mysql|mariadb|redis|valkey|rabbit\w*|"
    r"broker|services?|deps|dependencies|migrations?)|"
    r"/wait(?=\s|$|&|;))", re.IGNORECASE)
# A script run at start whose name says it waits: `python ping.py`, `./wait_for_db.sh`.
_WAIT_SCRIPT = re.compile(r"(?<![\w./-])(?:[\w./-]*[/_-])?(?:wait|ping|ready)(?:[-_][\w-]*)?"
                          r"\.(?:py|sh)\b", re.IGNORECASE)
# A shell loop (`until`/`while`) whose test, within 200 characters, probes a port or a client.
_LOOP_WORD = re.compile(r"\b(?:until|while)\b", re.IGNORECASE)
_PROBE_WORD = re.compile(r"\b(?:curl|wget|psql|mysql)\b|pg_isready|/dev/tcp/|rabbitmq-diagnostics",
                         re.IGNORECASE)
_PINGING_CLIENTS = ("mysqladmin", "redis-cli", "valkey-cli")
_LOOPS_PER_LINE = 5  # a real command holds one or two


def _waits(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is a probe loop) of every wait in `text`, in linear time."""
    for pattern in (_WAIT_TOOL, _WAIT_SCRIPT):
        for match in pattern.finditer(text):
            yield match.start(), match.end(), False
    offset = 0
    for line in text.split("\n"):
        lowered = line.lower()
        if "dockerize" in lowered and "-wait" in lowered:
            start = offset + lowered.index("dockerize")
            yield start, offset + len(line), False
        for count, loop in enumerate(_LOOP_WORD.finditer(line)):
            if count == _LOOPS_PER_LINE:
                break
            head = lowered[loop.end():loop.end() + 200]
            head = head.split(";", 1)[0]
            rest = lowered[loop.end():].split(";", 1)[0]
            if _PROBE_WORD.search(head) or (re.search(r"\bnc\b", head) and " -z" in rest) or any(
                    client in head and "ping" in rest[rest.index(client):]
                    for client in _PINGING_CLIENTS):
                yield offset + loop.start(), offset + len(line), True
        offset += len(line) + 1
# An address the wait names (`localhost:8000`, `tcp://api:80`): it waits for that, not for a
# database it does not name.
_ADDRESS = re.compile(r"(?<=[\w.-]):\d{2,5}\b|://")  # a lookbehind: linear on `a.a.a…`
# Words that name what kind of store a wait is for (datastore kinds of compose.DATASTORES).
_KIND_WORDS = {
    kind: re.compile(rf"(?<![a-z])(?:{words})(?![a-z])", re.IGNORECASE) for kind, words in {
        "sql": r"db|database|postgres|postgresql|pg|mysql|mariadb|maria|sql",
        "redis": r"redis|valkey|cache|broker",
        "rabbitmq": r"rabbit|rabbitmq|amqp|broker",
        "mongo": r"mongo|mongodb",
        "elasticsearch": r"elastic|elasticsearch|opensearch",
    }.items()}
_CELERY = re.compile(r"(?:^|[\s/\"'])celery\b[^\n]*\s(?:worker|beat|flower)\b")
_KINDS = {"postgres": "sql", "mysql": "sql", "mariadb": "sql", "redis": "redis",
          "valkey": "redis", "rabbitmq": "rabbitmq", "mongo": "mongo",
          "elasticsearch": "elasticsearch", "opensearch": "elasticsearch"}
# An s6-overlay or runit step copied into the image: `etc/s6-overlay/s6-rc.d/init-wait-for-db`.
_WAIT_STEP = re.compile(r"(?:^|[-_])wait[-_]for[-_]([a-z]+)", re.IGNORECASE)
_SCRIPT_WORD = re.compile(r"^[\w./-]+\.(?:sh|py)$|^[\w.-]*/[\w./-]*entrypoint[\w.-]*$")
_MAX_DEPTH = 2  # an entrypoint script that runs another script
_REPLACED_BY = {"ENTRYPOINT": "its entrypoint", "CMD": "its command"}


@dataclass(frozen=True, slots=True)
class Wait:
    """One piece of evidence that the service waits at start."""

    text: str  # the statement that waits
    where: str  # where it is: "its command", "docker-entrypoint.sh", …
    probe: bool = False  # a loop on a port or client: it says what it probes, or nothing


def waited_dependencies(project: Project, svc: Service) -> dict[str, str]:
    """Dependencies of `svc` (by service name) that it waits for itself -> the evidence."""
    deps = {d.name: svc.config.services.get(d.name) for d in svc.depends_on()}
    if not deps:
        return {}
    waits = startup_waits(project, svc)
    out: dict[str, str] = {}
    command = svc.find("command")
    if (command is not None and _CELERY.search(command_line(command[2]))) or any(
            _CELERY.search(text) for text, _ in _startup_texts(project, svc)[0]):
        # Celery workers, beat and flower retry the broker connection while they start
        # (started by the command, or by the entrypoint script it runs)
        for name, target in deps.items():
            if target is not None and _KINDS.get(target.datastore or "") in ("redis",
                                                                           "rabbitmq"):
                out[name] = "Celery retries the broker connection at start"
    for wait in waits:
        text = interpolate(wait.text, _environment(svc))
        named = [n for n in deps if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text)]
        if named:
            covered = named
        else:
            kinds = {k for k, words in _KIND_WORDS.items() if words.search(text)}
            if not kinds and not wait.probe and not _ADDRESS.search(text):
                kinds = {"sql"}  # `wait_for_db`, `ping.py`: a step that names no address
            covered = [n for n, target in deps.items() if target is not None and
                       _KINDS.get(target.datastore or "") in kinds]
        for name in covered:
            out.setdefault(name, f"{wait.where} waits for it (`{_short(wait.text)}`)")
    return out


def waited_by_every_dependant(project: Project, svc: Service) -> bool:
    """Every service that depends on `svc` waits for it at start by itself (and none asks
    Compose for `service_healthy`)."""
    dependants = [(other, dep) for other in svc.config.services.values()
                  for dep in other.depends_on() if dep.name == svc.name]
    return bool(dependants) and all(
        dep.condition == "service_started" and svc.name in waited_dependencies(project, other)
        for other, dep in dependants)


def startup_waits(project: Project, svc: Service) -> list[Wait]:
    """Every statement the service runs at start that waits for something to answer."""
    cache = project.cache.setdefault("startup-waits", {})
    assert isinstance(cache, dict)
    key = (svc.anchor_site.path, svc.name, tuple(svc.config.files))
    if key not in cache:
        cache[key] = _startup_waits(project, svc)
    found: list[Wait] = cache[key]
    return found


def _startup_waits(project: Project, svc: Service) -> list[Wait]:
    texts, files, source = _startup_texts(project, svc)
    out = [Wait(_statement(text, start, end), where, probe=probe)
           for text, where in texts for start, end, probe in _waits(text)]
    if files is not None and source is not None:
        out.extend(_copied_steps(project, (source.dockerfile, source.target), files))
    return out


def _startup_texts(project: Project, svc: Service
                   ) -> tuple[list[tuple[str, str]], ImageFiles | None, Any]:
    """What the service runs at start, with where it is: its Compose entrypoint and command,
    else its image's, and the scripts they run that the image holds; with the image's files
    and source."""
    cache = project.cache.setdefault("startup-texts", {})
    assert isinstance(cache, dict)
    key = (svc.anchor_site.path, svc.name, tuple(svc.config.files))
    if key in cache:
        found: tuple[list[tuple[str, str]], ImageFiles | None, Any] = cache[key]
        return found
    source = image_source(project, svc)
    df = project.dockerfiles.get(source.dockerfile) if source else None
    if not isinstance(df, Dockerfile):
        df = None
    commands: list[tuple[str, str]] = []
    for name in ("entrypoint", "command"):
        given = svc.find(name)
        if given is not None:
            commands.append((_words(given[2]), f"its {name}"))
    if df is not None and source is not None:
        replaced = {where for _, where in commands}
        for ins in image_commands(df, source.target):
            if _REPLACED_BY[ins.keyword] in replaced:
                continue  # the Compose file replaces it
            text = " ".join(ins.exec_form) if ins.exec_form is not None else ins.args
            commands.append((text, f"the {ins.keyword} of {source.dockerfile}"))
    files = image_files(project, df, source.target) if df is not None and source else None
    # an image built here under a name read at run time: its scripts are those the
    # repository's images hold (a datastore's image is not one of them)
    ours = files is not None or (source is None and not datastore_kind(svc.image or ""))
    texts: list[tuple[str, str]] = []
    seen: set[str] = set()
    for text, where in commands:
        _collect(project, text, where, files, texts, seen, 0, ours=ours)
    cache[key] = (texts, files, source)
    return texts, files, source


def image_start_texts(project: Project, df: Dockerfile, target: str | None
                      ) -> list[tuple[str, str]]:
    """What the image built for `target` runs at start, with where it is: its ENTRYPOINT and
    CMD, and the scripts they run that the image holds (read once per image)."""
    cache = project.cache.setdefault("image-start-texts", {})
    assert isinstance(cache, dict)
    key = (df.path, target)
    if key not in cache:
        files = image_files(project, df, target)
        texts: list[tuple[str, str]] = []
        seen: set[str] = set()
        for ins in image_commands(df, target):
            text = " ".join(ins.exec_form) if ins.exec_form is not None else ins.args
            _collect(project, text, f"the {ins.keyword} of {df.path}", files, texts, seen, 0)
        cache[key] = texts
    found: list[tuple[str, str]] = cache[key]
    return found


def _collect(project: Project, text: str, where: str, files: ImageFiles | None,
             out: list[tuple[str, str]], seen: set[str], depth: int, *, ours: bool = True
             ) -> None:
    """`text`, and the scripts it runs that the image holds (the repository files its COPY
    instructions put at those paths). `files` None: the image's Dockerfile is not known;
    with `ours`, a script is the one file the repository's images hold there."""
    out.append((text, where))
    if depth >= _MAX_DEPTH or not ours:
        return
    for word in re.split(r"[\s;&|()'\"]+", text):
        if not _SCRIPT_WORD.match(word):
            continue
        found = _script(project, word, files)
        if found is None or found[0] in seen:
            continue
        path, held = found
        seen.add(path)
        _collect(project, _code(project.texts[path]), path, held, out, seen, depth + 1)


# Servers that open database connections per request (Django, Flask, Falcon under a WSGI
# server): started alone, they touch no database until the first request comes.
_WSGI_SERVER = re.compile(r"(?<![\w.-])(?:gunicorn|uwsgi|waitress-serve)(?![\w.-])")
# Start-up work that needs the database: migrations, schema or data setup, task queues.
_STARTUP_DB_WORK = re.compile(
    r"\b(?:migrate|migrations?|alembic|upgrade|init_?db|initdb|create_all|loaddata|"
    r"createsuperuser|qcluster|celery|rq|dramatiq|huey|worker|--preload)\b", re.IGNORECASE)


def connects_on_first_request(project: Project, svc: Service) -> str:
    """Why the service does not need its database when it starts ("" when it may): it runs a
    WSGI server and nothing it runs at start migrates, sets up data or starts a worker."""
    texts, _, _ = _startup_texts(project, svc)
    if not texts or not any(_WSGI_SERVER.search(text) for text, _ in texts):
        return ""
    if any(_STARTUP_DB_WORK.search(text) for text, _ in texts):
        return ""
    server = next(m[0] for text, _ in texts if (m := _WSGI_SERVER.search(text)))
    return (f"it starts {server}, whose app opens database connections per request, and runs "
            "nothing at start that needs the database")


def _script(project: Project, word: str, files: ImageFiles | None
            ) -> tuple[str, ImageFiles] | None:
    """(repository path, the image holding it) of the script a command word runs."""
    images = [files] if files is not None else [
        image_files(project, df) for _, df in sorted(project.dockerfiles.items())
        if isinstance(df, Dockerfile)]
    found: dict[str, ImageFiles] = {}
    for held in images:
        path = held.executable(word)
        if path is not None and path in project.texts:
            found.setdefault(path, held)
    return next(iter(found.items())) if len(found) == 1 else None


def _statement(text: str, start: int, end: int) -> str:
    """The line holding a match, with the comment lines just above it (they say what a
    `python ping.py` is for)."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    line = text[first:last if last >= 0 else len(text)].strip()
    comments: list[str] = []
    for above in reversed(text[:first].splitlines()[-3:]):
        stripped = above.strip()
        if not stripped.startswith("#"):
            break
        comments.insert(0, stripped.lstrip("# "))
    return " ".join([*comments, line])


def _code(text: str) -> str:
    """A script without its shebang: `#!/usr/bin/env sh` names no wait."""
    return text.split("\n", 1)[1] if text.startswith("#!") else text


def _copied_steps(project: Project, key: tuple[str, str | None], files: ImageFiles
                  ) -> list[Wait]:
    """Init steps named for waiting (`s6-rc.d/init-wait-for-db`) in what the image COPYs;
    `key`: the image's Dockerfile and target."""
    cache = project.cache.setdefault("startup-steps", {})
    assert isinstance(cache, dict)
    if key not in cache:
        cache[key] = _find_copied_steps(project, files)
    found: list[Wait] = cache[key]
    return found


def _find_copied_steps(project: Project, files: ImageFiles) -> list[Wait]:
    sources = {copy.source for copy in files.copies}
    steps: dict[str, str] = {}
    for path in project.all_files:
        if "wait" not in path.lower() or path_role(path) is not None:
            continue
        for part in path.split("/")[:-1]:
            match = _WAIT_STEP.search(part)
            if match and any(not s or path.startswith(s + "/") for s in sources):
                steps.setdefault(part, path.rsplit("/" + part + "/", 1)[0] + "/" + part)
    return [Wait(name.replace("-", " ").replace("_", " "), f"the image's init step {where}")
            for name, where in sorted(steps.items())]


def _words(node: YNode) -> str:
    if isinstance(node, YScalar):
        return str(node.value or "")
    if isinstance(node, YSeq):
        return " ".join(str(i.value) for i in node.items if isinstance(i, YScalar))
    return ""


def _environment(svc: Service) -> dict[str, str]:
    return {name: var.value for name, var in svc.environment().items() if var.value is not None}


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"

