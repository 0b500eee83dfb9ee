"""Fix edits for the Dockerfile rules: new instructions inserted as whole lines."""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile, Stage
from ...artifacts.source import split_lines
from ...fix.edits import digest, line_starts, newline_of
from ...model import Edit, Fix, FixSafety
from ._image import DEBIAN_LIKE, command_of, runs_server


def insert_before_command(df: Dockerfile, stage: Stage, lines: list[str]) -> Edit:
    """Lines placed right before the stage's CMD/ENTRYPOINT (or at its end)."""
    starts = line_starts(df.text)
    nl = newline_of(df.text)
    commands = command_of(stage)
    if commands:
        line = min(c.line for c in commands)
        source = split_lines(df.text)
        while line > 1 and source[line - 2].lstrip().startswith("#"):
            line -= 1  # comments above the command belong to it
        at = starts[line - 1]
        return Edit(df.path, at, at, nl.join(lines) + nl, base=digest(df.text))
    last = max((i.end_line for i in stage.instructions), default=stage.line)
    if last < len(starts):
        at = starts[last]
        return Edit(df.path, at, at, nl.join(lines) + nl, base=digest(df.text))
    prefix = "" if df.text.endswith("\n") or not df.text else nl
    return Edit(df.path, len(df.text), len(df.text), prefix + nl.join(lines) + nl,
                base=digest(df.text))


def healthcheck_fix(df: Dockerfile, stage: Stage, path: str, port: int) -> Fix:
    probe = (f"import urllib.request; urllib.request.urlopen("
             f"'http://127.0.0.1:{port}{path}', timeout=3)")
    line = ('HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 '
            f'CMD ["python3", "-c", "{probe}"]')
    return Fix(FixSafety.SAFE, f"add a HEALTHCHECK requesting {path} on port {port}",
               (insert_before_command(df, stage, [line]),))


# The entrypoint starts as root and drops privileges itself: a USER line would break it.
_DROPS_PRIVILEGES = re.compile(r"(?<![\w-])(gosu|su-exec|setpriv|runuser|chpst|s6-setuidgid|"
                               r"s6-overlay|s6-applyuidgid|setuser|su\s+-c)(?![\w-])|"
                               r"ENTRYPOINT\s+\[?\s*\"?/init\b", re.IGNORECASE)
UID = 10001  # above every distro's system and login ranges: no clash with the base image


# A command that writes a file under a directory root owns in every base image: a log file
# (`--logger file:/var/log/uwsgi.log`, `--access-logfile /var/log/app.log`, `> /var/log/x`),
# a pid file under /run
_SYSTEM_WRITE = re.compile(r"(?:file:|[=\s>:\"']|^)/(?:var/log|var/run|run)/[\w.-]")


def _writes_system_paths(stage: Stage) -> bool:
    return any(_SYSTEM_WRITE.search(ins.args) for ins in (*stage.find("CMD"),
                                                           *stage.find("ENTRYPOINT")))


def non_root_fix(df: Dockerfile, stage: Stage, base: str) -> Fix | None:
    """A user with a fixed numeric uid/gid for the base image's distro, then a numeric USER
    before the command (numeric, so Kubernetes can verify runAsNonRoot)."""
    if _DROPS_PRIVILEGES.search(df.text) or not runs_server(stage) or stage.find("VOLUME") \
            or _writes_system_paths(stage):
        # privileges dropped at start, not a long-running server, a VOLUME the server writes
        # to, or a command writing under /var/log or /run: all root's, read-only for the
        # new user, which would stop the container at its first write
        return None
    name = base.lower()
    if "distroless" in name:
        lines = ["USER 65532:65532"]  # distroless's own nonroot user
    elif "alpine" in name:
        lines = [f"RUN addgroup -S -g {UID} appuser && adduser -S -D -u {UID} -G appuser "
                 "appuser", f"USER {UID}:{UID}"]
    elif DEBIAN_LIKE.search(name):
        lines = [f"RUN groupadd --system --gid {UID} appuser && useradd --system --uid {UID} "
                 f"--gid {UID} --create-home appuser", f"USER {UID}:{UID}"]
    else:
        return None  # an unknown distro: which user tool it has is a guess
    return Fix(FixSafety.UNSAFE, f"run as an unprivileged user ({lines[-1]})",
               (insert_before_command(df, stage, lines),))
