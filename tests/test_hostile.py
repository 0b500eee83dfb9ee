"""Hostile repositories: nothing a scanned tree brings runs, nothing it contains crashes a command.

Every case is an input a hostile contributor (or an unlucky user) can put in a pull request.
Each is checked through the real entry points: the scan, the reports, the command line.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from prodready.cli import app
from prodready.config import Config
from prodready.engine import scan
from prodready.result import ScanResult
from prodready.testing import write_tree

SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # one PY003 finding at line 2


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
