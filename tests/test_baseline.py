"""Baselines keep today's findings quiet; only new problems fail the scan."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prodready.baseline import apply, build, content_hash
from prodready.cli import app
from prodready.testing import scan_files

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "repos" / "fastapi-bad"
runner = CliRunner()

SERVICE = '''import requests


def invoices():
    return requests.get("https://billing.internal/invoices").json()


def refunds():
    try:
        requests.post("https://billing.internal/refunds", timeout=5)
    except Exception:
        pass
'''


def _scan_json(root: Path, *args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["scan", str(root), "--format", "json", "--no-cache", *args])
    return result.exit_code, json.loads(result.output)


def test_baseline_then_one_new_problem_fails_with_exactly_that_finding(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(BAD, repo, ignore=shutil.ignore_patterns(".prodready_cache"))
    baseline = tmp_path / "baseline.json"
    written = runner.invoke(app, ["baseline", str(repo), "-o", str(baseline)])
    assert written.exit_code == 0, written.output
    code, report = _scan_json(repo, "--baseline", str(baseline))
    assert code == 0, "everything is baselined"
    assert report["baseline"]["new"] == 0 and report["baseline"]["baselined"] > 0

    tasks = repo / "app" / "tasks.py"
    tasks.write_text(tasks.read_text() + '\n\ndef ping():\n    return requests.get("http://x")\n'
                     '\n\ndef health():\n    return ping()\n')
    code, report = _scan_json(repo, "--baseline", str(baseline))
    new = [f for f in report["findings"] if f["baseline"] == "new" and not f["suppressed"]]
    assert code == 1
    assert [(f["rule_id"], f["path"]) for f in new] == [("PY006", "app/tasks.py")]


def test_baseline_file_is_deterministic_and_has_no_line_numbers(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for target in (first, second):
        assert runner.invoke(app, ["baseline", str(BAD), "-o", str(target)]).exit_code == 0
    assert first.read_text() == second.read_text()
    document = json.loads(first.read_text())
    assert all(set(e) == {"rule_id", "path", "hash", "count"} for e in document["findings"])
    assert document["findings"] == sorted(document["findings"],
                                          key=lambda e: (e["rule_id"], e["path"], e["hash"]))


@pytest.mark.parametrize("edit", [
    lambda s: "# a comment\n\n\n" + s,  # lines added above
    lambda s: s.replace('requests.get("https://billing.internal/invoices")',
                        "requests.get( 'https://billing.internal/invoices' )"),  # reformatted
    lambda s: "\n\n\n".join([s.split("\n\n\n")[i] for i in (0, 2, 1)]) + "\n",  # moved
])
def test_edits_that_keep_the_problem_keep_it_baselined(edit):
    before = scan_files({"app/billing.py": SERVICE}, ["PY"])
    document = build(before)
    after = scan_files({"app/billing.py": edit(SERVICE)}, ["PY"])
    outcome = apply(after, document)
    assert outcome.new == 0 and outcome.baselined == len(before) == 2


def test_renamed_file_keeps_its_findings_and_fixed_ones_are_counted():
    document = build(scan_files({"app/billing.py": SERVICE}, ["PY"]))
    renamed = scan_files({"app/payments.py": "\n\n\n".join(SERVICE.split("\n\n\n")[:2])},
                         ["PY"])
    outcome = apply(renamed, document)
    assert (outcome.new, outcome.baselined) == (0, 1)
    assert [(e["rule_id"], e["count"]) for e in outcome.fixed] == [("PY002", 1)]


def test_a_second_identical_problem_in_the_same_file_is_new():
    document = build(scan_files({"app/billing.py": SERVICE}, ["PY006"]))
    doubled = SERVICE + '\n\ndef again():\n    return requests.get("https://billing.internal/invoices").json()\n'
    outcome = apply(scan_files({"app/billing.py": doubled}, ["PY006"]), document)
    assert (outcome.new, outcome.baselined) == (1, 1)


def test_content_hash_ignores_whitespace_and_quote_style():
    a, b = scan_files({"app/x.py": 'import requests\nrequests.get("u")\n'}, ["PY006"]) + \
        scan_files({"app/x.py": "import requests\nrequests.get( 'u' )\n"}, ["PY006"])
    assert content_hash(a) == content_hash(b)


def test_unreadable_baseline_exits_2(tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["scan", str(BAD), "--baseline", str(bad)])
    assert result.exit_code == 2
    assert "cannot read baseline" in result.output


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "HOME": str(repo),
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e",
                        "PATH": "/usr/bin:/bin:/usr/local/bin"})


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_base_keeps_only_findings_on_changed_lines(tmp_path):
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "billing.py").write_text(SERVICE)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    (repo / "app" / "billing.py").write_text(
        SERVICE + '\n\ndef ping():\n    return requests.get("http://x")\n')
    (repo / "app" / "new.py").write_text("import sys\nsys.path.insert(0, '.')\n")
    code, report = _scan_json(repo, "--diff-base", "HEAD", "--select", "PY")
    kept = sorted((f["rule_id"], f["path"], f["line"]) for f in report["findings"])
    assert kept == [("PY003", "app/new.py", 2), ("PY006", "app/billing.py", 16)]
    assert code == 1
    assert any("outside the changed code" in d["message"] for d in report["diagnostics"])


def test_diff_base_outside_git_is_a_clear_error(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    result = runner.invoke(app, ["scan", str(tmp_path), "--diff-base", "HEAD"])
    assert result.exit_code == 2
    assert "git" in result.output


def test_explain_score_lists_recoverable_points():
    result = runner.invoke(app, ["scan", str(BAD), "--no-cache", "--explain-score",
                                 "--select", "PY"])
    assert "Points each rule would recover" in result.output
    assert "PY006 http-call-without-timeout" in result.output
