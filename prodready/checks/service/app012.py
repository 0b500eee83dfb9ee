"""APP012 no-outbound-retry."""

from __future__ import annotations

from ...facts import PythonFacts
from ...project import Project
from ...project.services import Service, services_of
from ...project.settled import hand_run
from ..api import RuleContext
from ._common import is_standalone_script, report_service

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    for svc in services_of(project):
        if not svc.has("outbound-http") or _only_scripts_call_out(project, svc):
            continue
        if svc.has("retry"):
            ctx.examine()
            continue
        report_service(ctx, svc,
                       "calls other HTTP services but has no retry policy anywhere (tenacity, "
                       "backoff, stamina, urllib3 Retry, httpx transport retries=): one dropped "
                       "connection or deploy of a dependency becomes a user-facing error")


def _only_scripts_call_out(project: Project, svc: Service) -> bool:
    """The service's outbound calls are all in hand-run scripts (`upload-screenshots.py`),
    management commands nothing runs, or modules only those import: the service itself calls
    nothing that could be retried."""
    calling = [f for f in svc.files if isinstance(facts := project.python.get(f), PythonFacts)
               and "outbound-http" in facts.evidence]
    return bool(calling) and all(is_standalone_script(f, {svc.path}) or hand_run(project, f)
                                 for f in calling)
