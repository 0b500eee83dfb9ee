"""K8S004 missing-readiness-probe."""

from __future__ import annotations

from ...project import Project
from ...project.kubernetes import ports_text
from ..api import RuleContext
from ._probes import check_probe

SCOPE = "project"  # the fix probes the health route of the service the container runs


def check(project: Project, ctx: RuleContext) -> None:
    check_probe(project, ctx, "readinessProbe", lambda container: (
        f"{container.label} {ports_text(container)} but has no readinessProbe: Services "
        "send it traffic as soon as the process starts, before it can answer, and during "
        "rollouts and overload; add a readinessProbe (httpGet on the health route) so only "
        "ready pods receive requests"))
