"""Evidence that a container started as root does not keep root for its process."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable
from typing import Any

from ...artifacts.dockerfile import Dockerfile, Instruction, image_reference
from ...project import Project
from ...project.images import ImageFiles, effective_stages, script_words
from ...project.kubernetes import as_int, is_true
from ._image import PRIVILEGE_DROP, command_text

# Official images whose docker-entrypoint.sh re-executes their server under its own user
# (gosu / su-exec) when the command is the server or its flags: image -> server commands.
ENTRYPOINT_DROPS = {
    "postgres": ("postgres",), "redis": ("redis-server",), "mysql": ("mysqld",),
    "mariadb": ("mariadbd", "mysqld"), "mongo": ("mongod",),
    "rabbitmq": ("rabbitmq-server",),
    # built FROM postgres, keeping its entrypoint
    "postgis/postgis": ("postgres",), "mdillon/postgis": ("postgres",),
    "timescale/timescaledb": ("postgres",), "pgvector/pgvector": ("postgres",),
    "ankane/pgvector": ("postgres",),
}
_S6_SERVICE = re.compile(r"^/etc/(s6-overlay/s6-rc\.d|services\.d)/[^/]+/run$")
_UWSGI = re.compile(r"(?<![\w.-])uwsgi(?![\w.-])([^\n;&|]*)")
_GUNICORN = re.compile(r"(?<![\w.-])gunicorn(?![\w.-])([^\n;&|]*)")
_CONTINUATION = re.compile(r"\\\r?\n")
_INI_UID = re.compile(r"^[ \t]*uid[ \t]*[=:][ \t]*(\S+)", re.MULTILINE)  # never \s: linear
_SHELLS = ("sh", "bash", "ash", "dash", "/bin/sh", "/bin/bash", "exec", "tini", "/tini",
           "dumb-init", "--")


def is_root(user: str) -> bool:
    return user.strip().strip("\"'") in ("root", "0", "")


def drops_privileges(project: Project, df: Dockerfile, files: ImageFiles) -> bool:
    """The process is handed to another user: gosu, su-exec, setpriv … in the ENTRYPOINT/CMD
    or in a script they run (found through the COPY that puts it in the image); the uid/user
    setting of the uWSGI or gunicorn the command starts; the s6-overlay services the image
    runs; or the entrypoint of an official database image that is kept."""
    commands = _commands(df)
    texts = [command_text(i) for i in commands]
    python_drops = False
    for ins in commands:
        words = (ins.exec_form if ins.exec_form is not None else ins.args.split())[:3]
        texts.extend(t for t in (_script(project, df, files, w) for w in words) if t)
        python_drops = python_drops or any(_python_drops(project, df, files, w) for w in words)
    # a script the entrypoint runs may start another one (`exec ./bootstrap.sh`)
    for text in list(texts[len(commands):]):
        for word in script_words(text, (".sh",)):
            found = _script(project, df, files, word)
            if found and found not in texts:
                texts.append(found)
    if python_drops or any(PRIVILEGE_DROP.search(t) for t in texts):
        return True
    if any(_server_drops(t, project, df, files) for t in texts) or _env_drops(files):
        return True
    return _s6_services_drop(project, commands, files) or _official_entrypoint_drops(df) or \
        _nginx_workers_drop(project, df, files)


def _commands(df: Dockerfile) -> list[Instruction]:
    """The ENTRYPOINT and CMD in effect, inherited from the stages the final one builds on."""
    found: list[Instruction] = []
    chain = effective_stages(df)
    for keyword in ("ENTRYPOINT", "CMD"):
        for stage in chain:
            matches = stage.find(keyword)
            if matches:
                found.append(matches[-1])
                break
    return found


def _script(project: Project, df: Dockerfile, files: ImageFiles, word: str) -> str | None:
    """The repository's copy of a script the image runs: the file the COPY puts at that path,
    or, failing that, the file of that name nearest the Dockerfile."""
    word = word.strip("\"'")
    name = posixpath.basename(word)
    if not name or word in _SHELLS or word.startswith("-") or not re.search(r"[./]", word):
        return None  # a command on the PATH, not a file of the repository
    found = files.text(word)
    if found is not None:
        return found
    chosen = _nearest(project.texts, name, posixpath.dirname(df.path), anywhere=True)
    return project.texts[chosen] if chosen is not None else None


def _nearest(paths: Iterable[str], name: str, directory: str, *, anywhere: bool) -> str | None:
    """The file called `name` nearest the Dockerfile's directory (the shallowest under it;
    with `anywhere`, the shallowest in the repository when none is under it)."""
    candidates = [p for p in paths if posixpath.basename(p) == name]
    near = [p for p in candidates if not directory or p.startswith(directory + "/")]
    pool = near or (candidates if anywhere else [])
    return min(pool, key=lambda p: (p.count("/"), p)) if pool else None


def _python_drops(project: Project, df: Dockerfile, files: ImageFiles, word: str) -> bool:
    """The Python program the image runs (`CMD /start.py`) gives up root itself
    (`os.setuid`, a `drop_privileges` helper)."""
    word = word.strip("\"'")
    if not word.endswith(".py"):
        return False
    path = files.executable(word) or _nearest(project.python, posixpath.basename(word),
                                              posixpath.dirname(df.path), anywhere=False)
    facts = project.python.get(path) if path else None
    return "drops-privileges" in getattr(facts, "evidence", ())


def _server_drops(text: str, project: Project, df: Dockerfile, files: ImageFiles) -> bool:
    """uWSGI started with `--uid` or an ini file that sets `uid`; gunicorn with `--user`."""
    text = _CONTINUATION.sub(" ", text)  # `exec gunicorn app:app \` + `  --user app`
    for match in _UWSGI.finditer(text):
        words = _split(match[1])
        for i, word in enumerate(words):
            value = _option(words, i, ("--uid",))
            if value is not None and not is_root(value):
                return True
            ini = _option(words, i, ("--ini", "--ini-paste"))
            if ini is None and word.endswith(".ini"):
                ini = word
            if ini is not None:
                config = _script(project, df, files, ini.split(":", 1)[0])
                uid = _INI_UID.search(config or "")
                if uid is not None and not is_root(uid[1]):
                    return True
    for match in _GUNICORN.finditer(text):
        words = _split(match[1])
        for i, _word in enumerate(words):
            value = _option(words, i, ("-u", "--user"))
            if value is not None and not is_root(value):
                return True
    if _APACHE.search(text) and not _apache_runs_as_root(project, files):
        return True  # Apache's workers, which run the application, are `User`'s
    for match in _SUPERVISORD.finditer(text):
        words = _split(match[1])
        config = next((v for i in range(len(words))
                       if (v := _option(words, i, ("-c", "--configuration"))) is not None), None)
        if _supervised_programs_drop(project, df, files, config):
            return True
    return False


# Apache started in the foreground: the parent keeps root to bind ports, its workers (and
# mod_wsgi's daemon processes) run as the `User` of its configuration (www-data, daemon)
_APACHE = re.compile(r"(?<![\w.-])(?:apache2ctl|apachectl|apache2-foreground|httpd-foreground)"
                     r"(?![\w.-])")
_APACHE_ROOT = re.compile(r"^[ \t]*(?:User[ \t]+(?:root|#0)\b|(?:export[ \t]+)?"
                          r"APACHE_RUN_USER=[\"']?(?:root|0)\b)", re.MULTILINE | re.IGNORECASE)


def _apache_runs_as_root(project: Project, files: ImageFiles) -> bool:
    """A configuration or environment file copied into the image makes Apache's workers root
    (`User root`, `APACHE_RUN_USER=root`), or the image's environment does."""
    from ...project.documentation import read_text

    if (files.env.get("APACHE_RUN_USER") or "").strip("\"'") in ("root", "0"):
        return True
    return any(_APACHE_ROOT.search(read_text(project, source)) for dest, source in files.files()
               if dest.startswith("/etc/apache2/") or dest.startswith("/usr/local/apache2/"))


