"""DOCKER008 pip-cache-in-image."""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile, Instruction, Stage
from ...fix.edits import digest
from ...model import Edit, Fix, FixSafety
from ..api import RuleContext
from ._image import line_span, snippet, switched_off
from ._privileges import is_root

SCOPE = "dockerfile"
PIP_INSTALL = re.compile(r"(?<![\w-])(?:python3?\s+-m\s+)?pip3?\s+install\b")
UV_PIP = re.compile(r"\buv\s+pip\s+install\b")
# pip's option parser accepts any unambiguous prefix of a long option: `--no-cache` is
# `--no-cache-dir` (no other pip option starts with it)
NO_CACHE_FLAG = r"--no-cache(?:-d|-di|-dir)?(?![\w-])"
_FLAG = re.compile(r"\s" + NO_CACHE_FLAG)
_COMMAND_END = re.compile(r"[&;|\n]")


def _command_end(text: str, at: int) -> int:
    """Where the pip command starting before `at` ends: `&&`, `;`, `|` or the line's end."""
    end = _COMMAND_END.search(text, at)
    return end.start() if end else len(text)


def check(df: Dockerfile, ctx: RuleContext) -> None:
    final = df.final_stage
    if final is None:
        return
    env_disabled = any(re.search(r"PIP_NO_CACHE_DIR[= ]\s*[\"']?(1|true|on|yes|off|0)", i.args,
                                 re.IGNORECASE) for s in df.stages for i in s.find("ENV"))
    for ins in final.find("RUN"):
        text = ins.args + " " + " ".join(ins.heredocs)
        cleaned = UV_PIP.sub("", text)
        if not PIP_INSTALL.search(cleaned):
            continue
        if (env_disabled or _has_no_cache(cleaned) or "cache" in ins.flags.get("mount", "")
                or "type=cache" in ins.args or _removes_cache(text, _runs_as_root(final, ins))
                or switched_off(df, ins)):
            ctx.examine()
            continue
        ctx.report(df.path, ins.line, ins.column,
                   "pip install keeps its download cache in the image layer; add "
                   "--no-cache-dir (or use a BuildKit cache mount)",
                   snippet=snippet(ins), fix=_fix(df, ins))


# `rm -rf /root/.cache` in the same RUN: the cache never reaches the layer. Each command of
# the step is read once (a pattern spanning the line would backtrack over long steps).
_RM_RECURSIVE = re.compile(r"\s*(?:sudo\s+)?rm\s+-\w*[rR]")
_CACHE_PATH = re.compile(r"(?<![\w/.])(~|\$HOME|\$\{HOME\}|/root)/\.cache(?:/pip)?/?\*?(?![\w/.])")


def _removes_cache(text: str, as_root: bool) -> bool:
    for command in _COMMAND_END.split(text):
        if _RM_RECURSIVE.match(command):
            for found in _CACHE_PATH.finditer(command):
                if found[1] != "/root" or as_root:
                    return True
    return False


def _runs_as_root(stage: Stage, ins: Instruction) -> bool:
    users = [u.args.split(":", 1)[0] for u in stage.find("USER") if u.line < ins.line]
    return not users or is_root(users[-1])


def _has_no_cache(text: str) -> bool:
    """Every pip install command of the step disables the cache (`apk add --no-cache` does
    not count: it is the flag of another command)."""
    # one search per command, not per pip install: a crafted line of them stays linear
    end = -1
    for match in PIP_INSTALL.finditer(text):
        if match.end() <= end:
            continue  # the same command as the pip install before it
        end = _command_end(text, match.end())
        if _FLAG.search(text, match.end(), end) is None and not _packaging_tools_only(
                text[match.end():end]):
            return False
    return True


# `pip install --upgrade pip setuptools wheel`: the installer's own tools, a few MB of cache
_PACKAGING_TOOLS = re.compile(r"(?:pip|setuptools|wheel)(?:[<>=!~]=?[\w.*]+)?", re.IGNORECASE)


def _packaging_tools_only(arguments: str) -> bool:
    names = [a.strip("'\"") for a in arguments.split() if not a.startswith("-")]
    return bool(names) and all(_PACKAGING_TOOLS.fullmatch(name) for name in names)


def _fix(df: Dockerfile, ins: Instruction) -> Fix | None:
    if not df.text or ins.heredocs:
        return None
    edits = []
    checked_to = -1  # where the last command checked ends: each command once
    for line in range(ins.line, ins.end_line + 1):
        start, end = line_span(df, line)
        for match in PIP_INSTALL.finditer(df.text[start:end]):
            if UV_PIP.search(df.text[max(start, start + match.start() - 3):start + match.end()]):
                continue
            at = start + match.end()
            if at <= checked_to:
                continue  # the same command as the pip install before it
            checked_to = _command_end(df.text, at)
            if _FLAG.search(df.text, at, checked_to):
                continue  # `--no-cache` (pip accepts the abbreviation) already on this command
            edits.append(Edit(df.path, at, at, " --no-cache-dir", base=digest(df.text)))
    return Fix(FixSafety.SAFE, "add --no-cache-dir", tuple(edits)) if edits else None
