"""Hostile repositories: nothing a scanned tree brings runs, nothing it contains crashes a command.

Every case is an input a hostile contributor (or an unlucky user) can put in a pull request.
Each is checked through the real entry points: the scan, the reports, the command line.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from prodready.cli import app
from prodready.config import Config
from prodready.engine import scan
from prodready.project.builds import ACTION, project_builds
from prodready.result import ScanResult
from prodready.testing import write_tree

SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # one PY003 finding at line 2
# one PY006 finding at line 2, whatever the module's name (PY003 skips names no import spells)
NO_TIMEOUT = 'import requests\nrequests.get("https://x.example")\n'


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def run_scan(root: Path, **config: object) -> ScanResult:
    return scan(root, Config.model_validate(config), jobs=1, use_cache=False)


def one_line_error(result: Result) -> str:
    """The command failed as a tool error: exit 2, one `prodready: error:` line, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("prodready: error: "), result.stderr
    return lines[0]


# ------------------------------------------------------------------ git: --diff-base


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=root, check=True, capture_output=True)


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", {"app/boot.py": "import os\n"})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    (root / "app" / "boot.py").write_text("import os\n" + SYS_PATH, encoding="utf-8")
    return root


@pytest.mark.parametrize("ref", ["--output=OUT", "-p", "--ext-diff", "--no-index"])
def test_a_diff_base_that_looks_like_an_option_is_refused(git_repo: Path, ref: str) -> None:
    result = invoke("scan", str(git_repo), "--no-cache", "--diff-base", ref)
    assert "is not a git ref" in one_line_error(result)
    assert not (git_repo / "OUT").exists()


def test_a_diff_base_that_names_no_commit_is_refused(git_repo: Path) -> None:
    result = invoke("scan", str(git_repo), "--no-cache", "--diff-base", "no-such-branch")
    assert "not a commit" in one_line_error(result)


def test_diff_base_still_keeps_the_changed_lines(git_repo: Path) -> None:
    result = invoke("scan", str(git_repo), "--no-cache", "--format", "json",
                    "--select", "PY003", "--diff-base", "HEAD")
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["line"]) for f in found] == [("PY003", 3)]


def test_the_repository_git_config_runs_nothing(git_repo: Path, tmp_path: Path) -> None:
    witness = tmp_path / "ran"
    program = f"touch {witness}; false"
    git(git_repo, "config", "core.fsmonitor", program)
    git(git_repo, "config", "diff.external", program)
    git(git_repo, "config", "diff.python.textconv", program)
    (git_repo / ".gitattributes").write_text("*.py diff=python\n", encoding="utf-8")
    result = invoke("scan", str(git_repo), "--no-cache", "--diff-base", "HEAD")
    assert result.exit_code in (0, 1), result.output
    assert not witness.exists()


# ------------------------------------------------------------------ nothing from the tree runs

PLANTED_MODULES = ["yaml", "typer", "rich", "click", "pathspec", "pydantic", "pathlib",
                   "__future__", "json", "sitecustomize", "usercustomize", "conftest"]


def planted_tree(root: Path, witness: Path) -> Path:
    """A repository whose every planted module would leave a file in `witness` if it ran."""
    files: dict[str, str] = {f"app/mod{i}.py": SYS_PATH for i in range(45)}  # workers start
    for name in PLANTED_MODULES:
        files[f"{name}.py"] = f"open({str(witness / name)!r}, 'w').close()\n"
    files["click/__init__.py"] = f"open({str(witness / 'click-package')!r}, 'w').close()\n"
    files["evil.pth"] = f"import os; open({str(witness / 'pth')!r}, 'w').close()\n"
    return write_tree(root, files)


def console_script() -> str:
    script = Path(sys.executable).with_name("prodready")
    if not script.exists():
        pytest.skip("the prodready console script is not installed next to this Python")
    return str(script)


