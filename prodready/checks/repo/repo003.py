"""REPO003 gitignore-missing-secret-patterns."""

from __future__ import annotations

from pathlib import Path

import pathspec

from ...discover import gitignore_spec, read_text_file
from ...fix.edits import append_lines
from ...model import Fix, FixSafety
from ...project import Project
from ..api import RuleContext
from ._files import anchor_line, needing_file

SCOPE = "project"
# What must be ignored, and a sample path that shows whether it is.
REQUIRED = ((".env", ".env"), ("*.pem", "server.pem"), ("*.key", "server.key"))


def check(project: Project, ctx: RuleContext) -> None:
    text = project.texts.get(".gitignore")
    # (spec, prefix): the prefix turns a path under the scan root into one under the spec's
    # own directory.
    specs = _outer_ignores(project.root)
    if text is not None:
        specs.insert(0, (gitignore_spec(text.splitlines()), ""))
    missing = [pattern for pattern, sample in REQUIRED
               if not any(spec.match_file(prefix + sample) for spec, prefix in specs)]
    if not missing:
        ctx.examine()
        return
    listed = ", ".join(missing)
    if text is not None or project.has_file(".gitignore"):
        fix = None
        if text is not None:
            fix = Fix(FixSafety.SAFE, f"add {listed} to .gitignore", (append_lines(
                ".gitignore", text, ["", "# Secrets and private keys", *missing]),))
        ctx.report(".gitignore", anchor_line(project, ".gitignore"), 1,
                   f".gitignore does not ignore {listed}: one `git add .` commits local "
                   "credentials or private keys; add the missing patterns",
                   snippet=f"missing: {listed}", fix=fix)
        return
    needed = needing_file(project)
    if needed is None:
        return  # nothing here that makes it matter
    ctx.report(needed, anchor_line(project, needed), 1,
               f"the repository has no .gitignore, so nothing keeps {listed} out of git: "
               "one `git add .` commits local credentials or private keys; add a .gitignore "
               "with those patterns",
               snippet=f"missing: {listed}")


def _outer_ignores(root: Path) -> list[tuple[pathspec.PathSpec, str]]:
    """.gitignore files above the scan root that still apply (scanning part of a repo)."""
    found: list[tuple[pathspec.PathSpec, str]] = []
    try:
        current = root.resolve()
        if (current / ".git").exists():
            return []
        for parent in current.parents:
            outer = read_text_file(parent / ".gitignore")
            if outer is not None:
                prefix = current.relative_to(parent).as_posix() + "/"
                found.append((gitignore_spec(outer.splitlines()), prefix))
            if (parent / ".git").exists():
                return found
    except (OSError, ValueError):
        return []
    return []  # not inside a git work tree: outer files mean nothing
