"""The fix engine on awkward trees: symlinks, FIFOs, anchors, comments, concurrent changes."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import prodready.fix.apply as apply_module
from prodready.cli import app
from prodready.config import Config
from prodready.engine import scan
from prodready.fix.apply import run_fix
from prodready.model import FixSafety
from prodready.testing import write_tree

HAS_GIT = shutil.which("git") is not None


def _fix(root: Path, select: list[str], unsafe: bool = False, dry_run: bool = False):
    return run_fix(root, Config.model_validate({"select": select, "cache": False}),
                   unsafe=unsafe, dry_run=dry_run, jobs=1)


CRON = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  schedule: x\n"


# -- symlinks and file modes ---------------------------------------------------------------

def test_symlink_inside_the_repository_is_written_through_and_kept(tmp_path):
    write_tree(tmp_path, {"deploy/cron.yaml": CRON})
    (tmp_path / "k8s").mkdir()
    os.symlink("../deploy/cron.yaml", tmp_path / "k8s" / "cron.yaml")
    os.chmod(tmp_path / "deploy/cron.yaml", 0o640)
    _fix(tmp_path, ["K8S014"])
    link = tmp_path / "k8s" / "cron.yaml"
    assert link.is_symlink() and os.readlink(link) == "../deploy/cron.yaml"
    assert (tmp_path / "deploy/cron.yaml").read_text().endswith("concurrencyPolicy: Forbid\n")
    assert (tmp_path / "deploy/cron.yaml").stat().st_mode & 0o777 == 0o640


def test_a_file_and_a_symlink_to_it_are_fixed_once(tmp_path):
    write_tree(tmp_path, {"docker/Dockerfile": "FROM python:3.12-slim\nRUN pip install flask\n"})
    os.symlink("docker/Dockerfile", tmp_path / "Dockerfile")
    outcome = _fix(tmp_path, ["DOCKER008"])
    assert not outcome.failed, outcome.failed
    assert (tmp_path / "docker/Dockerfile").read_text().count("--no-cache-dir") == 1
    assert (tmp_path / "Dockerfile").is_symlink()


def test_symlink_leaving_the_repository_is_skipped_with_a_message(tmp_path):
    outside = tmp_path / "shared.dockerignore"
    outside.write_text("node_modules\n")
    repo = write_tree(tmp_path / "repo", {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\n"})
    os.symlink(outside, repo / ".dockerignore")
    outcome = _fix(repo, ["DOCKER007"])
    assert outside.read_text() == "node_modules\n"
    assert (repo / ".dockerignore").is_symlink()
    assert not outcome.failed
    assert any("outside the repository" in why for _, why in outcome.skipped)


# -- --diff: never crashes, git-apply-able patches, exit codes ---------------------------

def test_diff_survives_dangling_symlinks_fifos_and_unreadable_files(tmp_path):
    write_tree(tmp_path, {"k8s/cron.yaml": CRON, "app/secret.env": "A=1\n"})
    os.symlink("missing.yaml", tmp_path / "k8s" / "gone.yaml")
    os.mkfifo(tmp_path / "k8s" / "pipe.yaml")
    os.chmod(tmp_path / "app/secret.env", 0)
    try:
        result = CliRunner().invoke(app, ["fix", str(tmp_path), "--diff", "--select", "K8S014",
                                          "-j", "1"])
    finally:
        os.chmod(tmp_path / "app/secret.env", 0o600)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output
    assert "+  concurrencyPolicy: Forbid" in result.output
    assert (tmp_path / "k8s/cron.yaml").read_text() == CRON


def test_diff_exit_codes_are_0_clean_1_pending_2_errors(tmp_path, monkeypatch):
    write_tree(tmp_path, {"k8s/cron.yaml": CRON})
    runner = CliRunner()
    args = ["fix", str(tmp_path), "--diff", "--select", "K8S014", "-j", "1"]
    assert runner.invoke(app, args).exit_code == 1
    monkeypatch.setattr(apply_module, "verify", lambda path, old, new: "broken on purpose")
    assert runner.invoke(app, args).exit_code == 2
    monkeypatch.undo()
    (tmp_path / "k8s/cron.yaml").write_text(CRON + "  concurrencyPolicy: Forbid\n")
    assert runner.invoke(app, args).exit_code == 0


@pytest.mark.skipif(not HAS_GIT, reason="needs git")
def test_diff_applies_with_git_apply_without_a_final_newline(tmp_path):
    repo = write_tree(tmp_path / "repo", {"k8s/cron.yaml": CRON.rstrip("\n")})
    outcome = _fix(repo, ["K8S014", "DOCKER007"], dry_run=True)
    patch = "".join(outcome.diffs.values())
    assert "\\ No newline at end of file" in patch
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    done = subprocess.run(["git", "apply", "-"], cwd=repo, input=patch.encode(),
                          capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (repo / "k8s/cron.yaml").read_text().endswith("concurrencyPolicy: Forbid\n")


def test_unified_diff_marks_new_files_and_missing_newlines():
    from prodready.fix.apply import unified_diff

    created = unified_diff("a.txt", "", "x\n", created=True)
    assert created.startswith("--- /dev/null\n+++ b/a.txt\n")
    changed = unified_diff("b.txt", "a\nb", "a\nc")
    assert changed.endswith("+c\n\\ No newline at end of file\n")


# -- discovery: tracked files are read whatever .gitignore says ----------------------------

@pytest.mark.skipif(not HAS_GIT, reason="needs git")
def test_a_committed_env_file_stays_scanned_after_gitignore_lists_it(tmp_path):
    write_tree(tmp_path, {".env": "DATABASE_PASSWORD=s3cr3t-Pa55word-123\n", "app.py": "x = 1\n",
                      "local.env": "ignored\n"})
    git = ["git", "-c", "user.email=a@b", "-c", "user.name=a"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", ".env", "app.py"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text(".env\n*.env\n")
    from prodready.discover import discover

    found = discover(tmp_path).all_files
    assert ".env" in found and "local.env" not in found
    result = scan(tmp_path, Config.model_validate({"select": ["REPO002"], "cache": False}),
                  jobs=1)
    assert any(f.rule_id == "REPO002" and f.path == ".env" for f in result.findings)


# -- Compose anchors and comment blocks ----------------------------------------------------

ANCHORED = """x-base: &base
  image: app:1
  environment:
    A: "1"

