"""APP003 no-rate-limiting."""

from __future__ import annotations

from ...project import Project
from ...project.exposure import edge_elsewhere, edge_services
from ...project.services import Service
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def _message(svc: Service) -> str:
    if svc.has("rate-limit-config"):
        return ("rate limits are configured but never registered: no limiter (slowapi, "
                "fastapi-limiter, flask-limiter, django-ratelimit, DRF throttling) is attached "
                "to the app, so the settings have no effect")
    return ("no rate limiting: one client (or a retry storm) can exhaust workers and the "
            "database; register a limiter (slowapi, fastapi-limiter, flask-limiter, DRF "
            "throttling) or mark it handled at the gateway")


def check(project: Project, ctx: RuleContext) -> None:
    # only a public edge lets one client flood it
    check_practice(project, ctx, "rate-limit", _message, edge_services(project),
                   informational=lambda svc: edge_elsewhere(project, svc))
