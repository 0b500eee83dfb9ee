"""Facts about a Dockerfile's final stage shared by the DOCKER rules."""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile, Instruction, Stage

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
    r"registry\.access\.redhat\.com/ubi\d+/(python|nodejs|ruby|php|perl)-",  # s2i: uid 1001
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



def snippet(ins: Instruction) -> str:
    return ins.raw.partition("\n")[0] if ins.raw else ins.keyword


def line_span(df: Dockerfile, line: int) -> tuple[int, int]:
    """Offsets of a whole source line of the Dockerfile, without its line ending."""
    from ...fix.edits import line_starts

    starts = line_starts(df.text)
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(df.text)
    return start, start + len(df.text[start:end].rstrip("\r\n"))
