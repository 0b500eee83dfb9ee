"""REPO002 env-file-committed."""

from __future__ import annotations

import posixpath

from ...artifacts.dotenv import is_env_file
from ...discover import is_guarded
from ...project import Project
from ...secretcontext import env_file_secrets
from ..api import RuleContext

SCOPE = "project"
MAX_NAMES_SHOWN = 5


def check(project: Project, ctx: RuleContext) -> None:
    for path in project.all_files:
        name = posixpath.basename(path).lower()
        if not name.startswith(".env"):
            continue
        if is_guarded(path, include_tests=project.config.include_tests):
            continue  # test fixtures, vendored trees, tooling directories
        text = project.texts.get(path)
        if not is_env_file(path) or text is None:
            ctx.examine()
            continue
        # A committed .env of non-secret defaults (project name, ports, public URLs) is
        # configuration; only secret-like names with real-looking values make it a leak.
        secrets = env_file_secrets(text, path)
        if not secrets:
            ctx.examine()
            continue
        names = [n for _, n in secrets]
        shown = ", ".join(names[:MAX_NAMES_SHOWN]) + (", …" if len(names) > MAX_NAMES_SHOWN
                                                      else "")
        ctx.report(path, secrets[0][0], 1,
                   f"{posixpath.basename(path)} is committed (and not git-ignored) with "
                   f"{len(names)} secret value(s) ({shown}): git keeps them forever; commit a "
                   ".env.example with placeholders, ignore .env, and rotate these values",
                   snippet=f"{names[0]}=<redacted>")
