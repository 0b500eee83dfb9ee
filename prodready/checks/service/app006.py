"""APP006 no-security-headers."""

from __future__ import annotations

from ...project import Project
from ...project.exposure import edge_services
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    check_practice(project, ctx, "security-headers",
                   "no X-Content-Type-Options, X-Frame-Options or CSP frame-ancestors header is "
                   "set anywhere: browsers may sniff content types and the pages can be framed "
                   "(clickjacking); add a security-headers middleware or set them at the edge",
                   services=edge_services(project))
