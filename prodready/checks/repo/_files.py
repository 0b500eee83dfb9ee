"""Shared by the REPO rules: where a finding about a repository file points."""

from __future__ import annotations

import posixpath

from ...artifacts.source import split_lines
from ...project import Project


def first_content_line(text: str | None) -> int:
    """The first line that is neither blank nor a `#` comment (1 when there is none)."""
    for number, line in enumerate(split_lines(text or ""), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return number
    return 1


def _depth_first(paths: list[str]) -> list[str]:
    return sorted(paths, key=lambda p: (p.count("/"), p))


def needing_file(project: Project, *prefer: str) -> str | None:
    """A real file that makes repository hygiene matter, for rules whose file is missing.

    Preference: the root files named in `prefer`, a committed `.env` (or its `.env.example`),
    a Dockerfile, a requirements file, pyproject.toml / setup.py, a Compose file; the
    shallowest of each kind.
    """
    files = project.all_files
    groups = (
        [p for p in prefer if project.has_file(p)],
        [p for p in files if posixpath.basename(p).lower().startswith(".env")],
        list(project.dockerfiles),
        [p for p in files if posixpath.basename(p).lower().startswith("requirements")
         and p.endswith(".txt")],
        [p for p in files if posixpath.basename(p).lower() in ("pyproject.toml", "setup.py",
                                                                 "setup.cfg", "pipfile")],
        list(project.compose_files()),
    )
    for group in groups:
        if group:
            return _depth_first(group)[0]
    return None


def anchor_line(project: Project, path: str) -> int:
    return first_content_line(project.texts.get(path))
