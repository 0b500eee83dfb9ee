"""APP011: an app-level handler for unhandled exceptions. Where an error tracker's framework
integration already records each unhandled error with its request, the finding is
information."""

from __future__ import annotations

from prodready.model import Severity
from prodready.testing import scan_files

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
TRACKED = ("import sentry_sdk\nfrom fastapi import FastAPI\n\n"
           "sentry_sdk.init(dsn='https://key@o1.ingest.sentry.io/1')\napp = FastAPI()\n")


def _findings(source, **config):
    return scan_files({"app/main.py": source}, ["APP011"], **config)


def test_no_handler_and_no_tracker_keeps_the_severity():
    [finding] = _findings(APP)
    assert finding.severity is Severity.LOW


def test_an_error_tracker_makes_it_information():
    [finding] = _findings(TRACKED)
    assert finding.severity is Severity.INFO
    assert "error tracker" in finding.message


def test_a_configured_severity_wins():
    [finding] = _findings(TRACKED, severity={"APP011": "medium"})
    assert finding.severity is Severity.MEDIUM
