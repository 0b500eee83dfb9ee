"""A scan run again exactly as before replays its earlier output without loading typer,
pydantic, rich, yaml or the catalog; any change to what the scan reads, its arguments or the
environment that shapes its output takes the full scan, and so does a stored row that is not
exactly what prodready writes."""

from __future__ import annotations

import ast
import itertools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import prodready
from prodready import cache, discover, engine, replay
from prodready.config import Config
from prodready.report import OutputFormat, Report, TextOptions, render
from prodready.testing import write_tree

PACKAGE_HOME = Path(prodready.__file__).resolve().parent.parent
# Loaded by a full run; a replay loads none of them.
LIBRARIES = {"typer", "pydantic", "rich", "yaml", "libcst", "prodready.catalog", "prodready.cli"}

SERVICE = '''import os
import sys

import requests
from fastapi import FastAPI

sys.path.insert(0, "x")
app = FastAPI()
TOKEN = os.environ["TOKEN"]


@app.get("/items")
def items():
    return requests.get("http://inventory/items").json()
'''
TREE = {
    "api/__init__.py": "",
    "api/main.py": SERVICE,
    "api/Dockerfile": "FROM python:3.12-slim\nCOPY . /srv\nCMD uvicorn api.main:app\n",
    "node_modules/real.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    "pyproject.toml": "[tool.prodready]\nignore = []\n",
    ".gitignore": "*.env\n",
    "local.env": "SECRET_KEY=Rv83nTq2WmZyXk4P\n",
}
# what changes a scan's inputs, arguments or output environment: none may be replayed
CHANGES = ["touched", "added", "config", "outside-config", "link-target", "argv", "no-color",
           "git-add"]


@dataclass
class Run:
    stdout: str
    code: int
    loaded: set[str]

    @property
    def replayed(self) -> bool:
        return not self.loaded & LIBRARIES


def scan(root: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """`python -m prodready scan ROOT ARGS` in the root, as a user runs it; the modules it
    loaded from `-X importtime`."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(PYTHONPATH=str(PACKAGE_HOME), **(env or {}))  # this checkout's code
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "prodready", "scan", str(root), "--jobs", "1",
         *args], cwd=root, env=environment, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    loaded = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
              if line.startswith("import time:")}
    return Run(done.stdout, done.returncode, loaded)


def without_duration(text: str) -> str:
    text = re.sub(r'"duration_s": [0-9.]+', '"duration_s": 0', text)
    return re.sub(r" lines, [0-9.]+s\)\.", " lines, 0s).", text)


def rows(root: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(root / cache.CACHE_DIR / cache.DATABASE) as db:
        return db.execute("SELECT * FROM replay ORDER BY key").fetchall()


def recorded(root: Path, *args: str) -> Run:
    """Scan until the output is recorded: the replayed run."""
    for _ in range(2):
        run = scan(root, *args)
        if run.replayed:
            return run
    raise AssertionError("the scan was never replayed")


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One tree per test that needs a recorded run, all written before one wait: a file
    written within the last two seconds keeps its scan from being recorded."""
    base = tmp_path_factory.mktemp("replay")
    names = ["replays", "json", "formats", "tampered", "no-cache", "duration", "fresh",
             *CHANGES]
    made = {name: write_tree(base / name / "repo", TREE) for name in names}
    (made["link-target"] / "config.yaml").symlink_to("node_modules/real.yaml")
    for name in ("outside.toml", "settled.toml"):
        (base / name).write_text("[tool.prodready]\nignore = []\n", encoding="utf-8")
    git = shutil.which("git")
    if git is not None:
        for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c",
                                                       "user.email=t@t", "commit", "-qm", "t"]):
            subprocess.run([git, *command], cwd=made["git-add"], check=True,
                           capture_output=True)
    time.sleep(replay.SETTLED_NS / 1e9 + 0.2)
    return made


# ------------------------------------------------------------------ replayed


