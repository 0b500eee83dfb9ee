"""PY003 sys-path-manipulation."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from ...artifacts.pyast import dotted_name, in_main_block
from ...artifacts.python import PythonFile
from ...devconfig import is_dev_settings_module
from ...project.deployment import in_scripts_directory
from ..api import RuleContext
from ._ast import comments_above
from ._script import one_shot_script

SCOPE = "python"
# Programs, not package code: packaging scripts and Django's command-line entry point.
_EXEMPT_NAMES = ("setup.py", "noxfile.py", "manage.py")
_MUTATORS = {"sys.path.insert", "sys.path.append", "sys.path.extend", "site.addsitedir"}


def check(src: PythonFile, ctx: RuleContext) -> None:
    if src.path.rsplit("/", 1)[-1] in _EXEMPT_NAMES or in_scripts_directory(src.path) or \
            _standalone_script(src) or is_dev_settings_module(src.path):
        return  # programs, and the settings of the test suite or a developer's machine
    for node in [*src.calls("insert", "append", "extend", "addsitedir"),
                 *src.nodes(ast.Assign, ast.AugAssign)]:
        if isinstance(node, ast.Call) and dotted_name(node.func) in _MUTATORS:
            what = dotted_name(node.func)
        elif isinstance(node, ast.Assign) and any(
            dotted_name(t) == "sys.path" for t in node.targets
        ):
            what = "assignment to sys.path"
        elif isinstance(node, ast.AugAssign) and dotted_name(node.target) == "sys.path":
            what = "sys.path +="
        else:
            continue
        if (isinstance(node, ast.Call) and _plugin_directory(src, node)) or (
                in_main_block(src, getattr(node, "lineno", 0)) or _restored(src, node)) or (
                _for_the_tests(src, node)):
            # a run-time plugin directory from configuration, by design; the module run as
            # a program; a change undone by the `finally:` around it; or one its comment
            # says only the test suite needs
            ctx.examine()
            continue
        ctx.report_node(
            src.path, node,
            f"{what} changes the import path at run time; install the package and use "
            "absolute imports instead",
            lines=src.lines,
            informational=OWN_LAYOUT if _own_location(src, node) else "",
        )


# `# This is only needed for the pytests to pass`
_TESTS_ONLY = re.compile(r"\b(?:only|just)\b.{0,40}\b(?:py)?tests?\b|\bfor\s+(?:the\s+)?"
                         r"(?:py)?tests?\b", re.IGNORECASE)


def _for_the_tests(src: PythonFile, node: ast.AST) -> bool:
    """The comment right above the edit (or above the `import sys` it needs) says it exists
    only for the test suite."""
    comments = comments_above(src, getattr(node, "lineno", 1), skip=lambda line: (
        not line.strip() or line.strip().startswith("import ")))
    return bool(_TESTS_ONLY.search(" ".join(comments)))


OWN_LAYOUT = ("the added path is derived from the module's own location (`__file__`, "
              "`__path__`): the repository's layout, which holds wherever the code runs from")


def _own_location(src: PythonFile, node: ast.AST) -> bool:
    """The path the edit adds is computed from the module's own location, directly or through
    names assigned in the module (`ROOT = Path(__file__).parent`; `sys.path.insert(0, ROOT)`):
    it does not depend on the working directory."""
    given: list[ast.AST] = [*node.args] if isinstance(node, ast.Call) else [
        getattr(node, "value", node)]
    # module-level helpers count as their return values (`def root(*x): return
    # os.path.join(PROJECT_ROOT, *x)`)
    helpers = [stmt for stmt in src.tree.body if isinstance(stmt, ast.FunctionDef)]
    exprs, _ = _with_sources(given, src.nodes(ast.Assign), steps=4, helpers=helpers)
    return any(isinstance(n, ast.Name) and n.id in ("__file__", "__path__")
               for e in exprs for n in ast.walk(e))


def _with_sources(exprs: list[ast.AST], assignments: Iterable[ast.AST], steps: int,
                  helpers: Iterable[ast.FunctionDef] = ()) -> tuple[list[ast.AST], set[str]]:
    """`exprs` with the values assigned to the names they use, and the values `helpers`
    return when called by name, followed a few steps back, and every name met on the way."""
    found = list(exprs)
    pool = [a for a in assignments if isinstance(a, ast.Assign)]
    returns = {f.name: [n.value for n in ast.walk(f) if isinstance(n, ast.Return) and n.value]
               for f in helpers}
    used = {n.id for e in found for n in ast.walk(e) if isinstance(n, ast.Name)}
    for _ in range(steps):
        sources = [a.value for a in pool if any(
            isinstance(t, ast.Name) and t.id in used for t in a.targets)]
        sources += [value for name in used for value in returns.get(name, ())]
        new = {n.id for e in sources for n in ast.walk(e) if isinstance(n, ast.Name)}
        found += sources
        if new <= used:
            break
        used |= new
    return found, used


_CONFIGURED = ("settings", "config", "conf", "environ", "getenv", "plugin", "extension",
               "addon")


def _plugin_directory(src: PythonFile, call: ast.Call) -> bool:
    """A directory known only at run time, which no packaging can replace: a plugin directory
    from configuration (`sys.path.append(settings.extensions_path)`), or a directory handed to
    a loader of user code (`def load(path): sys.path.insert(0, os.path.dirname(path))`).
    Local variables are followed to their assignments in the same function; anything derived
    from `__file__` is the repository's own layout, not a plugin directory."""
    func = src.function_of(call)
    exprs, used = _with_sources(list(call.args), ast.walk(func) if func is not None else (),
                                steps=3)
    names = [n.id if isinstance(n, ast.Name) else n.attr for expr in exprs
             for n in ast.walk(expr) if isinstance(n, ast.Name | ast.Attribute)]
    text = " ".join(names).lower()
    if "__file__" in text:
        return False
    if any(word in text for word in _CONFIGURED):
        return True
    params = {a.arg for a in (func.args.posonlyargs + func.args.args + func.args.kwonlyargs)
              } - {"self", "cls"} if func is not None else set()
    return bool(params & used)


