"""Configuration: where it is read from, what is accepted, and what it changes in a scan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from prodready.config import Config, ConfigError, find_config_file, load_config
from prodready.engine import scan
from prodready.model import Severity

SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # PY003, medium by default


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(root: Path, **overrides: object) -> Config:
    return load_config(root, overrides=overrides or None)[0]


# ------------------------------------------------------------------ where config comes from


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    config, source = load_config(tmp_path)
    assert source is None
    assert config == Config()
    assert config.select == ["ALL"]
    assert config.fail_on is Severity.LOW


def test_tool_prodready_in_pyproject(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", (
        '[project]\nname = "svc"\n\n'
        '[tool.prodready]\nfail-on = "high"\nignore = ["PY004"]\ninclude-tests = true\n'
        '[tool.ruff]\nline-length = 100\n'
    ))
    config, source = load_config(tmp_path)
    assert source == path
    assert config.fail_on is Severity.HIGH
    assert config.ignore == ["PY004"]
    assert config.include_tests is True


def test_pyproject_without_a_prodready_table_is_not_the_config(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.ruff]\nline-length = 100\n')
    assert find_config_file(tmp_path) is None
    assert load_config(tmp_path) == (Config(), None)


def test_prodready_toml_top_level_keys(tmp_path: Path) -> None:
    path = write(tmp_path, ".prodready.toml", 'fail-on = "critical"\nselect = ["PY", "DOCKER"]\n')
    config, source = load_config(tmp_path)
    assert source == path
    assert config.fail_on is Severity.CRITICAL
    assert config.select == ["PY", "DOCKER"]


def test_prodready_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.prodready]\nfail-on = "info"\n')
    path = write(tmp_path, ".prodready.toml", 'fail-on = "high"\n')
    config, source = load_config(tmp_path)
    assert (source, config.fail_on) == (path, Severity.HIGH)


def test_explicit_config_file(tmp_path: Path) -> None:
    write(tmp_path, ".prodready.toml", 'fail-on = "high"\n')
    other = write(tmp_path, "ci/prodready.toml", 'fail-on = "medium"\n')
    config, source = load_config(tmp_path, other)
    assert (source, config.fail_on) == (other, Severity.MEDIUM)


def test_kebab_and_snake_case_keys(tmp_path: Path) -> None:
    write(tmp_path, ".prodready.toml", (
        'fail-on = "high"\nper-file-ignores = { "scripts/*" = ["PY003"] }\n'
        'require-reason = true\nextend-exclude = ["gen/"]\nmax-file-size = 1000\n'
    ))
    kebab = load(tmp_path)
    write(tmp_path, ".prodready.toml", (
        'fail_on = "high"\nper_file_ignores = { "scripts/*" = ["PY003"] }\n'
        'require_reason = true\nextend_exclude = ["gen/"]\nmax_file_size = 1000\n'
    ))
    assert load(tmp_path) == kebab
    assert kebab.per_file_ignores == {"scripts/*": ["PY003"]}
    assert kebab.require_reason and kebab.max_file_size == 1000


def test_command_line_overrides_file_settings(tmp_path: Path) -> None:
    write(tmp_path, ".prodready.toml", 'fail-on = "high"\nselect = ["PY"]\n')
    config = load(tmp_path, fail_on="info", select=None)
    assert config.fail_on is Severity.INFO
    assert config.select == ["PY"]  # None means "not given on the command line"


def test_command_line_override_of_a_snake_case_file_key(tmp_path: Path) -> None:
    # The file may spell a key either way; a flag must replace it, not collide with it.
    write(tmp_path, ".prodready.toml", 'fail_on = "high"\ninclude_tests = false\n')
    config = load(tmp_path, fail_on="info", include_tests=True)
    assert config.fail_on is Severity.INFO
    assert config.include_tests is True


# ------------------------------------------------------------------ what is rejected


def error_of(tmp_path: Path, text: str, name: str = ".prodready.toml") -> str:
    write(tmp_path, name, text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    return str(info.value)


def test_unknown_key_is_an_error_naming_the_key_and_file(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[tool.prodready]\nfail-onn = "high"\n', "pyproject.toml")
    assert "fail-onn" in message
    assert "pyproject.toml" in message


def test_unknown_key_in_an_exemption(tmp_path: Path) -> None:
    message = error_of(tmp_path, (
        'exemptions = [{ rule = "PY003", reason = "x", expire = 2030-01-01 }]\n'))
    assert "expire" in message


@pytest.mark.parametrize("text", [
    'fail-on = "urgent"\n',
    'severity = { PY004 = "urgent" }\n',
])
def test_bad_severity_value(tmp_path: Path, text: str) -> None:
    message = error_of(tmp_path, text)
    assert "urgent" in message or "critical" in message
    assert ("fail-on" in message) or ("severity.PY004" in message)


@pytest.mark.parametrize(("key", "text"), [
    ("select", 'select = ["NOPE"]\n'),
    ("ignore", 'ignore = ["PY999"]\n'),
    ("extend-select", 'extend-select = ["XYZ1"]\n'),
    ("severity", 'severity = { NOPE001 = "low" }\n'),
    ("handled-elsewhere", 'handled-elsewhere = { NOPE001 = "gateway" }\n'),
])
def test_unknown_rule_id_is_an_error(tmp_path: Path, key: str, text: str) -> None:
    message = error_of(tmp_path, text)
    assert key in message
    assert "NOPE" in message or "PY999" in message or "XYZ1" in message


def test_unknown_rule_id_in_per_file_ignores_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'per-file-ignores = { "scripts/*" = ["PY003", "NOPE123"] }\n')
    assert "per-file-ignores" in message
    assert "NOPE123" in message


def test_unknown_rule_id_in_an_exemption_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'exemptions = [{ rule = "NOPE9", reason = "legacy" }]\n')
    assert "exemptions" in message
    assert "NOPE9" in message


def test_empty_selector_is_an_error(tmp_path: Path) -> None:
    # "" is a prefix of every id: it would silently select (or ignore) everything.
    assert "select" in error_of(tmp_path, 'select = [""]\n')


def test_prefixes_and_all_are_accepted(tmp_path: Path) -> None:
    write(tmp_path, ".prodready.toml", 'select = ["ALL"]\nignore = ["K8S01", "DOCKER", "PY003"]\n')
    config = load(tmp_path)
    assert config.is_selected("PY001")
    assert not config.is_selected("PY003")
    assert not config.is_selected("K8S011")
    assert config.is_selected("K8S001")
    assert not config.is_selected("DOCKER004")


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    assert "not valid TOML" in error_of(tmp_path, "[tool.prodready\n", "pyproject.toml")
    assert "not valid TOML" in error_of(tmp_path, "select = [\n")


def test_wrong_type_is_a_config_error(tmp_path: Path) -> None:
    assert "select" in error_of(tmp_path, 'select = "PY"\n')


@pytest.mark.parametrize("text", [
    '[tool]\nprodready = "yes"\n',
    'tool = { prodready = ["PY"] }\n',
])
def test_a_prodready_table_that_is_not_a_table(tmp_path: Path, text: str) -> None:
    write(tmp_path, "pyproject.toml", text)
    write(tmp_path, ".prodready.toml", text)
    for name in ("pyproject.toml", ".prodready.toml"):
        with pytest.raises(ConfigError, match=r"prodready"):
            load_config(tmp_path, tmp_path / name)


def test_missing_explicit_config_file_is_a_config_error(tmp_path: Path) -> None:
    for name in ("missing.toml", "missing/pyproject.toml"):
        with pytest.raises(ConfigError, match="missing"):
            load_config(tmp_path, tmp_path / name)


# ------------------------------------------------------------------ effects on a scan


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        write(root, rel, content)
    return root


def findings_of(root: Path, config: Config) -> list[tuple[str, str, int, str, bool]]:
    result = scan(root, config, jobs=1, use_cache=False)
    return [(f.rule_id, f.path, f.line, f.severity.value, f.suppressed)
            for f in result.findings]


def test_per_file_ignores_drop_findings_for_matching_paths_only(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "ops/boot.py": SYS_PATH,
        "lib/sub/boot.py": SYS_PATH,
        "app/boot.py": SYS_PATH,
    })
    config = Config.model_validate({
        "select": ["PY003"],
        "per-file-ignores": {"ops/*": ["PY003"], "lib/": ["PY"]},
    })
    # Dropped, not suppressed: the file is out of the rule's scope.
    assert findings_of(tmp_path, config) == [("PY003", "app/boot.py", 2, "medium", False)]
    other_rule = Config.model_validate({"select": ["PY003"],
                                        "per-file-ignores": {"ops/*": ["PY006"]}})
    assert [f[1] for f in findings_of(tmp_path, other_rule)] == [
        "app/boot.py", "lib/sub/boot.py", "ops/boot.py"]


def test_severity_override_changes_a_findings_severity(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/boot.py": SYS_PATH})
    default = findings_of(tmp_path, Config(select=["PY003"]))
    assert default == [("PY003", "app/boot.py", 2, "medium", False)]
    raised = Config.model_validate({"select": ["PY003"], "severity": {"PY003": "critical"}})
    assert findings_of(tmp_path, raised) == [("PY003", "app/boot.py", 2, "critical", False)]


def test_severity_override_reaches_the_report_and_cache(tmp_path: Path) -> None:
    # A cached result must not keep the severity of an earlier configuration.
    make_tree(tmp_path, {"app/boot.py": SYS_PATH})
    first = scan(tmp_path, Config(select=["PY003"]), jobs=1)
    lowered = Config.model_validate({"select": ["PY003"], "severity": {"PY003": "info"}})
    second = scan(tmp_path, lowered, jobs=1)
    assert [f.severity for f in first.findings] == [Severity.MEDIUM]
    assert [f.severity for f in second.findings] == [Severity.INFO]


def test_exemptions_suppress_until_they_expire(tmp_path: Path) -> None:
    make_tree(tmp_path, {"legacy/boot.py": SYS_PATH, "app/boot.py": SYS_PATH})
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    live = Config.model_validate({"select": ["PY003"], "exemptions": [
        {"rule": "PY003", "path": "legacy/", "reason": "old", "expires": tomorrow}]})
    result = scan(tmp_path, live, jobs=1, use_cache=False)
    assert [(f.path, f.suppressed, f.suppression_reason) for f in result.findings] == [
        ("app/boot.py", False, None), ("legacy/boot.py", True, "old")]
    expired = Config.model_validate({"select": ["PY003"], "exemptions": [
        {"rule": "PY003", "path": "legacy/", "reason": "old", "expires": yesterday}]})
    assert not any(f.suppressed for f in scan(tmp_path, expired, jobs=1,
                                              use_cache=False).findings)


def test_handled_elsewhere_suppresses_with_its_reason(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/boot.py": SYS_PATH})
    config = Config.model_validate({"select": ["PY003"],
                                    "handled-elsewhere": {"PY003": "the launcher sets it"}})
    [finding] = scan(tmp_path, config, jobs=1, use_cache=False).findings
    assert finding.suppressed
    assert "the launcher sets it" in (finding.suppression_reason or "")


def test_select_and_ignore_choose_the_rules_that_run(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/boot.py": SYS_PATH + 'import requests\nrequests.get("http://x")\n'})
    both = {f[0] for f in findings_of(tmp_path, Config(select=["PY003", "PY006"]))}
    assert both == {"PY003", "PY006"}
    assert {f[0] for f in findings_of(tmp_path, Config(select=["PY"], ignore=["PY006"]))} == {
        "PY003"}
    extended = Config(select=["PY003"], extend_select=["PY006"])
    assert {f[0] for f in findings_of(tmp_path, extended)} == {"PY003", "PY006"}


def test_fail_on_is_kept_out_of_the_cache_digest() -> None:
    assert Config(fail_on=Severity.HIGH).digest() == Config(fail_on=Severity.INFO).digest()
    assert Config(severity={"PY003": Severity.INFO}).digest() != Config().digest()


@pytest.mark.parametrize(("fail_on", "code"), [
    ("critical", 0), ("high", 0), ("medium", 1), ("low", 1), ("info", 1),
])
def test_fail_on_from_the_config_file_decides_the_exit_code(
    tmp_path: Path, fail_on: str, code: int
) -> None:
    from typer.testing import CliRunner

    from prodready.cli import app

    make_tree(tmp_path, {"app/boot.py": SYS_PATH,
                         ".prodready.toml": f'select = ["PY003"]\nfail-on = "{fail_on}"\n'})
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--no-cache"])
    assert result.exit_code == code, result.output
