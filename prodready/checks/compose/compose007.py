"""COMPOSE007 debug-enabled-in-environment."""

from __future__ import annotations

import posixpath

from ...project import Project
from ...project.compose import interpolate, is_default_override
from ..api import RuleContext
from ._reporter import Reporter

SCOPE = "project"
DEBUG_NAMES = {"DEBUG", "FLASK_DEBUG", "DJANGO_DEBUG", "APP_DEBUG"}
TRUE = {"true", "1", "yes", "on"}
ENV_NAMES = {"ENVIRONMENT", "APP_ENV", "ENV", "FLASK_ENV", "DJANGO_ENV", "APP_ENVIRONMENT"}
DEVELOPMENT = {"development", "dev", "local"}
EXEMPT_PARTS = ("dev", "local", "test")


def exempt(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return is_default_override(path) or any(part in name for part in EXEMPT_PARTS)


def check(project: Project, ctx: RuleContext) -> None:
    out = Reporter(ctx, raise_in_prod=True)
    for svc in out.services(project):
        for var in svc.environment().values():
            name = var.name.upper()
            if name not in DEBUG_NAMES and name not in ENV_NAMES:
                continue
            if exempt(var.site.path):
                continue
            value = interpolate(var.value or "").strip().strip("'\"").lower()
            if name in DEBUG_NAMES and value in TRUE:
                what = "turns on debug mode"
            elif name in ENV_NAMES and value in DEVELOPMENT:
                what = "selects the development configuration"
            else:
                out.ok(var.site)
                continue
            out.report(var.site,
                       f"{var.name}={value} in service {svc.name!r} {what}: debug pages leak "
                       "code, settings and secrets; keep it in a development override file",
                       snippet=f"{var.name}={var.value}")
    out.finish()
