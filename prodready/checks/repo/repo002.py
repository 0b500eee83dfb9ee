"""REPO002 env-file-committed."""

from __future__ import annotations

import posixpath

from ...artifacts.dotenv import is_development_env_file, is_env_file
from ...discover import gitignore_spec, is_guarded
from ...project import Project
from ...project.deployment import deployment_of
from ...secretcontext import env_file_secrets
from ..api import RuleContext

SCOPE = "project"
MAX_NAMES_SHOWN = 5


def check(project: Project, ctx: RuleContext) -> None:
    own_names: frozenset[str] | None = None  # the project's names, read on the first .env
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
        if own_names is None:
            own_names = deployment_of(project).project_names
        secrets = env_file_secrets(text, path, own_names)
        if not secrets or _kept_on_purpose(project, path):
            ctx.examine()
            continue
        names = [n for _, n in secrets]
        shown = ", ".join(names[:MAX_NAMES_SHOWN]) + (", …" if len(names) > MAX_NAMES_SHOWN
                                                      else "")
        ctx.report(path, secrets[0][0], 1,
                   f"{posixpath.basename(path)} is committed (and not git-ignored) with "
                   f"{len(names)} secret value(s) ({shown}): git keeps them forever; commit a "
                   ".env.example with placeholders, ignore .env, and rotate these values",
                   snippet=f"{names[0]}=<redacted>",
                   informational="named for the development or test setup: its values are "
                                 "that setup's, not a deployment's"
                   if is_development_env_file(path) else "")


def _kept_on_purpose(project: Project, path: str) -> bool:
    """A `.gitignore` above the file ignores env files but lists this one again with `!`
    (`.env.*` then `!.env.testing`): the authors chose to track it."""
    parts = path.split("/")
    for depth in range(len(parts)):
        directory = "/".join(parts[:depth])
        text = project.texts.get(f"{directory}/.gitignore" if directory else ".gitignore")
        if not text or "!" not in text:
            continue
        kept = [line.strip()[1:] for line in text.splitlines() if line.strip().startswith("!")]
        if gitignore_spec(kept).match_file("/".join(parts[depth:])):
            return True
    return False
