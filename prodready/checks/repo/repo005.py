"""REPO005 unpinned-requirements."""

from __future__ import annotations

import posixpath
import re

from ...artifacts.source import split_lines
from ...project import Project
from ..api import RuleContext

SCOPE = "project"
LOCK_FILES = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "pylock.toml")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|tgz|zip|tar\.bz2)(#.*)?$", re.IGNORECASE)


def is_requirements(path: str) -> bool:
    name = posixpath.basename(path).lower()
    in_dir = "/requirements/" in f"/{path.lower()}"  # requirements/base.txt, requirements/prod.txt
    return (name.startswith("requirements") or in_dir) and name.endswith(".txt")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, content without comment) with `\\` continuations joined."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(split_lines(text), start=1):
        if not pending:
            start = number
        line = "" if raw.lstrip().startswith("#") else re.sub(r"(^|\s)#.*$", "", raw)
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            out.append((start, joined))
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            out.append((start, joined))
    return out


def unpinned(text: str) -> tuple[list[tuple[int, str]], bool, bool]:
    """(unpinned requirements, has hashes, uses a constraints file)."""
    found: list[tuple[int, str]] = []
    hashes = constrained = False
    for number, line in logical_lines(text):
        if "--hash" in line:
            hashes = True
        if line.startswith("-"):
            if line.startswith(("-c", "--constraint")):
                constrained = True
            continue  # -r, -e, --index-url, … and hash continuations
        requirement = line.split(";", 1)[0].strip()
        if "://" in requirement or requirement.startswith(("git+", "hg+", "svn+", "bzr+")):
            url = requirement.split("@", 1)[-1] if " @ " in requirement else requirement
            vcs = re.search(r"(git|hg|svn|bzr)\+", url)
            if "sha256=" in url or "--hash" in line or _ARCHIVE.search(url.split()[0]):
                continue
            if vcs and re.search(r"@[^/@\s]+(#|$)", url.split()[0].split("://", 1)[-1]):
                continue  # a VCS URL at a tag or commit
            found.append((number, requirement))
            continue
        if requirement.startswith((".", "/")):
            continue  # a local path
        if "==" in requirement:  # also ===
            continue
        match = _NAME.match(requirement)
        if match:
            found.append((number, match[1]))
    return found, hashes, constrained


def _locked(project: Project, directory: str, hashed_dirs: set[str]) -> bool:
    """A lock file, or hashed requirements, in `directory` or a directory above it."""
    parts = directory.split("/") if directory else []
    for depth in range(len(parts), -1, -1):
        base = "/".join(parts[:depth])
        if base in hashed_dirs:
            return True
        if any(project.has_file(posixpath.join(base, name) if base else name)
               for name in LOCK_FILES):
            return True
    return False


def check(project: Project, ctx: RuleContext) -> None:
    files = sorted(p for p in project.texts if is_requirements(p))
    parsed = {p: unpinned(project.texts[p]) for p in files}
    hashed_dirs = {posixpath.dirname(p) for p, (_, hashes, _) in parsed.items() if hashes}
    for path in files:
        loose, hashes, constrained = parsed[path]
        if not loose or hashes or constrained or _locked(project, posixpath.dirname(path),
                                                         hashed_dirs):
            ctx.examine()
            continue
        line, first = loose[0]
        names = ", ".join(name for _, name in loose[:3])
        more = f" and {len(loose) - 3} more" if len(loose) > 3 else ""
        ctx.report(path, line, 1,
                   f"{len(loose)} requirement(s) without an exact version ({names}{more}) and "
                   "no lock file: every build may install different code; pin with `==` or "
                   "compile a lock (pip-compile --generate-hashes, uv, poetry)",
                   snippet=first)
