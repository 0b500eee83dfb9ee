"""`prodready fix`: scan, apply chosen fixes per file, verify, write, repeat to a fixed point."""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
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
from .edits import ABSENT, digest
from .fixable import wanted

MAX_PASSES = 12  # each pass applies non-conflicting edits; insertions at one spot queue up


@dataclass(frozen=True, slots=True)
class AppliedFix:
    rule_id: str
    line: int
    description: str
    safety: FixSafety


@dataclass
class FixOutcome:
    before: ScanResult
    after: ScanResult
    applied: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # rule -> n
    changed_files: set[str] = field(default_factory=set)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, why): errors
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why): left alone
    diffs: dict[str, str] = field(default_factory=dict)
    fixes: dict[str, list[AppliedFix]] = field(default_factory=lambda: defaultdict(list))
    counted: set[int] = field(default_factory=set, repr=False)  # findings of this pass
    known: set[str] = field(default_factory=set, repr=False)  # files the scan could see
    created: set[str] = field(default_factory=set, repr=False)

    def count(self, finding: Finding, path: str) -> None:
        """A fix touching several files (a new module + its registration) counts once."""
        if id(finding) not in self.counted:
            self.counted.add(id(finding))
            self.applied[finding.rule_id] += 1
            assert finding.fix is not None
            self.fixes[path].append(AppliedFix(finding.rule_id, finding.line,
                                               finding.fix.description, finding.fix.safety))

    @property
    def left_out(self) -> set[str]:
        return {p for p, _ in self.failed} | {p for p, _ in self.skipped}


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
    """Fix to a fixed point. A dry run does the same on a scratch copy and only diffs it.

    The repository is locked for the whole run: two runs at once would each apply edits
    computed before the other wrote.
    """
    root = root.resolve()
    with repository_lock(root):
        if not dry_run:
            return _run(root, config, unsafe, jobs)
        with tempfile.TemporaryDirectory(prefix="prodready-fix-") as scratch:
            copy = Path(scratch) / root.name
            copy.mkdir()
            for rel in discover(root, exclude=config.exclude + config.extend_exclude,
                                include_tests=True, max_file_size=config.max_file_size
                                ).all_files:
                _copy_entry(root / rel, copy / rel)
            return _run(copy, config, unsafe, jobs)


def _copy_entry(source: Path, target: Path) -> None:
    """Regular files and symlinks (as links) only: a FIFO, a device or an unreadable file is
    left out of the scratch copy rather than read or blocked on."""
    try:
        info = source.lstat()
        target.parent.mkdir(parents=True, exist_ok=True)
        if stat.S_ISLNK(info.st_mode):
            os.symlink(os.readlink(source), target)
        elif stat.S_ISREG(info.st_mode):
            shutil.copy2(source, target)
    except OSError:
        pass


@contextmanager
def repository_lock(root: Path) -> Iterator[None]:
    """An exclusive lock (fcntl) for the repository: a second run waits for the first.

    The lock file lives in `.git` when there is one, else in the temp directory under a name
    derived from the repository's path, so a dry run writes nothing into the tree. Without a
    place to lock, the run goes on unlocked.
    """
    git = root / ".git"
    if git.is_dir() and not git.is_symlink():
        lock = git / "prodready-fix.lock"
    else:
        key = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        lock = Path(tempfile.gettempdir()) / f"prodready-fix-{key}.lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _run(work: Path, config: Config, unsafe: bool, jobs: int | None) -> FixOutcome:
    before = scan(work, config, jobs=jobs, use_cache=config.cache)
    outcome = FixOutcome(before, before)
    current = before
    originals: dict[str, str] = {}
    for _ in range(MAX_PASSES):
        if current.project is not None:
            outcome.known |= set(current.project.all_files)
        by_file = _by_real_path(work, _fixable(current, unsafe, outcome))
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
            outcome.diffs[path] = unified_diff(path, original, new,
                                               created=path in outcome.created)
    return outcome


