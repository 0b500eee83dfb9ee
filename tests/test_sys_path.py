"""PY003: which edits of the import path depend on where the process starts."""

from __future__ import annotations

from prodready.testing import scan_files


def test_a_sys_path_edit_from_the_modules_own_location_is_information():
    code = ("import os\nimport sys\n\nROOT = os.path.dirname(os.path.abspath(__file__))\n"
            "APPS = os.path.join(ROOT, 'apps')\nsys.path.insert(0, APPS)\n"
            "sys.path.insert(0, '../lib')\n")
    found = {f.line: f.severity.value for f in scan_files({"app/settings.py": code}, ["PY003"])}
    assert found == {6: "info", 7: "medium"}


def test_a_package_adding_its_own_directory_is_information():
    code = "import sys\n\nsys.path.insert(0, __path__[0])\n"
    [finding] = scan_files({"pkg/__init__.py": code}, ["PY003"])
    assert finding.severity.value == "info" and "own location" in finding.message
