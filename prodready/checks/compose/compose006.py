"""COMPOSE006 no-resource-limits."""

from __future__ import annotations

from ...project import Project
from ...project.compose import (
    ComposeConfig,
    deployed_here,
    operator_template,
)
from ..api import RuleContext
from ._reporter import Reporter

SCOPE = "project"
LIMIT_KEYS = ("mem_limit", "cpus", "cpu_quota", "cpu_count")


def check(project: Project, ctx: RuleContext) -> None:
    out = Reporter(ctx, raise_in_prod=True)
    for svc in out.services(project):
        if svc.never_runs:
            continue  # no container, no logs and no memory
        limits = svc.merged_map("deploy", "resources", "limits")
        if limits or any(svc.has(key) for key in LIMIT_KEYS):
            out.ok(svc.anchor_site)
            continue
        out.report(svc.anchor_site,
                   f"service {svc.name!r} has no memory or CPU limit: one leak or busy loop "
                   "starves every other container on the host; set "
                   "`deploy.resources.limits` (or `mem_limit` / `cpus`)",
                   snippet=f"{svc.name}:", informational=operator_template(
                       project, svc.config) or _sized_by_its_host(project, svc.config))
    out.finish()


def _sized_by_its_host(project: Project, config: ComposeConfig) -> str:
    """Why sizing is left to whoever starts the file ("" when the repository deploys it): its
    name does not say production and no script, CI job or Makefile here runs it."""
    if deployed_here(project, config):
        return ""
    return (f"nothing here deploys {config.files[-1]} and its name does not say production: "
            "how much memory and CPU its containers get is the choice of the host that starts it")
