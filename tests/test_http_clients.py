"""PY006 judges a client by every request made through it."""

from __future__ import annotations

import textwrap

from prodready.testing import scan_files


def _findings(code: str, rule: str) -> list:
    return [f for f in scan_files({"app/work.py": textwrap.dedent(code)}, [rule])
            if f.rule_id == rule]


def test_a_session_send_without_timeout_is_py006():
    code = """
    import requests


    def forward(prepared):
        session = requests.Session()
        session.send(prepared)
        session.send(prepared, timeout=5)
    """
    assert [f.line for f in _findings(code, "PY006")] == [7]


def test_a_client_is_judged_by_every_request_made_through_it():
    code = """
    import aiohttp


    async def one(url):
        async with aiohttp.ClientSession() as session:
            async with session.get(url, timeout=10) as resp:
                return await resp.json()


    async def two(url):
        async with aiohttp.ClientSession() as session:
            await session.get(url, timeout=10)
            await session.post(url)
    """
    assert [f.line for f in _findings(code, "PY006")] == [12]


def test_a_session_a_property_makes_is_judged_by_the_requests_through_the_property():
    code = """
    import asyncio

    from aiohttp import ClientSession, ClientTimeout


    class Provider:
        @property
        def session(self):
            loop = asyncio.get_running_loop()
            if loop not in self._sessions:
                self._sessions[loop] = ClientSession()
            return self._sessions[loop]

        async def call(self, method, **kwargs):
            async with self.session.post(self.url, json=kwargs,
                                         timeout=ClientTimeout(total=60)) as response:
                return await response.json()
    {more}"""
    assert _findings(code.format(more=""), "PY006") == []
    untimed = ("\n        async def ping(self):\n"
               "            return await self.session.get(self.url)\n")
    assert [f.line for f in _findings(code.format(more=untimed), "PY006")] == [12]


def test_clients_whose_default_bounds_the_call_are_informational():
    code = """
    import aiohttp
    import requests
    from openai import OpenAI


    async def fetch(url):
        async with aiohttp.ClientSession() as session:
            return await session.get(url)


    def complete(prompt):
        return OpenAI().chat.completions.create(messages=[prompt])


    def ping(url):
        return requests.get(url)
    """
    severities = {f.line: f.severity.value for f in _findings(code, "PY006")}
    assert severities == {8: "info", 13: "info", 17: "high"}


def test_an_installer_setup_script_holds_no_worker():
    code = "import requests\n\nrequests.get('https://example.org/tool.zip')\n"
    assert not [f for f in scan_files({"app/install/windows/setup.py": code}, ["PY006"])]
    assert [f.line for f in scan_files({"app/install/windows/fetch.py": code}, ["PY006"])] == [3]


def test_a_command_line_programs_calls_are_informational():
    code = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
    paths = ["app/cli.py", "tools_pkg/cli/download.py", "evals/eval_cli.py", "manage.py",
             "app/client.py", "app/clients/billing.py", "app/manage.py"]
    found = scan_files(dict.fromkeys(paths, code), ["PY006"])
    assert {f.path: f.severity.value for f in found} == {
        "app/cli.py": "info", "tools_pkg/cli/download.py": "info", "evals/eval_cli.py": "info",
        "manage.py": "info", "app/client.py": "high", "app/clients/billing.py": "high",
        "app/manage.py": "info"}


def test_a_management_command_nothing_runs_is_informational():
    command = ("import requests\nfrom django.core.management.base import BaseCommand\n\n\n"
               "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
               "        requests.get('https://example.org/feed')\n")
    files = {"shop/management/commands/import_feed.py": command,
             "shop/management/commands/sync_prices.py": command,
             "shop/management/commands/refresh_rates.py": command,
             "shop/management/commands/rebuild.py": command,
             # a task runs one, a Kubernetes CronJob another, a shell script a third
             "shop/tasks.py": ("from django.core.management import call_command\n\n\n"
                               "def nightly():\n    call_command('sync_prices')\n"),
             "deploy/cron.yaml": ("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: r\n"
                                  "spec:\n  schedule: '0 * * * *'\n  jobTemplate:\n    spec:\n"
                                  "      template:\n        spec:\n          containers:\n"
                                  "            - name: r\n              image: acme/shop:1\n"
                                  "              command: [python, manage.py, refresh_rates]\n"),
             "bin/rebuild-all.sh": "#!/bin/sh\n./manage.py rebuild --all\n",
             # a Makefile target is the developers' shortcut
             "Makefile": "feed:\n\tpython manage.py import_feed\n"}
    found = {f.path.rsplit("/", 1)[-1]: f.severity.value
             for f in scan_files(files, ["PY006"]) if f.rule_id == "PY006"}
    assert found == {"import_feed.py": "info", "sync_prices.py": "high",
                     "refresh_rates.py": "high", "rebuild.py": "high"}


