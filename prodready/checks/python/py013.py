"""PY013 blocking-call-in-async."""

from __future__ import annotations

import ast

from ...artifacts.pyast import dotted_name, function_body_nodes, qualified
from ...artifacts.python import PythonFile
from ..api import RuleContext

SCOPE = "python"
_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
BLOCKING = {
    "time.sleep": "time.sleep() blocks the event loop; use `await asyncio.sleep()`",
    "urllib.request.urlopen": "urllib.request.urlopen() is blocking I/O",
    "requests.Session": "requests is synchronous",
    "requests.session": "requests is synchronous",
    "httpx.Client": "httpx.Client is the synchronous client; use httpx.AsyncClient",
    **{f"requests.{v}": "requests is synchronous" for v in _VERBS},
    **{f"httpx.{v}": f"httpx.{v}() is synchronous; use httpx.AsyncClient" for v in _VERBS},
    **{f"{driver}.connect": "a synchronous database driver connect blocks the event loop"
       for driver in ("psycopg2", "pymysql", "mysql.connector", "sqlite3", "MySQLdb",
                      "cx_Oracle", "oracledb", "pyodbc")},
    "psycopg.connect": "psycopg.connect() is synchronous; use psycopg.AsyncConnection.connect",
}


def check(src: PythonFile, ctx: RuleContext) -> None:
    imported: dict[str, str] | None = None
    for func in src.nodes(ast.AsyncFunctionDef):
        if not isinstance(func, ast.AsyncFunctionDef):
            continue
        if imported is None:
            imported = src.imports
        reported = False
        for node in function_body_nodes(func):
            if not isinstance(node, ast.Call):
                continue
            name = qualified(dotted_name(node.func), imported)
            why = BLOCKING.get(name)
            if why is None:
                continue
            ctx.report_node(src.path, node,
                            f"blocking call in `async def {func.name}`: {why}; while it waits, "
                            "every other request on this worker stalls (or run it with "
                            "`await asyncio.to_thread(...)`)", lines=src.lines)
            reported = True
        if not reported:
            ctx.examine()
