"""Walk the tree, honour .gitignore files and the default excludes, classify each file."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from .model import FileKind

# Never worth descending into.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", "site-packages",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".prodready_cache",
    ".eggs", ".idea", ".vscode",
})
# The catalog's general guards: test code, migrations, docs config, vendored trees.
GUARD_DIRS = frozenset({"tests", "test", "testing", "migrations", "vendor", "third_party",
                        "_vendor"})
TEST_DIR_NAMES = frozenset({"tests", "test", "testing"})
GUARD_FILES = ("test_*.py", "*_test.py", "conftest.py", "tests.py")

DOCKERFILE_PATTERNS = ("dockerfile", "dockerfile.*", "dockerfile-*", "dockerfile_*", "*dockerfile",
                       "*.dockerfile", "containerfile", "containerfile.*", "*.containerfile")
TEXT_NAMES = frozenset({
    ".gitignore", ".dockerignore", ".secrets.baseline", "pyproject.toml", "setup.cfg",
    "pipfile", "procfile", "nginx.conf", "alembic.ini", "tox.ini",
    "makefile", "justfile",  # image builds: which Dockerfiles ship
    ".npmrc", ".pypirc", ".netrc",  # does a copied package-manager config hold a credential
})
TEXT_SUFFIXES = frozenset({
    ".toml", ".cfg", ".ini", ".conf", ".json", ".sh", ".env", ".properties", ".tf",
    ".tfvars", ".pem", ".key",  # key files: REPO001 must see a committed private key
    ".hcl",  # docker buildx bake files: the named contexts a FROM can refer to
})
S6_SERVICE_DIRS = re.compile(r"(^|/)(s6-rc\.d|services\.d)/[^/]+/run$")
# Web server configurations without a `.conf` name (`nginx/default`, `sites-enabled/app`,
# `default.conf.template`): the headers and limits the shipped edge sets
PROXY_CONFIGS = re.compile(r"(?:^|/)(?:nginx|sites-enabled|sites-available|conf\.d|caddy|"
                           r"haproxy)/[^/.]+$|\.conf\.template$|(?:^|/)caddyfile$")
KEY_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"})
# Example environment files without the leading dot (`env.example`, `dotenv-sample`): the
# variables a deployment sets, documented
ENV_EXAMPLE_NAME = re.compile(
    r"(?:dot)?env[._-](?:[\w-]+[._-])?(?:example|sample|template|dist|defaults?)")
# Hidden directories that hold CI configuration (read for its secret scanners).
CI_DIRS = frozenset({".github", ".gitlab", ".circleci", ".buildkite"})
LOCK_NAMES = frozenset({"poetry.lock", "uv.lock", "pdm.lock", "pipfile.lock"})
# Each tuple of patterns as one expression: the same test as fnmatchcase with each pattern in
# turn, without a call per pattern and file.
_GUARD_FILE = re.compile("|".join(map(fnmatch.translate, GUARD_FILES)))
_DOCKERFILE_NAME = re.compile("|".join(map(fnmatch.translate, DOCKERFILE_PATTERNS)))
# Deeper than any real repository; a deeper tree is skipped below this depth with a
# diagnostic instead of exhausting the stack.
MAX_DEPTH = 100


@dataclass(frozen=True, slots=True)
class SourceEntry:
    path: str  # repo-relative POSIX
    kind: FileKind
    size: int
    # size, times and inode as discovery saw them: the memo key of an unchanged tree
    stamp: str = ""


@dataclass(slots=True)
class Discovery:
    entries: list[SourceEntry] = field(default_factory=list)
    # Every non-ignored file, scanned or not: repo rules ask whether a file exists.
    all_files: list[str] = field(default_factory=list)
    oversized: list[str] = field(default_factory=list)
    # (path, why) of what could not be looked at: unreadable or too deep directories,
    # FIFOs, sockets and device files named like scanned files.
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def classify(path: str) -> FileKind | None:
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith(".py"):
        return FileKind.PYTHON
    if _DOCKERFILE_NAME.match(name):
        # Dockerfile.dockerignore and friends are not Dockerfiles.
        if not name.endswith((".dockerignore", ".md", ".txt", ".sh", ".json", ".toml")):
            return FileKind.DOCKERFILE
    if name.endswith((".yml", ".yaml")):
        return FileKind.YAML
    if name in LOCK_NAMES:
        return None
    if (
        name in TEXT_NAMES
        or name.endswith(".dockerignore")  # a Dockerfile's own: `Dockerfile.lambda.dockerignore`
        or name in KEY_NAMES
        or name.startswith(".env")
        or ENV_EXAMPLE_NAME.fullmatch(name)
        or (name.startswith("requirements") and name.endswith((".txt", ".in")))
        or ("/requirements/" in f"/{path.lower()}" and name.endswith((".txt", ".in")))
        or os.path.splitext(name)[1] in TEXT_SUFFIXES
        or (name == "run" and S6_SERVICE_DIRS.search(path))  # who the image's services run as
        or PROXY_CONFIGS.search(path.lower())
    ):
        return FileKind.TEXT
    return None


def _named_for_tests(directory: str) -> bool:
    """A directory named for a kind of tests: `integration_tests`, `e2e-tests`,
    `tests_cypress` (not `test_type`, a Django app's name)."""
    return "tests" in directory.lower() and "tests" in re.split(r"[-_.]", directory.lower())


def is_guarded(path: str, *, include_tests: bool = False) -> bool:
    """True for test code, migrations, docs/conf.py and vendored code (the general guards)."""
    parts = path.split("/")
    dirs, name = parts[:-1], parts[-1]
    guard_dirs = GUARD_DIRS - TEST_DIR_NAMES if include_tests else GUARD_DIRS
    if any(d in guard_dirs or (not include_tests and _named_for_tests(d)) for d in dirs):
        return True
    # Hidden trees (.devcontainer/, .semgrep/ rule fixtures, …) are tooling, not the service;
    # CI directories are read for their workflows.
    if any(d.startswith(".") and d not in CI_DIRS for d in dirs):
        return True
    if name == "env.py" and any(d in ("alembic", "migrations") for d in dirs):
        return True
    if name == "conf.py" and dirs and dirs[-1] in ("docs", "doc"):
        return True
    return not include_tests and name.endswith(".py") and _GUARD_FILE.match(name) is not None


def repository_root(path: Path) -> Path | None:
    """The git work tree holding `path` (the nearest directory upward with a .git), or None."""
    path = path.resolve()
    for directory in (path, *path.parents):
        if (directory / ".git").exists():
            return directory
    return None


class _Ignores:
    """The stack of .gitignore specs from the root down to the current directory, and those of
    the directories above the root up to the repository root (`above`, deepest first), whose
    patterns see the root's position in the repository as `prefix`."""

    def __init__(self, tracked: set[str] | None = None) -> None:
        self.stack: list[tuple[str, pathspec.PathSpec]] = []
        self.above: list[tuple[str, pathspec.PathSpec]] = []
        # Git's ignore rules apply to untracked files only: a committed file stays scanned.
        self.tracked = tracked or set()
        self.tracked_dirs = {path.rsplit("/", i)[0] for path in self.tracked
                             for i in range(1, path.count("/") + 1)}

    def load_above(self, root: Path) -> None:
        repo = repository_root(root)
        if repo is None or repo == root:
            return
        for directory in (root.parent, *root.parent.parents):
            prefix = root.relative_to(directory).as_posix()
            files = [directory / ".gitignore"]
            if directory == repo:
                files.append(directory / ".git" / "info" / "exclude")
            for file in files:
                text = read_text_file(file)
                if text is not None:
                    self.above.append((prefix, gitignore_spec(text.splitlines())))
            if directory == repo:
                break

    def load(self, directory: Path, rel: str) -> bool:
        gitignore = directory / ".gitignore"
        text = read_text_file(gitignore)
        if text is None:
            return False
        self.stack.append((rel, gitignore_spec(text.splitlines())))
        return True

    def ignored(self, rel: str, is_dir: bool) -> bool:
        if rel in (self.tracked_dirs if is_dir else self.tracked):
            return False
        # The deepest .gitignore with a matching pattern decides (git's precedence).
        for base, spec in reversed(self.stack):
            sub = rel[len(base) + 1:] if base else rel
            result = spec.check_file(sub + "/" if is_dir else sub)
            if result.include is not None:
                return bool(result.include)
        for prefix, spec in self.above:
            result = spec.check_file(f"{prefix}/{rel}/" if is_dir else f"{prefix}/{rel}")
            if result.include is not None:
                return bool(result.include)
        return False


def discover(
    root: Path,
    *,
    exclude: list[str] | None = None,
    include_tests: bool = False,
    max_file_size: int = 2_000_000,
) -> Discovery:
    """All files under root that prodready should look at, in a stable order."""
    result = Discovery()
    # no patterns (the usual case): no test per file and directory
    excludes = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
    root = root.resolve()
    ignores = _Ignores(git_tracked(root))
    _info_exclude(root, ignores)
    ignores.load_above(root)  # a service directory of a repository: the ignores above it
    _walk(root, root, "", ignores, excludes, include_tests, max_file_size, result, 0)
    result.entries.sort(key=lambda e: e.path)
    result.all_files.sort()
    return result


def git_tracked(root: Path) -> set[str] | None:
    """Files git tracks under `root` (relative to it), or None outside a git work tree.

    The repository's own configuration must not run anything: fsmonitor is switched off.
    """
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", str(root), "ls-files", "-z", "--cached"],
            capture_output=True, timeout=60, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return {p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p}


def _info_exclude(root: Path, ignores: _Ignores) -> None:
    text = read_text_file(root / ".git" / "info" / "exclude")
    if text is not None:
        ignores.stack.append(("", gitignore_spec(text.splitlines())))


def gitignore_spec(lines: list[str]) -> pathspec.PathSpec:
    """A .gitignore's patterns; a line that is no valid pattern (`[z-a]`) matches nothing,
    as in git, instead of failing the whole file."""
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (re.error, ValueError, TypeError):
        valid = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except (re.error, ValueError, TypeError):
                continue
            valid.append(line)
        return pathspec.GitIgnoreSpec.from_lines(valid)


def read_text_file(path: Path, limit: int = 1_000_000) -> str | None:
    """The text of a regular file (at most `limit` bytes), or None: a FIFO or device named
    like a repository file is never opened for reading."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            return fh.read(limit).decode("utf-8", errors="replace")
        except OSError:
            return None


def _walk(
    root: Path, directory: Path, rel: str, ignores: _Ignores, excludes: pathspec.PathSpec | None,
    include_tests: bool, max_size: int, out: Discovery, depth: int,
) -> None:
    if depth > MAX_DEPTH:
        out.unreadable.append((rel, f"directory nested deeper than {MAX_DEPTH} levels: "
                                    "not scanned"))
        return
    pushed = ignores.load(directory, rel)
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        if rel:  # the root itself is checked by the command
            out.unreadable.append((rel, f"cannot read directory: {exc.strerror or exc}"))
        entries = []
    # An Alembic script directory (it holds script.py.mako) wherever it lives: its env.py and
    # versions/ are migrations, whatever the directory is called.
    alembic = any(e.name == "script.py.mako" for e in entries)
    for entry in entries:
        child = f"{rel}/{entry.name}" if rel else entry.name
        if alembic and entry.name in ("env.py", "versions"):
            continue
        try:
            if entry.is_symlink():
                # Git does not follow links; neither do we into directories (no loops),
                # and a file link is read only when it stays inside the scanned tree.
                if entry.is_dir() or not _link_inside(Path(entry.path), root):
                    continue
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            if entry.name in SKIP_DIRS or ignores.ignored(child, True):
                continue
            if excludes is not None and excludes.match_file(child + "/"):
                continue
            _walk(root, Path(entry.path), child, ignores, excludes, include_tests, max_size, out,
                  depth + 1)
            continue
        # git reads every .gitignore, even one its own patterns match (`.*`), and Docker
        # reads a .dockerignore whatever git thinks of it
        if (not entry.name.endswith((".gitignore", ".dockerignore"))
                and ignores.ignored(child, False)) or (
                excludes is not None and excludes.match_file(child)):
            continue
        out.all_files.append(child)
        kind = classify(child)
        # bake files define release builds wherever they sit (often beside the build tests)
        if kind is None or (is_guarded(child, include_tests=include_tests)
                            and not child.endswith(".hcl")):
            continue
        try:
            info = entry.stat()
        except OSError as exc:
            out.unreadable.append((child, f"cannot read file: {exc.strerror or exc}"))
            continue
        if not stat.S_ISREG(info.st_mode):
            out.unreadable.append((child, "not a regular file (FIFO, socket or device): "
                                          "not read"))
            continue
        size = info.st_size
        if size > max_size:
            out.oversized.append(child)
            continue
        out.entries.append(SourceEntry(child, kind, size, f"{size}|{info.st_mtime_ns}|"
                                                          f"{info.st_ctime_ns}|{info.st_ino}"))
    if pushed:
        ignores.stack.pop()


def _link_inside(link: Path, root: Path) -> bool:
    try:
        return link.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False
