"""APP009: request ids tie together what several services log about one request. A project
that runs one web service, its own task workers or not, has no other service's logs to tie a
request to: information."""

from __future__ import annotations

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.testing import write_tree

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
WORKER = "from celery import Celery\n\ncelery = Celery('tasks')\n"
OTHER_APP = "from flask import Flask\n\nadmin = Flask(__name__)\n"


def _findings(tmp_path, files, **config):
    write_tree(tmp_path, files)
    result = scan(tmp_path, Config.model_validate({"select": ["APP009"], **config}), jobs=1,
                  use_cache=False)
    return result.findings


@pytest.mark.parametrize("files", [
    {"app/main.py": APP},
    {"app/main.py": APP, "app/tasks.py": WORKER},  # its own task workers
])
def test_one_web_service_is_informational(tmp_path, files):
    [finding] = _findings(tmp_path, files)
    assert finding.severity is Severity.INFO
    assert "one web service" in finding.message


def test_other_services_keep_the_severity(tmp_path):
    findings = _findings(tmp_path, {"api/main.py": APP, "admin/app.py": OTHER_APP})
    assert len(findings) == 2 and all(f.severity is Severity.LOW for f in findings)
    assert all("one web service" not in f.message for f in findings)


def test_a_configured_severity_wins(tmp_path):
    [finding] = _findings(tmp_path, {"app/main.py": APP}, severity={"APP009": "medium"})
    assert finding.severity is Severity.MEDIUM


DJANGO_URLS = "from django.urls import path\n\nurlpatterns = [path('health', lambda r: None)]\n"
DJANGO_WSGI = ("import os\nfrom django.core.wsgi import get_wsgi_application\n\n"
               "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
               "application = get_wsgi_application()\n")


@pytest.mark.parametrize(("middleware", "flagged"), [
    ("django.middleware.common.CommonMiddleware", True),
    # django-structlog binds a request id (or the caller's X-Request-ID) to every log line
    ("django_structlog.middlewares.RequestMiddleware", False),
])
def test_a_request_id_middleware_in_the_settings_counts(tmp_path, middleware, flagged):
    settings = ("INSTALLED_APPS = ['django.contrib.auth']\nROOT_URLCONF = 'site.urls'\n"
                f"MIDDLEWARE = [{middleware!r}]\n")
    files = {"manage.py": "import os\n", "site/__init__.py": "", "site/settings.py": settings,
             "site/urls.py": DJANGO_URLS, "site/wsgi.py": DJANGO_WSGI}
    assert bool(_findings(tmp_path, files)) is flagged
