"""APP006 no-security-headers."""

from __future__ import annotations

from ...model import Severity
from ...project import Project
from ...project.exposure import edge_services
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    services = edge_services(project)
    pages = [svc for svc in services if svc.has("html-pages")]
    check_practice(project, ctx, "security-headers",
                   "no X-Content-Type-Options, X-Frame-Options or CSP frame-ancestors header is "
                   "set anywhere: browsers may sniff content types and the pages can be framed "
                   "(clickjacking); add a security-headers middleware or set them at the edge",
                   services=pages)
    # an API that renders no page (no templates, HTML responses or static files): nothing to
    # frame, and clients that do not sniff
    check_practice(project, ctx, "security-headers",
                   "no X-Content-Type-Options, X-Frame-Options or CSP frame-ancestors header is "
                   "set anywhere; the service serves no HTML page prodready can see (templates, "
                   "HTML responses, static files), so framing and sniffing matter little",
                   services=[svc for svc in services if svc not in pages],
                   severity=Severity.INFO)