def _restored(src: PythonFile, node: ast.AST) -> bool:
    """Inside, or right before, a `try:` whose `finally:` puts `sys.path` back
    (`sys.path.remove(…)`, `sys.path[:] = saved`): a scoped change, like a context manager
    that loads user code; so is the `__enter__` of a class whose `__exit__` takes the path out
    again, a change a later statement of the same function undoes (`sys.path =
    sys.path[1:]`), and that undoing itself."""
    if _puts_back(node):
        return True
    function = src.function_of(node)
    if function is not None and function.name == "__enter__" and isinstance(
            cls := src.parent(function), ast.ClassDef) and any(
            isinstance(m, ast.FunctionDef) and m.name == "__exit__" and any(
                _puts_back(n) for n in ast.walk(m)) for m in cls.body):
        return True
    if function is not None and any(
            _puts_back(n) and getattr(n, "lineno", 0) > getattr(node, "lineno", 0)
            for n in ast.walk(function)):
        return True
    statement: ast.AST = node
    for outer in src.ancestors(node):
        if _restores(outer):
            return True
        if isinstance(outer, ast.stmt) and not isinstance(statement, ast.stmt):
            statement = outer
    parent = src.parent(statement)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and statement in block:
            following = block[block.index(statement) + 1:block.index(statement) + 2]
            return any(_restores(s) for s in following)
    return False


def _puts_back(node: ast.AST) -> bool:
    """`sys.path.remove(p)`, `sys.path.pop(…)` or `sys.path = sys.path[1:]`: a statement that
    takes an entry out of the import path again."""
    if isinstance(node, ast.Call) and dotted_name(node.func) in ("sys.path.remove",
                                                                   "sys.path.pop"):
        return True
    if isinstance(node, ast.Assign) and any(dotted_name(t) == "sys.path" or (
            isinstance(t, ast.Subscript) and dotted_name(t.value) == "sys.path")
            for t in node.targets):
        value = node.value
        return isinstance(value, ast.Subscript) and dotted_name(value.value) == "sys.path"
    return False


def _restores(node: ast.AST) -> bool:
    return isinstance(node, ast.Try) and any("sys.path" in ast.unparse(s)
                                             for s in node.finalbody)


def _standalone_script(src: PythonFile) -> bool:
    """A program run by hand, not package code: a one-shot script, a module whose name no
    import can spell (`generate-rules.py`), or a module that sets Django up itself at module
    level (`django.setup()`, which only standalone scripts do)."""
    if one_shot_script(src) or not src.path.rsplit("/", 1)[-1].removesuffix(".py").isidentifier():
        return True
    return any(isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
               and dotted_name(stmt.value.func) == "django.setup" for stmt in src.tree.body)
