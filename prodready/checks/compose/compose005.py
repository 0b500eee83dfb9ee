"""COMPOSE005 secret-literal-in-environment."""

from __future__ import annotations

from ...project import Project
from ...project.compose import judged_services
from ...secretnames import is_literal_secret_value, is_secret_name
from ..api import RuleContext
from ._reporter import Reporter

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    out = Reporter(ctx, raise_in_prod=True)
    for svc in judged_services(project):
        for var in svc.environment().values():
            if not is_secret_name(var.name, var.value):
                continue
            if var.value is not None and is_literal_secret_value(var.value):
                # The value itself is never repeated: it is a secret.
                out.report(var.site,
                           f"{var.name} of service {svc.name!r} is a literal secret in the "
                           "Compose file: anyone with the repository has it; use "
                           f"`${{{var.name}}}`, an `env_file` kept out of git, or `secrets:`",
                           snippet=f"{var.name}=<literal>")
            else:
                out.ok(var.site)
    out.finish()
