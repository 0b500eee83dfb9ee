"""Findings about a container or an object, anchored where a reader looks for it."""

from __future__ import annotations

from ...artifacts.shell import simple_commands
from ...model import Fix
from ...project.kubernetes import Container, KObject
from ..api import RuleContext


def report_container(ctx: RuleContext, container: Container, message: str,
                     fix: Fix | None = None, informational: str = "") -> None:
    line, column = container.position
    ctx.report(container.workload.path, line, column, message, snippet=container.snippet,
               fix=fix, informational=informational)


# The words of a wait loop (`until nc -z db 5432; do echo waiting; sleep 2; done`)
_WAIT_WORDS = frozenset({"until", "while", "do", "done", "if", "then", "else", "fi", "!",
                         "true", "false", "test", "[", "sleep", "echo", "printf", "exit",
                         "timeout"})
_KEYWORDS = frozenset({"until", "while", "do", "if", "then", "else"})
_PROBES = frozenset({"nc", "wget", "curl", "pg_isready", "nslookup", "getent", "redis-cli",
                     "mysqladmin"})


def waiting_init_container(container: Container) -> str:
    """Why hardening the container's security context is only information ("" if it is
    not): an init container whose command only probes other services until they answer."""
    return ("an init container that only waits for its dependencies to answer: it runs for "
            "seconds, writes nothing and exits") if _waits_only(container) else ""


def _waits_only(container: Container) -> bool:
    if not container.init:
        return False
    words: list[str] = []
    for key in ("command", "args"):
        node = container.node.get(key)
        value = node.to_python() if node is not None else None
        words += [str(v) for v in value] if isinstance(value, list) else \
            [str(value)] if value is not None else []
    programs = []
    for step in simple_commands(" ".join(words)):
        # the program after the loop's keywords: `until nc -z db 5432` runs nc
        rest = [w for w in step if w != "!"]
        while len(rest) > 1 and rest[0] in _KEYWORDS:
            rest = rest[1:]
        programs += rest[:1]
    return any(p in _PROBES for p in programs) and all(
        p in _PROBES or p in _WAIT_WORDS for p in programs)


def report_object(ctx: RuleContext, obj: KObject, message: str, fix: Fix | None = None
                  ) -> None:
    line, column = obj.name_position
    ctx.report(obj.path, line, column, message, snippet=obj.name_snippet, fix=fix)