def test_a_secret_fallback_in_a_management_command_nothing_runs_is_informational():
    command = ("import os\nfrom django.core.management.base import BaseCommand\n\n"
               "PASSWORD = os.environ.get('PACER_PASSWORD', 'k8Jd2Lw9Qz4Rt7Vb')\n\n\n"
               "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
               "        pass\n")
    files = {"shop/management/commands/import_dockets.py": command,
             "shop/management/commands/create_admin.py": command,
             "docker/entrypoint.sh": "#!/bin/sh\npython manage.py create_admin\nexec gunicorn\n"}
    found = {f.path.rsplit("/", 1)[-1]: f.severity.value for f in scan_files(files, ["PY015"])}
    assert found == {"import_dockets.py": "info", "create_admin.py": "high"}


def test_a_helper_only_unrun_management_commands_import_is_informational():
    helper = "import requests\n\n\ndef download(url):\n    return requests.get(url)\n"
    command = ("from django.core.management.base import BaseCommand\n\n"
               "from shop.utils.{module} import download\n\n\n"
               "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
               "        download('https://example.org/feed')\n")
    files = {"shop/utils/download.py": helper, "shop/utils/rates.py": helper,
             "shop/utils/prices.py": helper, "shop/utils/unused.py": helper,
             "shop/management/commands/import_feed.py": command.format(module="download"),
             # run by a task, or imported by the app too
             "shop/management/commands/refresh_rates.py": command.format(module="rates"),
             "shop/tasks.py": ("from django.core.management import call_command\n\n\n"
                               "def nightly():\n    call_command('refresh_rates')\n"),
             "shop/management/commands/import_prices.py": command.format(module="prices"),
             "shop/pricing.py": "from shop.utils.prices import download\n",
             # a test importing it runs nothing in production
             "tests/test_download.py": "import pytest\nfrom shop.utils.download import download\n"}
    found = {f.path: f for f in scan_files(files, ["PY006"]) if f.path.startswith("shop/utils")}
    assert {path: f.severity.value for path, f in found.items()} == {
        "shop/utils/download.py": "info", "shop/utils/rates.py": "high",
        "shop/utils/prices.py": "high", "shop/utils/unused.py": "high"}
    assert "a module only shop/management/commands/import_feed.py imports" in \
        found["shop/utils/download.py"].message

    # a relative import by the app's views, a scheduler naming the command, and
    # infrastructure code scheduling it count as well
    for extra, module in (({"shop/utils/views.py": "from .download import download\n"},
                           "download"),
                          ({"sam-template.yaml": "Events:\n  Nightly:\n    Input: "
                                                 "'{\"command\": \"import_feed\"}'\n"},
                           "download"),
                          ({"cdk_stacks/jobs.py": "SCHEDULE = {'import_feed': 'rate(1 day)'}\n"},
                           "download")):
        found = {f.path: f.severity.value for f in scan_files({**files, **extra}, ["PY006"])}
        assert found[f"shop/utils/{module}.py"] == "high", extra


