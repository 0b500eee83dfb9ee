"""APP012 no-outbound-retry."""

from __future__ import annotations

from ...project import Project
from ...project.services import services_of
from ..api import RuleContext
from ._common import report_service

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    for svc in services_of(project):
        if not svc.has("outbound-http"):
            continue
        if svc.has("retry"):
            ctx.examine()
            continue
        report_service(ctx, svc,
                       "calls other HTTP services but has no retry policy anywhere (tenacity, "
                       "backoff, stamina, urllib3 Retry, httpx transport retries=): one dropped "
                       "connection or deploy of a dependency becomes a user-facing error")
