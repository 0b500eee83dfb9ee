"""APP011: an app-level handler for unhandled exceptions. Where an error tracker's framework
integration already records each unhandled error with its request, the finding is
information."""

from __future__ import annotations

from prodready.model import Severity
from prodready.testing import scan_files

APP = ("import structlog\nfrom fastapi import FastAPI\n\n"
       "structlog.configure(processors=[structlog.processors.JSONRenderer()])\n"
       "app = FastAPI()\n")
PLAIN = "from fastapi import FastAPI\n\napp = FastAPI()\n"
TRACKED = ("import sentry_sdk\nfrom fastapi import FastAPI\n\n"
           "sentry_sdk.init(dsn='https://key@o1.ingest.sentry.io/1')\napp = FastAPI()\n")


def _findings(source, **config):
    return scan_files({"app/main.py": source}, ["APP011"], **config)


def test_no_handler_and_no_tracker_keeps_the_severity():
    [finding] = _findings(APP)
    assert finding.severity is Severity.LOW


def test_without_json_logs_or_request_ids_a_handler_adds_nothing():
    [finding] = _findings(PLAIN)
    assert finding.severity is Severity.INFO
    assert "no JSON logs or request ids" in finding.message


def test_an_error_tracker_makes_it_information():
    [finding] = _findings(TRACKED)
    assert finding.severity is Severity.INFO
    assert "error tracker" in finding.message


def test_a_configured_severity_wins():
    [finding] = _findings(TRACKED, severity={"APP011": "medium"})
    assert finding.severity is Severity.MEDIUM


FLASK_LOOP = ("from flask import Flask\nfrom werkzeug.exceptions import default_exceptions\n\n"
              "app = Flask(__name__)\n\n\ndef page(error):\n    return 'sorry', 500\n\n\n"
              "def init_handlers():\n    for code in default_exceptions:\n{body}")


def test_a_loop_branch_that_picks_500_registers_the_catch_all():
    body = ("        if code < 500:\n            app.register_error_handler(code, page)\n"
            "        elif code == 500:\n            app.register_error_handler(code, page)\n")
    assert _findings(FLASK_LOOP.format(body=body)) == []


def test_a_loop_over_every_werkzeug_error_registers_the_catch_all():
    body = "        app.register_error_handler(code, page)\n"
    assert _findings(FLASK_LOOP.format(body=body)) == []


def test_a_loop_branch_below_500_registers_no_catch_all():
    body = ("        if code == 404:\n            app.register_error_handler(code, page)\n")
    [finding] = _findings(FLASK_LOOP.format(body=body))
    assert finding.rule_id == "APP011"
