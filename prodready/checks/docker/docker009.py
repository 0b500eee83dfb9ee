"""DOCKER009 build-tools-in-final-image."""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile
from ..api import RuleContext
from ._image import snippet

SCOPE = "dockerfile"
INSTALL = re.compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf)\s+(install|add)\b")
TOOLS = re.compile(r"(?<![\w.-])(gcc|g\+\+|clang|make|build-essential|build-base|"
                   r"[a-z0-9.+-]+-dev(el)?)(?![\w.+-])")


def check(df: Dockerfile, ctx: RuleContext) -> None:
    final = df.final_stage
    if final is None:
        return
    for ins in final.find("RUN"):
        text = ins.args + " " + " ".join(ins.heredocs)
        if not INSTALL.search(text):
            continue
        tools = sorted({m[1] for m in TOOLS.finditer(text) if m[1] not in ("install",)})
        removed = re.search(r"\b(apt-get|apt)\s+(purge|remove|autoremove)\b|\bapk\s+del\b", text)
        if tools and not removed:
            ctx.report(df.path, ins.line, ins.column,
                       f"the final image installs build tools ({', '.join(tools)}); build "
                       "wheels in a builder stage and copy only the results",
                       snippet=snippet(ins))
        else:
            ctx.examine()
