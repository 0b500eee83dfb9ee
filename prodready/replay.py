"""Replay: a scan run again exactly as before prints its earlier output without the analysis.

A re-scan of an unchanged tree is answered from the whole-result memo (engine.py), but only
after importing typer, pydantic, rich, yaml and the rule catalog, which is most of its time.
This module runs before any of them loads and imports only the standard library. When the
arguments, the tree (every entry's size, times and inode), what the scan reads around it
(configuration and .gitignore files above it, git's index), prodready's own code, the
environment that shapes the output and the terminal are all those of an earlier complete run,
it writes that run's output again, with its own duration, and exits with that run's exit
code. Anything it cannot vouch for falls through to the full scan, which records its output
for the next run (see cli.scan).

A recorded output is what a run answered from the memo prints, so it is replayed only while
the memo it stands for is still the stored one. Rows are plain columns of the cache's
database, checked before use: nothing is decoded into objects, nothing the tree holds runs.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Callable

from . import __version__

# The cache's directory and database, defined here for prodready/cache.py too (this module
# must not import it: it loads half the standard library).
CACHE_DIR = ".prodready_cache"
DATABASE = "cache.sqlite3"
# The two tables of that database read here, created by cache.py from these very statements:
# the schema is compared with them before a row is read, so that no view or generated column
# of a planted database runs.
MEMO_TABLE = "CREATE TABLE memo (key TEXT, value TEXT)"
REPLAY_TABLE = ("CREATE TABLE replay (key TEXT PRIMARY KEY, version TEXT, format TEXT, "
                "exit INTEGER, memo TEXT, head TEXT, tail TEXT, stored INTEGER)")
KEEP = 8  # recorded runs per repository (other formats, options or working directories)
# A file written this recently may be written again within its timestamps' granularity
# without its stamp changing: its scan is not recorded.
SETTLED_NS = 2_000_000_000

# `scan` options that change only what it prints on stdout (True: the option takes a value).
# Anything else (--output, --no-cache, --diff-base, --verbose, --explain-score, --help, an
# option spelled otherwise) leaves the run to the full scan.
_OPTIONS = {
    "--format": True, "-f": True, "--select": True, "--ignore": True, "--include": True,
    "--fail-on": True, "--fail-under": True, "--color": True, "--jobs": True, "-j": True,
    "--config": True, "--baseline": True, "--compare": True, "--exit-zero": False,
    "--quiet": False, "-q": False, "--include-tests": False, "--no-inline-ignores": False,
    "--require-reason": False,
}
_FILE_OPTIONS = frozenset({"--config", "--baseline", "--compare"})

# What of the environment the output or the scan reads: prodready (colour, GitHub paths and
# links), rich and typer (colour, terminal), Python (stdout's encoding, import path) and git
# (which files are tracked, hence which ignored files are scanned).
_ENV_NAMES = frozenset({
    "NO_COLOR", "FORCE_COLOR", "PY_COLORS", "CLICOLOR", "CLICOLOR_FORCE", "TERM", "COLORTERM",
    "COLUMNS", "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES", "TERMINAL_WIDTH", "TTY_COMPATIBLE",
    "TTY_INTERACTIVE", "UNICODE_VERSION", "CI", "DATABRICKS_RUNTIME_VERSION", "TYPER_USE_RICH",
    "PYDANTIC_DISABLE_PLUGINS", "LANG", "LANGUAGE", "PATH", "HOME", "XDG_CONFIG_HOME",
})
_ENV_PREFIXES = ("GITHUB_", "PRODREADY_", "PYTHON", "LC_", "GIT_", "_TYPER_")

# Directories discovery never enters and no rule reads (a subset of discover.SKIP_DIRS: not
# .vscode, which APP013 reads): neither they nor their contents can change a scan (and running
# prodready writes byte-code into its own __pycache__). The git directory is stamped where a
# scan reads it (`_around`).
UNREAD_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", "site-packages",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", ".idea",
})

# How each format prints the scan's duration, and the duration an output is recorded with:
# one whose text is found nowhere else in it, marking its place (tests/test_replay.py checks
# that no format shows the duration otherwise). The text report's summary wraps at 120
# columns, so the text around it holds for a duration of that width only: four characters,
# as every replay, which takes less than ten seconds, shows.
_DURATIONS = {"text": ("{:.2f}", 8.64), "json": ("{!r}", 86420.975),
              "junit": ("{:.3f}", 86420.975)}
_FIXED_WIDTH = frozenset({"text"})
_NO_DURATION = ("{!r}", 86420.975)

_Add = Callable[..., None]


class Replayable:
    """A scan the replay could not answer: its output is recorded under `key` in `root`."""

    __slots__ = ("key", "root")

    def __init__(self, root: str, key: str) -> None:
        self.root = root
        self.key = key


def try_replay(argv: list[str]) -> Replayable | None:
    """Write the output of an earlier run identical to `argv` and exit with its code; else
    what a full run of it is recorded under (None: not a run to replay)."""
    started = time.perf_counter()
    scan = _plain_scan(argv)
    if scan is None:
        return None
    path, files = scan
    now = time.time_ns()
    try:
        root = os.path.realpath(path)
        fingerprint = _fingerprint(argv, root, files) if os.path.isdir(root) else None
    except OSError:  # the working directory is gone, say: the full scan tells
        return None
    if fingerprint is None:
        return None
    key, newest = fingerprint
    stored = _recorded(root, key)
    if stored is not None:
        output = _compose(stored, round(time.perf_counter() - started, 3))
        if output is not None:
            _write(output)
            raise SystemExit(stored.exit_code)
    return Replayable(root, key) if newest < now - SETTLED_NS else None


def record(replayable: Replayable, fmt: str, exit_code: int, memo_key: str,
           render: Callable[[float], str]) -> None:
    """Keep the output of a complete run for a replay. `render(seconds)` is the output as a
    run answered from the memo `memo_key` prints it, taking `seconds`."""
    database = _database(replayable.root)
    parts = None if database is None else _around_duration(fmt, render)
    if database is None or parts is None:
        return
    head, tail = parts
    try:
        db = sqlite3.connect(database, timeout=2.0)
    except sqlite3.Error:
        return
    try:
        with db:  # the row and the eviction together, or neither
            db.execute("INSERT OR REPLACE INTO replay VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (replayable.key, __version__, fmt, exit_code, memo_key, head, tail,
                        time.time_ns()))
            db.execute("DELETE FROM replay WHERE key NOT IN "
                       "(SELECT key FROM replay ORDER BY stored DESC LIMIT ?)", (KEEP,))
    except (sqlite3.Error, UnicodeError):
        pass  # a busy or read-only cache only costs the next run its replay
    finally:
        db.close()


# ---------------------------------------------------------------- the arguments


def _plain_scan(argv: list[str]) -> tuple[str, list[str]] | None:
    """(the path to scan, the files options name) of a `scan` with only _OPTIONS, else None.
    A value that looks like an option is refused: which argument is the path must not be in
    doubt."""
    if not argv or argv[0] != "scan":
        return None
    paths: list[str] = []
    files: list[str] = []
    rest = iter(argv[1:])
    for arg in rest:
        if not arg.startswith("-"):
            paths.append(arg)
            continue
        name, equals, value = arg.partition("=")
        takes_value = _OPTIONS.get(name)
        if takes_value is None or (equals and not (takes_value and name.startswith("--"))):
            return None
        if takes_value and not equals:
            following = next(rest, None)
            if following is None:
                return None
            value = following
        if takes_value and value.startswith("-"):
            return None
        if name in _FILE_OPTIONS:
            files.append(value)
    if len(paths) > 1:
        return None
    return (paths[0] if paths else "."), files


# ---------------------------------------------------------------- the fingerprint


def _fingerprint(argv: list[str], root: str, files: list[str]) -> tuple[str, int] | None:
    """(the key of this run, the newest time of a file the scan reads), or None when the run
    reads something that cannot be stamped (stdin, a FIFO) or completes a shell command."""
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        digest.update(repr(parts).encode())

    stdout = sys.stdout
    try:
        tty = stdout.isatty()
        size = tuple(os.get_terminal_size(stdout.fileno())) if tty else None
        add("stdout", tty, size, stdout.encoding, stdout.errors)
    except (AttributeError, OSError, ValueError):
        return None
    add("run", __version__, argv, root, os.getcwd())
    for name, value in sorted(os.environ.items()):
        if name.endswith("_COMPLETE"):
            return None  # shell completion: click answers, not the scan
        if name in _ENV_NAMES or name.startswith(_ENV_PREFIXES):
            add("env", name, value)
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        add("workspace", os.path.realpath(workspace))
    # the interpreter, the libraries (installing one changes its directory) and prodready
    add("python", sys.version, sys.executable, tuple(sys.flags), sys.path)
    for entry in sys.path:
        _stamp(add, entry or os.curdir)
    package = os.path.dirname(os.path.abspath(__file__))
    for folder in (package, *(os.path.join(os.path.dirname(package), name)
                              for name in ("rules", "templates"))):
        _tree(add, folder)
    newest = 0
    for file in files:
        try:
            info = os.stat(file)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        newest = max(newest, _stamp(add, file))
    newest = max(newest, _around(add, root), _tree(add, root))
    return digest.hexdigest(), newest


def _stamp(add: _Add, path: str) -> int:
    """Add what `path` is (following links) and return its newest time (0: none)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        add("missing", path, exc.errno)
        return 0
    add("stat", path, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
        info.st_ino, info.st_dev)
    return max(info.st_mtime_ns, info.st_ctime_ns)


