"""APP008 no-structured-logging."""

from __future__ import annotations

from ...project import Project
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    check_practice(project, ctx, "structured-logging",
                   "no structured logging: plain-text logs cannot be filtered by field or joined"
                   " with traces; configure JSON logs (structlog, python-json-logger, a "
                   "dictConfig JSON formatter, loguru serialize=True)")
