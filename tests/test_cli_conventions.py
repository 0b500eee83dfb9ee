"""Conventions users expect of a linter's command line: colour switches, file modes, stdout
outputs, exit switches, parse failures, readable errors, relative paths, config discovery."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner, Result

from prodready.cli import app
from prodready.testing import write_tree

SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # PY003, medium
ESC = "\x1b["
COLOR_ENV = ("NO_COLOR", "FORCE_COLOR", "TERM")


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in COLOR_ENV:
        monkeypatch.delenv(name, raising=False)


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", {"app/boot.py": SYS_PATH, "app/ok.py": "print(1)\n"})


def scan(repo: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return invoke("scan", str(repo), "--no-cache", "--select", "PY003", *args, env=env)


# ------------------------------------------------------------------ colour

@pytest.mark.parametrize(("args", "env", "colored"), [
    ([], {}, False),  # not a terminal
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ([], {"FORCE_COLOR": "0"}, False),
    (["--color", "always"], {"NO_COLOR": "1"}, True),
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    (["--color", "auto"], {"TERM": "dumb"}, False),
])
def test_color_follows_the_switches(repo: Path, args: list[str], env: dict[str, str],
                                    colored: bool) -> None:
    result = scan(repo, *args, env=env)
    assert result.exit_code == 1, result.output
    assert (ESC in result.stdout) is colored


def test_bad_color_value_is_a_usage_error(repo: Path) -> None:
    assert scan(repo, "--color", "sometimes").exit_code == 2


# ------------------------------------------------------------------ written files

def test_reports_and_baselines_honour_the_umask(repo: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        report, baseline = tmp_path / "out.json", tmp_path / "base.json"
        assert scan(repo, "-o", f"json={report}").exit_code == 1
        written = invoke("baseline", str(repo), "-o", str(baseline))
        assert written.exit_code == 0, written.output
    finally:
        os.umask(old)
    assert stat.S_IMODE(report.stat().st_mode) == 0o644
    assert stat.S_IMODE(baseline.stat().st_mode) == 0o644


def test_an_output_to_dash_goes_to_stdout(repo: Path, tmp_path: Path) -> None:
    result = scan(repo, "-o", "sarif=-", "-o", f"json={tmp_path / 'r.json'}")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["version"] == "2.1.0"  # SARIF alone, no text around it
    assert not Path("-").exists()
    assert (tmp_path / "r.json").is_file()
    assert scan(repo, "-o", "sarif=-", "-o", "json=-").exit_code == 2


# ------------------------------------------------------------------ listings and config

@pytest.mark.parametrize("command", ["rules", "services"])
def test_listings_in_yaml_or_rejected(command: str, repo: Path) -> None:
    args = [command] if command == "rules" else [command, str(repo)]
    data = yaml.safe_load(invoke(*args, "--format", "yaml").stdout)
    assert isinstance(data, list)
    assert data == json.loads(invoke(*args, "--format", "json").stdout)
    bogus = invoke(*args, "--format", "xml")
    assert bogus.exit_code == 2 and bogus.stdout == ""


def test_config_output_parses_as_toml_and_json(repo: Path) -> None:
    write_tree(repo, {".prodready.toml": (
        'fail-on = "high"\nper-file-ignores = { "scripts/*" = ["PY006"] }\n'
        '[[exemptions]]\nrule = "PY003"\npath = "app/*"\nreason = "legacy"\n'
        'expires = 2099-01-01\n')})
    toml = tomllib.loads(invoke("config", str(repo)).stdout)["tool"]["prodready"]
    as_json = json.loads(invoke("config", str(repo), "--format", "json").stdout)
    assert toml["fail-on"] == as_json["fail-on"] == "high"
    assert toml["exemptions"][0]["reason"] == "legacy"
    # what `config` prints is itself a valid configuration
    again = write_tree(repo.parent / "again", {"pyproject.toml": invoke("config", str(repo))
                                                .stdout})
    assert tomllib.loads(invoke("config", str(again)).stdout) == tomllib.loads(
        invoke("config", str(repo)).stdout.replace(str(repo / ".prodready.toml"),
                                                    str(again / "pyproject.toml")))


# ------------------------------------------------------------------ gate switches

def test_exit_zero_and_fail_under(repo: Path) -> None:
    assert scan(repo).exit_code == 1
    assert scan(repo, "--exit-zero").exit_code == 0
    score = json.loads(scan(repo, "--format", "json", "--exit-zero").stdout)["score"]["overall"]
    under = scan(repo, "--fail-on", "critical", "--fail-under", str(score + 1))
    assert under.exit_code == 1
    assert f"Gate failed: score {score:.1f} is under {score + 1:g}" in under.stdout
    assert scan(repo, "--fail-on", "critical", "--fail-under", str(score)).exit_code == 0


def test_fail_on_is_case_insensitive_and_names_itself_when_wrong(repo: Path) -> None:
    write_tree(repo, {".prodready.toml": 'select = ["PY003"]\n'})
    assert scan(repo, "--fail-on", "HIGH").exit_code == 0
    assert scan(repo, "--fail-on", "Medium").exit_code == 1
    wrong = scan(repo, "--fail-on", "urgent")
    assert wrong.exit_code == 2
    assert "--fail-on" in wrong.stderr and "[tool.prodready]" not in wrong.stderr


def test_a_repository_that_does_not_parse_never_looks_clean(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": "def f(:\n"})
    result = invoke("scan", str(tmp_path), "--no-cache", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["score"]["overall"] is None and data["score"]["grade"] == "N/A"
    assert data["score"]["unchecked_files"] == 1
    assert data["gate"]["passed"] is False


def test_fail_on_parse(repo: Path) -> None:
    write_tree(repo, {"app/broken.py": "def f(:\n"})
    assert scan(repo, "--fail-on", "critical").exit_code == 0
    assert scan(repo, "--fail-on", "critical,parse").exit_code == 1


# ------------------------------------------------------------------ messages

def test_did_you_mean_for_rules_and_config_keys(repo: Path) -> None:
    assert "did you mean 'PY003'" in invoke("scan", str(repo), "--select", "PY0003").stderr
    assert "did you mean 'PY001'" in invoke("explain", "PY0001").stderr
    write_tree(repo, {".prodready.toml": 'fail-onn = "high"\n'})
    assert "did you mean 'fail-on'" in invoke("scan", str(repo)).stderr


def test_quiet_and_verbose(repo: Path) -> None:
    write_tree(repo, {"app/vendored.py": (
        'import sys\nsys.path.insert(0, "v")  # prodready: ignore[PY003] -- vendored\n')})
    normal = scan(repo).stdout
    quiet = scan(repo, "--quiet").stdout
    verbose = scan(repo, "--verbose")
    assert "Found" in normal and "Found" not in quiet and "app/boot.py:2:1" in quiet
    assert "app/vendored.py" in verbose.stdout and "app/vendored.py" not in normal
    assert "config" in verbose.stderr


def test_every_option_has_help_and_completion_is_on() -> None:
    command = typer.main.get_command(app)
    names = {p.name for p in command.params}
    assert "install_completion" in names
    for name in ("scan", "fix", "baseline", "comment", "config", "rules", "services"):
        for param in command.commands[name].params:  # type: ignore[attr-defined]
            if isinstance(param, typer.core.TyperOption) and param.name != "help":
                assert param.help, f"{name} {param.opts} has no help text"


# ------------------------------------------------------------------ paths and discovery

def test_paths_are_printed_relative_to_the_working_directory(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.parent)
    result = invoke("scan", "repo/app", "--no-cache", "--select", "PY003")
    assert "repo/app/boot.py:2:1" in result.stdout
    monkeypatch.chdir(repo / "app")
    result = invoke("scan", str(repo), "--no-cache", "--select", "PY003")
    assert "  boot.py:2:1" in result.stdout


def test_a_subdirectory_scan_honours_the_repository_root(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "mono", {
        ".gitignore": ".env\n",
        "pyproject.toml": '[tool.prodready]\nignore = ["PY003"]\n',
        "services/api/.env": "SECRET_KEY=abc\n",
        "services/api/app.py": SYS_PATH,
    })
    (root / ".git").mkdir()  # the repository root
    result = invoke("scan", str(root / "services" / "api"), "--no-cache", "--format", "json",
                    "--select", "REPO002,PY003")
    data = json.loads(result.stdout)
    assert data["findings"] == [], "the root's .gitignore and [tool.prodready] apply"
    shown = invoke("config", str(root / "services" / "api")).stdout
    assert str(root / "pyproject.toml") in shown
    # without a repository the search stops at the scanned directory
    (root / ".git").rmdir()
    data = json.loads(invoke("scan", str(root / "services" / "api"), "--no-cache",
                             "--format", "json", "--select", "PY003").stdout)
    assert [f["rule_id"] for f in data["findings"]] == ["PY003"]


def test_config_paths_are_rebased_onto_a_scanned_subdirectory(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "mono", {
        "pyproject.toml": ('[tool.prodready]\nselect = ["PY003"]\n'
                           'extend-exclude = ["services/api/vendor/", "/other/"]\n'
                           'per-file-ignores = { "services/api/boot.py" = ["PY003"] }\n'),
        "services/api/boot.py": SYS_PATH,
        "services/api/vendor/lib.py": SYS_PATH,
        "services/api/app.py": SYS_PATH,
    })
    (root / ".git").mkdir()
    for target in (root, root / "services" / "api"):
        data = json.loads(invoke("scan", str(target), "--no-cache", "--format", "json").stdout)
        assert [f["path"].rsplit("/", 1)[-1] for f in data["findings"]] == ["app.py"], target