services:
  web:
    <<: *base
    command: gunicorn app:app
  worker:
    <<: *base
"""


def test_insertions_never_land_in_an_anchor_through_a_merge_key(tmp_path):
    write_tree(tmp_path, {"compose.yaml": ANCHORED})
    outcome = _fix(tmp_path, ["COMPOSE003", "COMPOSE004"])
    text = (tmp_path / "compose.yaml").read_text()
    assert text.startswith('x-base: &base\n  image: app:1\n  environment:\n    A: "1"\n\n')
    assert "    command: gunicorn app:app\n    restart: unless-stopped\n" in text
    assert not outcome.failed
    again = _fix(tmp_path, ["COMPOSE003", "COMPOSE004"])
    assert not again.changed_files and (tmp_path / "compose.yaml").read_text() == text


def test_a_dependency_condition_shared_through_an_anchor_is_not_rewritten(tmp_path):
    compose = ("x-started: &started\n  condition: service_started\n\nservices:\n"
               "  db:\n    image: postgres:16\n    restart: always\n    healthcheck:\n"
               "      test: [\"CMD\", \"pg_isready\"]\n  web:\n    image: app:1\n"
               "    restart: always\n    depends_on:\n      db:\n        <<: *started\n")
    write_tree(tmp_path, {"compose.yaml": compose})
    _fix(tmp_path, ["COMPOSE002"])
    assert (tmp_path / "compose.yaml").read_text() == compose


def test_a_new_key_never_splits_a_mapping_that_only_merges(tmp_path):
    compose = ("x-hc: &hc\n  test: [\"CMD\", \"true\"]\n  interval: 10s\n\nservices:\n"
               "  consumer:\n    image: app:1\n    restart: always\n    healthcheck:\n"
               "      <<: *hc\n  # the next service\n  other:\n    image: app:1\n"
               "    restart: always\n    logging:\n      driver: local\n")
    write_tree(tmp_path, {"compose.yaml": compose})
    outcome = _fix(tmp_path, ["COMPOSE004"])
    text = (tmp_path / "compose.yaml").read_text()
    assert "    healthcheck:\n      <<: *hc\n    logging:\n" in text, text
    assert "    logging:\n      driver: json-file" in text and not outcome.failed


def test_a_new_key_goes_after_the_comments_of_the_last_key(tmp_path):
    compose = ("services:\n  web:\n    image: app:1\n    restart: always\n    environment:\n"
               "      - A=1\n      # - B=2\n      # - C=3\n\n  db:\n    image: postgres:16\n"
               "    restart: always\n    logging:\n      driver: local\n")
    write_tree(tmp_path, {"compose.yaml": compose})
    _fix(tmp_path, ["COMPOSE004"])
    text = (tmp_path / "compose.yaml").read_text()
    assert "      - A=1\n      # - B=2\n      # - C=3\n    logging:\n" in text


def test_verification_rejects_a_new_duplicate_key():
    from prodready.fix.apply import verify

    old = "services:\n  web:\n    image: a\n"
    assert verify("compose.yaml", old, old + "    image: b\n") is not None
    assert verify("compose.yaml", old, old + "    restart: always\n") is None


# -- Kubernetes manifests with aliases or written as JSON ----------------------------------

def test_kubernetes_fixes_edit_manifests_with_aliases_and_json(tmp_path):
    write_tree(tmp_path, {
        "k8s/alias.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                          "  labels: &labels\n    app: web\nspec:\n  selector:\n"
                          "    matchLabels: *labels\n  template:\n    metadata:\n"
                          "      labels: *labels\n    spec:\n      containers:\n"
                          "        - name: web\n          image: web:1\n",
        "k8s/json.yaml": '{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": '
                         '{"name": "api"}, "spec": {"selector": {}, "template": {"spec": '
                         '{"containers": '
                         '[{"name": "api", "image": "api:1"}]}}}}\n'})
    outcome = _fix(tmp_path, ["K8S009"])
    assert outcome.applied == {"K8S009": 2}, outcome.failed
    assert "allowPrivilegeEscalation: false" in (tmp_path / "k8s/alias.yaml").read_text()
    assert '"allowPrivilegeEscalation": false' in (tmp_path / "k8s/json.yaml").read_text()


# -- stale offsets and concurrent runs -------------------------------------------------------

def test_edits_computed_before_an_editor_save_are_not_applied(tmp_path, monkeypatch):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.12-slim\nRUN pip install flask\nEXPOSE 8000\n")
    real_scan = apply_module.scan
    calls = []

    def scan_then_save(root, config, **kwargs):
        result = real_scan(root, config, **kwargs)
        if not calls:  # the user saves the file right after the scan read it
            dockerfile.write_text("# saved\nFROM python:3.12-slim\nRUN pip install flask\n")
        calls.append(1)
        return result

    monkeypatch.setattr(apply_module, "scan", scan_then_save)
    outcome = _fix(tmp_path, ["DOCKER008"])
    assert dockerfile.read_text() == "# saved\nFROM python:3.12-slim\nRUN pip install flask\n"
    assert any("changed since it was scanned" in why for _, why in outcome.failed)


def test_fix_edits_carry_the_digest_of_their_source(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nRUN pip install flask\n"
                                    "COPY . .\nEXPOSE 8000\nCMD [\"gunicorn\", \"a:b\"]\n",
                      "k8s/cron.yaml": CRON,
                      "app/w.py": "import logging\nlog = logging.getLogger()\ndef f():\n"
                                  "    try:\n        g()\n    except Exception:\n"
                                  "        log.info('x')\n"})
    result = scan(tmp_path, Config.model_validate({"cache": False}), jobs=1)
    changes = [c for f in result.findings if f.fix
               for c in (*f.fix.edits, *f.fix.codemods)]
    assert changes and all(c.base is not None for c in changes)


def test_a_second_run_waits_for_the_repository_lock(tmp_path):
    from prodready.fix.apply import repository_lock

    (tmp_path / ".git").mkdir()
    with repository_lock(tmp_path):
        fd = os.open(tmp_path / ".git" / "prodready-fix.lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    fd = os.open(tmp_path / ".git" / "prodready-fix.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released after the run
    os.close(fd)


def test_a_file_created_earlier_in_the_run_can_be_edited_again(tmp_path):
    from prodready.fix.apply import FixOutcome, _fix_file
    from prodready.fix.edits import digest
    from prodready.model import Edit, Finding, Fix, Severity

    result = scan(tmp_path, Config.model_validate({"cache": False}), jobs=1)
    outcome = FixOutcome(result, result)
    (tmp_path / ".dockerignore").write_text(".git\n")
    outcome.created.add(".dockerignore")  # created by the first pass, unknown to its scan
    edit = Edit(".dockerignore", 5, 5, ".env\n", base=digest(".git\n"))
    finding = Finding("DOCKER007", "Dockerfile", 1, 1, 1, 1, "m", Severity.LOW,
                      fix=Fix(FixSafety.SAFE, "add .env", (edit,)))
    assert _fix_file(tmp_path, ".dockerignore", [(finding, edit)], outcome, {})
    assert (tmp_path / ".dockerignore").read_text() == ".git\n.env\n"


# -- the ruff-like experience ----------------------------------------------------------------

def test_scan_marks_fixable_findings_and_counts_them(tmp_path):
    write_tree(tmp_path, {"k8s/cron.yaml": CRON,
                      "Dockerfile": "FROM python:3.12-slim\nEXPOSE 80\nCMD [\"gunicorn\"]\n"})
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--select", "K8S014,DOCKER003"])
    assert "K8S014 [*]" in result.output
    assert "DOCKER003 [*]" not in result.output
    assert "1 fixable with `prodready fix` (1 more with `--unsafe-fixes`)." in result.output


def test_fix_shows_fixes_per_file_labels_unsafe_and_lists_what_is_left(tmp_path):
    write_tree(tmp_path, {"k8s/cron.yaml": CRON,
                      "Dockerfile": "FROM python:3.12-slim\nEXPOSE 80\nCMD [\"gunicorn\"]\n"})
    result = CliRunner().invoke(app, ["fix", str(tmp_path), "--show-fixes", "--select",
                                      "K8S014,DOCKER003,DOCKER004", "-j", "1"])
    assert "k8s/cron.yaml:" in result.output
    assert "fixed K8S014 (line " in result.output
    assert "DOCKER003  1 finding(s): unsafe fix: apply with --unsafe-fixes" in result.output
    unsafe = CliRunner().invoke(app, ["fix", str(tmp_path), "--show-fixes", "--unsafe-fixes",
                                      "--select", "DOCKER003", "-j", "1"])
    assert "fixed DOCKER003 (unsafe)" in unsafe.output


def test_a_keyword_joins_a_multi_line_call_before_its_closing_line(tmp_path):
    write_tree(tmp_path, {"app/db.py": (
        "import os\n\nfrom sqlalchemy import create_engine\n\n"
        "engine = create_engine(\n"
        "    os.environ[\"DB_URI\"], connect_args={\"application_name\": \"web\"}\n"
        ")\n")})
    _fix(tmp_path, ["PY007"])
    assert (tmp_path / "app/db.py").read_text().endswith(
        "engine = create_engine(\n"
        "    os.environ[\"DB_URI\"], connect_args={\"application_name\": \"web\"}, "
        "pool_pre_ping=True\n"
        ")\n")
