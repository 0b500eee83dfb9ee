"""The scan pipeline: broken and odd files, parallel workers, the cache, crashing rules."""

from __future__ import annotations

import concurrent.futures
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prodready.cli import app
from prodready.config import Config
from prodready.engine import CACHE_DIR, PARALLEL_THRESHOLD, scan
from prodready.model import Severity
from prodready.result import ScanResult
from prodready.testing import write_tree as make_tree

SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # one PY003 finding at line 2




def run(root: Path, select: list[str] | None = None, **kwargs: object) -> ScanResult:
    config = Config(select=select or ["PY003"])
    return scan(root, config, **{"jobs": 1, "use_cache": False, **kwargs})  # type: ignore[arg-type]


def located(result: ScanResult) -> list[tuple[str, str, int]]:
    return [(f.rule_id, f.path, f.line) for f in result.findings]


def kinds(result: ScanResult) -> list[tuple[str, str]]:
    return [(d.kind, d.path) for d in result.diagnostics]


# ------------------------------------------------------------------ files that cannot be judged


def test_syntax_error_is_one_parse_diagnostic_and_the_scan_goes_on(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "app/a.py": SYS_PATH,
        "app/broken.py": "import sys\n\ndef f(:\n    sys.path.insert(0, 'x')\n",
        "app/z.py": SYS_PATH,
    })
    result = run(tmp_path)
    assert kinds(result) == [("PARSE", "app/broken.py")]
    [diag] = result.diagnostics
    assert diag.line == 3
    assert located(result) == [("PY003", "app/a.py", 2), ("PY003", "app/z.py", 2)]
    assert result.stats.files["python"] == 3


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs syntax newer than the runtime")
@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the f-string below is valid from 3.12")
def test_newer_syntax_names_the_running_python(tmp_path: Path) -> None:
    # PEP 701 quotes inside an f-string: nothing prodready rewrites, so a 3.11 parser fails
    make_tree(tmp_path, {"app/types.py": 'label = f"{"nested"}"\n'})
    [diag] = run(tmp_path).diagnostics
    assert diag.kind == "PARSE"
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in diag.message


def test_broken_yaml_is_one_parse_diagnostic(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "k8s/broken.yaml": "apiVersion: v1\nkind: Pod\nmetadata: [\n",
        "app/a.py": SYS_PATH,
    })
    result = run(tmp_path)
    assert kinds(result) == [("PARSE", "k8s/broken.yaml")]
    assert located(result) == [("PY003", "app/a.py", 2)]


def test_binary_file_is_skipped_and_counted(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "app/compiled.py": b"\x00\x01\x02\x03 not python",
        "config/blob.yaml": b"\x89PNG\r\n\x1a\n\x00\x00",
        "app/a.py": SYS_PATH,
    })
    result = run(tmp_path)
    assert result.stats.skipped == {"binary": 2}
    assert result.diagnostics == []
    assert result.stats.files == {"python": 1}
    assert located(result) == [("PY003", "app/a.py", 2)]


def test_undecodable_file_is_a_skip_diagnostic(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "app/latin.py": b'name = "caf\xe9"\n',  # no coding cookie: must be UTF-8
        "app/cookie.py": b'# -*- coding: latin-1 -*-\nimport sys\nsys.path.append("caf\xe9")\n',
        "app/a.py": SYS_PATH,
    })
    result = run(tmp_path)
    assert kinds(result) == [("SKIP", "app/latin.py")]
    assert result.stats.skipped == {"undecodable": 1}
    assert located(result) == [("PY003", "app/a.py", 2), ("PY003", "app/cookie.py", 3)]


def test_oversized_file_is_a_skip_diagnostic_and_counted(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/big.py": SYS_PATH + "x = 1\n" * 200, "app/a.py": SYS_PATH})
    config = Config.model_validate({"select": ["PY003"], "max-file-size": 500})
    result = scan(tmp_path, config, jobs=1, use_cache=False)
    assert kinds(result) == [("SKIP", "app/big.py")]
    assert "500" in result.diagnostics[0].message
    assert result.stats.skipped == {"oversized": 1}
    assert located(result) == [("PY003", "app/a.py", 2)]


def test_file_kinds_and_lines_are_counted(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "app/a.py": SYS_PATH,
        "app/b.py": "x = 1",  # no final newline: still one line
        "Dockerfile": "FROM python:3.12\n",
        "docker-compose.yml": "services:\n  web:\n    image: web:1\n",
        "k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        "config/settings.yaml": "debug: false\n",
        "requirements.txt": "fastapi==0.110\n",
    })
    result = run(tmp_path)
    assert result.stats.files == {"python": 2, "dockerfile": 1, "compose": 1,
                                  "kubernetes": 1, "yaml": 1, "text": 1}
    assert result.stats.lines == 2 + 1 + 1 + 3 + 4 + 1 + 1


# ------------------------------------------------------------------ parallel scan


