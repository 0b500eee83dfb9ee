"""Where a stage puts the build context, and whether a later `COPY --from` takes it along.

A builder stage that copies the context to /src and installs it into /opt/venv hands only
the virtualenv on when the final stage copies /opt/venv: the context (its .git, a local .env)
stays behind, as it does when the final stage copies /src/dist, a part of it. Paths are
resolved against WORKDIR and the stage's ENV and ARG values; a path still holding an unknown
variable may be anywhere.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from ...artifacts.dockerfile import Stage, variables

_VARIABLE = re.compile(r"\$\{?([A-Za-z_]\w*)")


def context_destinations(chain: list[Stage],
                         copies_context: Callable[[str], bool]) -> list[str] | None:
    """The absolute paths the stages of `chain` (a stage and those it is built FROM) copy
    the build context to; None when one of them cannot be resolved."""
    found: list[str] = []
    for stage in reversed(chain):  # the base stage first: WORKDIR and ENV carry over
        known: dict[str, str | None] = {}
        workdir = "/"
        for ins in stage.instructions:
            if ins.keyword in ("ENV", "ARG"):
                _learn(known, ins.keyword, ins.args)
            elif ins.keyword == "WORKDIR":
                workdir = _resolve(ins.args.strip(), workdir, known) or "?"
            elif ins.keyword in ("COPY", "ADD") and "from" not in ins.flags and \
                    copies_context(ins.args):
                target = _resolve(ins.copy_words()[-1], workdir, known)
                if target is None or workdir == "?":
                    return None
                found.append(target)
    return found


def copied_paths(stage_chain: list[Stage], words: list[str]) -> list[str] | None:
    """The absolute source paths of a `COPY --from` (its words without the destination),
    with the copying stage's variables; None when one cannot be resolved."""
    known: dict[str, str | None] = {}
    for stage in reversed(stage_chain):
        for ins in sorted(stage.find("ENV") + stage.find("ARG"), key=lambda i: i.line):
            _learn(known, ins.keyword, ins.args)
    resolved = [_resolve(word, "/", known) for word in words]
    return None if any(p is None for p in resolved) else [p for p in resolved if p]


def holds(source: str, destination: str) -> bool:
    """A copied source that holds the whole context copied to `destination`: that directory
    or one above it. A path inside it (`/app/dist`) takes only what the build made there."""
    a, b = source.rstrip("/") or "/", destination.rstrip("/") or "/"
    return a in (b, "/") or b.startswith(a + "/")


def _learn(known: dict[str, str | None], keyword: str, args: str) -> None:
    """Record an ENV or ARG instruction's values, with the variables they name that are known
    by then (`ENV VIRTUAL_ENV="$virtual_env"` after `ARG virtual_env=/srv/venv`)."""
    for name, value in variables(keyword, args):
        if value is None and name in known:
            continue  # `ARG name` again: the value declared before stays
        if value and "$" in value:
            value = _resolve_text(value, known) or value
        known[name] = value


def _resolve_text(text: str, known: dict[str, str | None]) -> str | None:
    """The text with its variables' values, None when one is unknown."""
    for name in _VARIABLE.findall(text):
        value = known.get(name)
        if not value or "$" in value:
            return None
        text = re.sub(r"\$\{" + name + r"\}|\$" + name + r"\b", value, text)
    return text


def _resolve(path: str, workdir: str, known: dict[str, str | None]) -> str | None:
    resolved = _resolve_text(path, known)
    if resolved is None:
        return None
    path = resolved.strip("\"'")
    return posixpath.normpath(posixpath.join(workdir, path))
