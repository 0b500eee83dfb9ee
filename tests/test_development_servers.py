"""PY009 on a development server that the deployment never starts."""

from __future__ import annotations

import pytest

from prodready.testing import scan_files

APP = """\
import uvicorn
from fastapi import FastAPI

app = FastAPI()

if __name__ == "__main__":
    uvicorn.run("app:app", host="0.0.0.0", port=80, reload=True)
"""


def _severities(files: dict[str, str]) -> list[str]:
    return [f.severity.value for f in scan_files(files, ["PY009"])]


@pytest.mark.parametrize("command", [
    'CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "svc.app:app"]',
    'CMD ["python", "asgi.py"]'])
def test_a_reloader_the_image_never_runs_is_informational(command):
    files = {"svc/app.py": APP, "svc/__init__.py": "",
             "asgi.py": "import uvicorn\nfrom svc.app import app\n\nuvicorn.Server\n",
             "Dockerfile": f"FROM python:3.12-slim\nCOPY . /app\n{command}\n"}
    assert _severities(files) == ["info"]


@pytest.mark.parametrize("more", [
    {"Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "svc/app.py"]\n'},
    {"Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "-m", "svc.app"]\n'},
    {"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCMD ./start.sh\n",
     "start.sh": "#!/bin/sh\nexec python svc/app.py\n"},
    # an installation guide tells users to run it
    {"Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["gunicorn", "svc.app:app"]\n',
     "docs/install/systemd.md": "ExecStart=/opt/svc/venv/bin/python svc/app.py\n"},
    {},  # nothing deploys the app: it may well be how it runs
])
def test_a_reloader_the_deployment_runs_keeps_its_severity(more):
    files = {"svc/app.py": APP, "svc/__init__.py": "", **more}
    assert _severities(files) == ["high"]


def test_a_contributors_page_that_runs_it_is_for_developers():
    files = {"svc/app.py": APP, "svc/__init__.py": "",
             "Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["gunicorn", "svc.app:app"]\n',
             "docs/contributing.md": "Start the server with `python svc/app.py`.\n"}
    assert _severities(files) == ["info"]


def test_debug_in_settings_is_never_settled_by_the_runners():
    files = {"proj/settings.py": "DEBUG = True\n", "proj/__init__.py": "",
             "proj/wsgi.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                             "'proj.settings')\n",
             "Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["gunicorn", "proj.wsgi"]\n'}
    assert _severities(files) == ["high"]
