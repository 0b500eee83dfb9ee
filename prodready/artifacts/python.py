"""Python source parsed once with the stdlib `ast` (fixes use libcst, on demand)."""

from __future__ import annotations

import ast
import sys
import warnings
from dataclasses import dataclass, field


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

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node's parent (computed once per file, on first use)."""
        if self._parents is None:
            self._parents = {
                id(child): outer for outer in ast.walk(self.tree)
                for child in ast.iter_child_nodes(outer)
            }
        return self._parents.get(id(node))

    def ancestors(self, node: ast.AST) -> list[ast.AST]:
        chain = []
        current = self.parent(node)
        while current is not None:
            chain.append(current)
            current = self.parent(current)
        return chain

    def source_line(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


def parse_python(path: str, text: str) -> PythonFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences are not our business
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        running = ".".join(map(str, sys.version_info[:2]))
        raise PythonSyntaxError(
            f"{exc.msg} (line {exc.lineno}); parsed with Python {running}: "
            "newer syntax needs a newer Python running prodready",
            exc.lineno,
        ) from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise PythonSyntaxError(f"cannot parse: {type(exc).__name__}: {exc}", None) from exc
    return PythonFile(path=path, text=text, lines=text.splitlines(), tree=tree)