@pytest.mark.parametrize("command", ["module", "console-script"])
def test_modules_planted_in_the_scanned_tree_never_run(tmp_path: Path, command: str) -> None:
    witness = tmp_path / "witness"
    witness.mkdir()
    tree = planted_tree(tmp_path / "tree", witness)
    argv = ([sys.executable, "-m", "prodready"] if command == "module"
            else [console_script()])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    done = subprocess.run([*argv, "scan", ".", "--no-cache", "--jobs", "2", "--format", "json"],
                          cwd=tree, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1, done.stderr  # the findings of the tree, nothing else
    assert json.loads(done.stdout)["findings"]
    assert sorted(p.name for p in witness.iterdir()) == []


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_pool_workers_end_when_the_scan_process_is_killed(tmp_path: Path) -> None:
    """Killed with SIGKILL, the scan cannot tell its pool to stop: a worker that went on
    (or waited on the pool's queue, which its siblings keep open) would live forever."""
    write_tree(tmp_path, {f"app/m{i}.py": SYS_PATH for i in range(45)})
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from prodready import engine\n"
        "from prodready.config import Config\n"
        "engine._process_entry = lambda entry: time.sleep(120)\n"
        "engine.scan(Path(sys.argv[1]), Config(), jobs=2, use_cache=False)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)])
    workers: list[int] = []
    for _ in range(300):
        workers = children_of(parent.pid)
        if len(workers) >= 2:
            break
        time.sleep(0.1)
    assert workers, "the scan started no worker"
    time.sleep(1)  # the workers are in their batch now
    parent.kill()
    parent.wait()
    for _ in range(100):  # the watch polls twice a second
        if not any(alive(pid) for pid in workers):
            return
        time.sleep(0.1)
    for pid in workers:
        os.kill(pid, 9)
    pytest.fail("pool workers kept running after the scan process was killed")


def test_the_repository_cannot_ask_for_more_workers_than_cores(tmp_path: Path,
                                                               monkeypatch) -> None:
    from prodready import engine

    write_tree(tmp_path, {f"app/m{i}.py": SYS_PATH for i in range(45)})
    asked: list[int] = []
    real = engine._run_files
    monkeypatch.setattr(engine, "_run_files",
                        lambda entries, state, jobs: asked.append(jobs) or real(entries, state, 1))
    scan(tmp_path, Config.model_validate({"jobs": 400}), use_cache=False)
    assert asked == [os.cpu_count() or 1]


# ------------------------------------------------------------------ configuration and tree shape


@pytest.mark.parametrize("key", ["exclude", "extend-exclude"])
def test_a_bad_exclude_glob_is_a_configuration_error_naming_the_key(tmp_path: Path,
                                                                    key: str) -> None:
    write_tree(tmp_path, {"app/a.py": "x = 1\n",
                          ".prodready.toml": f'{key} = ["[z-a]"]\n'})
    message = one_line_error(invoke("scan", str(tmp_path), "--no-cache"))
    assert key in message and "[z-a]" in message


def test_a_bad_pattern_in_a_gitignore_matches_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "[z-a]\nbuild/\n", "sub/.gitignore": "**/[z-a]/x\n",
                          "app/boot.py": SYS_PATH, "sub/boot.py": SYS_PATH,
                          "build/boot.py": SYS_PATH})
    result = run_scan(tmp_path, select=["PY003", "REPO003"])
    assert sorted(f.path for f in result.findings if f.rule_id == "PY003") == [
        "app/boot.py", "sub/boot.py"]


def test_the_size_limit_has_a_ceiling(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/a.py": "x = 1\n",
                          ".prodready.toml": "max-file-size = 100_000_000\n"})
    assert "max-file-size" in one_line_error(invoke("scan", str(tmp_path), "--no-cache"))


def test_a_very_deep_tree_is_skipped_below_a_depth_with_a_diagnostic(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/boot.py": SYS_PATH})
    deep = tmp_path
    for _ in range(400):  # deep enough for RecursionError, short enough for PATH_MAX
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "boot.py").write_text(SYS_PATH, encoding="utf-8")
    result = run_scan(tmp_path, select=["PY003"])
    assert [f.path for f in result.findings] == ["app/boot.py"]
    assert any(d.kind == "SKIP" and "deeper than" in d.message for d in result.diagnostics)


