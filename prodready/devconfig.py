"""Configuration that only development and tests read: settings modules named for them
(`settings/local.py`, `test_settings.py`) and configuration classes (`class TestingConfig`,
`class Development(Config)`). What they set is not the deployment's."""

from __future__ import annotations

import ast

from .artifacts.python import PythonFile

DEV_SETTINGS = ("dev", "local", "development", "test")
_DEV_CLASS_PREFIXES = ("test", "dev", "local")


def is_dev_settings_module(path: str) -> bool:
    """A settings module for development or tests: `settings/local.py`, `settings/dev.py`,
    `test_settings.py`, `settings_dev.py`."""
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    name = parts[-1]
    if "settings" not in parts and "settings" not in name:
        return False
    name = name.removesuffix("_settings").removeprefix("settings_")
    return name in DEV_SETTINGS or name.startswith("test") or name.endswith(
        ("_dev", "_local", "_test"))


def in_dev_class(src: PythonFile, line: int) -> bool:
    """`line` is inside a configuration class for tests or development (`TestingConfig`,
    `DevelopmentConfig`, `LocalSettings`)."""
    return any(cls.name.lower().startswith(_DEV_CLASS_PREFIXES)
               and cls.lineno <= line <= (cls.end_lineno or cls.lineno)
               for cls in src.nodes(ast.ClassDef))
