"""`prodready fix`: scan, apply chosen fixes per file, verify, write, repeat to a fixed point."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..artifacts.python import PythonSyntaxError, parse_python
from ..artifacts.source import UnreadableFile, decode
from ..artifacts.yamldocs import YamlError, parse_yaml
from ..config import Config
from ..discover import classify, discover
from ..engine import scan
from ..model import Codemod, Edit, FileKind, Finding, FixSafety
from ..result import ScanResult
from .codemods import CodemodError, run_codemods

MAX_PASSES = 12  # each pass applies non-conflicting edits; insertions at one spot queue up


@dataclass
class FixOutcome:
    before: ScanResult
    after: ScanResult
    applied: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # rule -> n
    changed_files: set[str] = field(default_factory=set)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    diffs: dict[str, str] = field(default_factory=dict)
    counted: set[int] = field(default_factory=set, repr=False)  # findings of this pass
    known: set[str] = field(default_factory=set, repr=False)  # files the scan could see

    def count(self, finding: Finding) -> None:
        """A fix touching several files (a new module + its registration) counts once."""
        if id(finding) not in self.counted:
            self.counted.add(id(finding))
            self.applied[finding.rule_id] += 1


def wanted(finding: Finding, unsafe: bool) -> bool:
    if finding.suppressed or finding.fix is None or not (
            finding.fix.edits or finding.fix.codemods):
        return False
    allowed = {FixSafety.SAFE, FixSafety.UNSAFE} if unsafe else {FixSafety.SAFE}
    return finding.fix.safety in allowed


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """Apply non-overlapping edits; returns the new text and the edits that were applied.

    Edits that overlap an earlier one are left for the next pass (after a re-scan).
    """
    chosen: list[Edit] = []
    duplicates: list[Edit] = []  # the same change offered by several findings: done once
    last_end = -1
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if chosen and (edit.start, edit.end, edit.replacement) == (
                chosen[-1].start, chosen[-1].end, chosen[-1].replacement):
            duplicates.append(edit)
            continue
        if edit.start < last_end or (chosen and edit.start == chosen[-1].start == edit.end):
            continue
        if not 0 <= edit.start <= edit.end <= len(text):
            continue
        chosen.append(edit)
        last_end = edit.end
    out = text
    for edit in reversed(chosen):
        out = out[:edit.start] + edit.replacement + out[edit.end:]
    return out, chosen + duplicates


def run_fix(root: Path, config: Config, *, unsafe: bool = False, dry_run: bool = False,
            jobs: int | None = None) -> FixOutcome:
    """Fix to a fixed point. A dry run does the same on a scratch copy and only diffs it."""
    root = root.resolve()
    if not dry_run:
        return _run(root, root, config, unsafe, jobs)
    with tempfile.TemporaryDirectory(prefix="prodready-fix-") as scratch:
        copy = Path(scratch) / root.name
        for rel in discover(root, exclude=config.exclude + config.extend_exclude,
                            include_tests=True, max_file_size=config.max_file_size).all_files:
            target = copy / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, target)
        return _run(copy, root, config, unsafe, jobs)


def _run(work: Path, origin: Path, config: Config, unsafe: bool, jobs: int | None
         ) -> FixOutcome:
    before = scan(work, config, jobs=jobs, use_cache=config.cache)
    outcome = FixOutcome(before, before)
    if before.project is not None:
        outcome.known = set(before.project.all_files)
    current = before
    originals: dict[str, str] = {}
    for _ in range(MAX_PASSES):
        by_file = _fixable(current, unsafe, outcome)
        if not by_file:
            break
        progressed = False
        outcome.counted.clear()
        for path, pairs in sorted(by_file.items()):
            progressed = _fix_file(work, path, pairs, outcome, originals) or progressed
        current = scan(work, config, jobs=jobs, use_cache=config.cache)
        if not progressed:
            break
    else:
        for path in sorted(_fixable(current, unsafe, outcome)):
            outcome.failed.append((path, f"fixes did not settle after {MAX_PASSES} passes"))
    outcome.after = current
    for path, original in sorted(originals.items()):
        new = _read_text(work / path)
        if new is not None and new != original:
            outcome.diffs[path] = "".join(difflib.unified_diff(
                original.splitlines(keepends=True), new.splitlines(keepends=True),
                fromfile=f"a/{path}", tofile=f"b/{path}"))
    del origin  # diffs are relative: the same for the scratch copy and the original
    return outcome


def _fixable(result: ScanResult, unsafe: bool, outcome: FixOutcome
             ) -> dict[str, list[tuple[Finding, Edit | Codemod]]]:
    failed = {p for p, _ in outcome.failed}
    by_file: dict[str, list[tuple[Finding, Edit | Codemod]]] = defaultdict(list)
    for finding in result.findings:
        if wanted(finding, unsafe):
            assert finding.fix is not None
            changes: list[Edit | Codemod] = [*finding.fix.edits, *finding.fix.codemods]
            for change in changes:
                if change.path not in failed:
                    by_file[change.path].append((finding, change))
    return by_file


def _read_text(path: Path) -> str | None:
    try:
        return decode(path.read_bytes(), python=path.suffix == ".py").text
    except (OSError, UnreadableFile):
        return None


def _fix_file(root: Path, path: str, pairs: list[tuple[Finding, Edit | Codemod]],
              outcome: FixOutcome, originals: dict[str, str]) -> bool:
    target = root / path
    creating = not target.exists()
    if not creating and path not in outcome.known:
        outcome.failed.append((path, "git ignores this file (or the scan excludes it); "
                                     "left unchanged"))
        return False
    if creating:
        data, text, encoding, bom = b"", "", "utf-8", False
    else:
        try:
            data = target.read_bytes()
            decoded = decode(data, python=path.endswith(".py"))
        except (OSError, UnreadableFile) as exc:
            outcome.failed.append((path, f"cannot read: {exc}"))
            return False
        text, encoding, bom = decoded.text, decoded.encoding, decoded.bom
        if not os.access(target, os.W_OK):
            outcome.failed.append((path, "file is read-only; left unchanged"))
            return False
    originals.setdefault(path, text)
    mods = [c for _, c in pairs if isinstance(c, Codemod)]
    applied: list[Edit | Codemod]
    if mods:  # codemods first, in one libcst pass; plain edits of the file wait a pass
        try:
            new_text, done = run_codemods(text, mods)
        except CodemodError as exc:
            outcome.failed.append((path, str(exc)))
            return False
        applied = list(done)
    else:
        new_text, edits = apply_edits(text, [c for _, c in pairs if isinstance(c, Edit)])
        applied = list(edits)
    if not applied or new_text == text:
        return False
    problem = _verify(path, new_text)
    if problem:
        outcome.failed.append((path, f"fix would break the file ({problem}); nothing written"))
        return False
    if not creating and target.read_bytes() != data:
        outcome.failed.append((path, "file changed during the run; left unchanged"))
        return False
    _write_atomic(target, new_text, encoding, bom)
    applied_set = {id(e) for e in applied}
    for finding in {id(f): f for f, e in pairs if id(e) in applied_set}.values():
        outcome.count(finding)
    outcome.changed_files.add(path)
    return True


def _verify(path: str, text: str) -> str | None:
    """Why the fixed text no longer parses, or None."""
    kind = classify(path)
    try:
        if kind is FileKind.PYTHON:
            parse_python(path, text)
        elif kind is FileKind.YAML:
            parse_yaml(path, text)
        elif kind is FileKind.DOCKERFILE:
            from ..artifacts.dockerfile import DockerfileError, parse_dockerfile

            try:
                parse_dockerfile(path, text)
            except DockerfileError as exc:
                return str(exc)
    except (PythonSyntaxError, YamlError) as exc:
        return str(exc)
    return None


def _write_atomic(target: Path, text: str, encoding: str, bom: bool) -> None:
    """Temp file + rename in the same directory, keeping encoding, BOM and file mode."""
    data = text.encode(encoding)  # utf-8-sig / utf-16 / utf-32 write their BOM back
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        mode = target.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
