"""APP001 no-health-endpoint."""

from __future__ import annotations

from ...project import Project
from ...project.exposure import WORKER, exposure_of
from ...project.services import Service, services_of
from ..api import RuleContext
from ._common import report_service
from ._health_fix import health_fix

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    for svc in services_of(project):
        if svc.health_routes or svc.has("health-route") or _container_checked(svc):
            ctx.examine()
            continue
        if exposure_of(project, svc).level == WORKER:
            continue  # only task workers load it: no server for a probe to reach
        report_service(ctx, svc,
                       "no health endpoint (/health, /healthz, /livez, /readyz, …): load "
                       "balancers and Kubernetes cannot tell a hung instance from a healthy one; "
                       "add liveness and readiness routes", fix=health_fix(project, svc))


def _container_checked(svc: Service) -> bool:
    """Run by Compose or Docker alone, whose healthcheck (the Compose service's or the image's
    HEALTHCHECK) already fetches a page of the app (`/`): the check it needs is there.
    Kubernetes still needs a real health route (probes of `/` render a page every few
    seconds and cannot tell liveness from readiness)."""
    return not any(r.source == "kubernetes" for r in svc.runners) and any(
        r.health_path is not None for r in svc.runners)
