"""`prodready fix` on each sample repository: fixable findings go, a second run is a no-op."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prodready.config import Config
from prodready.fix.apply import run_fix, wanted

REPOS = Path(__file__).resolve().parents[1] / "fixtures" / "repos"


@pytest.mark.parametrize("repo", sorted(p.name for p in REPOS.iterdir() if p.is_dir()))
@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_fix_converges_and_is_idempotent(repo, unsafe, tmp_path):
    work = tmp_path / repo
    shutil.copytree(REPOS / repo, work, ignore=shutil.ignore_patterns(".prodready_cache"))
    config = Config.model_validate({"cache": False})
    first = run_fix(work, config, unsafe=unsafe, jobs=1)
    assert not first.failed, first.failed
    left = [f for f in first.after.findings if wanted(f, unsafe)]
    assert not left, f"fixable findings remain: {left}"
    fixed_before = sum(1 for f in first.before.findings if wanted(f, unsafe))
    assert sum(first.applied.values()) >= (fixed_before and 1)
    snapshot = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()
                and ".prodready_cache" not in p.parts}
    second = run_fix(work, config, unsafe=unsafe, jobs=1)
    assert not second.applied and not second.diffs and not second.failed
    assert snapshot == {p: p.read_bytes() for p in work.rglob("*") if p.is_file()
                        and ".prodready_cache" not in p.parts}


def test_dry_run_writes_nothing_and_reports_the_diff(tmp_path):
    work = tmp_path / "bad"
    shutil.copytree(REPOS / "fastapi-bad", work, ignore=shutil.ignore_patterns(".prodready_cache"))
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    outcome = run_fix(work, Config.model_validate({"cache": False}), dry_run=True, jobs=1)
    assert outcome.diffs and all(d.startswith(("--- a/", "--- /dev/null"))
                                 for d in outcome.diffs.values())
    assert before == {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}


def test_a_git_ignored_target_is_never_written(tmp_path):
    from prodready.testing import write_tree

    write_tree(tmp_path, {
        ".gitignore": ".env*\n*.pem\n*.key\n",
        ".env.example": "# local only\n",
        "app/main.py": ("import os\nfrom fastapi import FastAPI\n\n"
                        'KEY = os.environ["STRIPE_KEY"]\napp = FastAPI()\n'),
    })
    outcome = run_fix(tmp_path, Config.model_validate({"cache": False, "select": ["APP013"]}),
                      jobs=1)
    assert (tmp_path / ".env.example").read_text() == "# local only\n"
    assert not outcome.applied
    assert [f.rule_id for f in outcome.after.findings] == ["APP013"]


def test_fix_command_exit_codes(tmp_path):
    from typer.testing import CliRunner

    from prodready.cli import app

    work = tmp_path / "bad"
    shutil.copytree(REPOS / "fastapi-bad", work, ignore=shutil.ignore_patterns(".prodready_cache"))
    runner = CliRunner()
    dry = runner.invoke(app, ["fix", str(work), "--diff", "--select", "PY007", "--fail-on",
                              "critical"])
    assert dry.exit_code == 1 and "+++ b/app/db.py" in dry.output  # a diff is pending
    done = runner.invoke(app, ["fix", str(work), "--select", "PY007", "--fail-on", "critical"])
    assert done.exit_code == 0, done.output  # fixed, nothing left at or above critical
    again = runner.invoke(app, ["fix", str(work), "--diff", "--select", "PY007"])
    assert again.exit_code == 0 and "+++" not in again.output
