"""APP009 no-request-id."""

from __future__ import annotations

from ...project import Project
from ...project.services import services_of
from ..api import RuleContext
from ._common import check_practice, report_service

SCOPE = "project"
MESSAGE = ("no request or correlation id: one request's log lines across services cannot be "
           "tied together; add asgi-correlation-id (or a middleware reading/setting "
           "X-Request-ID) or OpenTelemetry tracing")
ONE_SERVICE = ("the project runs one web service: no other service's logs to tie a request to "
               "(its own task workers are one code base with it)")


def check(project: Project, ctx: RuleContext) -> None:
    services = services_of(project)
    if len(services) != 1:
        check_practice(project, ctx, "request-id", MESSAGE)
        return
    [svc] = services
    if svc.has("request-id"):
        ctx.examine()
    else:
        report_service(ctx, svc, MESSAGE, informational=ONE_SERVICE)