_SUPERVISORD = re.compile(r"(?<![\w.-])supervisord(?![\w.-])([^\n;&|]*)")
_SUPERVISOR_CONFIGS = ("/etc/supervisord.conf", "/etc/supervisor/supervisord.conf")
_SUPERVISOR_INCLUDES = re.compile(
    r"^/etc/(?:supervisor/conf\.d|supervisord\.d)/[^/]+\.(?:conf|ini)$")
_PROGRAM = re.compile(r"^\[program:[^\]\n]+\]", re.MULTILINE)
_SETTING = re.compile(r"^[ \t]*(command|user)[ \t]*=([^\n]*)", re.MULTILINE)  # linear
# programs that need root by design: nginx's master binds ports and drops its workers, cron
# switches to each job's user
_ROOT_PROGRAMS = {"nginx", "cron", "crond", "sshd", "haproxy"}


def _supervised_programs_drop(project: Project, df: Dockerfile, files: ImageFiles,
                              config: str | None) -> bool:
    """supervisord runs the image's processes: every program it starts, but for the few that
    need root by design, runs as another user (`user=app` in its `[program:…]` section)."""
    texts = [_script(project, df, files, config)] if config else [
        files.text(path) for path in _SUPERVISOR_CONFIGS]
    texts += [project.texts.get(path) for image_path, path in files.files()
              if _SUPERVISOR_INCLUDES.match(image_path)]
    programs = [section for text in texts if text
                for section in _PROGRAM.split(text)[1:]]
    if not programs:
        return False
    for section in programs:
        settings = {m[1]: m[2].strip() for m in _SETTING.finditer(section)}
        command = _split(settings.get("command", ""))
        name = posixpath.basename(command[0]) if command else ""
        if name not in _ROOT_PROGRAMS and is_root(settings.get("user", "")):
            return False
    return True


