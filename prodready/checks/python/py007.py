"""PY007 db-engine-without-pool-settings."""

from __future__ import annotations

import ast
import re

from ...artifacts.pyast import (
    database_url,
    dotted_name,
    has_kwargs_splat,
    keyword,
    qualified,
    sqlite_url,
)
from ...artifacts.python import PythonFile
from ...model import Fix, FixSafety
from ..api import RuleContext
from ._ast import codemod_at, comments_above
from ._script import one_shot_script

SCOPE = "python"
# SQLAlchemy's factories, by the name they resolve to through the file's imports: a
# project's own `create_async_engine("app")` wrapper is not one of them.
FACTORIES = {"sqlalchemy.create_engine", "sqlalchemy.engine.create_engine",
             "sqlalchemy.ext.asyncio.create_async_engine",
             "sqlalchemy.ext.asyncio.engine.create_async_engine", "sqlmodel.create_engine"}


def check(src: PythonFile, ctx: RuleContext) -> None:
    if "/scripts/" in f"/{src.path}" or one_shot_script(src):
        return  # one-off scripts: their engine lives for one run, pool settings do not matter
    for node in src.calls("create_engine", "create_async_engine"):
        if qualified(dotted_name(node.func), src.imports) not in FACTORIES:
            continue
        if sqlite_url(database_url(node)):
            continue  # SQLite: no server drops the connection, nothing to ping
        if _short_lived(src, node) or _fallback_without_pool(src, node):
            # one unit of work: pool settings of a pool that dies with it; or the engine for
            # a database whose pool takes no pool settings (SQLite)
            ctx.examine()
            continue
        problems = []
        fix = None
        pre_ping = keyword(node, "pool_pre_ping")
        poolclass = keyword(node, "poolclass")
        echo = keyword(node, "echo")
        if poolclass is not None and dotted_name(poolclass.value).endswith("NullPool"):
            if not _pooling_explained(src, node, poolclass) and \
                    not _chosen_by_pooling_setting(src, node):
                problems.append("poolclass=NullPool opens a new connection for every checkout")
        elif pre_ping is None and not has_kwargs_splat(node):
            problems.append("no pool_pre_ping=True, so connections dropped by the database "
                            "or a proxy fail the next request")
            fix = _add_pre_ping(src, node)
        if echo is not None and isinstance(echo.value, ast.Constant) and echo.value.value is True:
            problems.append("echo=True logs every statement with its parameters")
        if not problems:
            ctx.examine()
            continue
        ctx.report_node(src.path, node, f"{dotted_name(node.func)}(): " + "; ".join(problems),
                        lines=src.lines, fix=fix)


# A comment saying why there is no pool here: PgBouncer or a database proxy pools, or the
# process lives for one invocation (a Lambda, a serverless task).
_POOLING_REASON = re.compile(r"pool|bouncer|proxy|serverless|lambda", re.IGNORECASE)


def _pooling_explained(src: PythonFile, call: ast.Call, poolclass: ast.keyword) -> bool:
    """A comment on the `poolclass=NullPool` line or right above the statement explains it."""
    statement = src.parent(call)
    line = getattr(statement, "lineno", call.lineno)
    own = src.lines[poolclass.value.lineno - 1]
    comments = [*comments_above(src, line), own[own.index("#"):] if "#" in own else ""]
    return any(_POOLING_REASON.search(c) for c in comments)


def _chosen_by_pooling_setting(src: PythonFile, call: ast.Call) -> bool:
    """The engine sits in a branch of an `if` that asks a pooling setting
    (`if settings.DISABLE_CONNECTION_POOL:`): NullPool is an opt-in for deployments behind a
    transaction pooler, and the other branch pools."""
    for node in src.ancestors(call):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return False
        if isinstance(node, ast.If) and _POOLING_REASON.search(ast.unparse(node.test)):
            return True
    return False


def _add_pre_ping(src: PythonFile, call: ast.Call) -> Fix:
    return Fix(FixSafety.SAFE, "add pool_pre_ping=True",
               codemods=(codemod_at(src, call, "add-keyword", "pool_pre_ping=True"),))


def _short_lived(src: PythonFile, call: ast.Call, seen: frozenset[str] = frozenset()) -> bool:
    """An engine bound to a local name inside a function that neither returns it nor hands
    it on to an attribute or a global: it lives for one call (a migration, a start-up check)."""
    parent = src.parent(call)
    if isinstance(parent, ast.Return):
        return _short_lived_factory(src, call, seen)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)):
        return False
    name = parent.targets[0].id
    func = src.function_of(call)
    if func is None:
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.Global | ast.Nonlocal) and name in node.names:
            return False
        if isinstance(node, ast.Return | ast.Yield) and node.value is not None and (
                _hands_on(node.value, name)):
            return False
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and (
                node.value.id == name) and not all(isinstance(t, ast.Name) for t in node.targets):
            return False  # self.engine = engine
    return True


def _short_lived_factory(src: PythonFile, call: ast.Call, seen: frozenset[str]) -> bool:
    """`def _engine(url): return create_engine(url)`, private to this file, whose every
    caller keeps the engine for one call (`engine = _engine(url)`, used and dropped).
    Factories returning each other's engines (`seen`) are followed once."""
    func = src.function_of(call)
    if func is None or not func.name.startswith("_") or func.name.startswith("__") or (
            isinstance(src.parent(func), ast.ClassDef)) or func.name in seen:
        return False  # public, or a method: its callers may be anywhere
    callers = src.calls(func.name)
    return bool(callers) and all(isinstance(c.func, ast.Name) and src.function_of(c) is not func
                                 and _short_lived(src, c, seen | {func.name}) for c in callers)


def _hands_on(value: ast.expr, name: str) -> bool:
    """A returned value that is the engine or holds it (`engine`, `(engine, meta)`,
    `Session(engine)`), not a value computed with it (`inspect(engine).has_table("t")`)."""
    if isinstance(value, ast.Name):
        return value.id == name
    if isinstance(value, ast.Tuple | ast.List | ast.Set):
        return any(_hands_on(e, name) for e in value.elts)
    if isinstance(value, ast.Dict):
        return any(_hands_on(v, name) for v in value.values if v is not None)
    if isinstance(value, ast.Call):
        return any(_hands_on(a, name) for a in [*value.args, *(k.value for k in value.keywords)])
    return False


def _fallback_without_pool(src: PythonFile, call: ast.Call) -> bool:
    """The `except TypeError:` branch after a `create_engine(..., pool_size=…)` attempt: the
    idiom for databases whose pool rejects pool settings (SQLite), where none applies."""
    handler = next((a for a in src.ancestors(call) if isinstance(a, ast.ExceptHandler)), None)
    if handler is None or handler.type is None or dotted_name(handler.type) != "TypeError":
        return False
    trial = src.parent(handler)
    return isinstance(trial, ast.Try) and any(
        isinstance(n, ast.Call) and dotted_name(n.func).endswith(("create_engine",
                                                                  "create_async_engine"))
        and any((kw.arg or "").startswith("pool_") for kw in n.keywords)
        for stmt in trial.body for n in ast.walk(stmt))
