"""APP008 no-structured-logging."""

from __future__ import annotations

from ...project import Project
from ...project.services import services_of
from ..api import RuleContext
from ._common import report_service

SCOPE = "project"
MESSAGE = ("no structured logging: plain-text logs cannot be filtered by field or joined with "
           "traces; configure JSON logs (structlog, python-json-logger, a dictConfig JSON "
           "formatter, loguru serialize=True)")
TRACKED = ("an error tracker already records each failure with its context: plain-text logs "
           "are a choice the team can keep")


def check(project: Project, ctx: RuleContext) -> None:
    for svc in services_of(project):
        if svc.has("structured-logging"):
            ctx.examine()
            continue
        # a structured formatter the configuration defines but does not use is a slip
        tracked = svc.has("error-tracking") and not svc.has("structured-formatter")
        report_service(ctx, svc, MESSAGE, informational=TRACKED if tracked else "")
