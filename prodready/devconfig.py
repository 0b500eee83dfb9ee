"""Configuration that only development and tests read: settings modules named for them
(`settings/local.py`, `test_settings.py`) and configuration classes (`class TestingConfig`,
`class Development(Config)`). What they set is not the deployment's."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from .artifacts.python import PythonFile

# Words of a settings module's name that say who reads it: `settings/devel.py`,
# `settings_local.py`, `settings/.example.local.py`, `test_settings.py`.
_DEV_WORDS = frozenset({"dev", "devel", "develop", "development", "devstack", "local", "test",
                        "tests", "testing", "unittests", "ci", "e2e", "example", "sample",
                        "debug"})
_DEV_CLASS_PREFIXES = ("test", "dev", "local")


def is_settings_module(path: str) -> bool:
    """A Django-style settings module: `settings.py`, or any module of a `settings/` package."""
    parts = path.lower().removesuffix(".py").split("/")
    return "settings" in parts or parts[-1] == "settings"


def is_dev_settings_module(path: str) -> bool:
    """A settings module for development, tests or to copy from: `settings/local.py`,
    `settings/devel.py`, `test_settings.py`, `settings_dev.py`, `settings/.example.local.py`,
    `debug_toolbar_settings.py`."""
    parts = path.lower().removesuffix(".py").split("/")
    name = parts[-1]
    if "settings" not in parts and "settings" not in name:
        return False
    words = [w for w in re.split(r"[._-]+", name) if w and w != "settings"]
    return any(w in _DEV_WORDS or w.startswith("test") for w in words)


def in_dev_class(src: PythonFile, line: int) -> bool:
    """`line` is inside a configuration class for tests or development (`TestingConfig`,
    `DevelopmentConfig`, `LocalSettings`)."""
    return dev_class_at(src.nodes(ast.ClassDef), line) is not None


def dev_class_at(classes: Iterable[ast.AST], line: int) -> str | None:
    """The name of the class for tests or development among `classes` that holds `line`."""
    for cls in classes:
        if isinstance(cls, ast.ClassDef) and cls.name.lower().startswith(
                _DEV_CLASS_PREFIXES) and cls.lineno <= line <= (cls.end_lineno or cls.lineno):
            return cls.name
    return None


def in_debug_branch(src: PythonFile, line: int) -> bool:
    """`line` is in a branch of an `if` that turns debug mode on itself (`else: DEBUG = True
    … SECRET_KEY = os.environ.get("SECRET_KEY", "dev")`): the development settings of a
    module whose other branch configures production."""
    for node in src.nodes(ast.If):
        assert isinstance(node, ast.If)
        for branch in (node.body, node.orelse):
            if branch and branch[0].lineno <= line <= (branch[-1].end_lineno or 0) and any(
                    isinstance(stmt, ast.Assign) and _sets_debug_on(stmt) for stmt in branch):
                return True
    return False


def _sets_debug_on(stmt: ast.Assign) -> bool:
    return any(isinstance(t, ast.Name) and t.id == "DEBUG" for t in stmt.targets) and \
        isinstance(stmt.value, ast.Constant) and stmt.value.value is True

