"""action.yml and .pre-commit-hooks.yaml parse, and use only options the CLI has."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from prodready.cli import app

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
INVOCATION = re.compile(r"(?:\bprodready|\"\$PRODREADY\")\s+([a-z][a-z-]*)")
# the pip install line and the git worktree of the base commit
NOT_PRODREADY = {"--disable-pip-version-check", "--quiet", "--detach", "--force"}


@cache
def help_flags(command: str) -> frozenset[str]:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    return frozenset(FLAG.findall(result.output))


def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    return list(action()["runs"]["steps"])


def scripts() -> list[str]:
    return [step["run"] for step in steps() if "run" in step]


def logical_lines(script: str) -> list[str]:
    return script.replace("\\\n", " ").splitlines()


def test_action_is_a_composite_action_with_the_inputs() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    assert {"path", "fail-on", "args", "comment", "python-version"} <= set(data["inputs"])
    assert data["inputs"]["comment"]["default"] in ("true", "false")
    for step in steps():
        if "run" in step:
            assert step.get("shell") == "bash", step.get("name")


def test_every_prodready_invocation_uses_existing_options() -> None:
    seen: set[str] = set()
    for script in scripts():
        for line in logical_lines(script):
            match = INVOCATION.search(line)
            if not match:
                continue
            command = match.group(1)
            seen.add(command)
            flags = set(FLAG.findall(line[match.end():]))
            assert flags <= help_flags(command), (command, flags - help_flags(command))
    assert {"scan", "comment"} <= seen


def test_every_flag_in_the_action_is_a_cli_option() -> None:
    known = help_flags("scan") | help_flags("comment")
    used = set(FLAG.findall(ACTION.read_text(encoding="utf-8"))) - NOT_PRODREADY
    assert used, "no flags found: the pattern is broken"
    assert used <= known, used - known


def test_scan_writes_the_reports_the_later_steps_read() -> None:
    scan = next(s for s in steps() if s.get("id") == "scan")["run"]
    assert "--format github" in scan
    assert '--output "sarif=$PRODREADY_DIR/prodready.sarif"' in scan
    assert '--output "json=$PRODREADY_DIR/prodready.json"' in scan
    assert '--output "markdown=$PRODREADY_DIR/prodready.md"' in scan
    upload = next(s for s in steps() if "upload-sarif" in str(s.get("uses", "")))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ steps.prepare.outputs.dir }}/prodready.sarif"
    assert upload["with"]["category"] == "${{ steps.prepare.outputs.category }}"
    assert "always()" in upload["if"]
    comment = next(s for s in steps() if '"$PRODREADY" comment' in s.get("run", ""))
    assert "prodready.md" in comment["run"]
    assert "inputs.comment == 'true'" in comment["if"]
    assert "github.event_name == 'pull_request'" in comment["if"]


def test_action_installs_itself_and_keeps_inputs_out_of_scripts() -> None:
    install = next(s for s in steps() if "pip install" in s.get("run", ""))
    assert "${{ github.action_path }}" in str(install.get("env", {}).values())
    for script in scripts():
        # ${{ inputs.* }} pasted into a script would let an input inject shell code.
        assert "${{" not in script


def test_action_exit_code_is_applied_last() -> None:
    last = steps()[-1]
    assert last.get("if") == "always()"
    assert "steps.scan.outputs.exit-code" in str(last.get("env"))


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    [hook] = [h for h in hooks if h["id"] == "prodready"]
    assert hook["language"] == "python"
    assert hook["entry"].startswith("prodready scan")
    assert hook["pass_filenames"] is True  # the files being committed
    assert "always_run" not in hook
    program, command, *flags = hook["entry"].split()
    assert program == "prodready"
    assert set(flags) <= help_flags(command)


@pytest.mark.parametrize("command", ["scan", "comment"])
def test_help_lists_options(command: str) -> None:
    assert "--help" in help_flags(command)
    assert len(help_flags(command)) > 2


README = ROOT / "README.md"


def test_license_matches_the_package_metadata() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "prodready authors" in text
    assert project["urls"]["Homepage"].startswith("https://")


def _yaml_blocks(text: str) -> list[Any]:
    return [yaml.safe_load(block.split("```", 1)[0])
            for block in text.split("```yaml\n")[1:]]


def test_readme_workflow_has_what_the_action_needs() -> None:
    text = README.read_text(encoding="utf-8")
    workflow = next(b for b in _yaml_blocks(text) if isinstance(b, dict) and "jobs" in b)
    assert workflow["permissions"]["actions"] == "read"
    assert workflow["permissions"]["security-events"] == "write"
    checkout = workflow["jobs"]["prodready"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    assert "pipx install git+https://" in text


def test_readme_gitlab_example_publishes_a_code_quality_report() -> None:
    text = README.read_text(encoding="utf-8")
    gitlab = next(b for b in _yaml_blocks(text) if isinstance(b, dict) and "prodready" in b
                  and "script" in b["prodready"])
    report = gitlab["prodready"]["artifacts"]["reports"]["codequality"]
    assert any(f"codeclimate={report}" in line for line in gitlab["prodready"]["script"])


def test_readme_pre_commit_example_documents_the_baseline() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("### pre-commit", 1)[1].split("\n## ", 1)[0]
    assert "--baseline" in section and "id: prodready" in section


def test_readme_configuration_example_is_valid() -> None:
    import tomllib

    from prodready.config import Config

    block = README.read_text(encoding="utf-8").split("```toml\n", 1)[1].split("```", 1)[0]
    config = Config.model_validate(tomllib.loads(block)["tool"]["prodready"])
    assert config.fail_under == 80 and config.fail_on_parse is True
