"""PY004 literal-dynamic-import."""

from __future__ import annotations

import ast
import re
import sys

from ...artifacts.pyast import dotted_name
from ...artifacts.python import PythonFile
from ...model import Fix, FixSafety
from ..api import RuleContext
from ._ast import codemod_at, comments_above

SCOPE = "python"
_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def check(src: PythonFile, ctx: RuleContext) -> None:
    for node in src.calls("import_module", "__import__"):
        name = dotted_name(node.func)
        if name not in ("importlib.import_module", "import_module", "__import__"):
            continue
        if (len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.Constant)
                or not isinstance(node.args[0].value, str)
                or not _MODULE.fullmatch(node.args[0].value)):
            ctx.examine()
            continue
        module = node.args[0].value
        if _inline_stdlib(src, node, module) or _optional(src, node) or \
                _dispatched(src, node) or _explained(src, node):
            ctx.examine()
            continue
        fix = _fix(src, node, module, name)
        ctx.report_node(
            src.path, node,
            f"{name}({module!r}) imports a fixed module dynamically; a static "
            f"`import {module}` is visible to linters, type checkers and packagers",
            lines=src.lines, fix=fix,
        )


def _fix(src: PythonFile, call: ast.Call, module: str, name: str) -> Fix | None:
    """`x = importlib.import_module("a.b")` as a whole statement becomes `import a.b as x`."""
    parent = src.parent(call)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)) or name == "__import__":
        return None
    target = parent.targets[0].id
    replacement = f"import {module} as {target}" if module.split(".")[-1] != target or (
        "." in module) else f"import {module}"
    return Fix(FixSafety.SAFE, f"use `{replacement}`",
               codemods=(codemod_at(src, parent, "static-import", replacement),))


# `except Exception` catches a missing module too
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception"}


def _inline_stdlib(src: PythonFile, call: ast.Call, module: str) -> bool:
    """`__import__("logging").getLogger(__name__)`: a standard-library module used on the
    spot, never bound; every tool knows it is there."""
    return isinstance(src.parent(call), ast.Attribute) and \
        module.split(".", 1)[0] in sys.stdlib_module_names


def _optional(src: PythonFile, call: ast.Call) -> bool:
    """Inside `try:` with an `except ImportError` fallback, or behind a condition
    (`if settings.WORKFLOWS_INSTALLED:`): an optional or generated module."""
    child: ast.AST = call
    for outer in src.ancestors(call):
        if isinstance(outer, ast.If | ast.IfExp) and child is not outer.test and \
                "TYPE_CHECKING" not in dotted_name(outer.test):
            return True
        if isinstance(outer, ast.Try) and child in outer.body and any(
                _catches_import_error(handler) for handler in outer.handlers):
            return True
        if isinstance(outer, ast.ExceptHandler) and _catches_import_error(outer):
            return True  # the fallback beside the optional module it stands in for
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return False
        child = outer
    return False


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(k is not None and dotted_name(k).rsplit(".", 1)[-1] in _IMPORT_ERRORS
               for k in kinds)


# A comment that says why the imports are dynamic (`… use import_module() to avoid creating
# unreferenced names`), or that they break an import cycle: linters such as pylint report
# cycles through function-level static imports too, so authors hide them on purpose.
_WHY_DYNAMIC = re.compile(r"import_module|importlib|__import__|dynamic|circular|cyclic|\bcycle",
                          re.IGNORECASE)


def _explained(src: PythonFile, call: ast.Call) -> bool:
    """The comment above the run of dynamic imports this call belongs to explains them."""
    comments = comments_above(src, call.lineno, skip=lambda line: not line.strip() or (
        "import_module(" in line and not line.lstrip().startswith("#")))
    return bool(_WHY_DYNAMIC.search(" ".join(comments)))


def _dispatched(src: PythonFile, call: ast.Call) -> bool:
    """`mod = import_module("pkg.backends")` then `getattr(mod, configured_name)`: the module
    is a registry looked up by a name only known at run time; a static import changes
    nothing for the tools. Also `getattr(import_module("pkg.forms"), f"{kind}Form")`."""
    parent = src.parent(call)
    if isinstance(parent, ast.Call) and dotted_name(parent.func) in ("getattr", "hasattr") and (
            len(parent.args) >= 2 and parent.args[0] is call
            and not isinstance(parent.args[1], ast.Constant)):
        return True
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)):
        return False
    bound = parent.targets[0].id
    for use in src.calls("getattr", "hasattr"):
        if (dotted_name(use.func) in ("getattr", "hasattr") and len(use.args) >= 2
                and isinstance(use.args[0], ast.Name) and use.args[0].id == bound
                and not isinstance(use.args[1], ast.Constant)):
            return True
    return False
