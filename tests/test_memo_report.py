"""A re-run of an unchanged tree is answered from the memoised result: every report format
must come out byte for byte as a scan without any cache writes it (apart from the run's
duration and how many files came from the cache), and a stored row that is not exactly what
prodready writes must be refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prodready import cache, engine
from prodready.cli import app
from prodready.model import (
    Codemod,
    Diagnostic,
    Edit,
    Finding,
    Fix,
    FixSafety,
    Related,
    Severity,
    SiteCount,
)
from prodready.testing import write_tree

SERVICE = '''import os
import sys

import requests
from fastapi import FastAPI

sys.path.insert(0, "x")
app = FastAPI()
DATABASE_URL = os.environ["DATABASE_URL"]


@app.get("/items")
def items():
    return requests.get("http://inventory/items").json()
'''

DOCKERFILE = '''FROM python:3.12-slim
COPY . /srv
RUN pip install fastapi uvicorn requests
CMD uvicorn {name}.main:app --host 0.0.0.0 --port 8000
'''

# Python, Docker, Compose and Kubernetes findings; two services, so two per-service scores;
# a Compose secret whose finding message is masked in every report; an inline suppression.
TREE = {
    "api/__init__.py": "",
    "api/main.py": SERVICE,
    "api/Dockerfile": DOCKERFILE.format(name="api"),
    "worker/__init__.py": "",
    "worker/main.py": SERVICE.replace("import sys\n", "import sys  # noqa\n").replace(
        'sys.path.insert(0, "x")',
        'sys.path.insert(0, "x")  # prodready: ignore[PY003] -- vendored tool'),
    "worker/Dockerfile": DOCKERFILE.format(name="worker"),
    "docker-compose.yml": (
        "services:\n"
        "  api:\n"
        "    build: ./api\n"
        "    ports: ['8000:8000']\n"
        "    environment:\n"
        "      DATABASE_URL: postgresql://app:Rv83nTq2WmZy@db/app\n"
        "  worker:\n"
        "    build: ./worker\n"
        "    ports: ['8001:8000']\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    environment:\n"
        "      POSTGRES_PASSWORD: Rv83nTq2WmZy\n"
    ),
    "k8s/api.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: api\n"
        "          image: example/api:latest\n          ports: [{containerPort: 8000}]\n"
    ),
}


def report(root: Path, fmt: str, *extra: str) -> str:
    result = CliRunner().invoke(app, ["scan", str(root), "--format", fmt, "--exit-zero",
                                      "--jobs", "1", *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def without_run_figures(text: str) -> str:
    """The report without what differs between any two runs: the duration, and how many
    files the cache answered for."""
    text = re.sub(r'"duration_s": [0-9.]+', '"duration_s": 0', text)
    text = re.sub(r'"cached_files": [0-9]+', '"cached_files": 0', text)
    return re.sub(r" lines, [0-9.]+s\)\.", " lines, 0s).", text)


@pytest.fixture(scope="module")
def cold_and_warm(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    root = write_tree(tmp_path_factory.mktemp("memo") / "repo", TREE)
    cold = {fmt: report(root, fmt, "--no-cache") for fmt in ("text", "json", "sarif")}
    report(root, "json")  # the first scan with a cache stores the memo

    def no_analysis(*args: object) -> None:
        raise AssertionError("an unchanged tree is answered from the memo")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "_init_worker", no_analysis)
        warm = {fmt: report(root, fmt) for fmt in cold}
    return {fmt: (cold[fmt], warm[fmt]) for fmt in cold}


def test_the_sample_tree_exercises_what_the_memo_must_keep(
        cold_and_warm: dict[str, tuple[str, str]]) -> None:
    data = json.loads(cold_and_warm["json"][0])
    families = {re.sub(r"\d+$", "", f["rule_id"]) for f in data["findings"]}
    assert {"PY", "APP", "DOCKER", "COMPOSE", "K8S"} <= families
    assert any("***" in f["message"] for f in data["findings"])  # masked in the report
    assert any(f["suppressed"] for f in data["findings"])
    assert any(f["fix"] for f in data["findings"])
    assert [s["path"] for s in data["services"]] == ["api/main.py", "worker/main.py"]
    assert all(s["score"] is not None for s in data["services"])
    assert "Rv83nTq2WmZy" not in "".join(cold + warm for cold, warm in
                                         cold_and_warm.values())


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_memoised_rerun_reports_what_a_cold_scan_reports(
        cold_and_warm: dict[str, tuple[str, str]], fmt: str) -> None:
    cold, warm = cold_and_warm[fmt]
    assert without_run_figures(warm) == without_run_figures(cold)


# ------------------------------------------------------------------ the stored row


FINDING = Finding(
    "PY006", "app/client.py", 2, 1, 2, 30, "requests.get without a timeout", Severity.HIGH,
    fix=Fix(FixSafety.UNSAFE, "add timeout=10",
            edits=(Edit("app/client.py", 10, 20, "timeout=10", base=None),),
            codemods=(Codemod("app/client.py", "add-keyword", 2, 0, arg="timeout=10"),)),
    suppressed=True, suppression_reason="tested", baseline="new",
    related=(Related("app/other.py", 3, 4, "also here"),),
)


def stored(**changes: object) -> engine.StoredResult:
    values: dict[str, object] = {
        "findings": [(FINDING, [0, 5]), (FINDING, "ENV TOKEN=<redacted>"), (FINDING, None)],
        "diagnostics": [Diagnostic("PARSE", "a.py", "invalid syntax", line=3)],
        "sites": {"PY006": SiteCount(4, 1)},
        "file_sites": {"app/client.py": {"PY006": SiteCount(4, 1), "PY003": SiteCount()}},
        "files": {"python": 2}, "lines": 10, "skipped": {"oversized": 1},
        "skipped_roles": {"example": 2},
        "service_owners": [("app", "fastapi", "app/main.py", "app", ["app/main.py"])],
        "profile": ("distributed", "a Helm chart", False),
        "services": [("app", "fastapi", "app/main.py", "app", 87.5, "B", 1),
                     ("jobs", "celery", "jobs/main.py", "jobs", None, "N/A", 0)],
    }
    values.update(changes)
    return engine.StoredResult(**values)  # type: ignore[arg-type]


def test_a_stored_result_reads_back_as_the_same_values() -> None:
    original = stored()
    row = cache.encode_typed(original)
    assert '"$"' not in row  # no tags: the types come from StoredResult's annotations
    decoded = cache.decode_typed(row, engine.StoredResult)
    assert decoded == original
    assert type(decoded.findings[0]) is tuple and type(decoded.service_owners[0]) is tuple
    assert decoded.findings[0][0].related[0] == FINDING.related[0]


def test_a_stored_result_restores_snippets_from_the_file() -> None:
    packed = cache.pack_findings([FINDING.__class__(**{**_fields(FINDING),
                                                        "snippet": "get(x)"})],
                                 {"app/client.py": "r = get(x)\n"})
    assert packed[0][1] == [4, 6]
    assert cache.unpack_findings(packed, {"app/client.py": "r = get(x)\n"})[0].snippet == (
        "get(x)")
    with pytest.raises(cache.CorruptEntry):
        cache.unpack_findings(packed, {"app/client.py": "short"})


def _fields(finding: Finding) -> dict[str, object]:
    return {name: getattr(finding, name) for name in Finding.__dataclass_fields__}


@pytest.mark.parametrize("tamper", [
    lambda row: row.replace('"PY006"', "6", 1),  # a number where a string belongs
    lambda row: row.replace('"high"', '"severe"', 1),  # no such severity
    lambda row: row.replace('"unsafe"', '["unsafe"]', 1),  # a list for an enum
    lambda row: row.replace('[4,1]', '[4,1,0]', 1),  # a field too many
    lambda row: row.replace('[4,1]', '{"examined":4,"failed":1}', 1),  # an object for a row
    lambda row: row.replace('[4,1]', '[4,true]', 1),  # a bool for a count
    lambda row: row.replace('"PY003":[0,0]', '"PY003":[0]', 1),  # a count missing
    lambda row: row.replace('"also here"]', '"also here",{"$":"Payload"}]', 1),
    lambda row: row.replace('true', '1', 1),  # an int for a bool
    lambda row: row.replace('{"python":2}', '{"python":"2"}', 1),
    lambda row: row.replace('"invalid syntax",3', '"invalid syntax",3.5', 1),
    lambda row: "[" + row,  # not JSON
])
def test_a_tampered_row_is_refused(tamper: object) -> None:
    row = cache.encode_typed(stored())
    changed = tamper(row)  # type: ignore[operator]
    assert changed != row
    with pytest.raises(cache.CorruptEntry):
        cache.decode_typed(changed, engine.StoredResult)


def test_only_prodreadys_own_types_are_stored() -> None:
    class Foreign:
        pass

    with pytest.raises(cache.Uncacheable):
        cache.encode_typed(stored(diagnostics=[Foreign()]))
    with pytest.raises(cache.Uncacheable):
        cache.encode_typed(stored(files={1: 2}))  # keys would come back as strings
