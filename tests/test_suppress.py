"""Inline suppressions: where a comment counts, what it suppresses, and what is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prodready.cli import app
from prodready.config import Config
from prodready.engine import scan
from prodready.model import Ignore
from prodready.report import OutputFormat, Report, render
from prodready.result import ScanResult
from prodready.suppress import find_ignores, matching_ignore
from prodready.testing import write_tree as make_tree

IMPORT = "import sys\n"




def run(root: Path, files: dict[str, str], select: list[str] | None = None,
        **config: object) -> ScanResult:
    make_tree(root, files)
    cfg = Config.model_validate({"select": select or ["PY003"], **config})
    return scan(root, cfg, jobs=1, use_cache=False)


def states(result: ScanResult) -> list[tuple[str, int, bool, str | None]]:
    return [(f.rule_id, f.line, f.suppressed, f.suppression_reason) for f in result.findings]


def ignore_diagnostics(result: ScanResult) -> list[tuple[str, int | None, str]]:
    return [(d.path, d.line, d.message) for d in result.diagnostics if d.kind == "IGNORE"]


# ------------------------------------------------------------------ parsing the comments


def test_find_ignores_parses_rules_reason_and_placement() -> None:
    text = (
        "x = 1  # prodready: ignore[PY001] -- logged upstream\n"
        "# prodready: ignore[py003, PY006]\n"
        "    #prodready:ignore\n"
        "# prodready: ignore-file[DOCKER003] -- vendor image\n"
        "# prodready: nothing to see\n"
        "y = 2  # a plain comment\n"
    )
    assert find_ignores(text) == [
        Ignore(1, frozenset({"PY001"}), "logged upstream", whole_file=False, own_line=False),
        Ignore(2, frozenset({"PY003", "PY006"}), None, whole_file=False, own_line=True),
        Ignore(3, frozenset(), None, whole_file=False, own_line=True),
        Ignore(4, frozenset({"DOCKER003"}), "vendor image", whole_file=True, own_line=True),
    ]


def test_find_ignores_without_any_marker() -> None:
    assert find_ignores("import sys\nsys.path.insert(0, 'x')\n") == []


@pytest.mark.parametrize("line", [
    'sys.path.insert(0, "x")  # prodready: ignore[PY003]  # noqa: E402',
    'sys.path.insert(0, "x")  # prodready: ignore[PY003]  # type: ignore[arg-type]',
])
def test_a_further_comment_after_the_ignore(line: str) -> None:
    # Linters' comments get stacked on one line; the suppression must still be seen.
    [ignore] = find_ignores(line + "\n")
    assert ignore.rules == {"PY003"}


def test_reason_keeps_hashes_and_dashes() -> None:
    [ignore] = find_ignores("x()  # prodready: ignore[PY006] -- see #123 -- sdk sets it\n")
    assert ignore.reason == "see #123 -- sdk sets it"


def test_matching_ignore_positions() -> None:
    trailing = Ignore(5, frozenset({"PY006"}), "r")
    before = Ignore(9, frozenset({"PY006"}), None, own_line=True)
    trailing_before = Ignore(14, frozenset({"PY006"}), None)  # code before it: its own line only
    anything = Ignore(20, frozenset(), None)
    whole = Ignore(1, frozenset({"PY003"}), None, whole_file=True)
    ignores = [trailing, before, trailing_before, anything, whole]
    assert matching_ignore(ignores, "PY006", 5, 5) is trailing
    assert matching_ignore(ignores, "PY006", 3, 7) is trailing  # any line of the span
    assert matching_ignore(ignores, "PY006", 10, 12) is before
    assert matching_ignore(ignores, "PY006", 11, 12) is None
    assert matching_ignore(ignores, "PY006", 15, 15) is None
    assert matching_ignore(ignores, "PY001", 5, 5) is None  # other rule
    assert matching_ignore(ignores, "PY001", 20, 20) is anything
    assert matching_ignore(ignores, "PY003", 300, 301) is whole


# ------------------------------------------------------------------ in a scan (Python)


def test_trailing_comment_on_the_flagged_line(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        'sys.path.insert(0, "x")  # prodready: ignore[PY003] -- plugin directory\n'
        'sys.path.insert(0, "y")\n')})
    assert states(result) == [("PY003", 2, True, "plugin directory"),
                              ("PY003", 3, False, None)]
    assert ignore_diagnostics(result) == []


def test_comment_alone_on_the_line_before(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        "# prodready: ignore[PY003] -- plugin directory\n"
        'sys.path.insert(0, "x")\n'
        'sys.path.insert(0, "y")\n')})
    assert states(result) == [("PY003", 3, True, "plugin directory"),
                              ("PY003", 4, False, None)]


def test_trailing_comment_of_the_previous_statement_does_not_count(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        "x = 1  # prodready: ignore[PY003] -- not here\n"
        'sys.path.insert(0, "x")\n')})
    assert states(result) == [("PY003", 3, False, None)]
    assert ignore_diagnostics(result) == [
        ("app/a.py", 2, "suppression comment matches no finding (unused)")]


def test_comment_two_lines_above_does_not_count(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        "# prodready: ignore[PY003] -- too far\n\n"
        'sys.path.insert(0, "x")\n')})
    assert states(result) == [("PY003", 4, False, None)]


@pytest.mark.parametrize("where", [0, 1, 2, 3])
def test_any_line_of_a_wrapped_call(tmp_path: Path, where: int) -> None:
    lines = ["sys.path.insert(", "    0,", '    "x",', ")"]
    lines[where] += "  # prodready: ignore[PY003] -- wrapped by the formatter"
    result = run(tmp_path, {"app/a.py": IMPORT + "\n".join(lines) + "\n"})
    assert states(result) == [("PY003", 2, True, "wrapped by the formatter")]
    assert ignore_diagnostics(result) == []


def test_line_before_a_wrapped_call(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        "# prodready: ignore[PY003] -- wrapped\nsys.path.insert(\n    0, 'x'\n)\n")})
    assert states(result) == [("PY003", 3, True, "wrapped")]


def test_any_line_of_the_enclosing_statement(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        "print(\n"
        '    sys.path.insert(0, "x"),\n'
        '    "done",\n'
        ")  # prodready: ignore[PY003] -- one statement\n"
        "# prodready: ignore[PY003] -- the line before the statement\n"
        "values = [\n"
        '    sys.path.append("y"),\n'
        "]\n")})
    assert states(result) == [("PY003", 3, True, "one statement"),
                              ("PY003", 8, True, "the line before the statement")]


def test_ignore_for_another_rule_does_not_suppress(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        'sys.path.insert(0, "x")  # prodready: ignore[PY006] -- other rule\n')},
        select=["PY003", "PY006"])
    assert states(result) == [("PY003", 2, False, None)]
    assert [d[1] for d in ignore_diagnostics(result)] == [2]  # PY006 runs and matched nothing


def test_ignore_without_rule_list_suppresses_every_rule_on_the_line(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        'import requests\nsys.path.insert(0, requests.get("http://x").text)  '
        "# prodready: ignore -- bootstrap\n")}, select=["PY003", "PY006"])
    assert {(f.rule_id, f.suppressed) for f in result.findings} == {
        ("PY003", True), ("PY006", True)}


def test_several_rules_in_one_comment(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        'import requests\nsys.path.insert(0, requests.get("http://x").text)  '
        "# prodready: ignore[PY006, py003] -- bootstrap\n")}, select=["PY003", "PY006"])
    assert all(f.suppressed for f in result.findings)
    assert len(result.findings) == 2


def test_ignore_file(tmp_path: Path) -> None:
    result = run(tmp_path, {
        "app/a.py": IMPORT + (
            'sys.path.insert(0, "x")\n\n\n'
            "# prodready: ignore-file[PY003] -- this module is the plugin loader\n"
            'sys.path.append("y")\n'),
        "app/b.py": IMPORT + 'sys.path.insert(0, "x")\n',
    })
    assert [(f.path, f.line, f.suppressed) for f in result.findings] == [
        ("app/a.py", 2, True), ("app/a.py", 6, True), ("app/b.py", 2, False)]
    assert {f.suppression_reason for f in result.findings if f.suppressed} == {
        "this module is the plugin loader"}


def test_suppressed_findings_are_counted_not_dropped(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        'sys.path.insert(0, "x")  # prodready: ignore[PY003] -- plugin\n'
        'sys.path.insert(0, "y")\n')})
    assert len(result.findings) == 2
    assert [f.line for f in result.active_findings] == [3]
    report = json.loads(render(OutputFormat.JSON, Report.of(result)))
    assert [(f["line"], f["suppressed"], f["suppression_reason"])
            for f in report["findings"]] == [(2, True, "plugin"), (3, False, None)]
    operations = report["score"]["categories"]["operations"]
    assert operations["suppressed"] == 1
    assert operations["findings"] == 1


def test_suppressed_findings_do_not_fail_the_run(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/a.py": IMPORT + (
        'sys.path.insert(0, "x")  # prodready: ignore[PY003] -- plugin\n')})
    cli = CliRunner().invoke(app, ["scan", str(tmp_path), "--select", "PY003", "--no-cache"])
    assert cli.exit_code == 0, cli.output
    cli = CliRunner().invoke(app, ["scan", str(tmp_path), "--select", "PY003", "--no-cache",
                                   "--no-inline-ignores"])
    assert cli.exit_code == 1, cli.output


def test_require_reason(tmp_path: Path) -> None:
    files = {"app/a.py": IMPORT + (
        'sys.path.insert(0, "x")  # prodready: ignore[PY003]\n'
        'sys.path.insert(0, "y")  # prodready: ignore[PY003] -- plugin\n')}
    relaxed = run(tmp_path, files)
    assert [f.suppressed for f in relaxed.findings] == [True, True]
    strict = run(tmp_path, files, require_reason=True)
    assert states(strict) == [("PY003", 2, False, None), ("PY003", 3, True, "plugin")]
    [(path, line, message)] = ignore_diagnostics(strict)
    assert (path, line) == ("app/a.py", 2)
    assert "reason" in message


def test_require_reason_flag(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/a.py": IMPORT + 'sys.path.insert(0, "x")  # prodready: ignore\n'})
    args = ["scan", str(tmp_path), "--select", "PY003", "--no-cache"]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert CliRunner().invoke(app, [*args, "--require-reason"]).exit_code == 1


def test_no_inline_ignores(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": IMPORT + (
        'sys.path.insert(0, "x")  # prodready: ignore[PY003] -- plugin\n'
        "# prodready: ignore[PY003] -- unused\n")}, inline_ignores=False)
    assert states(result) == [("PY003", 2, False, None)]
    assert ignore_diagnostics(result) == []  # nothing is judged when comments are disregarded


def test_unused_ignores_are_reported(tmp_path: Path) -> None:
    result = run(tmp_path, {
        "app/a.py": IMPORT + (
            "x = 1  # prodready: ignore[PY003] -- stale\n"
            'sys.path.insert(0, "x")  # prodready: ignore[PY003] -- used\n'),
        "app/b.py": "# prodready: ignore-file[PY003] -- stale\nx = 1\n",
    })
    assert ignore_diagnostics(result) == [
        ("app/a.py", 2, "suppression comment matches no finding (unused)"),
        ("app/b.py", 1, "suppression comment matches no finding (unused)"),
    ]


def test_ignores_for_rules_that_did_not_run_are_not_reported_unused(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/a.py": "x = 1  # prodready: ignore[PY006] -- sdk timeout\n"})
    assert ignore_diagnostics(result) == []
    ran = run(tmp_path, {}, select=["PY006"])
    assert [d[1] for d in ignore_diagnostics(ran)] == [1]


def test_per_file_ignored_finding_leaves_its_inline_ignore_unused(tmp_path: Path) -> None:
    result = run(tmp_path, {"ops/a.py": IMPORT + (
        'sys.path.insert(0, "x")  # prodready: ignore[PY003] -- plugin\n')},
        **{"per-file-ignores": {"ops/*": ["PY003"]}})
    assert result.findings == []
    assert [d[1] for d in ignore_diagnostics(result)] == [2]


# ------------------------------------------------------------------ Dockerfile and YAML

# In a Dockerfile `#` starts a comment only at the beginning of a line.
DOCKERFILE = 'FROM python:3.12-slim\n{before}USER root\nCMD ["python", "-m", "app"]\n'


def test_dockerfile_comment_ignore_on_the_line_before(tmp_path: Path) -> None:
    text = DOCKERFILE.format(
        before="# prodready: ignore[DOCKER003] -- the base image drops privileges\n")
    result = run(tmp_path, {"Dockerfile": text}, select=["DOCKER003"])
    assert [(f.rule_id, f.suppressed, f.suppression_reason) for f in result.findings] == [
        ("DOCKER003", True, "the base image drops privileges")]
    assert ignore_diagnostics(result) == []


def test_dockerfile_without_ignore_is_flagged(tmp_path: Path) -> None:
    result = run(tmp_path, {"Dockerfile": DOCKERFILE.format(before="")},
                 select=["DOCKER003"])
    assert [(f.rule_id, f.line, f.suppressed) for f in result.findings] == [
        ("DOCKER003", 2, False)]


def test_dockerfile_ignore_file(tmp_path: Path) -> None:
    text = "# prodready: ignore-file[DOCKER003] -- build image\n" + DOCKERFILE.format(before="")
    result = run(tmp_path, {"Dockerfile": text}, select=["DOCKER003"])
    assert [f.suppressed for f in result.findings] == [True]


POD = """apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  containers:
{before}    - name: agent{trailing}
      image: agent:1.4
      securityContext:
        privileged: true
