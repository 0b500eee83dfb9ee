"""APP009 no-request-id."""

from __future__ import annotations

from ...project import Project
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    check_practice(project, ctx, "request-id",
                   "no request or correlation id: one request's log lines across services cannot"
                   " be tied together; add asgi-correlation-id (or a middleware reading/setting "
                   "X-Request-ID) or OpenTelemetry tracing")
