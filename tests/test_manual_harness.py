"""A library module's `if __name__ == "__main__":` block is a manual harness: what it reads
from the environment is no configuration of the service; an entry point's block is."""

from __future__ import annotations

from pathlib import Path

from prodready.config import Config
from prodready.engine import scan
from prodready.testing import write_tree

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
CONNECTOR = '''\
import os


class Connector:
    def load(self, token):
        self.token = token


def _demo():
    return os.environ["DEMO_ONLY_TOKEN"]


if __name__ == "__main__":
    c = Connector()
    c.load(os.environ["HARNESS_TOKEN"])
    print(_demo())
'''
ENTRY = '''\
import os

import uvicorn

if __name__ == "__main__":
    uvicorn.run("app.main:app", port=int(os.environ["SERVICE_PORT"]))
'''


def _undocumented(tmp_path: Path, files: dict[str, str]) -> str:
    """Every message of the APP013 findings, with their related locations'."""
    write_tree(tmp_path, {"app/main.py": APP, **files})
    result = scan(tmp_path, Config(select=["APP013"]), jobs=1, use_cache=False)
    return " ".join(m for f in result.findings for m in (f.message, *(r.message
                                                                      for r in f.related)))


def test_reads_in_a_library_modules_main_block_are_not_configuration(tmp_path: Path) -> None:
    found = _undocumented(tmp_path, {"app/connectors/drive.py": CONNECTOR})
    assert "HARNESS_TOKEN" not in found and "DEMO_ONLY_TOKEN" not in found


def test_reads_where_the_main_block_starts_the_server_are_configuration(tmp_path: Path) -> None:
    found = _undocumented(tmp_path, {"app/serve.py": ENTRY})
    assert "SERVICE_PORT" in found


JOB_HARNESS = '''\
import os

from app.connectors.runner import Runner

if __name__ == "__main__":
    runner = Runner(token=os.environ["JOB_TOKEN"])
    for batch in runner.run(limit=10):
        print(batch)
'''
FLASK_ENTRY = '''\
import os

from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(port=int(os.environ["FLASK_PORT"]))
'''


def test_a_harness_that_runs_a_job_is_not_a_server(tmp_path: Path) -> None:
    found = _undocumented(tmp_path, {"app/connectors/sheets.py": JOB_HARNESS})
    assert "JOB_TOKEN" not in found


def test_a_block_that_runs_the_app_is_configuration(tmp_path: Path) -> None:
    found = _undocumented(tmp_path, {"app/web.py": FLASK_ENTRY})
    assert "FLASK_PORT" in found
