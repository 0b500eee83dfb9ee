"""DOCKER005 dev-server-command."""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile
from ..api import RuleContext
from ._image import command_of, command_text, snippet

SCOPE = "dockerfile"
DEV = [
    (re.compile(r"\buvicorn\b.*\s--reload\b"), "uvicorn --reload"),
    (re.compile(r"\bflask\b.*\brun\b"), "flask run"),
    (re.compile(r"\bmanage\.py\s+runserver\b"), "manage.py runserver"),
    (re.compile(r"\bfastapi\s+dev\b"), "fastapi dev"),
]
DEBUG_ENV = re.compile(r"\bFLASK_DEBUG[= ]\s*[\"']?(1|true)\b", re.IGNORECASE)


def check(df: Dockerfile, ctx: RuleContext) -> None:
    final = df.final_stage
    if final is None:
        return
    for ins in command_of(final):
        text = command_text(ins)
        hit = next((label for pattern, label in DEV if pattern.search(text)), None)
        if hit:
            ctx.report(df.path, ins.line, ins.column,
                       f"the image starts a development server ({hit}): single process, "
                       "reloader or debugger; run uvicorn/gunicorn without dev flags",
                       snippet=snippet(ins))
        else:
            ctx.examine()
    for ins in final.find("ENV"):
        if DEBUG_ENV.search(ins.args):
            ctx.report(df.path, ins.line, ins.column,
                       "FLASK_DEBUG is enabled in the image: the debugger allows remote code "
                       "execution", snippet=snippet(ins))
