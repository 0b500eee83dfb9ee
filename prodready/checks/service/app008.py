"""APP008 no-structured-logging."""

from __future__ import annotations

import posixpath
import re

from ...project import Project
from ...project.documentation import read_text
from ...project.services import Service
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"
TRACKED = ("an error tracker already records each failure with its context: plain-text logs "
           "are a choice the team can keep")


def check(project: Project, ctx: RuleContext) -> None:
    check_practice(project, ctx, "structured-logging",
                   "no structured logging: plain-text logs cannot be filtered by field or joined"
                   " with traces; configure JSON logs (structlog, python-json-logger, a "
                   "dictConfig JSON formatter, loguru serialize=True)",
                   informational=lambda svc: _tracked(svc) or _installed_formatter(project))


def _tracked(svc: Service) -> str:
    # a structured formatter the configuration defines but does not use is a slip
    if svc.has("error-tracking") and not svc.has("structured-formatter"):
        return TRACKED
    return ""


# The requirements and lock files that say what the service installs (not development,
# test or documentation requirements)
_INSTALLED = re.compile(r"(?:^|/)(?:requirements(?:[-_.](?:prod|production|base|main|deploy))?"
                        r"\.txt|poetry\.lock|uv\.lock|Pipfile\.lock|pdm\.lock)$")
# JSON log formatters, as a requirement line or a lock file's entry names them
_JSON_FORMATTER = re.compile(
    r"(?im)(?:^|name\s*=\s*\"|^\s*\")(python[-_.]json[-_.]logger|structlog|ecs[-_.]logging"
    r"|json[-_.]log[-_.]formatter)(?=[\"\s=<>~!;\[]|$)")


def _installed_formatter(project: Project) -> str:
    """Why a JSON log formatter may be set up where the code cannot show it ("" if nothing
    says so): the requirements or lock file the service installs from pins one that no
    module of the project imports, so a library it depends on (a shared logging package of
    the team's) configures the logs."""
    def find() -> str:
        for path in sorted(project.all_files):
            if not _INSTALLED.search(path) or posixpath.dirname(path).count("/") > 1:
                continue
            found = _JSON_FORMATTER.search(read_text(project, path))
            if found:
                return (f"{path} installs {found[1]}, which no module of the project imports: "
                        "a library it depends on may format its logs as JSON")
        return ""

    result: str = project.once("installed-json-formatter", find)
    return result
