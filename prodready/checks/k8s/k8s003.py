"""K8S003 missing-liveness-probe."""

from __future__ import annotations

from ...project import Project
from ...project.kubernetes import ports_text
from ..api import RuleContext
from ._probes import check_probe

SCOPE = "project"  # the fix probes the health route of the service the container runs


def check(project: Project, ctx: RuleContext) -> None:
    check_probe(project, ctx, "livenessProbe", lambda container: (
        f"{container.label} {ports_text(container)} but has no livenessProbe: a process "
        "that hangs (deadlock, stuck event loop) keeps running and is never restarted; "
        "add a livenessProbe on a cheap endpoint that checks only the process itself"))
