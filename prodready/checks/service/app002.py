"""APP002 health-check-ignores-dependencies."""

from __future__ import annotations

from ...facts import is_health_path
from ...project import Project
from ...project.services import Route, services_of, touches_dependencies
from ..api import RuleContext
from ._common import report_service

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    for svc in services_of(project):
        owned = svc.owned_resources
        health = svc.health_routes
        if not owned or not health:
            continue  # nothing to check, or APP001's business
        touching = [r for r in health if touches_dependencies(r, svc)]
        if not touching:
            names = ", ".join(sorted({var for _, var, _, _ in owned}))
            report_service(ctx, svc,
                           f"the health endpoints never check what the service depends on "
                           f"({names}): traffic keeps flowing to instances that cannot reach "
                           "their database; make readiness run a cheap query and answer 503 on "
                           "failure",
                           informational="its health endpoint says it answers only whether "
                           "the process is up: a deliberate liveness probe" if _liveness_only(
                               health) else "")
            continue
        ready = [r for r in touching if r.path and "ready" in r.path.lower()]
        if ready and not any(r.can_fail for r in ready):
            report_service(ctx, svc,
                           f"the readiness endpoint {ready[0].path} can only answer 200: catch "
                           "the dependency failure and return 503 so the instance is taken "
                           "out of rotation")
        else:
            ctx.examine()


def _liveness_only(health: list[Route]) -> bool:
    """Every route on a health path (`/healthz`; not a weaker `/status`, often an API's own
    status resource) says it answers only whether the process is up."""
    probes = [r for r in health if is_health_path(r.path, weak=False)] or health
    return all(r.shallow for r in probes)
