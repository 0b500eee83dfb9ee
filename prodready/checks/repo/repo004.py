"""REPO004 no-secret-scanning-hook."""

from __future__ import annotations

import posixpath
import re

from ...model import Severity
from ...project import Project
from ...project.hosting import host_scans_pushes
from ..api import RuleContext
from ._files import anchor_line, first_content_line, needing_file

SCOPE = "project"
SCANNERS = re.compile(
    r"detect[-_]secrets|gitleaks|trufflehog|trufflesecurity|ggshield|gitguardian|ripsecrets"
    r"|talisman|git[-_ ]secrets|secretlint|noseyparker|nosey[-_]parker"
    # pre-commit-hooks' key detectors; secret checks of an organisation's own hooks
    r"|detect[-_]private[-_]key|detect[-_]aws[-_]credentials|\bpii[-_]secret",
    re.IGNORECASE,
)
CI_FILES = (".gitlab-ci.yml", ".gitlab-ci.yaml", "bitbucket-pipelines.yml",
            "azure-pipelines.yml", ".circleci/config.yml", ".drone.yml", ".woodpecker.yml")


def _is_precommit(path: str) -> bool:
    return path in (".pre-commit-config.yaml", ".pre-commit-config.yml")


def _is_ci(path: str) -> bool:
    return (path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))) or \
        path in CI_FILES or (path.startswith(".gitlab/") and path.endswith((".yml", ".yaml")))


def _is_hook_installer(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return name.endswith(".sh") or name in ("makefile", "justfile") or \
        path.startswith((".githooks/", ".husky/", ".git-hooks/"))


def _text_of(project: Project, path: str) -> str:
    text = project.texts.get(path)
    if text is not None:
        return text
    yf = project.yaml_files.get(path)
    if yf is None:
        return ""
    return "\n".join(repr(doc.root.to_python()) for doc in yf.documents if doc.root is not None)


def _on_disk(project: Project, path: str) -> str | None:
    """A root file the scan skipped (a broad `.*` in .gitignore hides even tracked files)."""
    try:
        target = project.root / path
        return target.read_text(encoding="utf-8", errors="replace") if target.is_file() else None
    except OSError:
        return None


def check(project: Project, ctx: RuleContext) -> None:
    precommit = [p for p in project.all_files if _is_precommit(p)]
    texts = {p: _text_of(project, p) for p in precommit}
    if not precommit:
        for name in (".pre-commit-config.yaml", ".pre-commit-config.yml"):
            text = _on_disk(project, name)
            if text is not None:
                precommit, texts[name] = [name], text
                break
    ci = sorted(p for p in project.all_files if _is_ci(p))
    texts.update({p: _text_of(project, p) for p in ci})
    # a script or Makefile that installs a scanner as a git hook (`install-git-secrets-hook.sh`)
    texts.update({p: text for p, text in project.texts.items() if _is_hook_installer(p)})
    if any(SCANNERS.search(text) for text in texts.values()):
        ctx.examine()
        return
    if precommit:
        path = precommit[0]
        line = first_content_line(texts[path])
        where = "neither .pre-commit-config.yaml nor the CI workflows run"
    elif ci:
        path = ci[0]
        line = anchor_line(project, path)
        where = f"there is no .pre-commit-config.yaml and {posixpath.dirname(path) or path} " \
                "does not run"
    else:
        found = needing_file(project, ".gitignore", "pyproject.toml")
        if found is None:
            return
        path = found
        line = anchor_line(project, path)
        where = "there is no pre-commit configuration or CI workflow running"
    scanners = "a secret scanner (detect-secrets, gitleaks, trufflehog, ggshield)"
    licence = host_scans_pushes(project)
    if licence and ctx.rule.id not in ctx.config.severity:
        # the host already guards pushes: a hook stops a key earlier, on the developer's machine
        ctx.report(path, line, 1,
                   f"no secret scanning hook: {where} {scanners}; GitHub scans this open-source "
                   f"repository ({licence}) for credentials and blocks pushes that contain "
                   "them, so a hook would only stop a key earlier, on the developer's machine "
                   "(informational)", severity=Severity.INFO)
        return
    ctx.report(path, line, 1,
               f"no secret scanning: {where} {scanners}, so a committed key is found by an "
               "attacker first; add one as a pre-commit hook and in CI")
