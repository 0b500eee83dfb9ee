"""The composite action's shell steps, run locally the way the runner runs them.

A small stand-in for the runner evaluates each step's `if:` and `${{ }}` expressions, gives
every step its own GITHUB_OUTPUT file, fakes the two `uses:` steps (setup-python hands out a
Python; upload-sarif records what it would upload) and runs the `run:` scripts with bash
against a sample git repository with a pull request, posting to a fake GitHub API.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_comment import PR, REPO, TOKEN, FakeGitHub, github  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
CONTEXT_PATH = re.compile(r"\b(?:inputs|github|steps|runner)(?:\.[A-Za-z_][\w-]*)+")
SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # PY003

if shutil.which("git") is None or shutil.which("bash") is None:
    pytest.skip("the action's steps need git and bash", allow_module_level=True)


class Runner:
    """Runs the action's steps for one `uses: ./` of a job."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str],
                 github_ctx: dict[str, Any], env: dict[str, str]) -> None:
        defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
        self.workspace, self.temp = workspace, temp
        self.context: dict[str, Any] = {"inputs": {**defaults, **inputs},
                                        "github": github_ctx, "steps": {}}
        self.env = env
        self.uploads: list[dict[str, str]] = []
        self.failed = False
        self.logs: list[str] = []
        for name, value in defaults.items():  # a default may itself be an expression
            self.context["inputs"].setdefault(name, value)
            if name not in inputs:
                self.context["inputs"][name] = self.substitute(value)

    def lookup(self, dotted: str) -> Any:
        value: Any = self.context
        for part in dotted.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value

    def evaluate(self, expression: str) -> Any:
        python = CONTEXT_PATH.sub(lambda m: f"_({m.group(0)!r})", expression)
        python = (python.replace("always()", "True").replace("&&", " and ")
                  .replace("||", " or "))
        python = re.sub(r"!(?!=)", " not ", python)
        # the expressions are those of our own action.yml
        return eval(python, {"_": self.lookup, "True": True})

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: str(self.evaluate(m.group(1))), text)

    def should_run(self, step: dict[str, Any]) -> bool:
        condition = str(step.get("if", ""))
        if "always()" not in condition and self.failed:
            return False
        return not condition or bool(self.evaluate(condition))

    def run(self) -> None:
        for step in ACTION["runs"]["steps"]:
            if not self.should_run(step):
                continue
            outputs = self.run_step(step)
            if "id" in step:
                self.context["steps"][step["id"]] = {"outputs": outputs}

    def run_step(self, step: dict[str, Any]) -> dict[str, str]:
        uses = str(step.get("uses", ""))
        if uses.startswith("actions/setup-python@"):
            assert str(step["with"]["update-environment"]).lower() == "false"
            return {"python-path": str(self.python_shim())}
        if uses.startswith("github/codeql-action/upload-sarif@"):
            self.uploads.append({k: self.substitute(str(v)) for k, v in step["with"].items()})
            return {}
        assert "run" in step and step["shell"] == "bash", step
        output = self.temp / f"output-{len(self.logs)}"
        output.write_text("")
        env = {**self.env, "GITHUB_OUTPUT": str(output),
               **{k: self.substitute(str(v)) for k, v in (step.get("env") or {}).items()}}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               step["run"]], cwd=self.workspace, env=env, capture_output=True,
                              text=True, timeout=600)
        self.logs.append(f"## {step['name']} -> {done.returncode}\n{done.stdout}{done.stderr}")
        if done.returncode != 0 and not step.get("continue-on-error"):
            self.failed = True
        return dict(line.split("=", 1) for line in output.read_text().splitlines()
                    if "=" in line)

    def python_shim(self) -> Path:
        """Stands for setup-python's interpreter: prodready's dependencies come from this
        test environment (the test has no network), the install itself runs for real."""
        shim = self.temp / "python-shim"
        borrowed = sysconfig.get_path("purelib")
        shim.write_text(f"""#!/bin/bash
"{sys.executable}" "$@" || exit $?
if [[ " $* " == *" -m venv "* ]]; then
  for site in "${{@: -1}}"/lib/python*/site-packages; do
    echo "{borrowed}" > "$site/_borrowed_dependencies.pth"
  done
fi
""")
        shim.chmod(0o755)
        return shim

    @property
    def outputs(self) -> dict[str, str]:
        return {name: self.substitute(str(spec["value"]))
                for name, spec in ACTION["outputs"].items()}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Path, str, str]:
    """A monorepo with two services; the pull request adds a problem to svc-a."""
    repo = tmp_path / "work"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    (repo / "svc-a").mkdir()
    (repo / "svc-b").mkdir()
    (repo / "svc-a" / "app.py").write_text("print('a')\n")
    # findings of rules the first instance does not select (--select PY,APP)
    (repo / "svc-a" / "Dockerfile").write_text("FROM python:3.12\nCOPY . .\nCMD python app.py\n")
    (repo / "svc-b" / "app.py").write_text(SYS_PATH)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "svc-a" / "boot.py").write_text(SYS_PATH)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "head")
    return repo, base, git(repo, "rev-parse", "HEAD")


