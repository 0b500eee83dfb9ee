"""The pre-commit hook, run for real with `pre-commit try-repo` in a temporary repository.

pre-commit installs the hook (`language: python`) from this source tree into a virtualenv of
its own. Offline, pip finds prodready's dependencies and the build backend through
PYTHONPATH (this test environment's site-packages) instead of an index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # PY003

pytest.importorskip("pre_commit", reason="pre-commit is in the test extras")
pytest.importorskip("hatchling", reason="installing the hook offline builds it locally")
if shutil.which("git") is None:
    pytest.skip("pre-commit needs git", allow_module_level=True)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env.update(PRE_COMMIT_HOME=str(home), PYTHONPATH=sysconfig.get_path("purelib"),
               PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0", NO_COLOR="1")
    return subprocess.run(["pre-commit", "try-repo", str(ROOT), "prodready"], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=600)


def test_the_hook_judges_what_is_being_committed(tmp_path: Path) -> None:
    if shutil.which("pre-commit") is None:
        pytest.skip("the pre-commit command is not on PATH")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "dev")
    (repo / "legacy.py").write_text(SYS_PATH)  # existing debt, already committed
    git(repo, "add", "legacy.py")
    git(repo, "commit", "-qm", "legacy")
    (repo / "scratch.py").write_text(SYS_PATH)  # untracked scratch file
    (repo / "clean.py").write_text("print('clean')\n")
    git(repo, "add", "clean.py")

    clean = try_repo(repo, tmp_path / "home")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "prodready" in clean.stdout and "Passed" in clean.stdout

    (repo / "change.py").write_text(SYS_PATH)
    git(repo, "add", "change.py")
    bad = try_repo(repo, tmp_path / "home")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "change.py:2:1  PY003" in bad.stdout
    assert "scratch.py" not in bad.stdout and "legacy.py" not in bad.stdout
