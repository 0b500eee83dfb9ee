"""One-shot scripts: modules that run top to bottom once and end the process."""

from __future__ import annotations

import ast

from ...artifacts.pyast import dotted_name
from ...artifacts.python import PythonFile

_EXITS = {"exit", "quit", "sys.exit", "os._exit"}
_EXIT_NAMES = ("exit", "quit", "_exit")


def one_shot_script(src: PythonFile) -> bool:
    """A module with no function or class of its own that declares itself a program (a
    shebang, or a module-level `exit()` / `sys.exit()`): a wait-for-database script, a
    container health probe. Nothing imports it for its definitions and no worker lives in
    it; a module of definitions (`db.py` holding an engine) is not one."""
    # the file's node index, not a walk of its tree: every Python file asks
    if src.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        return False
    if src.source_line(1).startswith("#!"):
        return True
    return any(dotted_name(n.func) in _EXITS for n in src.calls(*_EXIT_NAMES))


# The libraries command-line programs declare their commands with.
_COMMAND_LIBRARIES = ("click", "typer", "flask_script", "asyncclick", "cloup")


def in_command_line_command(src: PythonFile, node: ast.AST) -> bool:
    """`node` runs in a command of the project's command-line program: a function declared
    with `@click.command()`, `@cli.command()`, `@group.command("name")`, typer's
    `@app.command()` (in a module importing click, typer or Flask-Script), or Flask's
    `@app.cli.command()`: whoever runs it reads its output in a terminal or a job's log."""
    declares = any(name.split(".", 1)[0] in _COMMAND_LIBRARIES
                   for name in src.imports.values())
    for scope in src.ancestors(node):
        if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in scope.decorator_list:
            name = dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator)
            if name.endswith(".cli.command") or (declares and (
                    name == "command" or name.endswith(".command"))):
                return True
    return False
