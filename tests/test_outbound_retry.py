"""APP012 counts the outbound calls of the service's own code, not of hand-run scripts."""

from __future__ import annotations

import pytest

from prodready.testing import scan_files

APP = ("from flask import Flask\n\napp = Flask(__name__)\n\n"
       "@app.route('/')\ndef index():\n    return 'ok'\n")
SCRIPT = "import requests\n\nrequests.post('https://translate.example/api', timeout=5)\n"


def _reported(files: dict[str, str]) -> list[str]:
    return [f.path for f in scan_files(files, ["APP012"])]


@pytest.mark.parametrize("script", ["app/upload-screenshots.py", "app/scripts/compliance.py"])
def test_calls_made_only_by_a_hand_run_script_are_not_the_services(script):
    assert _reported({"app/main.py": APP, script: SCRIPT}) == []


def test_calls_made_only_for_management_commands_nothing_runs_are_not_the_services():
    helper = "import requests\n\n\ndef download(url):\n    return requests.get(url, timeout=5)\n"
    command = ("from django.core.management.base import BaseCommand\n\n"
               "from shop.download import download\n\n\n"
               "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
               "        download('https://example.org/feed')\n")
    files = {"shop/main.py": APP, "shop/download.py": helper,
             "shop/management/commands/import_feed.py": command}
    assert _reported(files) == []
    # a task that runs the command makes the calls the service's own
    files["shop/jobs.py"] = ("from django.core.management import call_command\n\n\n"
                             "def nightly():\n    call_command('import_feed')\n")
    assert _reported(files) == ["shop/main.py"]


def test_the_services_own_calls_are_still_reported_beside_a_script():
    files = {"app/main.py": "import httpx\n" + APP, "app/upload-screenshots.py": SCRIPT}
    assert _reported(files) == ["app/main.py"]


@pytest.mark.parametrize("client", [
    "from github import Github\n\ngh = Github(auth=token)\n",
    "from jira import JIRA\n\njira = JIRA(server=url)\n",
])
def test_clients_that_retry_by_themselves_count_as_a_retry_policy(client):
    app = ("import requests\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
           "def fetch():\n    return requests.get('https://x.example', timeout=5)\n")
    assert scan_files({"app/main.py": app, "app/issues.py": client}, ["APP012"]) == []
    assert scan_files({"app/main.py": app}, ["APP012"]) != []


@pytest.mark.parametrize(("call", "retries"), [
    ("render(text, **dict(kwargs, attempts=attempts + 1))", True),
    ("render(text, attempts=attempts + 1)", True),
    ("render(text, retry_count + 1)", True),
    # calling itself again with the same arguments is recursion, not a bounded retry
    ("render(text, attempts=attempts)", False),
])
def test_a_function_that_calls_itself_with_one_more_attempt_retries(call, retries):
    renderer = ("import requests\n\nMAX_ATTEMPTS = 3\n\n\n"
                "def render(text, *args, attempts=0, retry_count=0, **kwargs):\n"
                "    reply = requests.post('https://md.example', data=text, timeout=5)\n"
                "    if reply.ok or attempts >= MAX_ATTEMPTS:\n        return reply.text\n"
                f"    return {call}\n")
    reported = _reported({"app/main.py": APP, "app/markdown.py": renderer})
    assert (reported == []) is retries


@pytest.mark.parametrize(("body", "retries"), [
    # success leaves the loop: each failure is logged and the next attempt made
    ("    try:\n        return requests.get(url, timeout=5).text\n"
     "    except requests.Timeout:\n        log.warning('timed out')\n", True),
    ("    try:\n        text = requests.get(url, timeout=5).text\n        break\n"
     "    except requests.Timeout:\n        log.warning('timed out')\n", True),
    # a loop that retries only a database commit is no retry of the calls out
    ("    try:\n        db.commit()\n        return token\n"
     "    except IntegrityError:\n        db.rollback()\n", False),
    # a loop over pages that skips the failed ones retries nothing
    ("    try:\n        pages.append(requests.get(url, timeout=5).text)\n"
     "    except requests.Timeout:\n        log.warning('timed out')\n", False),
    # the loop waits between attempts after the try: a backoff
    ("    try:\n        response = requests.get(url, timeout=5)\n"
     "        if response.status_code not in (502, 503, 504):\n            return response\n"
     "    except requests.ConnectionError:\n        log.warning('failed')\n"
     "    time.sleep(0.1 * 2 ** _)\n", True),
])
def test_a_bounded_loop_whose_success_leaves_it_retries(body, retries):
    fetcher = ("import logging\nimport time\n\nimport requests\n\nlog = logging.getLogger()\n"
               "RETRIES = 3\n\n\n"
               "def fetch(url, pages):\n  for _ in range(RETRIES):\n"
               + body.replace("\n    ", "\n      ").replace("    try", "      try", 1))
    reported = _reported({"app/main.py": APP, "app/fetch.py": fetcher})
    assert (reported == []) is retries


def test_apps_sharing_a_root_are_judged_by_the_calls_their_own_imports_make():
    app = ("from starlette.applications import Starlette\nfrom starlette.routing import Route\n"
           "{imports}\n\n\nasync def index(request):\n    return None\n\n\n"
           "app = Starlette(routes=[Route('/', index)])\n")
    files = {
        "api/common/__init__.py": "",
        "api/common/conf.py": "DEBUG = False\n",
        "api/common/upstream.py": ("import httpx\n\n\nasync def fetch(url):\n"
                                   "    return await httpx.AsyncClient().post(url)\n"),
        "api/elections/app.py": app.format(imports="from common.upstream import fetch"),
        "api/layers/app.py": app.format(imports="from common.conf import DEBUG"),
    }
    assert _reported(files) == ["api/elections/app.py"]
    # a library's import is not the project's; a project module the import cannot be told
    # apart leaves the app judged by its root
    files["api/layers/app.py"] = app.format(imports="from pydantic import BaseModel")
    assert _reported(files) == ["api/elections/app.py"]
    files["api/layers/settings.py"] = files["api/elections/settings.py"] = "DEBUG = False\n"
    files["api/layers/app.py"] = app.format(imports="from settings import DEBUG")
    assert _reported(files) == ["api/elections/app.py", "api/layers/app.py"]


def test_a_retry_in_another_apps_modules_of_the_same_root_does_not_count():
    app = ("from starlette.applications import Starlette\nfrom starlette.routing import Route\n"
           "{imports}\n\n\nasync def index(request):\n    return None\n\n\n"
           "app = Starlette(routes=[Route('/', index)])\n")
    files = {
        "api/common/__init__.py": "",
        "api/common/retrying.py": ("import time\n\nimport httpx\n\n\ndef fetch(url):\n"
                                   "    for attempt in range(3):\n        try:\n"
                                   "            return httpx.post(url)\n"
                                   "        except httpx.TransportError:\n"
                                   "            time.sleep(0.1 * 2 ** attempt)\n"),
        "api/common/bare.py": "import httpx\n\n\ndef send(url):\n    return httpx.post(url)\n",
        "api/elections/app.py": app.format(imports="from common.retrying import fetch"),
        "api/postcodes/app.py": app.format(imports="from common.bare import send"),
    }
    assert _reported(files) == ["api/postcodes/app.py"]