def _env_drops(files: ImageFiles) -> bool:
    uid = files.env.get("UWSGI_UID")
    gunicorn = files.env.get("GUNICORN_CMD_ARGS") or ""
    return (uid is not None and not is_root(uid)) or bool(
        re.search(r"(?:^|\s)(?:-u|--user)[= ]\s*(?!root\b|0\b)\S", gunicorn))


def _option(words: list[str], i: int, names: tuple[str, ...]) -> str | None:
    word = words[i]
    if word in names:
        return words[i + 1] if i + 1 < len(words) else None
    for name in names:
        if name.startswith("--") and word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _s6_services_drop(project: Project, commands: list[Instruction], files: ImageFiles
                      ) -> bool:
    """s6-overlay (ENTRYPOINT /init) runs the image's long-running services from their `run`
    scripts: every one copied from the repository switches user (s6-setuidgid …)."""
    entrypoint = next((i for i in commands if i.keyword == "ENTRYPOINT"), None)
    words = (entrypoint.exec_form or entrypoint.args.split()) if entrypoint else []
    if not words or words[0] != "/init":
        return False
    # a oneshot (its `up` file beside `run`) is a start-up chore, not the running service
    runs = [project.texts.get(path) for image_path, path in files.files()
            if _S6_SERVICE.match(image_path) and not project.has_file(
                posixpath.join(posixpath.dirname(path), "up"))]
    return bool(runs) and all(t is not None and PRIVILEGE_DROP.search(t) for t in runs)


