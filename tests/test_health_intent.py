"""APP002: a health endpoint whose docstring says it answers only whether the process is up
is a deliberate liveness probe: information, not a missing readiness check."""

from __future__ import annotations

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.testing import write_tree

APP = '''\
from fastapi import FastAPI
from sqlalchemy import create_engine

engine = create_engine("postgresql://db/app", pool_pre_ping=True)
app = FastAPI()


@app.get("/health")
def health():
    """{doc}"""
    return {{"status": "ok"}}
'''


@pytest.mark.parametrize(("doc", "severity"), [
    ("Return ok if the system is up.", Severity.INFO),
    ("Health check endpoint. It doesn't do any internal checks.", Severity.INFO),
    ("Liveness probe for Kubernetes.", Severity.INFO),
    ("Health check endpoint.", Severity.MEDIUM),
    ("Readiness probe.", Severity.MEDIUM),
])
def test_a_documented_liveness_probe_is_information(tmp_path, doc, severity):
    write_tree(tmp_path, {"app/main.py": APP.format(doc=doc)})
    result = scan(tmp_path, Config(select=["APP002"], cache=False), jobs=1, use_cache=False)
    [finding] = result.findings
    assert finding.severity is severity


def test_an_api_status_resource_beside_the_probe_does_not_hide_its_intent(tmp_path):
    app = APP.format(doc="It doesn't do any internal checks.") + (
        '\n\n@app.get("/api/2/status")\ndef status():\n    return {"version": "1"}\n')
    write_tree(tmp_path, {"app/main.py": app})
    result = scan(tmp_path, Config(select=["APP002"], cache=False), jobs=1, use_cache=False)
    [finding] = result.findings
    assert finding.severity is Severity.INFO
