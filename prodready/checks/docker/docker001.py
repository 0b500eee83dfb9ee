"""DOCKER001 missing-healthcheck."""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile, Stage
from ...model import Fix
from ...project import Project
from ...project.builds import COMPOSE, project_builds
from ...project.compose import Service as ComposeService
from ...project.deployment import deployment_of, image_runners
from ...project.documentation import documentation_pages
from ...project.exposure import worker_use
from ...project.images import shipped_stage, stage_chain
from ...project.kubernetes import has_probe
from ...project.platform import chart_probes, platform_health_checks, template_files
from ...project.profile import SERVICE
from ...project.services import Service, probe_target, served_port, services_of
from ...project.startup import waited_by_every_dependant
from ..api import RuleContext
from ._fixes import healthcheck_fix
from ._helm import charts_running, image_names
from ._image import runs_server

SCOPE = "project"  # whether Kubernetes probes cover the image is a property of the repo


def check(project: Project, ctx: RuleContext) -> None:
    services: list[Service] | None = None  # built only for a server without HEALTHCHECK
    for path, df in sorted(project.dockerfiles.items()):
        if not isinstance(df, Dockerfile):
            continue
        final = shipped_stage(project, df)
        if final is None or not runs_server(final):
            continue
        if any(stage.find("HEALTHCHECK") for stage in stage_chain(df, final)):
            ctx.examine()
            continue
        if services is None:
            services = services_of(project)
        built = [s for s in services if path in s.dockerfiles]
        if built and _only_kubernetes_with_probes(built):
            ctx.examine()  # Kubernetes ignores HEALTHCHECK; its probes do the job
            continue
        if _every_runner_checks_health(project, path, df, final):
            ctx.examine()
            continue
        which = "final stage" if final is df.final_stage else f"stage {final.name!r} it ships"
        ctx.report(path, final.line, 1,
                   f"the {which} runs a server but defines no HEALTHCHECK: Docker and "
                   "Compose cannot tell a hung container from a healthy one",
                   snippet=f"FROM {final.base_raw}", fix=_fix(df, final, path, built),
                   informational=_team_platform(project, ctx, path) or _multi_role(project, path))


def _multi_role(project: Project, path: str) -> str:
    """Why one HEALTHCHECK cannot fit the image: it also runs as a task worker, which serves
    no HTTP, so a check of the server would mark those containers unhealthy."""
    worker = worker_use(project, path)
    return (f"the image also runs a task worker ({worker}): a check of the server would mark "
            "those containers unhealthy; define the check per service where it runs"
            if worker else "")


def _team_platform(project: Project, ctx: RuleContext, path: str) -> str:
    """Why a HEALTHCHECK would go unused: the project's own team runs the image, and no
    Compose file it deploys with does ("" when one does, or when others run the image).
    Only Docker, Compose and Swarm act on HEALTHCHECK; the platform a team deploys to
    (Kubernetes, ECS, Cloud Run, Heroku) checks health with its own settings."""
    if image_runners(project, path)[0]:
        return ""
    if ctx.config.profile != SERVICE:
        # a distributed project's image is its users' when automation builds it (to publish
        # it) or they are told to run or build containers; otherwise its own team runs it
        if _built_by_automation(project, path) or _containers_documented(project):
            return ""
        return ("no workflow publishes this image, no Compose file runs it and no guide tells "
                "users to: its team runs it on a platform that checks health with its own "
                "settings")
    return ("the project's team runs this image and no Compose file of the repository does: "
            "the platform it deploys to checks health with its own settings")


def _built_by_automation(project: Project, path: str) -> bool:
    """A CI workflow, Makefile, script or skaffold builds the image (to publish it, as far as
    anything here can tell)."""
    return any(build.dockerfile == path and build.how != COMPOSE
               for build in project_builds(project))


_CONTAINER_COMMANDS = re.compile(r"\b(?:docker|podman)(?:\s+|-)(?:run|build|compose|pull)\b")