def _tree(add: _Add, root: str) -> int:
    """Add every entry under `root` but prodready's cache and UNREAD_DIRS (files with their
    size, times and inode; directories by name, so an empty file or directory added counts)
    and return the newest file time. Links are not followed, except to stamp a file inside the
    tree that discovery reads through one."""
    newest = 0
    inside = os.path.join(root, "")
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            with os.scandir(os.path.join(root, rel)) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError as exc:
            add("unreadable", rel, exc.errno)
            continue
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                add("gone", path, exc.errno)
                continue
            if stat.S_ISDIR(info.st_mode):  # its times change with its entries: not stamped
                if entry.name not in UNREAD_DIRS and entry.name != CACHE_DIR:
                    add("dir", path)
                    pending.append(path)
                continue
            add("entry", path, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                info.st_ino)
            newest = max(newest, info.st_mtime_ns, info.st_ctime_ns)
            if stat.S_ISLNK(info.st_mode):
                target = os.path.realpath(entry.path)
                if target.startswith(inside):
                    newest = max(newest, _stamp(add, target))
                else:
                    add("outside", path, target)
    return newest


def _around(add: _Add, root: str) -> int:
    """Add what a scan reads outside its tree and return its newest time: the .gitignore and
    configuration files of the directories above it, up to the git work tree holding it, and
    that work tree's index, excludes and configuration."""
    newest = 0
    directory = root
    while True:
        git = os.path.join(directory, ".git")
        add("git", git, os.path.isdir(git), os.path.isfile(git))
        if directory != root:
            for name in (".gitignore", ".prodready.toml", "pyproject.toml"):
                newest = max(newest, _stamp(add, os.path.join(directory, name)))
        if os.path.exists(git):
            return max(newest, _git(add, directory))
        parent = os.path.dirname(directory)
        if parent == directory:
            return newest
        directory = parent


