"""COMPOSE003 no-restart-policy."""

from __future__ import annotations

from ...project import Project
from ...project.compose import is_swarm_stack, one_shot_stack
from ..api import RuleContext
from ._fixes import finishes, restart_fix
from ._reporter import Reporter

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    out = Reporter(ctx)
    for svc in out.services(project):
        if svc.one_shot or finishes(svc) or one_shot_stack(project, svc.config.files[-1]):
            continue  # it finishes: tests, migrations, a certificate request, a `compose run`
        site = svc.anchor_site
        if svc.has("restart") or "restart_policy" in svc.merged_map("deploy") or \
                is_swarm_stack(project, svc.config.files[-1]):
            out.ok(site)  # swarm restarts a stack's tasks unless told otherwise
            continue
        out.report(site,
                   f"long-running service {svc.name!r} has no restart policy: after a crash "
                   "or a host reboot it stays down; add `restart: unless-stopped`",
                   snippet=f"{svc.name}:", fix=restart_fix(project, svc))
    out.finish()
