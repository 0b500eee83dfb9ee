"""Findings of per-file rules that a fact elsewhere in the project settles.

A file rule sees one file, but some of what it flags is decided in another: the base settings'
`DEBUG = True` that the production settings module sets again after `from .base import *`, or
a flask-cors call without origins, whose origins then come from the app's `CORS_ORIGINS`
setting. The engine asks here before it counts such a finding. The Python facts are read only
when one of these rules has reported, so other selections never parse Python.
"""

from __future__ import annotations

import posixpath
import re

from . import Project
from .deployment import NAME_WORDS

SET_ELSEWHERE = "set-elsewhere"
# A settings constant a production settings module sets again: the base value is the
# development default.
_SETTINGS_RULES = frozenset({"PY009", "PY015", "REPO001"})


def settled(project: Project, rule_id: str, path: str, line: int) -> str:
    """Why the finding of `rule_id` at `path:line` is decided elsewhere ("" if it is not)."""
    if rule_id in _SETTINGS_RULES and path.endswith(".py"):
        for first, last, name, overrider in _overrides(project).get(path, ()):
            if first <= line <= last:
                return f"{overrider} imports these settings and sets {name} again"
    elif rule_id == "PY010":
        facts = project.python.get(path)
        if line in getattr(facts, "cors_from_config", ()):
            origins = _configured_origins(project)
            if origins:
                return (f"{origins} sets CORS_ORIGINS, which flask-cors applies to calls "
                        "that name no origins")
    return ""


def _overrides(project: Project) -> dict[str, list[tuple[int, int, str, str]]]:
    found: dict[str, list[tuple[int, int, str, str]]] = project.once(
        "settings-overrides", lambda: _build_overrides(project))
    return found


def _configured_origins(project: Project) -> str:
    """The settings module that gives CORS_ORIGINS an explicit list (no `*`)."""
    def find() -> str:
        for path, facts in project.python.items():
            if any(name == "CORS_ORIGINS" for _, _, name in getattr(facts, "constants", ())) \
                    and "CORS_ORIGINS" not in getattr(facts, "wildcards", ()):
                return path
        return ""
    found: str = project.once("cors-origins-setting", find)
    return found


def _build_overrides(project: Project) -> dict[str, list[tuple[int, int, str, str]]]:
    """Settings constants that a production settings module sets again after importing them
    all (`from .base import *`); development and test settings modules do not count."""
    found: dict[str, list[tuple[int, int, str, str]]] = {}
    by_module = {getattr(f, "module", ""): path for path, f in project.python.items()
                 if getattr(f, "constants", None)}
    for path, facts in project.python.items():
        overrides = getattr(facts, "star_overrides", None)
        if not overrides or _name_role(path) is not None:
            continue
        for module, names in overrides.items():
            base = by_module.get(module)
            if base is None or base == path:
                continue
            found.setdefault(base, []).extend(
                (first, last, name, path) for first, last, name
                in project.python[base].constants  # type: ignore[attr-defined]
                if name in names)
    return found


def _name_role(path: str) -> str | None:
    """The role a file's own name gives it (`dev.py`, `settings_test.py`)."""
    stem = posixpath.basename(path).rsplit(".", 1)[0].lower()
    return next((NAME_WORDS[w] for w in re.split(r"[._\-]", stem) if w in NAME_WORDS), None)
