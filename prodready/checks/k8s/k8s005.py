"""K8S005 probe-not-served."""

from __future__ import annotations

from ...project import Project
from ...project.services import Probe, Runner, Service, route_matches, served_port, services_of
from ..api import RuleContext

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    for svc in services_of(project):
        for runner in svc.runners:
            for probe in runner.probes:
                problem = _problem(svc, runner, probe)
                if problem is None:
                    ctx.examine()
                else:
                    ctx.report(probe.file, probe.path_line, probe.path_column, problem,
                               snippet=f"path: {probe.path}")


def _problem(svc: Service, runner: Runner, probe: Probe) -> str | None:
    where = f"{probe.kind} probe of container {probe.container!r}"
    port = _port_number(probe.port)
    served = served_port(svc, runner)
    if port is not None and served is not None and port != served:
        return (f"{where} checks port {port}, but {svc.name} listens on {served}: the probe "
                "always fails and the pod never becomes ready (or is restarted in a loop)")
    if probe.path is None or svc.has("health-route"):
        return None
    if any(r.path is not None and route_matches(r.path, probe.path) for r in svc.routes):
        return None
    if not svc.routes or any(not r.certain for r in svc.routes):
        return None  # part of the URL map is unknown: do not guess
    return (f"{where} requests {probe.path}, which {svc.name} does not serve (routes: "
            f"{', '.join(sorted({r.path or '?' for r in svc.routes})[:6])}): the probe gets 404 "
            "and Kubernetes restarts or never routes to the pod")


def _port_number(port: object) -> int | None:
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.isdigit():
        return int(port)
    return None  # a named port resolves to the containerPort, which the server may not use
