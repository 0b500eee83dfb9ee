"""APP008 no-structured-logging."""

from __future__ import annotations

from ...project import Project
from ...project.services import Service
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"
TRACKED = ("an error tracker already records each failure with its context: plain-text logs "
           "are a choice the team can keep")


def check(project: Project, ctx: RuleContext) -> None:
    check_practice(project, ctx, "structured-logging",
                   "no structured logging: plain-text logs cannot be filtered by field or joined"
                   " with traces; configure JSON logs (structlog, python-json-logger, a "
                   "dictConfig JSON formatter, loguru serialize=True)",
                   informational=_tracked)


def _tracked(svc: Service) -> str:
    # a structured formatter the configuration defines but does not use is a slip
    if svc.has("error-tracking") and not svc.has("structured-formatter"):
        return TRACKED
    return ""