def big_tree(root: Path, count: int = 60) -> Path:
    files: dict[str, str | bytes] = {}
    for i in range(count):
        files[f"app/mod{i:02}.py"] = (
            "import logging, sys, requests\n"
            "logger = logging.getLogger(__name__)\n"
            f"def job{i}():\n"
            "    try:\n"
            f"        requests.get('http://svc/{i}')\n"
            "    except Exception:\n"
            "        logger.debug('failed')\n"
            + ("sys.path.insert(0, 'p')  # prodready: ignore[PY003] -- plugins\n" if i % 3 == 0
               else "sys.path.append('q')\n")
            + "x = 1\n" * i  # different sizes, so the workers' batches differ
        )
    files.update({
        "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/')\n"
                       "def root():\n    return {}\n",
        "app/broken.py": "def f(:\n",
        "Dockerfile": "FROM python:3.12\nCOPY . /app\nCMD python -m app\n",
        "docker-compose.yml": "services:\n  web:\n    build: .\n    ports: ['8000:8000']\n"
                              "  db:\n    image: postgres:16\n    ports: ['5432:5432']\n",
        "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                           "spec:\n  template:\n    spec:\n      containers:\n"
                           "        - name: web\n          image: web:latest\n",
        "app/blob.py": b"\x00binary",
    })
    return make_tree(root, files)


def test_parallel_and_serial_scans_are_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big_tree(tmp_path)
    pools: list[int] = []
    real_pool = concurrent.futures.ProcessPoolExecutor

    def spy_pool(*args: object, **kwargs: object) -> object:
        pools.append(int(kwargs.get("max_workers") or 0))
        return real_pool(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", spy_pool)
    config = Config()
    serial = scan(tmp_path, config, jobs=1, use_cache=False)
    assert pools == []
    parallel = scan(tmp_path, config, jobs=2, use_cache=False)
    assert pools == [2], "the tree is big enough for worker processes"
    assert sum(serial.stats.files.values()) >= max(PARALLEL_THRESHOLD, 50)

    assert len(serial.findings) > 100
    assert {f.rule_id for f in serial.findings} >= {"PY001", "PY003", "PY006", "DOCKER002",
                                                     "K8S011"}
    assert parallel.findings == serial.findings
    assert parallel.diagnostics == serial.diagnostics
    assert parallel.sites == serial.sites
    assert parallel.stats.files == serial.stats.files
    assert parallel.stats.lines == serial.stats.lines
    assert parallel.stats.skipped == serial.stats.skipped == {"binary": 1}
    assert sum(f.suppressed for f in parallel.findings) == 20


def test_small_trees_stay_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, {f"app/m{i}.py": SYS_PATH for i in range(PARALLEL_THRESHOLD - 1)})

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("worker processes for a small tree")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    assert len(run(tmp_path, jobs=8).findings) == PARALLEL_THRESHOLD - 1


# ------------------------------------------------------------------ cache



def test_second_scan_reuses_the_cache(tmp_path: Path, analysed: list[str]) -> None:
    make_tree(tmp_path, {"app/a.py": SYS_PATH, "app/b.py": SYS_PATH, "app/c.py": "x = 1\n"})
    first = run(tmp_path, use_cache=True)
    assert sorted(analysed) == ["app/a.py", "app/b.py", "app/c.py"]
    analysed.clear()
    second = run(tmp_path, use_cache=True)
    assert analysed == []
    assert second.findings == first.findings
    assert second.stats.files == first.stats.files
    assert second.stats.lines == first.stats.lines