def _containers_documented(project: Project) -> bool:
    """A documentation page runs, builds or pulls containers (`docker run`, `podman build`,
    `docker compose up`)."""
    found: bool = project.once("containers-documented", lambda: any(
        _CONTAINER_COMMANDS.search(text) for _, text in documentation_pages(project)))
    return found


def _every_runner_checks_health(project: Project, path: str, df: Dockerfile,
                                final: Stage) -> bool:
    """Every Compose service running the image has a healthcheck, or publishes nothing and
    is waited for by every service that depends on it (their own start-up loops do the
    check), and every workload running it has a liveness or readiness probe: the health
    check lives where the image runs. A service that builds another stage of the Dockerfile
    (`target: backend-development`) runs another image."""
    compose, containers = image_runners(project, path)
    if not compose and not containers:
        # nothing judged runs the image: the stacks that do (a dev stack) still show
        # where its health is checked
        compose, containers = image_runners(project, path, any_role=True)
    compose = [svc for svc in compose if _runs_stage(svc, df, final)]
    if not compose and not containers:
        return _charts_probe(project, path) or _platform_checks_containers(project)
    return all(svc.healthcheck is True or (
        not svc.ports() and waited_by_every_dependant(project, svc)) for svc in compose) and all(
        has_probe(c, "livenessProbe") or has_probe(c, "readinessProbe") for c in containers)


def _runs_stage(svc: ComposeService, df: Dockerfile, stage: Stage) -> bool:
    """The Compose service runs `stage`'s image: it builds no other target of the file."""
    builder = svc.built_by
    build = builder.build if builder is not None else None
    named = {s.name.lower(): s for s in df.stages if s.name}
    other = named.get(build.target.lower()) if build is not None and build.target else None
    return other is None or other is stage


_PROBE_KEY = re.compile(r"^[ \t]*(?:liveness|readiness)Probe:", re.MULTILINE)


def _charts_probe(project: Project, path: str) -> bool:
    """Helm charts run the image (their values name it, or it is the repository's only
    server image and the chart names none: `image: "{{ .Values.image.repo }}/{{ .Chart.Name
    }}"`) and each chart's templates declare a liveness or readiness probe: the templates
    are not judged, but they show where the image's health is checked."""
    from ...project.documentation import read_text  # templates are not kept as YAML

    charts = charts_running(project, image_names(project, path))
    if not charts and _only_server_image(project, path):
        return any(probe.route is not None for probe in chart_probes(project))
    return bool(charts) and all(any(
        _PROBE_KEY.search(read_text(project, file)) for file in template_files(project)
        if file.startswith(chart + "/templates/")) for chart in charts)


def _only_server_image(project: Project, path: str) -> bool:
    """No other Dockerfile the repository ships runs a server."""
    deployment = deployment_of(project)
    for other, df in project.dockerfiles.items():
        if other == path or not isinstance(df, Dockerfile) or not deployment.role_of(
                other).judged:
            continue
        stage = shipped_stage(project, df)
        if stage is not None and runs_server(stage):
            return False
    return True


def _platform_checks_containers(project: Project) -> bool:
    """The repository's infrastructure code checks the health of the containers it runs
    (a Cloud Run probe, an ECS container's check, a load balancer fetching a page): the
    check lives where the image runs. A load balancer's TCP check may be of anything."""
    return any(check.kind != "balancer" or check.route is not None
               for check in platform_health_checks(project))


def _only_kubernetes_with_probes(services: list[Service]) -> bool:
    runners = [r for s in services for r in s.runners if r.source != "dockerfile"]
    return bool(runners) and all(r.source == "kubernetes" and r.probes for r in runners)


def _fix(df: Dockerfile, stage: Stage, path: str, services: list[Service]) -> Fix | None:
    if len(services) != 1:
        return None
    svc = services[0]
    routes = [r for r in svc.health_routes if probe_target(r)]
    if not routes:
        return None
    route = next((r for r in routes if "live" in (r.path or "")), routes[0])
    runner = next((r for r in svc.runners if r.source == "dockerfile" and r.path == path), None)
    port = served_port(svc, runner) if runner is not None else None
    if port is None:
        return None
    return healthcheck_fix(df, stage, route.path or "/", port)
