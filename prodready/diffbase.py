"""`scan --diff-base REF`: keep the findings a change introduced or touched.

Lines changed since REF come from `git diff --unified=0 REF`; files git does not track yet
count as changed everywhere. Findings on changed lines are kept, and so are file- and
service-level findings (project-wide rules) of changed files.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


class DiffBaseError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class ChangedLines:
    lines: dict[str, set[int] | None]  # path -> changed lines; None = the whole file is new

    def touches(self, path: str, start: int, end: int) -> bool:
        if path not in self.lines:
            return False
        changed = self.lines[path]
        return changed is None or any(n in changed for n in range(start, end + 1))

    def changed_file(self, path: str) -> bool:
        return path in self.lines


def changed_lines(root: Path, ref: str) -> ChangedLines:
    """Changed lines per repo-relative path (relative to `root`), from git."""
    commit = verified_commit(root, ref)
    prefix = _git(root, "rev-parse", "--show-prefix").strip()
    diff = _git(root, "diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv",
                "--relative", commit, "--", ".")
    result: dict[str, set[int] | None] = {}
    for block in re.split(r"^diff --git ", diff, flags=re.MULTILINE)[1:]:
        target = re.search(r"^\+\+\+ (?:b/)?(.+)$", block, re.MULTILINE)
        if target is None or target.group(1) == "/dev/null":
            continue
        lines: set[int] = set()
        for match in _HUNK.finditer(block):
            start, count = int(match.group(1)), int(match.group(2) or "1")
            lines.update(range(start, start + max(count, 1)))
        result[target.group(1).strip()] = lines
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", ".")
    for path in filter(None, untracked.split("\0")):
        result[path[len(prefix):] if prefix and path.startswith(prefix) else path] = None
    return ChangedLines(result)


def verified_commit(root: Path, ref: str) -> str:
    """The commit id `ref` names. A value that is not a ref (`--output=FILE`) never reaches
    git as an option: `--end-of-options` makes git read it as a revision, or refuse it."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise DiffBaseError(f"--diff-base {ref!r} is not a git ref")
    try:
        _git(root, "rev-parse", "--git-dir")
    except DiffBaseError:
        raise DiffBaseError(f"--diff-base needs a git repository; {root} is not in one") from None
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{ref}^{{commit}}").strip()
    except DiffBaseError:
        raise DiffBaseError(f"--diff-base {ref!r} is not a commit of this repository") from None


# The scanned repository's own configuration must not run programs: a hostile
# `core.fsmonitor`, hook, external diff or textconv driver would execute in the scan.
_SAFE_CONFIG = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
                "-c", "core.quotePath=false")


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *_SAFE_CONFIG, *args], cwd=root, capture_output=True,
                              text=True, errors="surrogateescape", timeout=60, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiffBaseError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        raise DiffBaseError(f"git {' '.join(args[:2])} failed: {done.stderr.strip()}")
    return done.stdout


def keep_changed(result: Any, changed: ChangedLines, ref: str) -> Any:
    """Findings on changed lines, plus project-level findings of changed files (a service's
    findings when any file of the service changed); an INFO diagnostic counts the rest."""
    from dataclasses import replace

    from .model import Diagnostic, Scope
    from .project.services import services_of

    service_files: dict[tuple[str, int], list[str]] = {}
    if result.project is not None:
        for svc in services_of(result.project):
            service_files[(svc.path, svc.line)] = svc.files
    kept = []
    for finding in result.findings:
        rule = result.rules.get(finding.rule_id)
        whole = rule is not None and rule.scope is Scope.PROJECT
        if changed.touches(finding.path, finding.line, finding.end_line) or (whole and (
                changed.changed_file(finding.path) or any(
                    changed.changed_file(p)
                    for p in service_files.get((finding.path, finding.line), ())))):
            kept.append(finding)
    dropped = len(result.findings) - len(kept)
    note = Diagnostic("INFO", ".", f"--diff-base {ref}: {dropped} finding(s) outside the "
                      "changed code are not reported")
    return replace(result, findings=kept, diagnostics=[*result.diagnostics, note])