def test_stats_count_cached_files(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/a.py": SYS_PATH, "app/b.py": SYS_PATH})
    assert run(tmp_path, use_cache=True).stats.cached_files == 0
    assert run(tmp_path, use_cache=True).stats.cached_files == 2


def test_editing_a_file_invalidates_only_that_file(tmp_path: Path, analysed: list[str]) -> None:
    make_tree(tmp_path, {"app/a.py": SYS_PATH, "app/b.py": SYS_PATH, "app/c.py": "x = 1\n"})
    run(tmp_path, use_cache=True)
    analysed.clear()
    make_tree(tmp_path, {"app/c.py": SYS_PATH})
    result = run(tmp_path, use_cache=True)
    assert analysed == ["app/c.py"]
    assert located(result) == [("PY003", "app/a.py", 2), ("PY003", "app/b.py", 2),
                               ("PY003", "app/c.py", 2)]


def test_same_content_under_another_path_is_analysed(tmp_path: Path, analysed: list[str]) -> None:
    make_tree(tmp_path, {"app/a.py": SYS_PATH})
    run(tmp_path, use_cache=True)
    analysed.clear()
    make_tree(tmp_path, {"app/copy.py": SYS_PATH})
    result = run(tmp_path, use_cache=True)
    assert analysed == ["app/copy.py"]  # findings carry their path: no reuse across paths
    assert [f.path for f in result.findings] == ["app/a.py", "app/copy.py"]


def test_a_config_change_invalidates_the_cache(tmp_path: Path, analysed: list[str]) -> None:
    make_tree(tmp_path, {"app/a.py": SYS_PATH})
    run(tmp_path, use_cache=True)
    analysed.clear()
    raised = Config.model_validate({"select": ["PY003"], "severity": {"PY003": "critical"}})
    result = scan(tmp_path, raised, jobs=1, use_cache=True)
    assert analysed == ["app/a.py"]
    assert [f.severity for f in result.findings] == [Severity.CRITICAL]
    analysed.clear()
    run(tmp_path, ["PY003", "PY006"], use_cache=True)  # another rule set
    assert analysed == ["app/a.py"]


def test_cache_directory_is_git_ignored_and_never_scanned(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/a.py": SYS_PATH})
    run(tmp_path, use_cache=True)
    cache = tmp_path / CACHE_DIR
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (cache / "cache.sqlite3").is_file()
    result = run(tmp_path, use_cache=True)
    assert result.project is not None
    assert not any(p.startswith(CACHE_DIR) for p in result.project.all_files)


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/a.py": SYS_PATH})
    run(tmp_path, use_cache=False)
    assert not (tmp_path / CACHE_DIR).exists()
    scan(tmp_path, Config(select=["PY003"], cache=False), jobs=1, use_cache=True)
    assert not (tmp_path / CACHE_DIR).exists()


def test_a_corrupt_cache_entry_is_recomputed(tmp_path: Path, analysed: list[str]) -> None:
    make_tree(tmp_path, {"app/a.py": SYS_PATH})
    first = run(tmp_path, use_cache=True)
    with sqlite3.connect(tmp_path / CACHE_DIR / "cache.sqlite3") as db:
        db.execute("UPDATE files SET value = '{\"v\": 1, \"result\": 3}'")
    db.close()
    analysed.clear()
    second = run(tmp_path, use_cache=True)
    assert analysed == ["app/a.py"]
    assert second.findings == first.findings


# ------------------------------------------------------------------ crashing rules


def crash(*args: object) -> None:
    raise RuntimeError("rule bug")


def test_a_crashing_file_rule_is_an_internal_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prodready.checks.python import py003

    monkeypatch.setattr(py003, "check", crash)
    make_tree(tmp_path, {"app/a.py": SYS_PATH + 'import requests\nrequests.get("http://x")\n'})
    result = run(tmp_path, ["PY003", "PY006"])
    assert kinds(result) == [("INTERNAL", "app/a.py")]
    assert "PY003" in result.diagnostics[0].message
    assert "rule bug" in result.diagnostics[0].message
    assert located(result) == [("PY006", "app/a.py", 4)]  # the other rules still ran


def test_a_crashing_project_rule_is_an_internal_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prodready.catalog import load_catalog

    rule = load_catalog()["REPO003"]
    monkeypatch.setattr(rule.logic(), "check", crash)
    make_tree(tmp_path, {"app/a.py": SYS_PATH, ".gitignore": "*.pyc\n"})
    result = run(tmp_path, ["PY003", "REPO003"])
    assert kinds(result) == [("INTERNAL", ".")]
    assert "REPO003" in result.diagnostics[0].message
    assert located(result) == [("PY003", "app/a.py", 2)]


@pytest.mark.parametrize("findings", [True, False])
def test_a_crashing_rule_exits_2_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, findings: bool
) -> None:
    from prodready.checks.python import py006

    monkeypatch.setattr(py006, "check", crash)
    make_tree(tmp_path, {"app/a.py": SYS_PATH if findings else "x = 1\n"})
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--select", "PY003,PY006",
                                      "--no-cache", "--format", "json"])
    assert result.exit_code == 2, result.output
    assert '"INTERNAL"' in result.stdout  # the report is still written


# ------------------------------------------------------------------ selection decides the work

APP = ("from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/items')\n"
       "def items():\n    return []\n")
SERVER_DOCKERFILE = ('FROM python:3.12-slim\nCOPY . .\n'
                     'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n')


def test_a_dockerfile_selection_reads_no_python(tmp_path: Path, analysed: list[str]) -> None:
    make_tree(tmp_path, {"app/main.py": APP, "app/util.py": SYS_PATH, "README.md": "# x\n"})
    result = scan(tmp_path, Config(select=["DOCKER"]), jobs=1, use_cache=False)
    assert result.findings == []
    assert not [p for p in analysed if p.endswith(".py")]


def test_python_is_read_when_a_selected_project_rule_needs_it(tmp_path: Path,
                                                               analysed: list[str]) -> None:
    make_tree(tmp_path, {"app/main.py": APP, "Dockerfile": SERVER_DOCKERFILE})
    only_docker = scan(tmp_path, Config(select=["DOCKER"]), jobs=1, use_cache=False)
    assert "app/main.py" in analysed  # DOCKER001 looked at the service the image runs
    everything = scan(tmp_path, Config(), jobs=1, use_cache=False)
    assert only_docker.findings == [f for f in everything.findings
                                    if f.rule_id.startswith("DOCKER")]
    assert any(f.rule_id == "DOCKER001" for f in only_docker.findings)


def test_probe_rules_build_no_service_model_without_manifests(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prodready.project import services

    built: list[int] = []
    real = services.build_services
    monkeypatch.setattr(services, "build_services", lambda p: built.append(1) or real(p))
    make_tree(tmp_path, {"app/main.py": APP})
    scan(tmp_path, Config(select=["K8S003", "K8S004"]), jobs=1, use_cache=False)
    assert built == []
