"""PY005 sys-modules-injection."""

from __future__ import annotations

import ast
from collections.abc import Callable

from ...artifacts.pyast import dotted_name
from ...artifacts.python import PythonFile
from ..api import RuleContext

SCOPE = "python"


def check(src: PythonFile, ctx: RuleContext) -> None:
    for node in [*src.nodes(ast.Assign, ast.AugAssign, ast.AnnAssign),
                 *src.calls("setdefault", "update")]:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        hit = any(isinstance(t, ast.Subscript) and dotted_name(t.value) == "sys.modules"
                  for t in targets)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                node.func.attr in ("setdefault", "update")
                and dotted_name(node.func.value) == "sys.modules"):
            hit = True
        if not hit:
            continue
        if isinstance(node, ast.Assign) and _loaded_from_spec(src, node):
            ctx.examine()  # the documented importlib recipe for importing a file
            continue
        if isinstance(node, ast.Assign) and (_executed_from_file(src, node) or
                                             _package_over_directory(src, node)):
            ctx.examine()  # a module made for a file the code runs, or a directory it imports
            continue
        if isinstance(node, ast.Assign) and _restores_saved_entry(src, node):
            ctx.examine()  # putting back the module a failed load replaced
            continue
        if _in_import_hook(src, node):
            ctx.examine()  # a loader registering the module it loads: the import protocol
            continue
        if _blocks_import(node):
            ctx.examine()  # `sys.modules["x"] = None`: `import x` raises ImportError, on purpose
            continue
        ctx.report_node(
            src.path, node,
            "writing into sys.modules injects a fake or replacement module at run time; "
            "import the real module, or patch it only in tests",
            lines=src.lines, informational=(
                "an imported module registered under another name: a compatibility alias "
                "for an old import path, or a drop-in replacement"
                if _aliases_imported_module(src, node) else ""),
        )


# What the import system itself returns: a module loaded from its file or spec, imported,
# or reloaded in place.
_LOADERS = ("module_from_spec", "import_module", "importlib.reload")


def _from_spec(value: ast.expr | None) -> bool:
    if isinstance(value, ast.IfExp):  # `reload(m) if m else import_module(name)`
        return _from_spec(value.body) and _from_spec(value.orelse)
    return isinstance(value, ast.Call) and dotted_name(value.func).endswith(_LOADERS)


def _loaded_from_spec(src: PythonFile, assign: ast.Assign) -> bool:
    """`module = importlib.util.module_from_spec(spec); sys.modules[name] = module;
    spec.loader.exec_module(module)`: a real module loaded from its file, registered before it
    runs as the import system itself does; or one `importlib.import_module` or `reload`
    returned, put back under its name."""
    return _from_spec(assign.value) or _name_assigned(
        src, assign, src.function_of(assign) or src.tree, _from_spec)


def _new_module(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Call) and dotted_name(value.func).endswith("ModuleType")


def _executed_from_file(src: PythonFile, assign: ast.Assign) -> bool:
    """`module = types.ModuleType(name); module.__file__ = path; sys.modules[name] = module`
    followed by `exec(...)` of that file: the code loads a module by hand (the
    `local_settings.py` idiom of Django settings), registering what it runs as the import
    system would; nothing real is replaced."""
    scope = src.function_of(assign) or src.tree
    return _name_assigned(src, assign, scope, _new_module) and any(
        isinstance(node, ast.Call) and dotted_name(node.func) in ("exec", "builtins.exec")
        for node in ast.walk(scope))


def _package_over_directory(src: PythonFile, assign: ast.Assign) -> bool:
    """`pkg = types.ModuleType(name); pkg.__path__ = [plugin_dir]; sys.modules[name] = pkg`:
    a namespace package over a directory (a plugin loader's), whose submodules the import
    system then loads from their files; nothing real is replaced."""
    scope = src.function_of(assign) or src.tree
    value = assign.value
    return isinstance(value, ast.Name) and _name_assigned(src, assign, scope, _new_module) and any(
        isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "__path__" and isinstance(t.value, ast.Name)
            and t.value.id == value.id for t in node.targets)
        for node in ast.walk(scope))


def _name_assigned(src: PythonFile, assign: ast.Assign, scope: ast.AST | None,
                   test: Callable[[ast.expr], bool]) -> bool:
    """The name `assign` stores in sys.modules was itself assigned, in `scope`, a value that
    passes `test`."""
    value = assign.value
    if not isinstance(value, ast.Name) or scope is None:
        return False
    return any(isinstance(node, ast.Assign) and node is not assign and test(node.value)
               and any(isinstance(t, ast.Name) and t.id == value.id for t in node.targets)
               for node in ast.walk(scope))


# The methods of the import protocol (PEP 451 loaders and finders, and their older forms):
# registering the module being loaded is their job.
_IMPORT_HOOKS = frozenset({"exec_module", "create_module", "load_module", "find_spec",
                           "find_module"})


def _in_import_hook(src: PythonFile, node: ast.AST) -> bool:
    function = src.function_of(node)
    return function is not None and function.name in _IMPORT_HOOKS and isinstance(
        src.parent(function), ast.ClassDef)


def _aliases_imported_module(src: PythonFile, node: ast.AST) -> bool:
    """`sys.modules["pkg.old"] = new` (or `setdefault`) where `new` is a name an import
    statement of the module binds: a real module, kept importable under an old path; or
    `sys.modules["sqlite3"] = sys.modules.pop("pysqlite3")`, an imported drop-in replacement."""
    if isinstance(node, ast.Assign):
        value: ast.expr | None = node.value
    elif isinstance(node, ast.Call) and len(node.args) == 2:
        value = node.args[1]
    else:
        return False
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and \
            value.func.attr in ("pop", "get") and value.args:
        value = ast.Subscript(value=value.func.value, slice=value.args[0])
    # `sys.modules.pop("pysqlite3")`: the entry an import just made, a drop-in replacement
    if isinstance(value, ast.Subscript) and dotted_name(value.value) == "sys.modules":
        return isinstance(value.slice, ast.Constant) and isinstance(value.slice.value, str)
    return isinstance(value, ast.Name) and value.id in src.imports


def _blocks_import(node: ast.AST) -> bool:
    """`sys.modules[name] = None` / `sys.modules.setdefault(name, None)`: the import system's
    own way to make an import fail (an optional dependency kept out), no module injected."""
    if isinstance(node, ast.Assign):
        value: ast.expr | None = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr == "setdefault") and len(node.args) == 2:
        value = node.args[1]
    else:
        return False
    return isinstance(value, ast.Constant) and value.value is None


def _restores_saved_entry(src: PythonFile, assign: ast.Assign) -> bool:
    """`sys.modules[name] = existing` where `existing = sys.modules.get(name)` was read in
    the same function: the previous module put back (after a failed load), nothing new."""
    return _name_assigned(src, assign, src.function_of(assign), lambda value: dotted_name(
        getattr(value, "func", value)).startswith("sys.modules"))
