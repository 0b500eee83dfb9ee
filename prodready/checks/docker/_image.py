"""Facts about a Dockerfile's final stage shared by the DOCKER rules."""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile, Instruction, Stage, variables
from ...project.images import effective_stages

SERVERS = ("uvicorn", "gunicorn", "hypercorn", "daphne", "granian", "flask", "django-admin",
           "manage.py", "fastapi", "waitress-serve", "uwsgi")
# Base images whose default user is not root (their USER is set upstream): matched against
# the image reference without registry (`bitnami/python:3.12`, `gcr.io/distroless/…:nonroot`).
NONROOT_IMAGES = (
    r":(latest-)?nonroot$", r"-nonroot(:|$)",  # distroless and friends, by tag
    r"^cgr\.dev/", r"(^|/)chainguard/",  # Chainguard images run as nonroot
    r"(^|/)bitnami/",  # Bitnami's non-root containers (uid 1001)
    r"(^|/)nginxinc/nginx-unprivileged(:|$)",
    r"(^|/)jupyter/", r"(^|/)quay\.io/jupyter/",  # docker-stacks run as jovyan
    r"(^|/)apache/airflow(:|$)",  # runs as the airflow user
    # search, dashboards and identity servers whose images set their own user
    r"(^|/)opensearchproject/opensearch(-dashboards)?(:|$)",
    r"(^|/)docker\.elastic\.co/(elasticsearch|kibana)/", r"(^|/)grafana/grafana(-oss)?(:|$)",
    r"(^|/)prom/(prometheus|alertmanager)(:|$)", r"(^|/)quay\.io/keycloak/keycloak(:|$)",
    r"registry\.access\.redhat\.com/ubi\d+/(python|nodejs|ruby|php|perl)-",  # s2i: uid 1001
    # AWS Lambda runs a function's image as its own unprivileged user, whatever USER says
    r"(^|/)public\.ecr\.aws/lambda/", r"(^|/)amazon/aws-lambda-",
)
NONROOT_BASES = re.compile("|".join(f"(?:{p})" for p in NONROOT_IMAGES))
# Commands that start the real process as another user (in an entrypoint script or the CMD).
PRIVILEGE_DROP = re.compile(r"(?<![\w-])(gosu|su-exec|s6-setuidgid|setpriv|runuser|chpst\s+-u)"
                            r"(?![\w-])")


def command_of(stage: Stage) -> list[Instruction]:
    """The CMD and ENTRYPOINT that take effect in a stage (the last of each)."""
    found: list[Instruction] = []
    for keyword in ("ENTRYPOINT", "CMD"):
        matches = stage.find(keyword)
        if matches:
            found.append(matches[-1])
    return found


def command_text(ins: Instruction) -> str:
    return " ".join(ins.exec_form) if ins.exec_form is not None else ins.args


def runs_server(stage: Stage) -> bool:
    text = " ".join(command_text(i) for i in command_of(stage)).lower()
    return bool(stage.find("EXPOSE")) or any(s in text for s in SERVERS)


# Distribution, language and package-manager images: their own default command is a shell,
# an interpreter prompt or a CLI (`astral-sh/uv`: uv), so an image built FROM them that sets
# no command runs nothing by itself.
SHELL_DEFAULT_BASES = re.compile(
    r"(^|/)(ubuntu|debian|alpine|busybox|fedora|centos|rockylinux|almalinux|amazonlinux|"
    r"archlinux|python|node|golang|ruby|rust|buildpack-deps|eclipse-temurin|openjdk|playwright"
    r"|astral-sh/uv)(:|@|$)",
    re.IGNORECASE)


# Debian and Ubuntu bases, and the python images built on them.
DEBIAN_LIKE = re.compile(r"(^|/)(python|debian|ubuntu)(:|$)|slim|bookworm|bullseye|trixie|"
                         r"jammy|noble|focal", re.IGNORECASE)
# What `/bin/sh` is in an image, from its base image's name or the package manager its RUN
# lines call: busybox ash (Alpine) and bash (the Red Hat family) replace themselves with a
# lone `-c` command, so it is PID 1; dash (Debian, Ubuntu, the python images) stays PID 1.
_SHELL_OF_BASE = (("ash", re.compile(r"alpine|(^|/)busybox(:|$)", re.IGNORECASE)),
                  ("bash", re.compile(r"(^|/)(centos|fedora|rockylinux|almalinux|amazonlinux|"
                                      r"oraclelinux|ubi\d*(-minimal|-micro)?|rhel\d*)(:|$)",
                                      re.IGNORECASE)),
                  ("dash", DEBIAN_LIKE))
_SHELL_OF_INSTALLER = (("ash", re.compile(r"(?<![\w-])apk\s+(add|upgrade)\b")),
                       ("bash", re.compile(r"(?<![\w-])(micro)?dnf\s|(?<![\w-])yum\s")),
                       ("dash", re.compile(r"(?<![\w-])apt(-get)?\s+(install|update)\b")))


def image_shell(df: Dockerfile) -> str | None:
    """`ash`, `bash` or `dash` when the shell that runs the final image's shell-form commands
    is known (a `SHELL ["/bin/bash", "-c"]` instruction, or its base and its package manager
    agree on `/bin/sh`), else None."""
    chain = effective_stages(df)
    if not chain:
        return None
    shells = [i for stage in chain for i in stage.find("SHELL")]
    program = shells[-1].exec_form[0].rsplit("/", 1)[-1] if shells and shells[-1].exec_form \
        else "sh"
    if program in ("ash", "bash", "dash"):
        return program
    base = chain[-1].base_image
    # first match: `python:3.12-alpine` is Alpine, `python:3.12` Debian
    found = {next((shell for shell, pattern in _SHELL_OF_BASE if pattern.search(base)), None)}
    runs = " ".join(i.args for stage in chain for i in stage.find("RUN"))
    found |= {shell for shell, pattern in _SHELL_OF_INSTALLER if pattern.search(runs)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def snippet(ins: Instruction) -> str:
    return ins.raw.partition("\n")[0] if ins.raw else ins.keyword


def line_span(df: Dockerfile, line: int) -> tuple[int, int]:
    """Offsets of a whole source line of the Dockerfile, without its line ending."""
    from ...fix.edits import line_starts

    starts = line_starts(df.text)
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(df.text)
    return start, start + len(df.text[start:end].rstrip("\r\n"))


# A step a build argument switches on: `if [ "$DEVEL" = "yes" ]; then pip install …; fi`
_SWITCHED_STEP = re.compile(
    r"\s*if\s+\[\[?\s+\"?\$\{?(\w+)\}?\"?\s+==?\s+[\"']?([\w.-]+)[\"']?\s+\]\]?\s*;?\s*then\b")


def switched_off(df: Dockerfile, ins: Instruction) -> str:
    """The build argument whose default leaves the RUN step `ins` doing nothing ("" if
    none): the whole step is an `if` on a build argument whose default is another value,
    such as the development dependencies a development build turns on (`ARG DEVEL=no`)."""
    found = _SWITCHED_STEP.match(ins.args)
    if found is None or not ins.args.rstrip().endswith("fi"):
        return ""
    defaults = dict(df.global_args)
    for stage in effective_stages(df):
        for arg in stage.find("ARG"):
            if arg.line < ins.line:
                for name, value in variables("ARG", arg.args):
                    if value is not None or name not in defaults:
                        defaults[name] = value
    default = (defaults.get(found[1]) or "").strip("'\"")
    return "" if not default or default == found[2] else f"{found[1]}={default}"
