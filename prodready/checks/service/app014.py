"""APP014 no-error-tracking."""

from __future__ import annotations

from ...project import Project
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    check_practice(project, ctx, "error-tracking",
                   "no error tracker (Sentry, Rollbar, Bugsnag, an OpenTelemetry exporter): "
                   "unhandled exceptions in production are only visible to whoever reads raw "
                   "logs")