def _git(add: _Add, work_tree: str) -> int:
    git = os.path.join(work_tree, ".git")
    gitdir = git
    if os.path.isfile(git):  # a linked work tree or a submodule: "gitdir: <path>"
        text = _small_text(git)
        add("gitfile", text)
        if text is None or not text.startswith("gitdir:"):
            return 0
        gitdir = os.path.join(work_tree, text[len("gitdir:"):].strip())
    return max(_stamp(add, os.path.join(gitdir, name))
               for name in ("index", "config", os.path.join("info", "exclude")))


def _small_text(path: str) -> str | None:
    """The text of a small regular file (never a FIFO's), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, 4096).decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


# ---------------------------------------------------------------- the store


def _database(root: str) -> str | None:
    """The cache's database under `root` if the full scan would use it: a directory and a file
    of this user's, neither a link."""
    folder = os.path.join(root, CACHE_DIR)
    database = os.path.join(folder, DATABASE)
    try:
        for path, kind in ((folder, stat.S_ISDIR), (database, stat.S_ISREG)):
            info = os.lstat(path)
            if not kind(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
                return None
    except OSError:
        return None
    return database


class _Recorded:
    """A recorded run: its output before the duration and after it (None: it shows none),
    its format and exit code."""

    __slots__ = ("exit_code", "fmt", "head", "tail")

    def __init__(self, head: str, tail: str | None, fmt: str, exit_code: int) -> None:
        self.head, self.tail, self.fmt, self.exit_code = head, tail, fmt, exit_code


def _recorded(root: str, key: str) -> _Recorded | None:
    """The run recorded under `key`, if its row is whole and its memo still the stored one."""
    database = _database(root)
    if database is None:
        return None
    uri = database.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    try:
        db = sqlite3.connect(f"file:{uri}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error:
        return None
    try:
        db.execute("PRAGMA trusted_schema = OFF")
        tables = dict(db.execute("SELECT name, sql FROM sqlite_master "
                                 "WHERE name IN ('memo', 'replay') AND type = 'table'"))
        if tables != {"memo": MEMO_TABLE, "replay": REPLAY_TABLE}:
            return None
        row = db.execute("SELECT version, format, exit, memo, head, tail FROM replay "
                         "WHERE key = ?", (key,)).fetchone()
        memo = db.execute("SELECT key FROM memo").fetchall() if row is not None else None
    except sqlite3.Error:
        return None
    finally:
        db.close()
    if row is None:
        return None
    version, fmt, code, memo_key, head, tail = row
    if (version != __version__ or not isinstance(fmt, str) or type(code) is not int
            or code not in (0, 1) or not isinstance(memo_key, str) or memo != [(memo_key,)]
            or not isinstance(head, str) or not (tail is None or isinstance(tail, str))):
        return None
    return _Recorded(head, tail, fmt, code)


def _compose(run: _Recorded, duration: float) -> str | None:
    """The recorded output with `duration` in its place, or None when it cannot take it."""
    if run.tail is None:
        return run.head
    style, recorded_at = _DURATIONS.get(run.fmt, _NO_DURATION)
    shown = style.format(duration)
    if run.fmt in _FIXED_WIDTH and len(shown) != len(style.format(recorded_at)):
        return None
    return run.head + shown + run.tail


def _around_duration(fmt: str, render: Callable[[float], str]) -> tuple[str, str | None] | None:
    """The output before its duration and after it, or (the output, None) when it shows none;
    None when that cannot be told."""
    style, at = _DURATIONS.get(fmt, _NO_DURATION)
    output, shown = render(at), style.format(at)
    where = output.find(shown)
    if where == -1:  # none shown: a format without one (tests/test_replay.py), or one left out
        # (a text report without its summary), which rendering it at another duration proves
        return (output, None) if fmt not in _DURATIONS or render(at + 1.11) == output else None
    if output.find(shown, where + 1) != -1:  # which one is the duration is not certain
        return None
    return output[:where], output[where + len(shown):]


def _write(output: str) -> None:
    try:
        sys.stdout.write(output)
    except (OSError, UnicodeError) as exc:  # as the full run reports it (commands.internal_error)
        detail = " ".join(str(exc).split())
        sys.stderr.write(f"prodready: error: internal error: {type(exc).__name__}: {detail}\n")
        raise SystemExit(2) from None
