"""REPO002 env-file-committed."""

from __future__ import annotations

import posixpath

from ...discover import is_guarded
from ...project import Project
from ..api import RuleContext
from ._files import anchor_line, is_env_file

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    for path in project.all_files:
        name = posixpath.basename(path).lower()
        if not name.startswith(".env"):
            continue
        if is_guarded(path, include_tests=project.config.include_tests):
            continue  # test fixtures, vendored trees, tooling directories
        if not is_env_file(path):
            ctx.examine()
            continue
        ctx.report(path, anchor_line(project, path), 1,
                   f"{posixpath.basename(path)} is committed (and not git-ignored): environment "
                   "files hold real credentials sooner or later, and git keeps them forever; "
                   "commit a .env.example with placeholders, ignore .env, and rotate anything "
                   "this file ever held",
                   snippet=posixpath.basename(path))