def _official_entrypoint_drops(df: Dockerfile) -> bool:
    """FROM postgres/redis/mysql/…: the image's own entrypoint steps down to its user when it
    is kept (no ENTRYPOINT here) and the command is still the server (or its flags)."""
    chain = effective_stages(df)
    servers = ENTRYPOINT_DROPS.get(official_repository(chain[-1].base_image))
    if servers is None or not all(_keeps_official_entrypoint(df, e)
                                  for stage in chain for e in stage.find("ENTRYPOINT")):
        return False
    cmd = next((s.find("CMD")[-1] for s in chain if s.find("CMD")), None)
    if cmd is None:
        return True
    words = cmd.exec_form if cmd.exec_form is not None else cmd.args.split()
    return not words or words[0] in servers or words[0].startswith("-")


def _keeps_official_entrypoint(df: Dockerfile, entrypoint: Instruction) -> bool:
    """`ENTRYPOINT ["docker-entrypoint.sh"]` names the base image's own script again, unless
    the Dockerfile copies a script of that name over it."""
    words = entrypoint.exec_form or entrypoint.args.split()
    if len(words) != 1 or posixpath.basename(words[0]) != "docker-entrypoint.sh":
        return False
    return not any("docker-entrypoint.sh" in c.args
                   for stage in df.stages for c in (*stage.find("COPY"), *stage.find("ADD")))


# `user root;` in an nginx configuration keeps the workers as root too
_NGINX_ROOT_WORKERS = re.compile(r"^[ \t]*user[ \t]+(?:root|0)\b", re.MULTILINE)
NGINX_CONFIG = "/etc/nginx/nginx.conf"


def _nginx_workers_drop(project: Project, df: Dockerfile, files: ImageFiles) -> bool:
    """FROM the official nginx image, running nginx: its master process keeps root to bind
    ports, and the workers that handle requests run as the `nginx` user (or `nobody`), unless
    the configuration copied in says `user root;`."""
    chain = effective_stages(df)
    if official_repository(chain[-1].base_image) not in ("nginx", "nginxinc/nginx"):
        return False
    cmd = next((s.find("CMD")[-1] for s in reversed(chain) if s.find("CMD")), None)
    entry = next((s.find("ENTRYPOINT")[-1] for s in reversed(chain) if s.find("ENTRYPOINT")),
                 None)
    for ins in (cmd, entry):
        words = [] if ins is None else (ins.exec_form if ins.exec_form is not None
                                        else ins.args.split())
        if words and posixpath.basename(words[0].strip("\"'")) not in (
                "nginx", "docker-entrypoint.sh", "/docker-entrypoint.sh"):
            return False  # something else runs (a script, an app server beside nginx)
    from ...project.documentation import read_text

    source = files.source(NGINX_CONFIG)
    return not _NGINX_ROOT_WORKERS.search(read_text(project, source) if source else "")


def official_repository(image: str) -> str:
    """`docker.io/library/nginx:1.27` -> `nginx` (lower case, no registry or tag)."""
    repository, _, _ = image_reference(image.lower())
    parts = repository.split("/")
    if parts[0] == "docker.io":
        parts = parts[1:]
    if len(parts) == 2 and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts)


def runs_unprivileged(container: Any) -> bool:
    """A Kubernetes container whose effective securityContext (its own over the pod's) sets
    runAsNonRoot: true or a non-zero runAsUser."""
    own, pod = container.security_context, container.workload.pod_security_context
    user = _setting(own, pod, "runAsUser")
    uid = as_int(user)
    if uid is not None:
        return uid > 0
    return is_true(_setting(own, pod, "runAsNonRoot"))


def context_unprivileged(context: dict[str, Any]) -> bool:
    """A securityContext from chart values: runAsNonRoot: true or a non-zero runAsUser."""
    user = context.get("runAsUser")
    uid = as_int(user)
    if uid is not None:
        return uid > 0
    return is_true(context.get("runAsNonRoot"))


def _setting(own: Any, pod: Any, key: str) -> Any:
    for section in (own, pod):
        if section is not None and key in section:
            return section.get_value(key)
    return None
