"""COMPOSE005 secret-literal-in-environment."""

from __future__ import annotations

from ...project import Project
from ...project.compose import UNKNOWN, interpolate
from ...secretcontext import (
    identity_values,
    is_real_secret_value,
    is_throwaway_config,
    repeats_identity,
)
from ...secretnames import is_secret_name
from ..api import RuleContext
from ._reporter import Reporter

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    out = Reporter(ctx, raise_in_prod=True)
    for svc in out.services(project):
        variables = svc.environment()
        identities = identity_values(
            {k: interpolate(v.value) if v.value else v.value for k, v in variables.items()},
            svc.name)
        for var in variables.values():
            raw = var.value
            # `${SECRET_KEY:-literal}` runs with the literal whenever the variable is unset.
            value = interpolate(raw) if raw is not None and "$" in raw else raw
            if value is not None and UNKNOWN in value:
                value = None  # a reference to the deployer's environment
            if not is_secret_name(var.name, value):
                continue
            if value is None or not is_real_secret_value(value, var.site.path) or (
                    is_throwaway_config(var.site.path)):  # dev and test stacks' credentials
                out.ok(var.site)
                continue
            if repeats_identity(value, identities):
                out.ok(var.site)  # `MARIADB_PASSWORD: paperless` next to the user paperless
                continue
            # The value itself is never repeated: it is a secret.
            if raw != value:
                what = (f"{var.name} of service {svc.name!r} falls back to a literal secret "
                        f"(`${{{var.name}:-…}}`): deployments that forget the variable run with "
                        "a value anyone with the repository knows; use `${"
                        f"{var.name}:?{var.name} is required}}` or `secrets:`")
            else:
                what = (f"{var.name} of service {svc.name!r} is a literal secret in the "
                        "Compose file: anyone with the repository has it; use "
                        f"`${{{var.name}}}`, an `env_file` kept out of git, or `secrets:`")
            out.report(var.site, what, snippet=f"{var.name}=<literal>")
    out.finish()