def test_a_program_a_packaging_entry_point_starts_from_a_subdirectory_is_not_hand_run():
    # `service/pyproject.toml` names the module from its own root: `shop_worker.main:run`
    boot = "import requests\n\n\ndef boot():\n    return requests.get('https://x.example')\n"
    worker = ("#!/usr/bin/env python\nimport shop_worker.boot\n\n\ndef run():\n"
              "    shop_worker.boot.boot()\n\n\nif __name__ == '__main__':\n    run()\n")
    files = {"service/shop_worker/__init__.py": "", "service/shop_worker/boot.py": boot,
             "service/shop_worker/main.py": worker,
             "service/pyproject.toml": "[project.scripts]\nshop-worker = 'shop_worker.main:run'\n"}
    found = {f.path: f.severity.value for f in scan_files(files, ["PY006"])}
    assert found == {"service/shop_worker/boot.py": "high"}
    del files["service/pyproject.toml"]
    found = {f.path: f.severity.value for f in scan_files(files, ["PY006"])}
    assert found == {"service/shop_worker/boot.py": "info"}


def test_a_script_nothing_imports_or_starts_is_informational():
    program = ("import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n\n\n"
               "if __name__ == '__main__':\n    fetch('https://example.org')\n")
    files = {"data/download.py": program,  # run by hand
             "lib/export.py": program,  # imported by the app below
             "jobs/refresh.py": program,  # a CronJob starts it
             "smoke-check.py": program.replace("if __name__ == '__main__':\n    ", ""),
             # named only by a comment and a linter's per-file setting
             "cli.py": program, "setup.cfg": "[flake8]\nper-file-ignores =\n    cli.py:DAR\n",
             "sync.py": program,  # a Dockerfile's command
             "app/module.py": program.split("\n\n\nif")[0] + "\n",  # no program
             # a package's module with a manual harness: a registry may load it by name
             "connectors/guru/connector.py": program, "connectors/guru/__init__.py": "",
             # ... unless it starts with `#!`: a program kept in a package
             "schemas/validate.py": "#!/usr/bin/env python\n" + program,
             "schemas/__init__.py": "",
             "app/views.py": "from lib.export import fetch\n",
             "Dockerfile": "FROM python:3.12\n# docker run --rm -it img cli.py -s host\n"
                           "CMD [\"python\", \"sync.py\"]\n",
             "k8s/cron.yaml": ("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: r\n"
                               "spec:\n  schedule: '0 * * * *'\n  jobTemplate:\n    spec:\n"
                               "      template:\n        spec:\n          containers:\n"
                               "            - name: r\n              image: acme/shop:1\n"
                               "              command: [python, -m, jobs.refresh]\n")}
    found = {f.path: f.severity.value for f in scan_files(files, ["PY006"])
             if f.rule_id == "PY006"}
    assert found == {"data/download.py": "info", "smoke-check.py": "info",
                     "lib/export.py": "high", "jobs/refresh.py": "high", "sync.py": "high",
                     "app/module.py": "high", "connectors/guru/connector.py": "high",
                     "schemas/validate.py": "info", "cli.py": "info"}


def test_no_timeout_is_guessed_for_a_request_that_asks_the_peer_to_wait_longer():
    template = ("import requests\n\n\ndef render(url, html):\n    return requests.post(\n"
                "        url, data={{'html': html, 'wait-for-duration-secs': {}}})\n")
    [waits] = scan_files({"app/pdf.py": template.format(15)}, ["PY006"])
    assert waits.severity.value == "high" and waits.fix is None
    [quick] = scan_files({"app/pdf.py": template.format(2)}, ["PY006"])
    assert quick.fix is not None and quick.fix.description == "pass timeout=10"


def test_a_command_of_the_command_line_program_is_informational():
    commands = ("import click\nimport requests\n\n\n@click.group()\ndef cli():\n    pass\n\n\n"
                "@cli.command()\n@click.argument('url')\ndef fetch(url):\n"
                "    return requests.get(url)\n\n\n"
                "def sync(url):\n    return requests.get(url)\n")
    flask_cli = ("import requests\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
                 "@app.cli.command('load')\ndef load():\n    requests.get('https://example.org')\n")
    # a chat bot's commands run in the service: no click or typer here
    bot = ("import requests\nfrom discord.ext import commands\n\nbot = commands.Bot('!')\n\n\n"
           "@bot.command()\nasync def weather(ctx):\n    requests.get('https://example.org')\n")
    found = {(f.path, f.line): f.severity.value for f in scan_files(
        {"app/tasks.py": commands, "app/web.py": flask_cli, "app/bot.py": bot,
         "app/jobs.py": "from app.tasks import sync\n"}, ["PY006"])}
    assert found == {("app/tasks.py", 13): "info", ("app/tasks.py", 17): "high",
                     ("app/web.py", 9): "info", ("app/bot.py", 9): "high"}


