"""APP010 no-graceful-shutdown."""

from __future__ import annotations

from ...facts import PythonFacts
from ...project import Project
from ...project.services import services_of
from ..api import RuleContext
from ._common import lambda_adapter, report_service

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    for svc in services_of(project):
        if not svc.resources or svc.kind not in ("fastapi", "starlette"):
            continue  # WSGI apps have no lifespan: the server's worker exit is their shutdown
        if svc.shutdown_hooks:
            ctx.examine()
            continue
        names = ", ".join(sorted({var for _, var, _, _ in svc.resources}))
        adapter = lambda_adapter(project, svc)
        report_service(ctx, svc,
                       f"the app creates {names} but has no lifespan or shutdown handler that "
                       "closes them: on every deploy in-flight work and pooled connections are "
                       "cut instead of drained; dispose of them in a lifespan/shutdown hook",
                       informational=f"{adapter} hands it to AWS Lambda (Mangum), which runs "
                       "the lifespan around invocations and drains nothing on a deploy: "
                       "clients kept open are reused by the next invocation" if adapter else "")
    for path, facts in sorted(project.python.items()):
        if not isinstance(facts, PythonFacts) or not facts.worker_loops:
            continue
        if any("signal" in hook.name for hook in facts.shutdown_hooks):
            ctx.examine()
            continue
        for loop in facts.worker_loops:
            ctx.report(path, loop.line, loop.column,
                       "worker loop without SIGTERM handling: on shutdown the process is killed "
                       "mid-task after the grace period; handle SIGTERM (signal.signal or "
                       "loop.add_signal_handler) and finish the current item first",
                       snippet="while True:")
