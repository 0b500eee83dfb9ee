"""DOCKER002 shell-form-entrypoint."""

from __future__ import annotations

import json
import re
import shlex

from ...artifacts.dockerfile import Dockerfile, Instruction
from ...fix.edits import digest
from ...model import Edit, Fix, FixSafety
from ..api import RuleContext
from ._image import command_of, image_shell, line_span, snippet

SCOPE = "dockerfile"
SHELL_SYNTAX = re.compile(r"[|&;<>()$`*?\[\]~{}\\'\"]")
# More than one command (or a builtin): the shell stays to run the rest.
_NOT_ONE_COMMAND = re.compile(r"[|&;<>()`\n]|^\s*(cd|export|set|source|\.|if|for|while|"
                              r"trap|eval|ulimit|umask)\s")


def check(df: Dockerfile, ctx: RuleContext) -> None:
    final = df.final_stage
    if final is None:
        return
    for ins in command_of(final):
        if ins.exec_form is not None or not ins.args or ins.args.startswith("exec ") or (
                _execs_itself(df, ins)):
            ctx.examine()
            continue
        message = (f"{ins.keyword} in shell form runs under /bin/sh as PID 1, which does not "
                   "forward SIGTERM: the app is killed instead of shutting down gracefully; "
                   "use the JSON exec form")
        fix = _fix(df, ins)
        if fix is None:
            message += " (the command uses shell syntax: prefix it with `exec`)"
        ctx.report(df.path, ins.line, ins.column, message, snippet=snippet(ins), fix=fix)


def _execs_itself(df: Dockerfile, ins: Instruction) -> bool:
    """busybox ash and bash replace themselves with a lone `-c` command (dash does not)."""
    return not _NOT_ONE_COMMAND.search(ins.args) and image_shell(df) in ("ash", "bash")


def _fix(df: Dockerfile, ins: Instruction) -> Fix | None:
    if SHELL_SYNTAX.search(ins.args) or ins.end_line != ins.line or not df.text:
        return None
    try:
        words = shlex.split(ins.args)
    except ValueError:
        return None  # unbalanced quotes: no exec form can be derived with confidence
    if not words:
        return None
    start, end = line_span(df, ins.line)
    indent = df.text[start:start + ins.column - 1]
    replacement = f"{indent}{ins.keyword} {json.dumps(words)}"
    return Fix(FixSafety.SAFE, "use the exec form", (Edit(df.path, start, end, replacement,
                                                          base=digest(df.text)),))
