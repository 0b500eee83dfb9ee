"""COMPOSE002 depends-on-without-health-condition."""

from __future__ import annotations

from ...project import Project
from ...project.compose import FAST_STARTING, QUICK_START, Service, has_healthcheck, is_swarm_stack
from ...project.startup import connects_on_first_request, waited_dependencies
from ..api import RuleContext
from ._fixes import condition_fix, depends_on_fix
from ._reporter import Reporter

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    out = Reporter(ctx)
    for svc in out.services(project):
        if is_swarm_stack(project, svc.layers[0].path):
            continue  # `docker stack deploy` ignores depends_on: no condition applies
        listed: list[str] = []
        ready: set[str] = set()  # dependencies with a health check now: safe to wait on
        list_site = None
        waited: dict[str, str] | None = None
        dependencies = svc.depends_on()
        # `condition: service_started` written beside `service_healthy` entries: chosen
        weighed = any(d.condition == "service_healthy" for d in dependencies)
        for dep in dependencies:
            target = svc.config.services.get(dep.name)
            if target is None or dep.condition != "service_started" or (
                    weighed and dep.written):
                if target is not None:
                    out.ok(dep.site)
                continue
            # a datastore image gets a healthcheck (COMPOSE001), except one that is ready as
            # soon as it starts
            checked = has_healthcheck(project, target)
            healthy = checked or (
                target.datastore is not None and target.datastore not in FAST_STARTING)
            if healthy and waited is None:
                waited = waited_dependencies(project, svc)
            if not healthy or (waited and dep.name in waited):
                out.ok(dep.site)  # nothing to wait for, or the service waits for it itself
            elif dep.list_form:
                listed.append(dep.name)
                list_site = dep.key_site
                if checked:
                    ready.add(dep.name)
            else:
                out.report(dep.site,
                           f"{svc.name!r} waits only for {dep.name!r} to start, not to be "
                           f"healthy: use `condition: service_healthy`",
                           snippet=f"{dep.name}:",
                           # `service_healthy` on a service without a health check stops
                           # `compose up`: only once it has one (COMPOSE001's fix adds it)
                           fix=condition_fix(project, svc, dep.name) if checked else None,
                           informational=_quick_start(svc, [dep.name]) or
                           connects_on_first_request(project, svc))
        if listed and list_site is not None:
            names = ", ".join(repr(n) for n in listed)
            out.report(list_site,
                       f"{svc.name!r} depends on {names} in list form, which waits only for "
                       "the container to start, not to be ready: use the mapping form with "
                       "`condition: service_healthy`",
                       snippet="depends_on:",
                       fix=depends_on_fix(project, svc, ready) if ready else None,
                       informational=_quick_start(svc, listed) or
                       connects_on_first_request(project, svc))
    out.finish()


def _quick_start(svc: Service, names: list[str]) -> str:
    """Why waiting for these dependencies is only information: each is a datastore that is
    ready as soon as it starts ("" when one is not)."""
    kinds = {svc.config.services[n].datastore for n in names if n in svc.config.services}
    if not kinds or not kinds <= FAST_STARTING:
        return ""
    return f"{'/'.join(sorted(k for k in kinds if k))}: {QUICK_START}"
