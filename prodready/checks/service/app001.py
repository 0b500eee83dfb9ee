"""APP001 no-health-endpoint."""

from __future__ import annotations

import re

from ...project import Project
from ...project.builds import CI_FILES
from ...project.deployment import deployment_of
from ...project.exposure import WORKER, exposure_of
from ...project.platform import chart_probes, platform_health_checks
from ...project.profile import DISTRIBUTED, profile_of
from ...project.services import HEALTH_HANDLER, Service, route_matches, services_of
from ..api import RuleContext
from ._common import lambda_adapter, report_service
from ._health_fix import health_fix

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    services = services_of(project)
    for svc in services:
        if svc.health_routes or svc.has("health-route") or _container_checked(project, svc) or \
                _platform_checked(project, svc, alone=len(services) == 1):
            ctx.examine()
            continue
        if exposure_of(project, svc).level == WORKER:
            continue  # only task workers load it: no server for a probe to reach
        report_service(ctx, svc,
                       "no health endpoint (/health, /healthz, /livez, /readyz, …): load "
                       "balancers and Kubernetes cannot tell a hung instance from a healthy one; "
                       "add liveness and readiness routes", fix=health_fix(project, svc),
                       informational=_on_lambda(project, svc) or _on_heroku(project, svc) or (
                           "" if _probed_somewhere(project, svc) else
                           "a product users install and start on their own machine: nothing "
                           "in the repository runs it where something probes it"))


# Platform manifests whose health check settings call a route: Cloud Foundry and AWS
# Copilot `manifest.yml`, App Engine `app.yaml`, Fly, Render, ECS task definitions.
_PLATFORM_MANIFESTS = re.compile(
    r"(?:^|/)(?:manifest[\w.-]*\.ya?ml|app\.ya?ml|fly\.toml|render\.ya?ml"
    r"|[\w.-]*task[-_]?def(?:inition)?[\w.-]*\.json)$", re.IGNORECASE)


def _on_lambda(project: Project, svc: Service) -> str:
    adapter = lambda_adapter(project, svc)
    return (f"{adapter} hands it to AWS Lambda (Mangum): each invocation serves one request, "
            "and no load balancer or Kubernetes probes a long-running instance") if adapter \
        else ""


# A CI step that releases the app to Heroku
_HEROKU_RELEASE = re.compile(r"akhileshns/heroku-deploy|\bheroku\s+container:release\b"
                             r"|\bgit\s+push\s+(?:-\S+\s+)*(?:https://\S*heroku\S*|heroku)\b")


def _on_heroku(project: Project, svc: Service) -> str:
    """Why the service runs only where nothing probes a health route ("" if something may):
    it deploys to Heroku (a `heroku.yml`, a CI step that releases to Heroku), whose router
    sends no health checks, and no Kubernetes workload, deployed Compose file or other
    platform's manifest of the repository runs it."""
    deployment = deployment_of(project)
    if any(r.source in ("kubernetes", "compose") and deployment.role_of(r.path).judged
           for r in svc.runners) or any(_PLATFORM_MANIFESTS.search(path) and
                                        deployment.role_of(path).judged
                                        for path in project.all_files):
        return ""
    found = "heroku.yml" if project.has_file("heroku.yml") else next(
        (path for path, yf in sorted(project.yaml_files.items())
         if CI_FILES.search(path) and _HEROKU_RELEASE.search(yf.text)), "")
    return (f"it deploys to Heroku ({found}), whose router sends no health checks, and "
            "nothing else in the repository runs it") if found else ""


def _probed_somewhere(project: Project, svc: Service) -> bool:
    """A product others install (the distributed profile) that no container, Compose service,
    Kubernetes workload or platform manifest of the repository runs: users start it on their
    own machine (`pip install`, then its command), where nothing probes it. A service of the
    team's own may be deployed from another repository: probed."""
    if profile_of(project).name != DISTRIBUTED or any(r.source != "python" for r in svc.runners):
        return True
    return project.once("app001-probed-here", lambda: _runs_anything(project))


def _runs_anything(project: Project) -> bool:
    """A Dockerfile or platform manifest that ships: something may run and probe the app."""
    deployment = deployment_of(project)
    return any(deployment.role_of(path).judged for path in project.dockerfiles) or any(
        _PLATFORM_MANIFESTS.search(path) and deployment.role_of(path).judged
        for path in project.all_files)


def _container_checked(project: Project, svc: Service) -> bool:
    """Run by Compose or Docker alone, whose healthcheck (the Compose service's or the image's
    HEALTHCHECK) already fetches a page of the app (`/`): the check it needs is there.
    Kubernetes still needs a real health route (probes of `/` render a page every few
    seconds and cannot tell liveness from readiness), where a manifest that is not an
    example runs it."""
    return not _run_by_kubernetes(project, svc) and any(
        r.health_path is not None for r in svc.runners)


def _run_by_kubernetes(project: Project, svc: Service) -> bool:
    deployment = deployment_of(project)
    return any(r.source == "kubernetes" and deployment.role_of(r.path).judged
               for r in svc.runners)


def _platform_checked(project: Project, svc: Service, *, alone: bool) -> bool:
    """The repository's infrastructure code has the platform fetch a route of the service (a
    Cloud Run probe of `/`, a target group checking `/healthcheck`, a Helm chart's probe of
    `/info`): its health is checked where it runs. Where the repository holds several apps,
    the route must be one of this one's. Kubernetes still needs a real health route, as for
    Compose page checks."""
    if _run_by_kubernetes(project, svc):
        return False
    for check in [*platform_health_checks(project), *chart_probes(project)]:
        if check.route is None:
            continue
        if any(r.path is not None and route_matches(r.path, check.route) for r in svc.routes) or (
                alone and (check.route == "/" or HEALTH_HANDLER.search(check.route))):
            return True
    return False