def test_a_package_that_patches_requests_default_timeout_bounds_its_modules_calls():
    patch = ("import requests.adapters\nfrom requests.adapters import TimeoutSauce\n\n\n"
             "class CustomTimeout(TimeoutSauce):\n    pass\n\n\n"
             "requests.adapters.TimeoutSauce = CustomTimeout\n")
    call = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
    files = {"jobs/commands/__init__.py": patch, "jobs/commands/export.py": call,
             "jobs/commands/sub/build.py": call,
             # another package: the patch runs only when something imports jobs.commands
             "app/feeds.py": call, "app/__init__.py": ""}
    found = sorted(f.path for f in scan_files(files, ["PY006"]))
    assert found == ["app/feeds.py"]
    # a package __init__ that only imports TimeoutSauce patches nothing
    files["jobs/commands/__init__.py"] = "from requests.adapters import TimeoutSauce\n"
    assert len(scan_files(files, ["PY006"])) == 3


def test_a_call_in_code_nothing_mentions_is_informational():
    helper = ("import requests\n\n\ndef upload_from_url(url):\n    return requests.get(url)\n\n\n"
              "def refresh_feed(url):\n    return requests.get(url)\n\n\n"
              "class LegacyMapitLookup:\n    def fetch(self, url):\n"
              "        return requests.get(url)\n\n\n"
              "@app.task\ndef sync_remote(url):\n    return requests.get(url)\n")
    files = {"app/helpers.py": helper,
             "app/main.py": "from flask import Flask\n\napp = Flask(__name__)\n",
             "app/views.py": ("from app.helpers import refresh_feed\n\n\n"
                              "def fetch(url):\n    return refresh_feed(url)\n"),
             # a test calling it runs nothing in production
             "tests/test_helpers.py": ("from app.helpers import LegacyMapitLookup, "
                                       "upload_from_url\n")}
    found = {f.line: f for f in scan_files(files, ["PY006"])}
    assert {line: f.severity.value for line, f in found.items()} == {
        5: "info", 9: "high", 14: "info", 19: "high"}
    assert "upload_from_url, which nothing else in the repository mentions" in found[5].message
    assert "class LegacyMapitLookup" in found[14].message
    # a library's functions are its users' to call: no service here
    library = {path: text for path, text in files.items() if path != "app/main.py"}
    assert [f.severity.value for f in scan_files(library, ["PY006"])] == ["high"] * 4
    # a template or a dotted path in a setting names it too
    files["app/templates/feed.html"] = "{{ helpers.upload_from_url }}\n"
    files["app/settings.py"] = "LOADER = 'app.helpers.LegacyMapitLookup'\n"
    assert [f.severity.value for f in scan_files(files, ["PY006"])] == ["high"] * 4


def test_a_view_no_urlconf_or_router_names_is_dead_code_but_other_subclasses_are_not():
    views = ("import requests\nfrom rest_framework import viewsets\n\n\n"
             "class ProxyViewSet(viewsets.ViewSet):\n    def list(self, request):\n"
             "        return requests.get('http://upstream/')\n\n\n"
             "class StreamPlugin(BasePlugin):\n    def run(self):\n"
             "        return requests.get('http://upstream/')\n")
    files = {"app/views.py": views,
             "app/main.py": "from flask import Flask\n\napp = Flask(__name__)\n"}
    found = {f.line: f.severity.value for f in scan_files(files, ["PY006"])}
    # a plugin subclass may be found through its base; a view serves only where it is named
    assert found == {7: "info", 12: "high"}
    files["app/urls.py"] = "router.register('proxy', ProxyViewSet, basename='proxy')\n"
    assert {f.line: f.severity.value for f in scan_files(files, ["PY006"])} == {
        7: "high", 12: "high"}