def unified_diff(path: str, old: str, new: str, *, created: bool = False) -> str:
    """A patch `git apply` (and `patch -p1`) accepts: a new file comes from /dev/null and a
    last line without a newline is marked as such."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile="/dev/null" if created else f"a/{path}",
                                 tofile=f"b/{path}")
    out: list[str] = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _fixable(result: ScanResult, unsafe: bool, outcome: FixOutcome
             ) -> dict[str, list[tuple[Finding, Edit | Codemod]]]:
    left_out = outcome.left_out
    by_file: dict[str, list[tuple[Finding, Edit | Codemod]]] = defaultdict(list)
    for finding in result.findings:
        if wanted(finding, unsafe):
            assert finding.fix is not None
            changes: list[Edit | Codemod] = [*finding.fix.edits, *finding.fix.codemods]
            if any(change.path in left_out for change in changes):
                continue  # a fix spanning files is applied whole or not at all
            for change in changes:
                by_file[change.path].append((finding, change))
    return by_file


def _by_real_path(root: Path, by_file: dict[str, list[tuple[Finding, Edit | Codemod]]]
                  ) -> dict[str, list[tuple[Finding, Edit | Codemod]]]:
    """Changes of a file and of symlinks to it (`Dockerfile -> docker/Dockerfile`, both
    scanned) are applied together, once: they were computed from the same text."""
    merged: dict[str, list[tuple[Finding, Edit | Codemod]]] = defaultdict(list)
    for path, pairs in by_file.items():
        target = root / path
        real = path
        if target.is_symlink():
            try:
                real = Path(os.path.realpath(target)).relative_to(
                    os.path.realpath(root)).as_posix()
            except ValueError:
                real = path  # leaves the repository: reported and skipped when applied
        merged[real].extend(pairs)
    return merged


def _read_text(path: Path) -> str | None:
    try:
        return decode(path.read_bytes(), python=path.suffix == ".py").text
    except (OSError, UnreadableFile):
        return None


def _resolve(root: Path, path: str, outcome: FixOutcome) -> tuple[Path, str] | None:
    """Where a write to `path` lands: a symlink is written through to its target when that
    is inside the repository (and the link kept), otherwise the file is left alone."""
    target = root / path
    if not target.is_symlink():
        return target, path
    real = Path(os.path.realpath(target))
    try:
        rel = real.relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        outcome.skipped.append((path, "a symlink to a file outside the repository; "
                                      "left unchanged"))
        return None
    if not real.is_file():
        outcome.skipped.append((path, "a symlink whose target is missing; left unchanged"))
        return None
    return real, rel


def _fix_file(root: Path, path: str, pairs: list[tuple[Finding, Edit | Codemod]],
              outcome: FixOutcome, originals: dict[str, str]) -> bool:
    resolved = _resolve(root, path, outcome)
    if resolved is None:
        return False
    target, real_path = resolved
    creating = not target.exists()
    if not creating and path not in outcome.known and path not in outcome.created:
        outcome.skipped.append((path, "git ignores this file (or the scan excludes it); "
                                      "left unchanged"))
        return False
    if not creating and not target.is_file():
        outcome.skipped.append((path, "not a regular file; left unchanged"))
        return False
    if creating:
        data, text, encoding, bom = None, "", "utf-8", False
    else:
        try:
            data = target.read_bytes()
            decoded = decode(data, python=path.endswith(".py"))
        except (OSError, UnreadableFile) as exc:
            outcome.failed.append((path, f"cannot read: {exc}"))
            return False
        text, encoding, bom = decoded.text, decoded.encoding, decoded.bom
        if not os.access(target, os.W_OK):
            outcome.skipped.append((path, "file is read-only; left unchanged"))
            return False
    current = digest(text)
    accepted = {current, ABSENT} if creating else {current}
    stale = [c for _, c in pairs if c.base is not None and c.base not in accepted]
    if stale:
        outcome.failed.append((path, "file changed since it was scanned; left unchanged"))
        return False
    originals.setdefault(real_path, text)
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
    problem = verify(path, text, new_text)
    if problem:
        outcome.failed.append((path, f"fix would break the file ({problem}); nothing written"))
        return False
    if not _write_atomic(target, new_text, encoding, bom, expected=data):
        outcome.failed.append((path, "file changed during the run; left unchanged"))
        return False
    if creating:
        outcome.created.add(real_path)
    applied_set = {id(e) for e in applied}
    for finding in {id(f): f for f, e in pairs if id(e) in applied_set}.values():
        outcome.count(finding, real_path)
    outcome.changed_files.add(real_path)
    return True


def verify(path: str, old: str, new: str) -> str | None:
    """Why the fixed text is broken: it no longer parses, or a YAML mapping gained a
    duplicate key (PyYAML keeps the last one silently). None when it is fine."""
    problem = _verify(path, new)
    if problem or classify(path) is not FileKind.YAML:
        return problem
    try:
        before = {(d.key, d.first_line) for d in parse_yaml(path, old).duplicate_keys()} \
            if old else set()
        after = parse_yaml(path, new).duplicate_keys()
    except YamlError:
        return None
    if len(after) > len(before):
        dup = after[-1]
        return f"duplicate key {dup.key!r} at line {dup.line}"
    return None


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


def _write_atomic(target: Path, text: str, encoding: str, bom: bool,
                  expected: bytes | None = None) -> bool:
    """Temp file + rename in the same directory, keeping encoding, BOM and file mode.

    `expected` is the content the new text was computed from: the file is compared with it
    once more right before the rename (None: the file must still not exist). False when the
    file changed in between, and nothing is written.
    """
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
        if not _unchanged(target, expected):
            Path(tmp).unlink(missing_ok=True)
            return False
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _unchanged(target: Path, expected: bytes | None) -> bool:
    try:
        current = target.read_bytes()
    except FileNotFoundError:
        return expected is None
    return current == expected