def test_a_scan_run_again_replays_its_output_without_loading_the_libraries(
        trees: dict[str, Path]) -> None:
    root = trees["replays"]
    first = scan(root)
    assert not first.replayed and "typer" in first.loaded
    again = scan(root)
    assert again.replayed, sorted(again.loaded & LIBRARIES)
    assert not {"typer", "pydantic", "rich", "yaml", "libcst"} & again.loaded
    assert again.code == first.code == 1
    assert without_duration(again.stdout) == without_duration(first.stdout)
    assert "Found" in again.stdout and "Gate failed" in again.stdout


def test_a_replayed_json_report_is_what_a_full_run_prints_now(trees: dict[str, Path]) -> None:
    root = trees["json"]
    cold = scan(root, "--format", "json")
    replayed = recorded(root, "--format", "json")
    with sqlite3.connect(root / cache.CACHE_DIR / cache.DATABASE) as db:
        db.execute("DELETE FROM replay")
    full = scan(root, "--format", "json")  # answered from the memo, as a re-run is
    assert not full.replayed
    assert without_duration(replayed.stdout) == without_duration(full.stdout)
    assert replayed.code == full.code == cold.code
    data, first = json.loads(replayed.stdout), json.loads(cold.stdout)
    # a cold scan analysed every file; a re-run counts them as served from the cache
    assert data["stats"]["cached_files"] == len(engine.discover(root).entries) > 0
    data["stats"].update(duration_s=0, cached_files=0)
    first["stats"].update(duration_s=0, cached_files=0)
    assert data == first


@pytest.mark.parametrize("fmt", ["text", "sarif", "markdown", "junit", "github",
                                 "codeclimate"])
