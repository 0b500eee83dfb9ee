"""What a scan costs follows what it selects, and analysing a file leaves no syntax tree for
the (paused) cycle collector."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

from typer.testing import CliRunner

from prodready import engine
from prodready.cli import app
from prodready.config import Config
from prodready.testing import write_tree

APP = ("from fastapi import FastAPI\n\napp = FastAPI()\n\n"
       "@app.get('/')\ndef index():\n    return {}\n")
SETTINGS = ("import os\n\nif os.getenv('X'):\n    A = 1\n    try:\n        B = 2\n"
            "    except Exception:\n        B = 3\nelse:\n    C = os.environ.get('C')\n"
            "for attempt in range(3):\n    try:\n        connect()\n    except OSError:\n"
            "        sleep(1)\n")


def test_a_dockerfile_selection_reads_no_python_even_for_the_report(
        tmp_path: Path, analysed: list[str]) -> None:
    write_tree(tmp_path, {"app/main.py": APP, "app/settings.py": SETTINGS,
                          "Dockerfile": "FROM python:3.12\nCMD [\"python\", \"-V\"]\n"})
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--select", "DOCKER",
                                      "--no-cache", "--jobs", "1", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert analysed == ["Dockerfile"]


def test_analysing_a_python_file_leaves_no_tree_to_the_cycle_collector(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/main.py": APP, "app/settings.py": SETTINGS})
    engine.scan(tmp_path, Config(), jobs=1, use_cache=False)  # imports, worker state
    entry = next(e for e in engine.discover(tmp_path).entries if e.path == "app/settings.py")
    data = (tmp_path / entry.path).read_bytes()
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        engine._analyse(entry, data)
        gc.set_debug(gc.DEBUG_SAVEALL)  # what only the cycle collector could free is kept
        gc.collect()
        kept = [o for o in gc.garbage if isinstance(o, ast.AST)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert kept == []  # every tree is freed by reference counting alone
