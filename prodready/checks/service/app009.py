"""APP009 no-request-id."""

from __future__ import annotations

from ...facts import PythonFacts
from ...project import Project
from ...project.services import services_of
from ..api import RuleContext
from ._common import check_practice, report_service

SCOPE = "project"
MESSAGE = ("no request or correlation id: one request's log lines across services cannot be "
           "tied together; add asgi-correlation-id (or a middleware reading/setting "
           "X-Request-ID) or OpenTelemetry tracing")
# Task queues whose workers carry on a request's work in another process.
TASK_QUEUES = ("celery", "rq", "django_rq", "dramatiq", "huey", "arq", "taskiq",
               "procrastinate")
ONE_PROCESS = ("the project runs one service and no task workers, so no other process writes "
               "a part of a request's story")


def check(project: Project, ctx: RuleContext) -> None:
    services = services_of(project)
    if len(services) != 1 or _has_task_workers(project):
        check_practice(project, ctx, "request-id", MESSAGE)
        return
    [svc] = services
    if svc.has("request-id"):
        ctx.examine()
    else:
        report_service(ctx, svc, MESSAGE, informational=ONE_PROCESS)


def _has_task_workers(project: Project) -> bool:
    return any(module.split(".", 1)[0] in TASK_QUEUES
               for facts in project.python.values() if isinstance(facts, PythonFacts)
               for module in facts.imports)
