"""K8S006 liveness-checks-dependencies."""

from __future__ import annotations

from ...project import Project
from ...project.services import route_matches, services_of, touches_dependencies
from ..api import RuleContext

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    for svc in services_of(project):
        for runner in svc.runners:
            for probe in runner.probes:
                if probe.kind != "liveness" or probe.path is None:
                    continue
                routes = [r for r in svc.routes
                          if r.path is not None and route_matches(r.path, probe.path)]
                deep = [r for r in routes if touches_dependencies(r, svc, strict=True)]
                if not deep:
                    if routes:
                        ctx.examine()
                    continue
                ctx.report(probe.file, probe.path_line, probe.path_column,
                           f"the liveness probe of container {probe.container!r} calls "
                           f"{deep[0].handler} ({deep[0].file}:{deep[0].line}), which checks "
                           "dependencies: when the database is slow every pod is restarted at "
                           "once; point liveness at a shallow endpoint and keep dependency "
                           "checks for readiness", snippet=f"path: {probe.path}")
