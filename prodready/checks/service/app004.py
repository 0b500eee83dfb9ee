"""APP004 no-hsts."""

from __future__ import annotations

from ...project import Project
from ...project.exposure import edge_services
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    check_practice(project, ctx, "hsts",
                   "Strict-Transport-Security is set nowhere (app, middleware, Ingress or "
                   "proxy config): browsers keep trying plain HTTP first, open to downgrade "
                   "attacks; send HSTS from the app or the edge",
                   services=edge_services(project))
