"""APP004 no-hsts."""

from __future__ import annotations

from ...model import Severity
from ...project import Project
from ...project.exposure import edge_elsewhere, edge_services, tls_config, tls_edge
from ...project.profile import DISTRIBUTED
from ...project.services import Service
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    message = ("Strict-Transport-Security is set nowhere (app, middleware, Ingress or proxy "
               "config): browsers keep trying plain HTTP first, open to downgrade attacks; "
               "send HSTS from the app or the edge")
    severity = None
    # the distributed profile leaves HSTS to the operator's proxy, unless the project ships it
    if ctx.config.profile == DISTRIBUTED and ctx.rule.id not in ctx.config.severity and (
            edge := tls_edge(project)):
        message += f" ({edge}: the project's own proxy terminates TLS)"
        severity = ctx.rule.severity
    services = edge_services(project)
    pages = [svc for svc in services if svc.has("html-pages")]
    shipped_edge = bool(tls_edge(project) or tls_config(project))

    def elsewhere(svc: Service) -> str:
        # an app that handles HTTPS itself (redirects to it, trusts the proxy's scheme
        # header, checks the scheme), or a project that ships its TLS edge, owns HSTS
        # wherever it is deployed
        owns = svc.scheme_checks or svc.has("https-redirect") or svc.has("proxy-trust")
        return "" if owns or shipped_edge else edge_elsewhere(project, svc)

    check_practice(project, ctx, "hsts", message, services=pages, severity=severity,
                   informational=elsewhere)
    # a JSON API: its clients are programs, which do not keep an HSTS policy
    check_practice(project, ctx, "hsts",
                   message + "; the service serves no HTML page prodready can see (templates, "
                   "HTML responses, static files), and API clients do not honour HSTS",
                   services=[svc for svc in services if svc not in pages],
                   severity=Severity.INFO)