def test_every_format_replays(trees: dict[str, Path], fmt: str,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    root = trees["formats"]
    full = scan(root, "--format", fmt, "--exit-zero")
    again = recorded(root, "--format", fmt, "--exit-zero")
    assert again.code == full.code == 0
    pattern = r'time="[0-9.]+"'
    assert re.sub(pattern, "", without_duration(again.stdout)) == re.sub(
        pattern, "", without_duration(full.stdout))


def test_a_replay_shows_its_own_duration(trees: dict[str, Path], capsys: pytest.CaptureFixture,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = trees["duration"]
    store, _ = cache.open_cache(root)
    assert store is not None
    store.put_memo("memo", "{}")
    store.close(None)
    argv = ["scan", str(root), "--format", "text"]
    replayable = replay.try_replay(argv)
    assert replayable is not None
    replay.record(replayable, "text", 1, "memo",
                  lambda seconds: f"(3 lines, {seconds:.2f}s).\nGate failed.\n")
    clock = itertools.count(100.0, 0.25)  # each reading a quarter of a second later
    monkeypatch.setattr(time, "perf_counter", lambda: next(clock))
    with pytest.raises(SystemExit) as exited:
        replay.try_replay(argv)
    assert exited.value.code == 1
    assert capsys.readouterr().out == "(3 lines, 0.25s).\nGate failed.\n"
    # ten seconds or more would be wider and could wrap the summary otherwise: a full scan
    clock = itertools.count(100.0, 12.5)
    assert replay.try_replay(argv) is not None
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------------ the full scan instead


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_takes_the_full_scan(trees: dict[str, Path], change: str) -> None:
    root = trees[change]
    outside = root.parent.parent / "outside.toml"
    args = ["--config", str(outside)] if change == "outside-config" else []
    if change == "git-add" and shutil.which("git") is None:
        pytest.skip("git is not installed")
    before = recorded(root, *args)
    env: dict[str, str] = {}
    if change == "touched":
        os.utime(root / "api/main.py", ns=(time.time_ns(), time.time_ns()))
    elif change == "added":
        (root / "api" / "empty.py").touch()
    elif change == "config":
        (root / "pyproject.toml").write_text('[tool.prodready]\nignore = ["PY003"]\n')
    elif change == "outside-config":
        outside.write_text('[tool.prodready]\nignore = ["PY003"]\n', encoding="utf-8")
    elif change == "link-target":  # discovery reads a link inside the tree: so is its target
        (root / "node_modules/real.yaml").write_text(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n")
    elif change == "argv":
        args = ["--exit-zero"]
    elif change == "no-color":
        env = {"NO_COLOR": "1"}
    elif change == "git-add":  # an ignored file git tracks is scanned
        subprocess.run(["git", "add", "-f", "local.env"], cwd=root, check=True)
    after = scan(root, *args, env=env)
    assert not after.replayed
    if change in ("config", "outside-config"):
        assert "PY003" in before.stdout and "PY003" not in after.stdout
    elif change == "argv":
        assert after.code == 0 and before.code == 1
    elif change == "link-target":
        assert after.stdout != before.stdout
    elif change == "git-add":
        texts = [int(re.findall(r"(\d+) text", run.stdout)[0]) for run in (before, after)]
        assert texts[1] == texts[0] + 1
    elif change == "added":  # even an empty file
        assert "2 python" in before.stdout and "3 python" in after.stdout
    else:
        assert without_duration(after.stdout) == without_duration(before.stdout)


def test_no_cache_neither_replays_nor_records(trees: dict[str, Path]) -> None:
    root = trees["no-cache"]
    replayed = recorded(root)
    stored = rows(root)
    full = scan(root, "--no-cache")
    assert not full.replayed
    assert without_duration(full.stdout) == without_duration(replayed.stdout)
    assert rows(root) == stored
    assert scan(root).replayed


@pytest.mark.parametrize("tamper", [
    "UPDATE replay SET exit = 7",
    "UPDATE replay SET exit = x'01'",  # a blob (text would be read back as the number)
    "UPDATE replay SET head = NULL",
    "UPDATE replay SET tail = x'00'",
    "UPDATE replay SET version = '0.0.0'",
    "UPDATE replay SET memo = 'another'",
    "DELETE FROM memo",
    "UPDATE memo SET key = 'another'",
    # a view reading anything at all, in place of the table
    "DROP TABLE replay; CREATE VIEW replay (key, version, format, exit, memo, head, tail, "
    "stored) AS SELECT key, version, format, 0, memo, 'planted', NULL, 0 FROM replay_rows",
])
def test_a_row_that_is_not_what_prodready_writes_takes_the_full_scan(
        trees: dict[str, Path], tamper: str) -> None:
    root = trees["tampered"]
    good = recorded(root)
    database = root / cache.CACHE_DIR / cache.DATABASE
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE replay_rows AS SELECT * FROM replay")
        db.executescript(tamper)
    after = scan(root)
    assert not after.replayed
    assert after.code == good.code
    assert without_duration(after.stdout) == without_duration(good.stdout)
    with sqlite3.connect(database) as db:  # as it was, for the next case
        [(kind,)] = db.execute("SELECT type FROM sqlite_master WHERE name = 'replay'")
        db.executescript(f"DROP {kind} replay; {replay.REPLAY_TABLE}; INSERT INTO replay "
                         "SELECT * FROM replay_rows; DROP TABLE replay_rows")


# ------------------------------------------------------------------ which runs


@pytest.mark.parametrize("argv", [
    [], ["--version"], ["fix", "."], ["baseline", "."], ["services", "."], ["scan", "--help"],
    ["scan", ".", "--output", "json=r.json"], ["scan", "-o", "json=-"],
    ["scan", "--diff-base", "main"], ["scan", "--no-cache"], ["scan", "--explain-score"],
    ["scan", "--verbose"], ["scan", "-v"], ["scan", "a", "b"], ["scan", "-fjson"],
    ["scan", "-f=json"], ["scan", "--format"], ["scan", "--select", "--exit-zero"],
    ["scan", "--"], ["scan", "-"], ["scan", "-qv"], ["scan", "--exit-zero=1"],
    ["scan", "--form", "json"],
])
def test_only_a_plain_scan_to_stdout_is_replayed(argv: list[str]) -> None:
    assert replay._plain_scan(argv) is None


def test_the_options_that_name_files_are_stamped() -> None:
    assert replay._plain_scan(["scan"]) == (".", [])
    assert replay._plain_scan(["scan", "src", "--format=json", "-j", "2", "-q"]) == ("src", [])
    assert replay._plain_scan(["scan", "--config", "c.toml", "--baseline=b.json", "--compare",
                               "r.json", "."]) == (".", ["c.toml", "b.json", "r.json"])


def test_no_replay_for_a_file_or_a_fifo(trees: dict[str, Path], tmp_path: Path) -> None:
    root = trees["fresh"]
    settled = root.parent.parent / "settled.toml"
    assert replay.try_replay(["scan", str(root), "--config", str(settled)]) is not None
    assert replay.try_replay(["scan", str(root / "api" / "main.py")]) is None
    os.mkfifo(tmp_path / "config.toml")  # read, it would block the scan
    assert replay.try_replay(["scan", str(root), "--config", str(tmp_path / "config.toml")]) \
        is None


def test_a_scan_of_a_file_written_just_now_is_not_recorded(trees: dict[str, Path]) -> None:
    """A file written again within its timestamps' granularity keeps its stamp."""
    root = trees["fresh"]
    assert replay.try_replay(["scan", str(root)]) is not None
    (root / "api" / "new.py").write_text("print(1)\n")
    assert replay.try_replay(["scan", str(root)]) is None


# ------------------------------------------------------------------ the module


def test_the_replay_loads_only_the_standard_library() -> None:
    tree = ast.parse(Path(replay.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
            assert node.level == 0 or (node.module is None and
                                       [a.name for a in node.names] == ["__version__"])
        else:
            continue
        assert all(name.split(".")[0] in sys.stdlib_module_names for name in names), names
    script = ("import sys\nbefore = set(sys.modules)\nimport prodready.replay\n"
              "print(*sorted(set(sys.modules) - before))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(PACKAGE_HOME)}, check=True)
    loaded = set(done.stdout.split())
    assert {m for m in loaded if m.split(".")[0] == "prodready"} == {"prodready",
                                                                     "prodready.replay"}
    assert all(m.split(".")[0] in sys.stdlib_module_names for m in loaded - {"prodready",
                                                                             "prodready.replay"})


def test_the_replay_agrees_with_the_cache_and_discovery() -> None:
    assert (replay.CACHE_DIR, replay.DATABASE) == (cache.CACHE_DIR, cache.DATABASE)
    # only directories discovery never enters may be left unstamped, and not the one a rule
    # reads (APP013: .vscode/*.json)
    assert replay.UNREAD_DIRS <= discover.SKIP_DIRS
    assert ".vscode" not in replay.UNREAD_DIRS


def test_each_format_shows_the_duration_only_where_the_replay_puts_it(tmp_path: Path) -> None:
    """The replay writes its own duration where the recorded run showed its own, in that
    format's style: no format may show it anywhere else or otherwise."""
    root = write_tree(tmp_path, TREE)
    result = engine.scan(root, Config(), jobs=1, use_cache=False)
    report = Report.of(result)

    def shown(fmt: OutputFormat, seconds: float, options: TextOptions) -> str:
        stats = replace(report.result.stats, duration_s=seconds)
        again = replace(report, result=replace(report.result, stats=stats))
        return render(fmt, again, step_summary=False, text=options)

    for fmt, options in [(f, TextOptions()) for f in OutputFormat] + [
            (OutputFormat.TEXT, TextOptions(color=True)),
            (OutputFormat.TEXT, TextOptions(quiet=True))]:
        first, second = shown(fmt, 1.234, options), shown(fmt, 5.678, options)
        style, _ = replay._DURATIONS.get(fmt.value, replay._NO_DURATION)
        if fmt.value not in replay._DURATIONS or options.quiet:
            assert first == second, fmt
            continue
        assert first.count(style.format(1.234)) == 1, fmt
        assert first.replace(style.format(1.234), style.format(5.678)) == second, fmt