"""


@pytest.mark.parametrize(("before", "trailing"), [
    ("    # prodready: ignore[K8S007] -- node agent needs host devices\n", ""),
    ("", "  # prodready: ignore[K8S007] -- node agent needs host devices"),
])
def test_kubernetes_yaml_comment_ignores(tmp_path: Path, before: str, trailing: str) -> None:
    text = POD.format(before=before, trailing=trailing)
    result = run(tmp_path, {"k8s/pod.yaml": text}, select=["K8S007"])
    assert [(f.rule_id, f.suppressed, f.suppression_reason) for f in result.findings] == [
        ("K8S007", True, "node agent needs host devices")]
    assert ignore_diagnostics(result) == []


def test_kubernetes_yaml_without_ignore_is_flagged(tmp_path: Path) -> None:
    result = run(tmp_path, {"k8s/pod.yaml": POD.format(before="", trailing="")},
                 select=["K8S007"])
    assert [(f.rule_id, f.line, f.suppressed) for f in result.findings] == [
        ("K8S007", 7, False)]


def test_yaml_ignore_file(tmp_path: Path) -> None:
    text = "# prodready: ignore-file[K8S007] -- agents\n" + POD.format(before="", trailing="")
    result = run(tmp_path, {"k8s/pod.yaml": text}, select=["K8S007"])
    assert [f.suppressed for f in result.findings] == [True]


def test_compose_comment_ignores(tmp_path: Path) -> None:
    compose = (
        "services:\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    ports:\n"
        '      - "5432:5432"  # prodready: ignore[COMPOSE008] -- CI only\n'
        "  cache:\n"
        "    image: redis:7\n"
        "    ports:\n"
        "      # prodready: ignore[COMPOSE008] -- CI only\n"
        '      - "6379:6379"\n'
        "  search:\n"
        "    image: elasticsearch:8.13.0\n"
        "    ports:\n"
        '      - "9200:9200"\n'
    )
    result = run(tmp_path, {"docker-compose.yml": compose}, select=["COMPOSE008"])
    assert [(f.line, f.suppressed) for f in result.findings] == [
        (5, True), (10, True), (14, False)]
    assert ignore_diagnostics(result) == []


# ------------------------------------------------------------------ other scanners' allowances

COMPOSE_SECRET = """services:
  db:
    image: mysql:8
    environment:
{above}      MYSQL_ROOT_PASSWORD: kiwi-1s-aw3s0m3{trailing}
"""


@pytest.mark.parametrize(("above", "trailing"), [
    ("      # checkov:skip=CKV_SECRET_6:Base64 High Entropy String\n", ""),
    ("", "  # gitleaks:allow"),
    ("", "  # pragma: allowlist secret"),
])
def test_a_secret_scanners_allowance_suppresses_the_secret_rules(tmp_path: Path, above: str,
                                                                  trailing: str) -> None:
    result = run(tmp_path, {"docker-compose.yml": COMPOSE_SECRET.format(
        above=above, trailing=trailing)}, ["COMPOSE005"])
    [(rule, _, suppressed, reason)] = states(result)
    assert rule == "COMPOSE005" and suppressed and "another secret scanner" in reason


PY_SECRET = 'import os\n\nJWT_SECRET = os.getenv("JWT_SECRET", "dev-secret")'


@pytest.mark.parametrize("comment", ["# noqa: E501, S105", "# nosec B105", "# nosec"])
def test_bandit_and_ruff_allowances_suppress_a_python_secret(tmp_path: Path,
                                                             comment: str) -> None:
    code = f"{PY_SECRET}  {comment}\n"
    result = run(tmp_path, {"app/settings.py": code}, ["PY015"])
    assert [s[2] for s in states(result)] == [True]


@pytest.mark.parametrize(("files", "rule"), [
    ({"app/settings.py": PY_SECRET + '  # nosec B602\n'}, "PY015"),
    ({"docker-compose.yml": COMPOSE_SECRET.format(
        above="      # checkov:skip=CKV_DOCKER_2\n", trailing="")}, "COMPOSE005"),
    ({"app/settings.py": 'import os\n\nDEBUG = False  # gitleaks:allow\n'
                         'JWT_SECRET = os.getenv("JWT_SECRET", "dev-secret")\n'}, "PY015"),
])
def test_an_allowance_for_something_else_does_not_suppress(tmp_path: Path, files, rule) -> None:
    result = run(tmp_path, files, [rule])
    assert [s[2] for s in states(result) if s[0] == rule][:1] == [False]


def test_another_tools_allowance_is_never_reported_unused(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/main.py": "import sys\n\nX = 1  # nosec\n"
                                           "Y = 2  # pragma: allowlist secret\n"}, ["PY015"])
    assert ignore_diagnostics(result) == []


def test_an_allowance_does_not_reach_other_rules(tmp_path: Path) -> None:
    code = "import sys\n\nsys.path.insert(0, '..')  # nosec\n"
    result = run(tmp_path, {"pkg/mod.py": code}, ["PY003"])
    assert [s[2] for s in states(result)] == [False]
