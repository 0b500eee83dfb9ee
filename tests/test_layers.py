"""The layers import downwards: parsers and the project model never reach into the rules."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "prodready"
# The one module above the rules: it runs them.
RUNS_THE_RULES = {"prodready.engine"}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    return _imported(path.read_text(encoding="utf-8"), package)


def _imported(source: str, package: str) -> set[str]:
    """Every module (and module.name) `source`, a module of `package`, imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def test_nothing_outside_the_rules_imports_them_but_the_engine():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        if module.startswith("prodready.checks") or module in RUNS_THE_RULES:
            continue
        reached = sorted(i for i in _imports(path)
                         if i == "prodready.checks" or i.startswith("prodready.checks."))
        if reached:
            offenders[module] = reached
    assert offenders == {}


def test_relative_imports_resolve_against_the_package():
    imported = _imported("from ..checks.python import py001\nfrom . import compose\n",
                         "prodready.project")
    assert {"prodready.checks.python.py001", "prodready.project.compose"} <= imported