def test_fifos_are_never_opened(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/boot.py": SYS_PATH, "sub/ok.py": "x = 1\n"})
    for name in ("app/pipe.py", "Dockerfile", "docker-compose.yml", ".env", "sub/.gitignore",
                 ".secrets.baseline", ".gitignore", "pyproject.toml"):
        os.mkfifo(tmp_path / name)
    result = run_scan(tmp_path, select=["PY003"])  # a read would block forever
    assert [f.path for f in result.findings] == ["app/boot.py"]
    skipped = {d.path for d in result.diagnostics if d.kind == "SKIP"}
    assert {"app/pipe.py", "Dockerfile", "docker-compose.yml", ".env"} <= skipped


def test_a_file_replaced_by_a_fifo_after_discovery_is_not_read(tmp_path: Path,
                                                              monkeypatch) -> None:
    from prodready import engine

    write_tree(tmp_path, {"app/boot.py": SYS_PATH, "app/late.py": SYS_PATH})
    real = engine.discover

    def swap(root: Path, **kwargs: object):  # the race: a FIFO appears once the walk is done
        found = real(root, **kwargs)
        (tmp_path / "app" / "late.py").unlink()
        os.mkfifo(tmp_path / "app" / "late.py")
        return found

    monkeypatch.setattr(engine, "discover", swap)
    result = run_scan(tmp_path, select=["PY003"])
    assert [f.path for f in result.findings] == ["app/boot.py"]
    assert any(d.path == "app/late.py" and "regular file" in d.message
               for d in result.diagnostics)


def test_device_files_and_links_out_of_the_tree_are_not_read(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/boot.py": SYS_PATH})
    (tmp_path / "app" / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "app" / "passwd.env").symlink_to("/etc/passwd")
    (tmp_path / "outside").symlink_to("/")
    # /dev/zero's node; creating it needs privileges (the links above still cover reading)
    with contextlib.suppress(OSError):
        os.mknod(tmp_path / "app" / "device.py", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    result = run_scan(tmp_path, select=["PY003"])
    assert [f.path for f in result.findings] == ["app/boot.py"]
    assert result.project is not None
    assert "app/passwd.env" not in result.project.texts


def test_an_unreadable_directory_is_a_diagnostic(tmp_path: Path, monkeypatch) -> None:
    write_tree(tmp_path, {"app/boot.py": SYS_PATH, "secret/boot.py": SYS_PATH})
    real = os.scandir

    def scandir(path):  # chmod 000 does not stop root, so refuse the way the kernel would
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run_scan(tmp_path, select=["PY003"])
    assert [f.path for f in result.findings] == ["app/boot.py"]
    assert any(d.kind == "SKIP" and d.path == "secret" and "Permission denied" in d.message
               for d in result.diagnostics)


def test_an_unreadable_file_is_a_diagnostic(tmp_path: Path, monkeypatch) -> None:
    from prodready import engine

    write_tree(tmp_path, {"app/boot.py": SYS_PATH, "app/locked.py": SYS_PATH})
    real = engine.read_regular_file

    def read(path: str, limit: int) -> bytes:  # root ignores chmod: refuse like the kernel
        if path.endswith("locked.py"):
            raise PermissionError(13, "Permission denied")
        return real(path, limit)

    monkeypatch.setattr(engine, "read_regular_file", read)
    result = run_scan(tmp_path, select=["PY003"])
    assert [f.path for f in result.findings] == ["app/boot.py"]
    assert any(d.path == "app/locked.py" and "Permission denied" in d.message
               for d in result.diagnostics)


# ------------------------------------------------------------------ hostile encodings


@pytest.mark.parametrize("codec", ["punycode", "undefined", "rot13", "uu", "hex"])
def test_a_failing_codec_is_a_diagnostic_in_scan_and_fix(tmp_path: Path, codec: str) -> None:
    source = f"# -*- coding: {codec} -*-\nimport requests\nrequests.get('http://x')\n"
    write_tree(tmp_path, {"app/client.py": source, "app/boot.py": SYS_PATH})
    result = run_scan(tmp_path, select=["PY003", "PY006"])
    assert [f.path for f in result.findings] == ["app/boot.py"]
    assert any(d.path == "app/client.py" for d in result.diagnostics)
    fixed = invoke("fix", str(tmp_path))
    assert fixed.exit_code in (0, 1), fixed.output
    assert fixed.exception is None or isinstance(fixed.exception, SystemExit)
    assert (tmp_path / "app" / "client.py").read_text(encoding="latin-1") == source


# ------------------------------------------------------------------ pathological lines
# No timing is asserted. The inputs are sized so that the quadratic patterns these tests
# replaced would run for hours (100 KB took 24-227 s; the work grows with the square): a
# regression shows up as a hung CI job, not as a flaky threshold.

BIG = 400_000


def test_newer_syntax_rewrites_are_linear_on_files_that_do_not_parse() -> None:
    from prodready.artifacts.python import PythonSyntaxError, parse_python

    cases = ["\n" * BIG + "x = (\n",
             " \n" * (BIG // 2) + "x = (\n",
             "try:\n    pass\nexcept " + "a," * (BIG // 2) + "\n",
             "type X = int\n" + "   \n" * (BIG // 4) + "def f(:\n"]
    for text in cases:
        with pytest.raises(PythonSyntaxError):
            parse_python("app/big.py", text)


def test_newer_syntax_is_still_rewritten() -> None:
    from prodready.artifacts.python import parse_python

    source = ("type Pair[T] = tuple[T, T]\n"
              "def first[T](pair: Pair[T]) -> T:\n"
              "    try:\n        return pair[0]\n"
              "    except IndexError, KeyError  :\n        raise\n"
              "class Box[T]:\n    pass\n")
    if sys.version_info >= (3, 14):
        pytest.skip("the running Python parses this syntax itself")
    parsed = parse_python("app/new.py", source)
    assert len(parsed.tree.body) == 3


def test_a_huge_suppression_comment_is_parsed_in_linear_time() -> None:
    from prodready.suppress import find_ignores

    line = "x = 1  # prodready: ignore[PY001] -- a" + " " * BIG + "b \n"
    (ignore,) = find_ignores(line)
    assert ignore.rules == frozenset({"PY001"})
    assert ignore.reason is not None
    assert ignore.reason.startswith("a") and ignore.reason.endswith("b")
    assert find_ignores("# prodready: ignore[" + "A" * BIG + "\n") == []


def test_a_huge_dockerfile_directive_and_flag_run_are_linear() -> None:
    from prodready.artifacts.dockerfile import parse_dockerfile

    parsed = parse_dockerfile("Dockerfile", "# syntax=a" + " " * BIG + "b\nFROM python:3.12\n")
    assert parsed.final_stage is not None and parsed.final_stage.base_image == "python:3.12"
    flags = "COPY " + "--chown=1:1 " * (BIG // 12) + "a b\n"
    parsed = parse_dockerfile("Dockerfile", "FROM python:3.12\n" + flags)
    (copy,) = parsed.final_stage.find("COPY")  # type: ignore[union-attr]
    assert copy.flags == {"chown": "1:1"}


def test_env_file_names_are_read_in_linear_time() -> None:
    from prodready.artifacts.dotenv import env_entries

    text = ("\n" * BIG + "A=1\n# B=2\nexport C=3\n  D = 4\n" + "E" * BIG + "\n"
            + "F=" + " " * BIG + "\n")
    assert [e.name for e in env_entries(text, commented=True)] == ["A", "B", "C", "D", "F"]


def test_startup_waits_and_server_configs_are_read_in_linear_time() -> None:
    from prodready.checks.docker._privileges import _INI_UID
    from prodready.project.startup import _waits

    crafted = "while nc " * (BIG // 9) + "\n" + "dockerize " * (BIG // 10) + "\n"
    assert list(_waits(crafted)) == []  # no `-z`, no `-wait`: nothing waits
    line = "until nc -z db 5432; do sleep 1; done"
    assert [(s, e, probe) for s, e, probe in _waits("x\n" + line)] == [(2, 2 + len(line), True)]
    assert _INI_UID.findall("\n" * BIG + "uid = www-data\n") == ["www-data"]


def test_masking_and_pip_flags_are_linear_on_crafted_runs() -> None:
    from prodready.checks.docker.docker008 import _has_no_cache
    from prodready.masking import mask_secrets
    from prodready.project.startup import _ADDRESS

    for run in ("a" * BIG, "a." * (BIG // 2), "a-" * (BIG // 2), "a:" * (BIG // 2)):
        assert mask_secrets(run + " x") == run + " x"
        assert _ADDRESS.search(run) is None or ":" in run
    assert mask_secrets("postgres://app:" + "p" * BIG + "@db/x").startswith("postgres://app:***@")
    assert mask_secrets("--password " + "s3cr3t-" * 3) == "--password ***"
    assert not _has_no_cache("pip install " * (BIG // 12))
    assert _has_no_cache("pip install --no-cache-dir a && pip install --no-cache b")


def test_secret_detection_on_a_huge_crafted_line_is_linear_and_still_finds_keys(
        tmp_path: Path) -> None:
    pad = '{"k":"' + "x" * 30_000 + '",'
    write_tree(tmp_path, {
        "s/url.sh": "http://a:b@" * (BIG // 11) + "\n",  # 400 KB took 36 s before
        "config/data.json": pad + '"aws":"AKIAZ3XQ7RTW2PLM4HBN",' + pad + "\n",
    })
    result = run_scan(tmp_path, select=["REPO001"])
    assert [(f.path, f.line, f.column) for f in result.findings] == [
        ("config/data.json", 1, 30_016)]


def test_files_at_the_size_limit_scan(tmp_path: Path) -> None:
    limit = 2_000_000
    write_tree(tmp_path, {
        "app/blank.py": "\n" * (limit - 10) + "x = (\n",
        "app/ignore.py": "import sys\nsys.path.insert(0, 'x')  # prodready: ignore[PY003] -- "
                         + "r" + " " * (limit - 100) + "r\n",
        "Dockerfile": "# syntax=a" + " " * (limit - 100) + "b\nFROM python:3.12\n",
    })
    result = run_scan(tmp_path, select=["PY003", "DOCKER001"], **{"max-file-size": limit})
    assert [d.path for d in result.diagnostics if d.kind == "PARSE"] == ["app/blank.py"]
    assert [(f.path, f.suppressed) for f in result.findings if f.rule_id == "PY003"] == [
        ("app/ignore.py", True)]


# ------------------------------------------------------------------ what a line is

ODD_BREAKS = ["\x0c", "\u2028", "\x85", "\r", "\x1c", "\x0b"]


# (Python itself ends a line at a lone CR, so a CR cannot sit inside a Python comment.)
@pytest.mark.parametrize("odd", [b for b in ODD_BREAKS if b != "\r"])
def test_suppressions_hold_in_files_with_odd_line_breaks(tmp_path: Path, odd: str) -> None:
    source = (f"import sys\n# page one{odd} continued\n\x0c\n"
              "sys.path.insert(0, 'x')  # prodready: ignore[PY003] -- bootstrap\n")
    write_tree(tmp_path, {"app/boot.py": source})
    result = run_scan(tmp_path, select=["PY003"])
    assert [(f.line, f.suppressed) for f in result.findings] == [(4, True)]
    assert not [d for d in result.diagnostics if d.kind == "IGNORE"]


def test_a_python_file_with_lone_carriage_returns_counts_lines_as_python_does(
        tmp_path: Path) -> None:
    # Python ends a line at a lone CR: the suppression on the third line is on the third line
    source = ("import sys\rx = 1\rsys.path.insert(0, 'x')  # prodready: ignore[PY003] -- boot"
              "\rsys.path.insert(0, 'y')\r")
    write_tree(tmp_path, {"app/boot.py": source})
    result = run_scan(tmp_path, select=["PY003"])
    assert [(f.line, f.suppressed) for f in result.findings] == [(3, True), (4, False)]
    assert not [d for d in result.diagnostics if d.kind == "IGNORE"]


@pytest.mark.parametrize("odd", ODD_BREAKS)
def test_dockerfile_positions_with_odd_line_breaks(tmp_path: Path, odd: str) -> None:
    write_tree(tmp_path, {"Dockerfile": f"FROM python:3.12\n# note{odd}more\n"
                                        "RUN pip install flask\nCMD python app.py\n"})
    result = run_scan(tmp_path, select=["DOCKER002", "DOCKER008"])
    assert sorted((f.rule_id, f.line) for f in result.findings) == [
        ("DOCKER002", 4), ("DOCKER008", 3)]


@pytest.mark.parametrize("odd", ["\u2028", "\x85", "\r"])
def test_yaml_positions_with_odd_line_breaks(tmp_path: Path, odd: str) -> None:
    write_tree(tmp_path, {"docker-compose.yml": f"services:\n  # a{odd}b\n  web:\n"
                                                "    image: nginx:1.27\n"})
    result = run_scan(tmp_path, select=["COMPOSE003"])
    assert [(f.rule_id, f.line) for f in result.findings] == [("COMPOSE003", 3)]


def test_split_lines_counts_only_newlines() -> None:
    from prodready.artifacts.source import split_lines

    assert split_lines("a\x0cb\r\nc\u2028d\re\n\nf") == ["a\x0cb", "c\u2028d\re", "", "f"]
    assert split_lines("") == [] and split_lines("\n") == [""]


# ------------------------------------------------------------------ repository text in reports

FORMATS = ["text", "json", "sarif", "markdown", "github", "codeclimate", "junit"]


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    """File names no output format may choke on: undecodable bytes, control characters,
    rich markup, XML and workflow-command syntax."""
    root = tmp_path / "repo"
    root.mkdir()
    names = [b"app/caf\xe9.py", b"app/bell\x07\x1b[31m.py", b"app/[bold]x[/z].py",
             b"app/nl\rx.py", b"app/a&<b>]]>.py", b"app/pct%0A::error ::x.py",
             b"app/\xe2\x80\xaeevil.py"]
    for name in names:  # ("[bold]x[" is a directory: rich's closing tag needs the slash)
        os.makedirs(os.path.dirname(os.path.join(os.fsencode(root), name)), exist_ok=True)
        with open(os.path.join(os.fsencode(root), name), "wb") as fh:
            fh.write(NO_TIMEOUT.encode())
    (root / "docker-compose.yml").write_text(
        "services:\n  '[/z][bold]x':\n    image: nginx:1.27\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_survives_hostile_file_names(odd_names: Path, fmt: str,
                                                  tmp_path: Path) -> None:
    result = invoke("scan", str(odd_names), "--no-cache", "--format", fmt,
                    "--select", "PY006,COMPOSE003")
    assert result.exit_code == 1, (result.output, result.exception)
    out = result.stdout
    out.encode("utf-8")  # no lone surrogate left
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    if fmt == "text":
        assert "app/[bold]x[/z].py" in out  # printed literally, not read as markup
        assert "'[/z][bold]x'" in out
        assert "app/caf\\xe9.py" in out
    if fmt in ("json", "sarif", "codeclimate"):
        json.loads(out)
    if fmt == "junit":
        from xml.etree import ElementTree as ET

        assert len(ET.fromstring(out.encode()).findall(".//failure")) == 8
    if fmt == "github":
        annotations = [line for line in out.splitlines() if line.startswith("::")]
        assert len(annotations) == 8  # one per finding: no name starts a command of its own
        assert all("\r" not in line for line in annotations)


def test_every_output_file_survives_hostile_file_names(odd_names: Path, tmp_path: Path) -> None:
    args = [f"--output={fmt}={tmp_path / ('out.' + fmt)}" for fmt in FORMATS]
    # names no import can spell are scripts someone runs by hand: PY006 at info there
    result = invoke("scan", str(odd_names), "--no-cache", "--select", "PY006", "--fail-on",
                    "info", *args)
    assert result.exit_code == 1, (result.output, result.exception)
    for fmt in FORMATS:
        assert (tmp_path / f"out.{fmt}").read_text(encoding="utf-8")


def test_markup_in_messages_and_diagnostics_prints_literally(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/[red]boom[/].py": "def f(:\n", "app/x[/z].py": NO_TIMEOUT})
    result = invoke("scan", str(tmp_path), "--no-cache", "--select", "PY006", "--fail-on",
                    "info")
    assert result.exit_code == 1, (result.output, result.exception)
    assert "app/[red]boom[/].py" in result.stdout and "app/x[/z].py:2:1" in result.stdout


# ------------------------------------------------------------------ tool errors: one line, exit 2


# (Never a real device here: a broken writer running as root would replace /dev/null.)
@pytest.mark.parametrize("target", ["/proc/version", "/proc/nonexistent/x.json", "DIR"])
def test_an_unwritable_output_is_one_line(tmp_path: Path, target: str) -> None:
    write_tree(tmp_path, {"app/boot.py": SYS_PATH})
    if target == "DIR":
        target = str(tmp_path / "app")
    elif not Path("/proc/version").exists():
        pytest.skip("no /proc here")
    message = one_line_error(invoke("scan", str(tmp_path), "--no-cache", "-o", f"json={target}"))
    assert "cannot write" in message


def test_a_full_disk_is_one_line(tmp_path: Path, monkeypatch) -> None:
    import errno

    write_tree(tmp_path, {"app/boot.py": SYS_PATH})
    real = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd: int, mode: str = "r", *args: object, **kwargs: object):
        fh = real(fd, mode, *args, **kwargs)
        return Full(fh) if "w" in mode else fh

    monkeypatch.setattr(os, "fdopen", fdopen)
    message = one_line_error(invoke("scan", str(tmp_path), "--no-cache", "-o",
                                    f"json={tmp_path / 'out.json'}"))
    assert "No space left on device" in message
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.json")]


def test_output_to_a_pipe_is_written_not_replaced(tmp_path: Path) -> None:
    import threading

    write_tree(tmp_path, {"app/boot.py": SYS_PATH})
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    result = invoke("scan", str(tmp_path), "--no-cache", "-o", f"json={pipe}")
    reader.join(timeout=60)
    assert result.exit_code == 1, result.output
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # still the pipe, not a file renamed over it
    assert json.loads(received[0])["findings"]


def test_baseline_to_a_directory_is_one_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/boot.py": SYS_PATH})
    assert "cannot write" in one_line_error(
        invoke("baseline", str(tmp_path), "-o", str(tmp_path / "app")))


@pytest.mark.parametrize("content", ["[1, 2]", '{"score": 5}', '{"findings": [1]}',
                                     '{"findings": [{"rule_id": 1}]}', "not json",
                                     '{"score": {"categories": {"security": {"score": "x"}}}}'])
def test_a_malformed_compare_report_is_one_line(tmp_path: Path, content: str) -> None:
    write_tree(tmp_path, {"app/boot.py": SYS_PATH, "old.json": content})
    message = one_line_error(invoke("scan", str(tmp_path), "--no-cache", "--format", "markdown",
                                    "--compare", str(tmp_path / "old.json")))
    assert "--compare" in message


@pytest.mark.parametrize("content", ['{"schema_version": "1", "findings": [], "rules": [1]}',
                                     '{"schema_version": "1", "findings": [{}]}',
                                     '{"schema_version": "1", "findings": [], "stats": []}'])
def test_a_malformed_comment_report_is_one_line(tmp_path: Path, content: str,
                                                monkeypatch) -> None:
    report = write_tree(tmp_path, {"r.json": content}) / "r.json"
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    result = invoke("comment", "--report", str(report), "--repo", "a/b", "--pr", "1",
                    "--api-url", "http://127.0.0.1:9")
    assert "cannot read the report" in one_line_error(result)


def test_an_internal_error_in_fix_baseline_and_services_is_one_line(tmp_path: Path,
                                                                   monkeypatch) -> None:
    from prodready import engine
    from prodready.fix import apply

    write_tree(tmp_path, {"app/boot.py": SYS_PATH})

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(engine, "scan", broken)
    monkeypatch.setattr(apply, "run_fix", broken)
    for command in (["fix", str(tmp_path)], ["baseline", str(tmp_path), "-o",
                                             str(tmp_path / "b.json")],
                    ["services", str(tmp_path)]):
        assert "disk on fire second line" in one_line_error(invoke(*command))


def test_the_console_script_turns_a_crash_into_one_line(tmp_path: Path) -> None:
    script = ("import sys\nfrom prodready import cli\n"
              "def boom(*a, **k):\n    raise RuntimeError('boom')\n"
              "import prodready.engine\nprodready.engine.scan = boom\n"
              "sys.argv = ['prodready', 'rules', '--format', 'json']\n"
              "cli.load_catalog = boom\ncli.run()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["prodready: error: internal error: "
                                                "RuntimeError: boom"]


# ------------------------------------------------------------------ comment: bounded


def test_comment_stops_at_the_response_size_cap_and_the_deadline(monkeypatch) -> None:
    import httpx

    from prodready import comment as cm

    target = cm.Target("https://api.example", "a/b", 1, "t")

    def endless(request: httpx.Request) -> httpx.Response:
        def body():
            while True:
                time.sleep(0.01)
                yield b" " * 65536
        return httpx.Response(200, content=body())

    def client() -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(endless))

    with client() as c, pytest.raises(cm.CommentError, match="larger than"):
        cm.upsert_comment(c, target, "body")
    monkeypatch.setattr(cm, "MAX_RESPONSE_BYTES", 1 << 62)
    monkeypatch.setattr(cm, "DEADLINE_S", 0.5)
    with client() as c, pytest.raises(cm.CommentError, match="gave up"):
        cm.upsert_comment(c, target, "body")


# ------------------------------------------------------------------ no secret on screen

SECRETS = ["hunter2pw", "s3cr3tpw", "abc123def", "tok3nval", "ghp_" + "a1" * 18]


@pytest.fixture
def service_with_secrets(tmp_path: Path) -> Path:
    return write_tree(tmp_path, {
        "main.py": "from fastapi import FastAPI\napp = FastAPI()\n\n"
                   "@app.get('/')\ndef root():\n    return {}\n",
        "Dockerfile": "FROM python:3.12\nCMD API_KEY=abc123def uvicorn main:app "
                      "--host 0.0.0.0 --password hunter2pw\n",
        "docker-compose.yml": (
            "services:\n  web:\n    build: .\n    command: [\"sh\", \"-c\", "
            "\"DATABASE_URL=postgres://app:s3cr3tpw@db/app GH=ghp_" + "a1" * 18
            + " uvicorn main:app\"]\n    healthcheck:\n      test: [\"CMD\", \"curl\", "
            "\"http://localhost:8000/health?token=tok3nval\"]\n"),
    })


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_services_masks_passwords_url_credentials_and_api_keys(service_with_secrets: Path,
                                                               fmt: str) -> None:
    result = invoke("services", str(service_with_secrets), "--format", fmt)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "uvicorn" in result.stdout  # the commands are shown …
    assert "postgres://app:***@db/app" in result.stdout.replace("\n", "").replace(" ", "")
    for secret in SECRETS:  # … their secrets are not
        assert secret not in result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_report_format_shows_a_quoted_secret(service_with_secrets: Path, fmt: str) -> None:
    result = invoke("scan", str(service_with_secrets), "--no-cache", "--format", fmt)
    assert result.exit_code in (0, 1), (result.output, result.exception)
    for secret in SECRETS:
        assert secret not in result.stdout


def test_masking_keeps_what_is_not_a_secret() -> None:
    from prodready.masking import mask_secrets

    kept = ["gunicorn app:app --bind 0.0.0.0:8000 --workers 4", "PASSWORD=${DB_PASSWORD} run",
            "uvicorn main:app --port 8000", "redis://redis:6379/0", "TOKEN_TTL=3600 celery"]
    for text in kept:
        assert mask_secrets(text) == text
    assert mask_secrets("redis://:pw@redis:6379/0") == "redis://:***@redis:6379/0"
    assert mask_secrets("x --db-password 'p w' -v") == "x --db-password *** -v"


# ------------------------------------------------------------------ YAML bombs, huge lines


def test_alias_bombs_deep_yaml_and_ten_megabyte_lines_are_diagnostics(tmp_path: Path) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        prev = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    write_tree(tmp_path, {
        "k8s/bomb.yaml": "\n".join(bomb) + "\n",
        "k8s/deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "k8s/deep-map.yaml": "".join(" " * i + f"k{i}:\n" for i in range(1000)),
        "app/huge.py": "x = '" + "a" * 10_000_000 + "'\n",
        "app/boot.py": SYS_PATH,
    })
    result = run_scan(tmp_path, select=["PY003", "K8S"])
    assert [f.path for f in result.findings] == ["app/boot.py"]
    by_path = {d.path: d for d in result.diagnostics}
    assert by_path["k8s/bomb.yaml"].kind == "PARSE"
    assert "alias" in by_path["k8s/bomb.yaml"].message
    assert by_path["k8s/deep.yaml"].kind == "PARSE"
    assert by_path["k8s/deep-map.yaml"].kind == "PARSE"
    assert by_path["app/huge.py"].kind == "SKIP"


def test_the_scorecard_mentions_nobody_and_opens_no_html(tmp_path: Path) -> None:
    import re

    write_tree(tmp_path, {"app/@acme/security-team/boot.py": SYS_PATH,
                          "app/x`<!-- prodready-scorecard -->`.py": SYS_PATH,
                          "docker-compose.yml": "services:\n  '@acme/ops <img src=x>':\n"
                                                "    image: nginx:1.27\n"})
    result = invoke("scan", str(tmp_path), "--no-cache", "--format", "markdown",
                    "--select", "PY003,COMPOSE003")
    assert result.exit_code == 1, (result.output, result.exception)
    out = result.stdout
    assert "`app/@acme/security-team/boot.py:2`" in out  # a code span: no mention there
    prose = re.sub(r"`[^`\n]*`", "", out)  # what GitHub renders as markdown
    assert "@acme" not in prose and "@&#8203;acme/ops" in prose
    assert "<img" not in prose
    assert prose.count("<!-- prodready-scorecard -->") == 1  # only the real marker is HTML


def test_roles_read_from_compose_commands_and_readmes_are_linear() -> None:
    from prodready.project.deployment import _DEV_HEADER, declared_purpose
    from prodready.project.devstack import development_stack

    for run in ("a" * BIG, "start-" * (BIG // 6), "dev_" * (BIG // 4)):
        service = {"build": ".", "volumes": [".:/app"], "command": run}
        assert development_stack({"services": {"web": service}}) == ""
    assert _DEV_HEADER.search("not " * (BIG // 4)) is None
    assert declared_purpose("# " + "do not use " * (BIG // 11) + "\n") is None
    assert declared_purpose("# do not use " + "the " * (BIG // 4) + "\n") is None


@pytest.mark.parametrize("extends", [
    "{file: base.yml, service: web}",  # a file whose document is a list
    "web",  # the service extends itself
    "{file: ../../../etc/passwd, service: root}",  # a file outside the repository
    "[1, 2]",
])
def test_a_stack_whose_extends_lead_nowhere_is_still_scanned(tmp_path: Path, extends: str
                                                             ) -> None:
    write_tree(tmp_path, {"base.yml": "- a\n- b\n", "docker-compose.yml": (
        f"services:\n  web:\n    extends: {extends}\n    volumes: ['.:/app']\n"
        "    command: flask run\n")})
    result = scan(tmp_path, Config(jobs=1, cache=False))
    assert not [d for d in result.diagnostics if "internal error" in d.message.lower()]


def test_new_readers_of_commands_and_requirements_are_linear() -> None:
    from prodready.checks.repo.repo005 import _unbounded_lines
    from prodready.project.deployment import _DEV_CONTAINER_COMPOSE, _runs_test_service

    assert not _runs_test_service("docker compose run " + "-e X " * (BIG // 6))
    assert _DEV_CONTAINER_COMPOSE.search('"dockerComposeFile": [' + '"a",' * (BIG // 4)) is None
    assert len(_unbounded_lines("pkg\n" * (BIG // 4))) == BIG // 4


def test_ci_steps_that_change_directory_are_read_in_linear_time(tmp_path: Path) -> None:
    from prodready.project.compose import directory_compose_runs

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "docker-compose.yml").write_text("services:\n  a:\n    image: x\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs:\n  t:\n    steps:\n      - run: |\n" + "          cd d\n" * 20_000
        + "          " + "cd d " * (BIG // 5) + "\n")
    result = scan(tmp_path, Config(jobs=1, cache=False), use_cache=False)
    assert result.project is not None
    assert directory_compose_runs(result.project) == {}


def test_an_invalid_re_include_pattern_in_gitignore_crashes_no_rule(tmp_path: Path) -> None:
    """`![z-a]` is no valid pattern: git matches nothing with it, and so does prodready."""
    write_tree(tmp_path, {".gitignore": ".env*\n![z-a]\n!.env.ci\n",
                          ".env.ci": "API_TOKEN=9f8a7d6c5b4e3f2a1b0c9d8e\n"})
    result = scan(tmp_path, Config(select=["REPO002"]), jobs=1, use_cache=False)
    assert not [d for d in result.diagnostics if d.kind == "INTERNAL"]
    assert not result.findings  # the valid `!.env.ci` still says it is tracked on purpose


@pytest.mark.parametrize("pyproject", ['project = "x"\n', "[project]\ndependencies = 3\n",
                                       "[project]\ndependencies = [1, {a = 2}]\n"])
def test_a_pyproject_of_the_wrong_shape_crashes_no_reader(tmp_path: Path, pyproject: str) -> None:
    write_tree(tmp_path, {"pyproject.toml": pyproject, "requirements.txt": "arrow\n",
                          "lib/arrow/__init__.py": "", "app/main.py": "import arrow\n"})
    result = scan(tmp_path, Config(jobs=1, cache=False), use_cache=False)
    assert not [d for d in result.diagnostics if d.kind == "INTERNAL"]


def test_private_engine_factories_returning_each_other_end(tmp_path: Path) -> None:
    code = ("from sqlalchemy import create_engine\n\n\n"
            "def _engine(url):\n    if url:\n        return create_engine(url)\n"
            "    return _other(url)\n\n\n"
            "def _other(url):\n    return _engine(url)\n")
    write_tree(tmp_path, {"app/db.py": code})
    result = run_scan(tmp_path, select=["PY007"])
    assert [f.rule_id for f in result.findings] == ["PY007"]


def test_a_workflow_with_a_huge_build_matrix_is_read_as_written(tmp_path: Path) -> None:
    """Thousands of `include:` entries name no set of images a repository builds: the job is
    read once, as written (not once per entry, which would cost entries × job size)."""
    entries = "".join(f"          - image: img{i}\n            file: d{i}/Dockerfile\n"
                      for i in range(5000))
    workflow = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n"
                f"      matrix:\n        include:\n{entries}    steps:\n"
                "      - uses: docker/build-push-action@v6\n        with:\n"
                "          file: ${{ matrix.file }}\n          push: true\n"
                "          tags: ghcr.io/acme/${{ matrix.image }}:latest\n")
    write_tree(tmp_path, {".github/workflows/build.yml": workflow,
                          "d1/Dockerfile": "FROM python:3.12-slim\nCMD [\"python\"]\n"})
    result = scan(tmp_path, Config(select=["DOCKER"], cache=False), jobs=1)
    assert result.project is not None
    builds = [b for b in project_builds(result.project) if b.how == ACTION]
    assert [b.dockerfile for b in builds] == [None]
