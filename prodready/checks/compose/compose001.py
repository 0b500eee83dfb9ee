"""COMPOSE001 service-without-healthcheck."""

from __future__ import annotations

from ...artifacts.dockerfile import Dockerfile
from ...project import Project
from ...project.compose import (
    FAST_STARTING,
    QUICK_START,
    ImageSource,
    Service,
    dockerfile_healthcheck,
    image_repository,
    image_source,
)
from ...project.exposure import runs_worker
from ...project.images import effective_stages
from ...project.services import THIRD_PARTY_IMAGES
from ...project.startup import waited_by_every_dependant
from ..api import RuleContext
from ._fixes import finishes, healthcheck_fix
from ._reporter import Reporter

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    out = Reporter(ctx)
    for svc in out.services(project):
        if svc.one_shot or finishes(svc) or not (svc.ports() or svc.depended_on):
            continue  # a container meant to exit has no health to report
        if not svc.ports() and waited_by_every_dependant(project, svc):
            continue  # a health check would tell no one anything they do not learn already
        site = svc.anchor_site
        own = svc.healthcheck
        if own is True:
            out.ok(site)
            continue
        if own is None and svc.extends_unknown:
            continue  # the service it extends, which prodready cannot read, may define one
        source = image_source(project, svc) if own is None else None
        if own is None and (svc.built_by is not None or source is not None):
            built = dockerfile_healthcheck(project, svc)
            if built is None:
                continue  # built from a Dockerfile prodready cannot see
            if built:
                out.ok(site)
                continue
            where = ("nor does the Dockerfile it is built from define a HEALTHCHECK"
                     if svc.built_by is not None or source is None else
                     f"nor does {source.dockerfile}, which builds its image here, define a "
                     "HEALTHCHECK")
        elif own is False:
            where = "its healthcheck is disabled"
        else:
            where = "and the image is assumed to have none"
        why = "it publishes ports" if svc.ports() else "other services depend on it"
        out.report(site,
                   f"service {svc.name!r} has no healthcheck ({where}); {why}, so Compose "
                   "cannot tell a hung container from a ready one: add a `healthcheck:`",
                   snippet=f"{svc.name}:",
                   fix=healthcheck_fix(project, svc) if own is None else None,
                   informational=_informational(project, svc, source))
    out.finish()


# Compose acts on a health status only for `depends_on: condition: service_healthy`; it does
# not restart an unhealthy container by itself.
NOBODY_ASKS = ("a third-party server that no service waits on to be healthy: Compose acts on "
               "a health status only for a dependant's `service_healthy`, so the check would "
               "change nothing")


# Images of well-known third-party servers: proxies, dashboards, database consoles.
THIRD_PARTY_SERVERS = THIRD_PARTY_IMAGES | {"caddy", "nginx-unprivileged", "openresty",
                                            "adminer", "pgadmin4", "phpmyadmin", "mailpit",
                                            "mailhog", "kibana", "flower", "portainer"}


def _informational(project: Project, svc: Service, source: ImageSource | None) -> str:
    if svc.datastore in FAST_STARTING:
        return f"{svc.datastore}: {QUICK_START}"
    if svc.datastore and not svc.depended_on:
        return (f"a {svc.datastore} that no service of the file depends on: Compose acts on a "
                "health status only for a dependant's `service_healthy`, so the check would "
                "change nothing here")
    if _third_party_alone(project, svc, source):
        return NOBODY_ASKS
    if not svc.ports() and not _waited_healthy(svc) and runs_worker(svc):
        return ("a task worker that publishes no port and that no service waits on to be "
                "healthy: its dependants start after it only for ordering, and Compose does "
                "not restart an unhealthy container")
    app = "" if svc.depended_on else _app_without_health_route(project, svc)
    if app:
        return (f"no service waits on it, and the app it runs ({app}) serves no health route "
                "for a check to fetch: the route comes first (APP001)")
    return ""


def _waited_healthy(svc: Service) -> bool:
    return any(dep.name == svc.name and dep.condition == "service_healthy"
               for other in svc.config.services.values() for dep in other.depends_on())


def _app_without_health_route(project: Project, svc: Service) -> str:
    """The project's app the Compose service runs, when every app it runs serves no health
    route ("" otherwise, or when it runs none prodready knows)."""
    from ...project.services import services_of

    site = svc.anchor_site
    apps = [app for app in services_of(project) if any(
        r.source == "compose" and r.name == svc.name and (r.path, r.line) == (site.path, site.line)
        for r in app.runners)]
    if not apps or any(app.health_routes or app.has("health-route") for app in apps):
        return ""
    return apps[0].module_ref


def _third_party_alone(project: Project, svc: Service, source: ImageSource | None) -> bool:
    """A well-known third-party server (an edge proxy, a dashboard) that no service waits on
    to be healthy: its stock image, or an image built here FROM it with its configuration
    baked in (`FROM caddy` + a Caddyfile). The project's own image stays judged even where
    prodready cannot link it to the Dockerfile that builds it."""
    if _waited_healthy(svc):
        return False
    if svc.built_by is not None or source is not None or svc.build:
        df = project.dockerfiles.get(source.dockerfile) if source is not None else None
        if not isinstance(df, Dockerfile) or df.final_stage is None:
            return False
        base = effective_stages(df)[-1].base_image
        return image_repository(base)[1] in THIRD_PARTY_SERVERS
    return image_repository(svc.image or "")[1] in THIRD_PARTY_SERVERS
