"""What the APP rules share: iterate services, report at the line that creates the app."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from ...model import Fix, Severity
from ...project import Project
from ...project.deployment import in_scripts_directory
from ...project.services import Service, services_of
from ..api import RuleContext


def report_service(ctx: RuleContext, svc: Service, message: str, fix: Fix | None = None,
                   informational: str = "", severity: Severity | None = None) -> None:
    ctx.report(svc.path, svc.line, svc.column, f"{svc.kind} app {svc.name}: {message}",
               snippet=f"{svc.name}", fix=fix, informational=informational, severity=severity)


def check_practice(project: Project, ctx: RuleContext, evidence: str,
                   message: str | Callable[[Service], str],
                   services: list[Service] | None = None,
                   severity: Severity | None = None,
                   informational: Callable[[Service], str] | None = None) -> None:
    """The common "no X" rule: every service (of `services`, default all) without `evidence`
    gets one finding; `informational` says why a service's finding is only information."""
    for svc in services_of(project) if services is None else services:
        if svc.has(evidence):
            ctx.examine()
        else:
            report_service(ctx, svc, message(svc) if callable(message) else message,
                           severity=severity,
                           informational=informational(svc) if informational else "")


def is_standalone_script(path: str, entries: set[str]) -> bool:
    """A module whose name no import can spell (`upload-screenshots.py`), or one under a
    `scripts/` or `bin/` directory, is a script someone runs by hand, not part of the
    service, unless a service is started from it (`entries`)."""
    stem = posixpath.basename(path).removesuffix(".py")
    return (not stem.isidentifier() or in_scripts_directory(path)
            or "bin" in path.split("/")[:-1]) and path not in entries


def lambda_adapter(project: Project, svc: Service) -> str:
    """The module that hands the app to AWS Lambda through Mangum (`handler = Mangum(app)`,
    in the app's module or, for a Django project, its `asgi.py`), when no container or
    server of the repository runs the app ("" otherwise): each invocation is one request,
    with no long-running instance for a load balancer to probe or a deploy to drain."""
    if any(r.source in ("kubernetes", "compose", "dockerfile", "procfile") for r in svc.runners):
        return ""
    candidates = [svc.path, posixpath.join(posixpath.dirname(svc.path), "asgi.py")]
    for path in candidates:
        facts = project.python.get(path)
        if any(name.split(".", 1)[0] == "mangum" for name in getattr(facts, "imports", ())):
            return path
    return ""