def make_runner(pull_request: tuple[Path, str, str], github: FakeGitHub,  # noqa: F811
                tmp_path: Path, path: str, args: str = "") -> Runner:
    repo, base, head = pull_request
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR, "base": {"sha": base}}}))
    for name in ("env", "path", "summary"):
        (tmp_path / f"github-{name}").touch()
    env = {
        "PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
        "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": REPO, "GITHUB_SHA": head,
        "GITHUB_API_URL": github.url, "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_WORKSPACE": str(repo), "RUNNER_TEMP": str(temp),
        "GITHUB_ENV": str(tmp_path / "github-env"), "GITHUB_PATH": str(tmp_path / "github-path"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "github-summary"),
        # offline: no index, no isolated build (hatchling comes from this environment)
        "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",
    }
    github_ctx = {"event_name": "pull_request", "action_path": str(ROOT), "token": TOKEN,
                  "event": {"pull_request": {"number": PR, "base": {"sha": base}}}}
    return Runner(repo, temp, {"path": path, "args": args}, github_ctx, env)


def test_two_instances_scan_compare_upload_and_comment_apart(
        pull_request: tuple[Path, str, str], github: FakeGitHub,  # noqa: F811
        tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="installing the action offline builds it locally")
    first = make_runner(pull_request, github, tmp_path, "svc-a", "--select PY,APP")
    first.run()
    log = "\n".join(first.logs)
    outputs = first.outputs
    assert outputs["exit-code"] == "1", log  # the pull request adds a finding
    assert outputs["grade"] in ("A", "B", "C", "D", "F") and outputs["score"].isdigit(), log
    assert first.failed, "the last step applies the exit code"

    second = make_runner(pull_request, github, tmp_path, "./svc-b/")
    second.run()
    assert second.outputs["exit-code"] == "1", "\n".join(second.logs)

    # separate code-scanning categories and SARIF files, paths from the repository root
    assert [u["category"] for u in first.uploads + second.uploads] == [
        "prodready/svc-a", "prodready/svc-b"]
    sarif = json.loads(Path(first.uploads[0]["sarif_file"]).read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}
    assert uris == {"svc-a/boot.py"}

    # one comment per service, the first with before/after from the base commit
    marked = {c["id"]: c["body"] for c in github.comments[PR]}
    assert len(marked) == 2
    body_a = next(b for b in marked.values() if "key=svc-a" in b)
    body_b = next(b for b in marked.values() if "key=svc-b" in b)
    assert "| Before | After | Change |" in body_a, body_a
    assert "New findings (1)" in body_a and "svc-a/boot.py:2" in body_a
    assert "Fixed findings" not in body_a  # the base was scanned with the same --select
    assert "in `svc-b`" in body_b

    # a second push updates each service's own comment
    make_runner(pull_request, github, tmp_path, "svc-a").run()
    assert len(github.comments[PR]) == 2

    # nothing leaks into the caller's job: no environment or PATH changes
    assert (tmp_path / "github-env").read_text() == ""
    assert (tmp_path / "github-path").read_text() == ""
    assert "prodready failed" in (tmp_path / "github-summary").read_text()
    # the base commit's work tree is gone again
    assert git(pull_request[0], "worktree", "list").count("\n") == 0


def test_a_shallow_checkout_still_scans_without_before_after(
        pull_request: tuple[Path, str, str], github: FakeGitHub,  # noqa: F811
        tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="installing the action offline builds it locally")
    runner = make_runner(pull_request, github, tmp_path, ".")
    runner.context["github"]["event"]["pull_request"]["base"]["sha"] = "f" * 40  # not fetched
    runner.run()
    log = "\n".join(runner.logs)
    assert "fetch-depth: 0" in log
    assert runner.outputs["exit-code"] == "1", log
    [comment] = github.comments[PR]
    assert "| Before |" not in comment["body"]
    assert comment["body"].startswith("<!-- prodready-scorecard -->")
