"""Findings about a container or an object, anchored where a reader looks for it."""

from __future__ import annotations

from ...model import Fix
from ...project.kubernetes import Container, KObject
from ..api import RuleContext


def report_container(ctx: RuleContext, container: Container, message: str,
                     fix: Fix | None = None, informational: str = "") -> None:
    line, column = container.position
    ctx.report(container.workload.path, line, column, message, snippet=container.snippet,
               fix=fix, informational=informational)


def report_object(ctx: RuleContext, obj: KObject, message: str, fix: Fix | None = None
                  ) -> None:
    line, column = obj.name_position
    ctx.report(obj.path, line, column, message, snippet=obj.name_snippet, fix=fix)
