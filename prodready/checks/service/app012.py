"""APP012 no-outbound-retry."""

from __future__ import annotations

from collections import Counter

from ...facts import PythonFacts
from ...project import Project
from ...project.services import Service, services_of
from ...project.settled import hand_run
from ..api import RuleContext
from ._common import is_standalone_script, report_service

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    services = services_of(project)
    holders = Counter(f for svc in services for f in set(svc.files))  # apps per file
    for svc in services:
        shared = any(holders[f] > 1 for f in svc.files)
        own = _own_evidence(project, svc) if shared else None
        evidence = svc.evidence if own is None else own
        if "outbound-http" not in evidence or _only_scripts_call_out(project, svc):
            continue
        if "retry" in evidence:
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


def _own_evidence(project: Project, svc: Service) -> set[str] | None:
    """For an app that shares its code root with others (one per Lambda function, say), the
    evidence of the modules it imports, directly or through others: the calls and retries
    found elsewhere in the root are another app's. None (the root's evidence counts) for a
    Django app (its code is loaded by name through `INSTALLED_APPS`, not imported), or when
    an import of the project's modules has an unclear target."""
    if svc.kind == "django":
        return None
    by_module, heads = _module_index(project)
    found: set[str] = set()
    seen, todo = {svc.path}, [svc.path]
    while todo:
        facts = project.python.get(todo.pop())
        if not isinstance(facts, PythonFacts):
            continue
        found |= facts.evidence
        for name in facts.module_imports:
            parts = name.split(".")
            for end in range(len(parts), 0, -1):  # `pkg.mod.Name`: the module `pkg.mod`
                path = by_module.get(".".join(parts[:end]))
                if path is not None:
                    if path not in seen:
                        seen.add(path)
                        todo.append(path)
                    break
            else:
                if parts[0] in heads:
                    return None  # one of the project's modules, but which one is unclear
    return found


def _module_index(project: Project) -> tuple[dict[str, str], set[str]]:
    """Each project module under every dotted spelling that names only it (imports spell a
    module from whichever root is on the path: `common/common/conf.py` is `common.conf`),
    and the first words of all spellings, unique or not."""
    def build() -> tuple[dict[str, str], set[str]]:
        spellings: dict[str, set[str]] = {}
        for path, facts in project.python.items():
            if isinstance(facts, PythonFacts) and facts.module:
                parts = facts.module.split(".")
                for start in range(len(parts)):
                    spellings.setdefault(".".join(parts[start:]), set()).add(path)
        unique = {name: next(iter(paths)) for name, paths in spellings.items()
                  if len(paths) == 1}
        return unique, {name.split(".", 1)[0] for name in spellings}

    index: tuple[dict[str, str], set[str]] = project.once("app012-module-index", build)
    return index
