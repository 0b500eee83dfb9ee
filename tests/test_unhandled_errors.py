"""APP011: an app-level handler for unhandled exceptions. Where an error tracker's framework
integration already records each unhandled error with its request, the finding is
information."""

from __future__ import annotations

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.testing import write_tree

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
TRACKED = ("import sentry_sdk\nfrom fastapi import FastAPI\n\n"
           "sentry_sdk.init(dsn='https://key@o1.ingest.sentry.io/1')\napp = FastAPI()\n")


def _findings(tmp_path, source, **config):
    write_tree(tmp_path, {"app/main.py": source})
    result = scan(tmp_path, Config.model_validate({"select": ["APP011"], **config}), jobs=1,
                  use_cache=False)
    return result.findings


def test_no_handler_and_no_tracker_keeps_the_severity(tmp_path):
    [finding] = _findings(tmp_path, APP)
    assert finding.severity is Severity.LOW


def test_an_error_tracker_makes_it_information(tmp_path):
    [finding] = _findings(tmp_path, TRACKED)
    assert finding.severity is Severity.INFO
    assert "error tracker" in finding.message


def test_a_configured_severity_wins(tmp_path):
    [finding] = _findings(tmp_path, TRACKED, severity={"APP011": "medium"})
    assert finding.severity is Severity.MEDIUM
