"""Whether the repository is public on a host that scans pushes for secrets.

An open-source licence at the root says the repository is published; a `.github/` directory,
or the project's own metadata or README naming its GitHub repository as its source or issue
tracker, says where. GitHub scans every public repository for known credential formats and blocks
pushes that contain them, so a missing local hook is defence in depth there, not the only
guard.
"""

from __future__ import annotations

import re

from . import Project
from .documentation import read_text, root_readmes

_LICENSE_FILE = re.compile(r"(?:LICEN[CS]E|COPYING)(?:[.-][\w.-]*)?", re.IGNORECASE)
# opening words of the common OSI-approved licences
_OPEN_SOURCE = re.compile(
    r"MIT License|Permission is hereby granted, free of charge|Apache License"
    r"|GNU (?:AFFERO |LESSER |LIBRARY )?GENERAL PUBLIC LICENSE|Mozilla Public License"
    r"|Redistribution and use in source and binary forms|ISC License|The Unlicense"
    r"|Eclipse Public License|BSD [234]-Clause|European Union Public Licen[cs]e"
    r"|PostgreSQL Licen[cs]e|Open Software License|Artistic License|Academic Free License"
    r"|Boost Software License|\bCC0\b|Creative Commons Zero|in the public domain",
    re.IGNORECASE,
)
_HEAD = 4000  # the licence's name is in its first lines


def open_source_licence(project: Project) -> str:
    """The root licence file that publishes the repository as open source ("" if none)."""
    for path in project.all_files:
        if "/" not in path and _LICENSE_FILE.fullmatch(path):
            if _OPEN_SOURCE.search(read_text(project, path)[:_HEAD]):
                return path
    return ""


def host_scans_pushes(project: Project) -> str:
    """The licence file of an open-source repository on GitHub, whose pushes the host scans
    for credentials ("" when nothing says so)."""
    if not any(path.startswith(".github/") for path in project.all_files) \
            and not _names_its_github_repository(project):
        return ""
    return open_source_licence(project)


_GITHUB_REPOSITORY = r"https?://github\.com/[\w.-]+/[\w.-]+"
# pyproject.toml's `Repository = "https://github.com/acme/app"` (not a dependency's
# `git = "https://github.com/…"`); setup.py's or setup.cfg's `url="https://github.com/acme/app"`
_PROJECT_URL = re.compile(
    r"^[ \t]*\"?(?:homepage|repository|source(?: code)?|code|issues|bug tracker|tracker)\"?"
    r"[ \t]*=[ \t]*\"" + _GITHUB_REPOSITORY, re.IGNORECASE | re.MULTILINE)
_SETUP_URL = re.compile(r"\burl[ \t]*=[ \t]*[\"']?" + _GITHUB_REPOSITORY)
# README: `Source Code | https://github.com/acme/app`, `https://github.com/acme/app/issues`
_README_SOURCE = re.compile(
    r"\b(?:source|repository|code)\b.*" + _GITHUB_REPOSITORY
    + r"|" + _GITHUB_REPOSITORY + r"/(?:issues|pulls|actions)\b", re.IGNORECASE)
_METADATA_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def _names_its_github_repository(project: Project) -> bool:
    for path in _METADATA_FILES:
        pattern = _PROJECT_URL if path == "pyproject.toml" else _SETUP_URL
        if project.has_file(path) and pattern.search(read_text(project, path)):
            return True
    return any(_README_SOURCE.search(line) for readme in root_readmes(project)
               for line in read_text(project, readme).splitlines() if "github.com/" in line)
