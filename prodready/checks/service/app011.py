"""APP011 no-global-exception-handler."""

from __future__ import annotations

from ...project import Project
from ...project.services import services_of
from ..api import RuleContext
from ._common import report_service

SCOPE = "project"
# Flask hands an unhandled exception to the HTTPException handler as InternalServerError.
FLASK_CATCH_ALL = ("HTTPException",)
CATCH_ALL = ("Exception", "BaseException", "500", "HTTPStatus.INTERNAL_SERVER_ERROR",
             "HTTP_500_INTERNAL_SERVER_ERROR",  # starlette/fastapi `status.` constant
             "InternalServerError", "constructor", "django default handler500")


def check(project: Project, ctx: RuleContext) -> None:
    for svc in services_of(project):
        catch_all = CATCH_ALL + FLASK_CATCH_ALL if svc.kind == "flask" else CATCH_ALL
        handled = any(h.rsplit(".", 1)[-1] in catch_all or h in catch_all
                      for h in svc.exception_handlers)
        error_middleware = any(("error" in m.lower() or "exception" in m.lower())
                               for m in svc.middleware)
        if handled or error_middleware or svc.has("error-handler"):
            ctx.examine()
            continue
        report_service(ctx, svc,
                       "no app-level handler for unhandled exceptions: clients get the "
                       "framework's bare 500 with no request id, and nothing logs the failure "
                       "in your format; register one (exception_handler(Exception) / "
                       "errorhandler(Exception))",
                       informational=TRACKED if svc.has("error-tracking") else (
                           "" if svc.has("structured-logging") or svc.has("request-id")
                           else PLAIN))


# An error tracker's framework integration records each unhandled error with its request.
TRACKED = ("an error tracker's integration already records each unhandled error with the "
           "request it failed")
# Without JSON logs or request ids, a handler would log what the framework's own traceback
# already says, in the same plain format.
PLAIN = ("the framework already logs each unhandled error with its traceback, and the service "
         "has no JSON logs or request ids a handler would add to it")
