"""APP005 hsts-without-trusted-proxy-headers."""

from __future__ import annotations

from ...project import Project
from ...project.exposure import edge_services
from ..api import RuleContext
from ._common import report_service

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    for svc in edge_services(project):  # a browser only reaches a public service
        # Django sends HSTS itself only with SECURE_HSTS_SECONDS; "hsts" alone may be a proxy's
        # (a silenced security.W004, an nginx config)
        depends = svc.scheme_checks or (svc.kind == "django" and svc.has("app-hsts")) or (
            "flask_talisman" in " ".join(svc.evidence))
        if not depends:
            continue
        if svc.trusts_proxy() or svc.terminates_tls():
            ctx.examine()
            continue
        what, line, path = svc.scheme_checks[0] if svc.scheme_checks else (
            "request.is_secure", svc.line, svc.path)
        started = "; ".join(sorted({r.command for r in svc.runners if r.command})) or (
            "no server command found")
        report_service(ctx, svc,
                       f"HSTS/HTTPS handling depends on {what} ({path}:{line}) but the app never "
                       "trusts X-Forwarded-Proto: behind a TLS-terminating proxy every request "
                       "looks like http, so the header is never sent (or redirects loop). Start "
                       "the server with --forwarded-allow-ips (set to the proxy's addresses), or "
                       "use ProxyHeadersMiddleware / ProxyFix / SECURE_PROXY_SSL_HEADER "
                       f"[started as: {started}]")
