"""What K8S003 and K8S004 share: serving containers without a probe, and the probe to add."""

from __future__ import annotations

from collections.abc import Callable

from ...artifacts.yamldocs import YamlFile, is_compose_path
from ...fix.yaml_edits import set_nested
from ...model import Fix, FixSafety
from ...project import Project
from ...project.kubernetes import LONG_RUNNING_KINDS, Container, containers, has_probe
from ...project.services import (
    Route,
    Service,
    probe_target,
    served_port,
    services_of,
    touches_dependencies,
)
from ..api import RuleContext
from ._fixes import is_patch
from ._report import report_container


def check_probe(project: Project, ctx: RuleContext, key: str,
                message: Callable[[Container], str]) -> None:
    services: list[Service] | None = None  # built only when a probe is missing
    for path, yf in sorted(project.yaml_files.items()):
        if is_compose_path(path):
            continue
        for container in containers(yf, ctx.rule.id, kinds=LONG_RUNNING_KINDS):
            if not container.ports:
                continue  # a worker or sidecar without ports: nothing to probe
            if has_probe(container, key):
                ctx.examine()
                continue
            if services is None:
                services = services_of(project)
            report_container(ctx, container, message(container),
                             fix=_probe_fix(yf, container, key, _service_of(services, path,
                                                                           container)))


def _service_of(services: list[Service], path: str, container: Container) -> Service | None:
    line = container.position[0]
    for svc in services:
        if any(r.source == "kubernetes" and r.path == path and r.line == line
               for r in svc.runners):
            return svc
    return None


def _probe_fix(yf: YamlFile, container: Container, key: str, svc: Service | None
               ) -> Fix | None:
    if svc is None or not yf.text or is_patch(container.workload, container):
        return None
    route = _route_for(svc, "liveness" if key == "livenessProbe" else "readiness")
    runner = next((r for r in svc.runners if r.source == "kubernetes" and r.path == yf.path
                   and r.line == container.position[0]), None)
    port = served_port(svc, runner) if runner is not None else None
    if route is None or port is None:
        return None
    edit = set_nested(yf.path, yf.text, container.node, [], [
        f"{key}:", "  httpGet:", f"    path: {route.path}", f"    port: {port}",
        "  periodSeconds: 10", "  failureThreshold: 3"])
    if edit is None:
        return None
    return Fix(FixSafety.UNSAFE, f"add an httpGet {key} on {route.path} port {port}", (edit,))


def _route_for(svc: Service, kind: str) -> Route | None:
    routes = [r for r in svc.health_routes if probe_target(r) and "GET" in r.methods]
    if kind == "liveness":
        routes = [r for r in routes if not touches_dependencies(r, svc, strict=True)]
        word = "live"
    else:
        word = "ready"
    preferred = [r for r in routes if word in (r.path or "").lower()]
    return next(iter(preferred or routes), None)
