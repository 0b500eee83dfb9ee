"""PY008 db-connection-per-call."""

from __future__ import annotations

from ...facts import PythonFacts
from ...project import Project
from ..api import RuleContext

SCOPE = "project"  # "no pool anywhere" is a property of the whole project


def check(project: Project, ctx: RuleContext) -> None:
    facts = [f for f in project.python.values() if isinstance(f, PythonFacts)]
    if any(f.has_pool for f in facts):
        ctx.examine(sum(len(f.driver_connects) for f in facts))
        return
    for pf in sorted(facts, key=lambda f: f.path):
        for connect in pf.driver_connects:
            ctx.report(pf.path, connect.line, connect.column,
                       f"{connect.name}() opens a new database connection on every call and "
                       "the project has no pool: each request pays the TCP/TLS/auth handshake "
                       "and a traffic spike exhausts the server's max_connections; use a pool "
                       "(psycopg_pool, asyncpg.create_pool, a SQLAlchemy engine)",
                       snippet=f"{connect.name}(...)")
