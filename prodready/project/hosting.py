"""Whether the repository is public on a host that scans pushes for secrets.

An open-source licence at the root says the repository is published; a `.github/` directory
says where. GitHub scans every public repository for known credential formats and blocks
pushes that contain them, so a missing local hook is defence in depth there, not the only
guard.
"""

from __future__ import annotations

import re

from . import Project
from .documentation import read_text

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
    if not any(path.startswith(".github/") for path in project.all_files):
        return ""
    return open_source_licence(project)
