"""REPO003 gitignore-missing-secret-patterns."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path

import pathspec

from ...discover import gitignore_spec, read_text_file
from ...fix.edits import append_lines
from ...model import Fix, FixSafety
from ...project import Project
from ...project.local_secrets import ENV, LocalSecret, local_secrets
from ..api import RuleContext
from ._files import anchor_line

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    secrets = local_secrets(project)
    ignored = _ignore_matcher(project) if secrets else None
    reincluded = _reinclude_matcher(project)
    exposed: dict[str, LocalSecret] = {}  # pattern -> the first file that needs it
    for secret in secrets:
        if ignored is None or any(ignored(p) for p in (secret.path, *secret.places)):
            continue
        if any(reincluded(p) for p in (secret.path, *secret.places)):
            continue  # a `!pattern` of the maintainers: they track the file on purpose
        exposed.setdefault(_pattern(secret), secret)
    if not exposed:
        ctx.examine()
        return
    listed = ", ".join(exposed)
    reasons = "; ".join(dict.fromkeys(s.why for s in exposed.values()))
    text = project.texts.get(".gitignore")
    if text is not None or project.has_file(".gitignore"):
        fix = None
        if text is not None:
            fix = Fix(FixSafety.SAFE, f"add {listed} to .gitignore", (append_lines(
                ".gitignore", text, ["", "# Secrets and private keys", *exposed]),))
        ctx.report(".gitignore", anchor_line(project, ".gitignore"), 1,
                   f".gitignore does not ignore {listed}, which this project puts in the "
                   f"checkout ({reasons}): one `git add .` commits them; add the missing "
                   "patterns", snippet=f"missing: {listed}", fix=fix)
        return
    first = next(iter(exposed.values()))
    ctx.report(first.source, first.line, 1,
               f"nothing ignores {listed}, which this project puts in the checkout "
               f"({reasons}): one `git add .` commits them; add a .gitignore with those "
               "patterns", snippet=f"missing: {listed}")


def _pattern(secret: LocalSecret) -> str:
    name = posixpath.basename(secret.path)
    if secret.kind == ENV:
        return name  # `.env`, `.env.production`: ignored wherever it is
    suffix = posixpath.splitext(name)[1]
    return f"*{suffix}" if suffix in (".pem", ".key") else f"/{secret.path}"


def _ignore_matcher(project: Project) -> Callable[[str], bool]:
    """Whether git ignores a repository path, asking every `.gitignore` on its way (and those
    above the scan root when it is part of a larger work tree)."""
    specs = [(gitignore_spec(text.splitlines()), posixpath.dirname(path))
             for path, text in project.texts.items()
             if posixpath.basename(path) == ".gitignore"]
    outer = _outer_ignores(project.root)

    def ignored(path: str) -> bool:
        return _matched(specs, path) or any(spec.match_file(prefix + path)
                                            for spec, prefix in outer)

    return ignored


def _matched(specs: list[tuple[pathspec.PathSpec, str]], path: str) -> bool:
    """Whether a spec read from a `.gitignore` in `directory` matches the repository path."""
    for spec, directory in specs:
        if not directory:
            if spec.match_file(path):
                return True
        elif path.startswith(directory + "/") and spec.match_file(path[len(directory) + 1:]):
            return True
    return False


def _reinclude_matcher(project: Project) -> Callable[[str], bool]:
    """Whether a `!pattern` of a `.gitignore` names a repository path: the maintainers
    excluded it from their ignore rules, so tracking it is their decision."""
    negations = []
    for path, text in project.texts.items():
        if posixpath.basename(path) != ".gitignore":
            continue
        lines = [line[1:] for line in text.splitlines() if line.startswith("!")]
        if lines:
            negations.append((gitignore_spec(lines), posixpath.dirname(path)))

    return lambda path: _matched(negations, path)


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
