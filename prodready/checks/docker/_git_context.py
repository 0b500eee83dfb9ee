"""Whether an image build reads the git metadata of its context, so `.git` must stay in it.

A build needs `.git` when one of its steps runs git (`git rev-parse HEAD` for a version
file), when the code it copies runs `git rev-parse` or `git describe` at run time (the
image installs git and keeps `.git`), when a step handles the context's `.git` and keeps it
(`chown -R app .git`: the authors ship it on purpose), or when it installs the project and
the project's build backend derives the version from git (setuptools-scm, versioningit,
hatch-vcs and the like fail or fall back to 0.0 without it).
"""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile
from ...project import Project
from ...project.deployment import pyproject

# git run as a command inside the build (not `apk add git`): it reads the context's .git.
_RUNS_GIT = re.compile(r"(?:^|[;&|`(]|\$\()\s*git\s+(?:-C\s+\S+\s+)?(?:rev-parse|describe|log|"
                       r"show|rev-list|status|diff|submodule|config|tag|branch|update-index)\b")
# `.git` named as a path of the context (not `.gitignore`, not a URL ending in .git).
_NAMES_GIT_DIR = re.compile(r"(?:^|[\s\"'=/])\.git(?:/|(?=[\s\"';&|)\]]|$))")
_DELETES = re.compile(r"\brm\b|\bxargs\s+rm\b|-delete\b")
# Build requirements that compute the package version from the repository's git history.
VCS_VERSIONING = frozenset({
    "setuptools-scm", "versioningit", "hatch-vcs", "setuptools-git-versioning",
    "poetry-dynamic-versioning", "uv-dynamic-versioning", "dunamai", "pbr", "vcversioner",
})
# Commands that build or install the project of the current directory or a copied path.
_INSTALLS_PROJECT = re.compile(
    r"\b(?:pip3?(?:\s+-[-\w]+)*\s+(?:install|wheel)|uv\s+pip\s+install)\b[^;&|\n]*?\s(?:-e\s+)?"
    r"(?:\.|\./\S*|/\S+|\.\[\S*\])(?=\s|$|[;&|])"
    r"|\bpython3?\s+-m\s+build\b|\bpoetry\s+install\b(?![^;&|\n]*--no-root)"
    r"|\buv\s+sync\b(?![^;&|\n]*--no-install-project)|\bpdm\s+install\b|\bhatch\s+build\b")
# pip options whose value is a path that is not the project (`-r requirements.txt`).
_PATH_OPTIONS = re.compile(r"\s(?:-[rcft]|--(?:requirement|constraint|find-links|target|"
                           r"prefix|root|src|cache-dir))(?:\s+|=)\S+")


def build_needs_git(project: Project, df: Dockerfile, context: str) -> bool:
    runs = [ins.args + "\n" + "\n".join(ins.heredocs) for stage in df.stages
            for ins in stage.find("RUN")]
    return (any(_RUNS_GIT.search(text) for text in runs)
            or any(_keeps_git_dir(text) for text in runs)
            or (_installs_git(runs) and not any(_deletes_git_dir(t) for t in runs)
                and _code_reads_git(project, context))
            or (_versions_from_git(project, context)
                and any(_INSTALLS_PROJECT.search(_PATH_OPTIONS.sub(" ", text)) for text in runs)))


# git installed into the image by its package manager: `apt-get install -y … git …`
_INSTALLS_GIT = re.compile(r"\b(?:apt-get|apt|apk|dnf|yum|microdnf)\s+(?:-\S+\s+)*(?:install|add)"
                           r"\b[^;&|\n]*\sgit(?=\s|$|[;&|\\])")


def _installs_git(runs: list[str]) -> bool:
    return any(_INSTALLS_GIT.search(text.replace("\\\n", " ")) for text in runs)


def _deletes_git_dir(run: str) -> bool:
    return any(_DELETES.search(command) for command in _git_dir_commands(run))


def _code_reads_git(project: Project, context: str) -> bool:
    """The code the context holds runs `git rev-parse` or `git describe` on its own checkout
    (a version shown at run time): the image needs `.git`."""
    prefix = f"{context}/" if context else ""
    return any(path.startswith(prefix) and "reads-git" in getattr(facts, "evidence", ())
               for path, facts in project.python.items())


def _keeps_git_dir(run: str) -> bool:
    """A step that works on the context's `.git` without deleting it."""
    return any(not _DELETES.search(command) for command in _git_dir_commands(run))


def _git_dir_commands(run: str) -> list[str]:
    """The commands of a RUN step that name the context's `.git`."""
    return [command for command in re.split(r"&&|\|\||;|\n", run)
            if _NAMES_GIT_DIR.search(command)]


def _versions_from_git(project: Project, context: str) -> bool:
    """The pyproject.toml at the root of the context builds with a git-versioning plugin and
    leaves the version to it: dynamic, not read from an attribute or a file (setuptools-scm
    may be listed only to find the package's files)."""
    data = pyproject(project, context)
    requires = data.get("build-system", {}).get("requires", [])
    names = {re.split(r"[\s<>=!~;\[@]", str(r).strip(), maxsplit=1)[0] for r in requires}
    if not any(re.sub(r"[-_.]+", "-", n).lower() in VCS_VERSIONING for n in names):
        return False
    metadata = data.get("project")
    if isinstance(metadata, dict) and "version" not in metadata.get("dynamic", []):
        return False  # a static version
    tool = data.get("tool", {})
    given = (tool.get("setuptools", {}).get("dynamic", {}).get("version"),
             tool.get("hatch", {}).get("version", {}).get("path"))
    return not any(given)
