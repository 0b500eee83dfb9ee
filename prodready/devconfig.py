"""Configuration that only development and tests read: settings modules named for them
(`settings/local.py`, `test_settings.py`) and configuration classes (`class TestingConfig`,
`class Development(Config)`). What they set is not the deployment's."""

from __future__ import annotations

import ast
import re

from .artifacts.python import PythonFile

# Words of a settings module's name that say who reads it: `settings/devel.py`,
# `settings_local.py`, `settings/.example.local.py`, `test_settings.py`.
_DEV_WORDS = frozenset({"dev", "devel", "develop", "development", "devstack", "local", "test",
                        "tests", "testing", "unittests", "ci", "example", "sample"})
_DEV_CLASS_PREFIXES = ("test", "dev", "local")


def is_settings_module(path: str) -> bool:
    """A Django-style settings module: `settings.py`, or any module of a `settings/` package."""
    parts = path.lower().removesuffix(".py").split("/")
    return "settings" in parts or parts[-1] == "settings"


def is_dev_settings_module(path: str) -> bool:
    """A settings module for development, tests or to copy from: `settings/local.py`,
    `settings/devel.py`, `test_settings.py`, `settings_dev.py`, `settings/.example.local.py`."""
    parts = path.lower().removesuffix(".py").split("/")
    name = parts[-1]
    if "settings" not in parts and "settings" not in name:
        return False
    words = [w for w in re.split(r"[._-]+", name) if w and w != "settings"]
    return any(w in _DEV_WORDS or w.startswith("test") for w in words)


def in_dev_class(src: PythonFile, line: int) -> bool:
    """`line` is inside a configuration class for tests or development (`TestingConfig`,
    `DevelopmentConfig`, `LocalSettings`)."""
    return any(cls.name.lower().startswith(_DEV_CLASS_PREFIXES)
               and cls.lineno <= line <= (cls.end_lineno or cls.lineno)
               for cls in src.nodes(ast.ClassDef))
