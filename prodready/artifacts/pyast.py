"""Small readers of Python syntax trees, shared by the facts extractor, the evidence finders
and the Python rules."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .python import PythonFile


# Context and operator markers: leaves no reader asks for, shared by every node that uses them.
_MARKERS = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def walk(node: ast.AST) -> list[ast.AST]:
    """`ast.walk(node)` without the context and operator markers, in the same order (breadth
    first, fields in order), as a list: fields are read directly, several times faster than
    `ast.walk`'s generators, where a handler and its helpers are walked once per route."""
    found = [node]
    node_type, markers = ast.AST, _MARKERS
    for current in found:  # grows while it is read: the queue of a breadth-first walk
        for name in current._fields:
            value = getattr(current, name, None)
            if value.__class__ is list:
                found += [item for item in value
                          if isinstance(item, node_type) and not isinstance(item, markers)]
            elif isinstance(value, node_type) and not isinstance(value, markers):
                found.append(value)
    return found


def dotted_name(node: ast.AST) -> str:
    """`a.b.c` for Name/Attribute chains, '' for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_kwargs_splat(call: ast.Call) -> bool:
    """`f(**options)` may carry any keyword: rules that require one must not guess."""
    return any(kw.arg is None for kw in call.keywords)


def qualified(name: str, imported: dict[str, str]) -> str:
    """`r.get` -> `requests.get` when `import requests as r`; unknown heads stay as written."""
    head, dot, rest = name.partition(".")
    return imported.get(head, head) + dot + rest if head else name


def function_body_nodes(func: ast.AST) -> list[ast.AST]:
    """Nodes inside a function, not descending into nested functions, classes or lambdas."""
    out: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        out.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return out


_EXITS = (ast.Raise, ast.Return, ast.Continue, ast.Break)


def is_unreachable(chain: list[ast.AST], node: ast.AST) -> bool:
    """`node` follows a raise, return, continue or break in one of the blocks that enclose it
    (`chain`: its ancestors, innermost first, as far up as the caller cares): dead code."""
    child = node
    for parent in chain:
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            if isinstance(block, list) and any(s is child for s in block):
                position = next(i for i, s in enumerate(block) if s is child)
                if any(isinstance(s, _EXITS) for s in block[:position]):
                    return True
        child = parent
    return False


def literal_strings(node: ast.AST | None) -> list[str] | None:
    """The strings of a literal str or list/tuple/set of str; None when not such a literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        out = []
        for elt in node.elts:
            if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                return None
            out.append(elt.value)
        return out
    return None


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True



def is_main_guard(test: ast.expr) -> bool:
    """`__name__ == "__main__"` (either side)."""
    return isinstance(test, ast.Compare) and len(test.comparators) == 1 and {
        dotted_name(test.left), dotted_name(test.comparators[0]),
        *(n.value for n in (test.left, test.comparators[0])
          if isinstance(n, ast.Constant) and isinstance(n.value, str))} >= {"__name__",
                                                                             "__main__"}


def in_main_block(src: PythonFile, line: int) -> bool:
    """`line` is inside the module's `if __name__ == "__main__":` block."""
    return any(isinstance(s, ast.If) and is_main_guard(s.test)
               and s.lineno <= line <= (s.end_lineno or s.lineno) for s in src.tree.body)


def database_url(call: ast.Call) -> ast.AST | None:
    """The URL a database client is created from: its first argument or `url=`."""
    if call.args:
        return call.args[0]
    url = keyword(call, "url")
    return url.value if url is not None else None


def sqlite_url(url: ast.AST | None) -> bool:
    """`"sqlite:///x.db"`, `f"sqlite:///{path}"`, `"sqlite:///{0}".format(path)` or
    `"sqlite:///%s" % path`."""
    if isinstance(url, ast.Call) and isinstance(url.func, ast.Attribute) and (
            url.func.attr == "format"):
        url = url.func.value
    elif isinstance(url, ast.BinOp) and isinstance(url.op, ast.Mod):
        url = url.left
    if isinstance(url, ast.JoinedStr) and url.values:
        url = url.values[0]
    return isinstance(url, ast.Constant) and isinstance(url.value, str) and (
        url.value.startswith("sqlite"))
