"""The wheel carries the rule catalog and the templates: an installed prodready explains and fixes.

Builds the wheel offline with the hatchling of the running environment, installs it alone into a
fresh virtual environment (prodready's dependencies come from the running environment), and
runs the installed `prodready` from outside the source tree.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

from prodready import replay

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "fixtures" / "fixes" / "APP001-health-router"


def _run(*cmd: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_NO_INDEX"] = "1"  # offline: nothing may come from a package index
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Building offline needs the build backend in this environment (the test extras have it)
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip("hatchling is not installed, so the wheel cannot be built without a network")
    out = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
                 "--no-index", "-w", out, ROOT)
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("prodready-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with only the wheel installed; the dependencies are borrowed read-only."""
    venv = tmp_path_factory.mktemp("venv")
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv),
                                                       "platbase": str(venv)}))
    # Dependencies from the running environment, after the venv's own site-packages: a plain
    # path entry, so this environment's editable prodready (a .pth hook there) is not loaded.
    pip = _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
               "--no-index", "--no-deps", "--no-compile", wheel)
    if pip.returncode != 0 and "no such option: --python" in pip.stderr:
        pip = _run(sys.executable, "-m", "pip", "install", "--no-index", "--no-deps",
                   "--prefix", venv, wheel)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    # Written after the install: were it there before, pip would see a non-editable prodready of
    # the running environment as already installed and skip the wheel.
    (purelib / "_borrowed_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


def test_wheel_holds_the_catalog_and_the_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "prodready/rules/PY001.yaml" in names
    assert "prodready/templates/health_fastapi.py.j2" in names
    assert "prodready/templates/scorecard.md.j2" in names
    assert len([n for n in names if n.startswith("prodready/rules/")]) == len(
        list((ROOT / "rules").glob("*.yaml")))


def test_installed_prodready_explains_a_rule(installed, tmp_path):
    where = _run(installed / "bin" / "python", "-c",
                 "import prodready.resources as r; print(r.RULES_DIR); print(r.TEMPLATES_DIR)",
                 cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    rules_dir, templates_dir = where.stdout.split()
    assert Path(rules_dir).is_relative_to(installed), "the catalog must come from the wheel"
    assert Path(templates_dir).is_relative_to(installed)

    explained = _run(installed / "bin" / "prodready", "explain", "PY001", cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    assert "PY001" in explained.stdout and "except" in explained.stdout


def test_installed_prodready_renders_a_fix_template(installed, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(CASE / "before", repo)
    fixed = _run(installed / "bin" / "prodready", "fix", "--unsafe-fixes", "--select", "APP001",
                 "--select", "APP002", repo, cwd=tmp_path)
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    assert (repo / "app" / "health.py").read_text() == (
        CASE / "after" / "app" / "health.py").read_text()


def test_the_installed_command_replays_a_scan_run_again(installed, tmp_path):
    """The command answers a re-scan of an unchanged tree before it loads typer."""
    repo = tmp_path / "repo"
    shutil.copytree(CASE / "before", repo)
    time.sleep(replay.SETTLED_NS / 1e9 + 0.2)  # a scan of files written just now is not kept
    runs = [_run(installed / "bin" / "python", "-X", "importtime", installed / "bin" / "prodready",
                 "scan", repo, "--jobs", "1", cwd=tmp_path) for _ in range(2)]
    assert runs[0].returncode in (0, 1), runs[0].stderr[-2000:]
    assert runs[1].returncode == runs[0].returncode
    assert "typer" in runs[0].stderr and "typer" not in runs[1].stderr
    assert runs[1].stdout.split("lines,")[0] == runs[0].stdout.split("lines,")[0]
