"""Python source parsed once with the stdlib `ast` (fixes use libcst, on demand)."""

from __future__ import annotations

import ast
import re
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .source import split_lines

N = TypeVar("N", bound=ast.AST)
_MARKERS = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
_LEAVES = (ast.Name, *_MARKERS)


def _node_classes(cls: type) -> set[type]:
    found: set[type] = set()
    sub: type
    for sub in cls.__subclasses__():
        found |= {sub, *_node_classes(sub)}
    return found


# The node classes each traversal descends into, tested by the class itself: a set lookup
# costs less than the two isinstance() calls per field value it replaces.
_INDEXED = frozenset(c for c in _node_classes(ast.AST) if not issubclass(c, _LEAVES))
_PARENTED = frozenset(c for c in _node_classes(ast.AST) if not issubclass(c, _MARKERS))


class PythonSyntaxError(Exception):
    """The file does not parse under the running Python; message names the problem."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(slots=True)
class PythonFile:
    path: str  # repo-relative POSIX path
    text: str
    lines: list[str]
    tree: ast.Module
    _parents: dict[int, ast.AST] | None = field(default=None, repr=False)
    _by_type: dict[type, list[ast.AST]] | None = field(default=None, repr=False)
    _imports: dict[str, str] | None = field(default=None, repr=False)
    _calls: dict[str, list[ast.Call]] | None = field(default=None, repr=False)

    def _index(self) -> dict[type, list[ast.AST]]:
        """One traversal per file, shared by every rule: walking the tree once per rule would
        cost more than parsing it. Fields are read directly (twice as fast as
        `ast.iter_child_nodes`). Bare names and operator markers are leaves no rule asks
        for, so they are not visited at all."""
        by_type: dict[type, list[ast.AST]] = {}
        stack: list[Any] = [self.tree]  # AST nodes (the set tests their classes)
        indexed = _INDEXED
        while stack:
            node = stack.pop()
            bucket = by_type.get(node.__class__)
            if bucket is None:
                by_type[node.__class__] = [node]
            else:
                bucket.append(node)
            for name in node._fields:
                value = getattr(node, name, None)
                if value.__class__ is list:
                    for item in value:
                        if item.__class__ in indexed:
                            stack.append(item)
                elif value.__class__ in indexed:
                    stack.append(value)
        self._by_type = by_type
        return by_type

    def nodes(self, *types: type[N]) -> list[N]:
        """Every node of the given types (grouped by type, in no particular order); `ast.Name`
        and operator nodes are not indexed."""
        by_type = self._by_type if self._by_type is not None else self._index()
        if len(types) == 1:
            return by_type.get(types[0], [])  # type: ignore[return-value]
        return [n for t in types for n in by_type.get(t, ())]  # type: ignore[misc]

    def calls(self, *names: str) -> list[ast.Call]:
        """Calls whose callee's last name is one of `names` (`x.get(...)` is named `get`):
        the cheap pre-selection every call rule starts from."""
        if self._calls is None:
            by_name: dict[str, list[ast.Call]] = {}
            for call in self.nodes(ast.Call):
                func = call.func
                name = func.attr if isinstance(func, ast.Attribute) else (
                    func.id if isinstance(func, ast.Name) else "")
                by_name.setdefault(name, []).append(call)
            self._calls = by_name
        if len(names) == 1:
            return self._calls.get(names[0], [])
        return [c for n in names for c in self._calls.get(n, ())]

    def call_names(self) -> list[str]:
        """The last names of every callee in the file."""
        self.calls()
        assert self._calls is not None
        return list(self._calls)

    @property
    def imports(self) -> dict[str, str]:
        """Local name -> what it was imported as (computed once)."""
        if self._imports is None:
            self._imports = imported_names(self.tree, self)
        return self._imports

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node's parent (the map is built on first use: few files ever need it)."""
        if self._parents is None:
            self._parents = self._parent_map()
        return self._parents.get(id(node))

    def _parent_map(self) -> dict[int, ast.AST]:
        # Fields read directly, as in `_index` (ast.walk + iter_child_nodes cost five times
        # as much); context and operator markers are shared singletons, never asked about.
        parents: dict[int, ast.AST] = {}
        stack: list[Any] = [self.tree]
        parented = _PARENTED
        while stack:
            outer = stack.pop()
            for name in outer._fields:
                value = getattr(outer, name, None)
                if value.__class__ is list:
                    for item in value:
                        if item.__class__ in parented:
                            parents[id(item)] = outer
                            stack.append(item)
                elif value.__class__ in parented:
                    parents[id(value)] = outer
                    stack.append(value)
        return parents

    def ancestors(self, node: ast.AST) -> list[ast.AST]:
        chain = []
        current = self.parent(node)
        while current is not None:
            chain.append(current)
            current = self.parent(current)
        return chain

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The function `node` sits in (the nearest one), or None at module or class level."""
        return next((a for a in self.ancestors(node)
                     if isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef)), None)

    def source_line(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


# Syntax newer than the running parser, rewritten into an equivalent it knows when a file
# fails to parse. Lines keep their numbers; only columns after the rewritten part move.
# The patterns run on files that failed to parse (hostile ones too), so each stays linear:
# indentation is `[ \t]*` (never `\s*`, which runs across blank lines from every line start),
# and no lazy group is followed by an optional run of the characters it may contain.
_EXCEPT_GROUP = re.compile(r"^([ \t]*except\*?[ \t]+)(?!\()([^:#\n]*):", re.MULTILINE)


def _parenthesize_except(match: re.Match[str]) -> str:
    # Python 3.14 (PEP 758): `except A, B:` without parentheses
    types = match[2]
    if "," not in types:
        return match[0]
    body = types.rstrip()
    return f"{match[1]}({body}){types[len(body):]}:"




def _nested_brackets(depth: int) -> str:
    """A bracketed list on one line with brackets nested `depth` deep inside it
    (`[T: type[dict[str, list[int]]]]` is 3): the alternatives share no character, so the
    match stays linear."""
    inner = r"\[[^\[\]\n]*\]"
    for _ in range(depth):
        inner = rf"\[(?:[^\[\]\n]|{inner})*\]"
    return inner


_BRACKETS = _nested_brackets(3)
_NEWER_SYNTAX: tuple[tuple[re.Pattern[str], Any], ...] = (
    (_EXCEPT_GROUP, _parenthesize_except),
    # Python 3.12 (PEP 695): `type Alias[T] = ...` statements become assignments
    (re.compile(rf"^([ \t]*)type[ \t]+([A-Za-z_]\w*)[ \t]*(?:{_BRACKETS})?[ \t]*=",
                re.MULTILINE),
     r"\1\2 ="),
    # Python 3.12 (PEP 695): type parameters of functions and classes (`def f[T](x)`,
    # `class Box[T: Callable[..., Any]]`)
    (re.compile(rf"^([ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+[A-Za-z_]\w*){_BRACKETS}",
                re.MULTILINE),
     r"\1"),
    # ... the same over several lines: the list's line breaks move into the parentheses
    # that follow, so every later line keeps its number (bounded: a hostile file's
    # unclosed `def f[` scans a thousand characters at most)
    (re.compile(r"^([ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+[A-Za-z_]\w*)"
                r"\[((?:[^\[\]]|\[[^\[\]]{0,200}\]){0,1000})\][ \t]*([(:])", re.MULTILINE),
     lambda m: f"{m[1]}({chr(10) * m[2].count(chr(10))}" + ("" if m[3] == "(" else "):")),
)


def _parse(path: str, text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences are not our business
        try:
            return ast.parse(text, filename=path)
        except SyntaxError:
            rewritten = text
            for pattern, replacement in _NEWER_SYNTAX:
                rewritten = pattern.sub(replacement, rewritten)
            if rewritten == text:
                raise
            # lines keep their numbers: the error left after the rewrite is the one to name
            return ast.parse(rewritten, filename=path)


def parse_python(path: str, text: str) -> PythonFile:
    try:
        tree = _parse(path, text)
    except SyntaxError as exc:
        running = ".".join(map(str, sys.version_info[:2]))
        raise PythonSyntaxError(
            f"{exc.msg} (line {exc.lineno}): not valid Python {running} syntax; if the file "
            "uses newer syntax, run prodready on a newer Python",
            exc.lineno,
        ) from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise PythonSyntaxError(f"cannot parse: {type(exc).__name__}: {exc}", None) from exc
    return PythonFile(path=path, text=text, lines=split_lines(text), tree=tree)


def imported_names(tree: ast.Module, src: Any = None) -> dict[str, str]:
    """Local name -> module path it stands for (`import requests as r`, `from x import y`)."""
    names: dict[str, str] = {}
    for node in (src.nodes(ast.Import, ast.ImportFrom) if src is not None else ast.walk(tree)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names
