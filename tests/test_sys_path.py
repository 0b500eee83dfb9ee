"""PY003: which edits of the import path depend on where the process starts; PY005: aliases."""

from __future__ import annotations

from prodready.testing import scan_files


def test_a_sys_path_edit_from_the_modules_own_location_is_information():
    code = ("import os\nimport sys\n\nROOT = os.path.dirname(os.path.abspath(__file__))\n"
            "APPS = os.path.join(ROOT, 'apps')\nsys.path.insert(0, APPS)\n"
            "sys.path.insert(0, '../lib')\n")
    found = {f.line: f.severity.value for f in scan_files({"app/settings.py": code}, ["PY003"])}
    assert found == {6: "info", 7: "medium"}


def test_a_path_helper_built_from_the_modules_own_location_is_information():
    code = ("import os\nimport sys\n\n\ndef here(*x):\n"
            "    return os.path.join(os.path.abspath(os.path.dirname(__file__)), *x)\n\n\n"
            "PROJECT_ROOT = here('..')\n\n\ndef root(*x):\n"
            "    return os.path.join(os.path.abspath(PROJECT_ROOT), *x)\n\n\n"
            "def cwd(*x):\n    return os.path.join(os.getcwd(), *x)\n\n\n"
            "sys.path.insert(0, root('apps'))\nsys.path.insert(0, cwd('lib'))\n")
    found = {f.line: f.severity.value for f in scan_files({"app/settings.py": code}, ["PY003"])}
    assert found == {20: "info", 21: "medium"}


def test_a_package_adding_its_own_directory_is_information():
    code = "import sys\n\nsys.path.insert(0, __path__[0])\n"
    [finding] = scan_files({"pkg/__init__.py": code}, ["PY003"])
    assert finding.severity.value == "info" and "own location" in finding.message


def test_an_imported_module_aliased_under_an_old_path_is_information():
    """PY005: a real module kept importable under its former name is a compatibility alias;
    an object built at run time stays a fake module."""
    code = ("import sys\nimport types\n\nimport shop.engines.running as running\n\n"
            "sys.modules.setdefault('shop.workflows', running)\n"
            "sys.modules['settings'] = types.ModuleType('settings')\n")
    found = {f.line: f.severity.value for f in scan_files({"shop/__init__.py": code}, ["PY005"])}
    assert found == {6: "info", 7: "high"}


def test_a_drop_in_replacement_moved_under_the_stdlib_name_is_information():
    code = ('import sys\n\n__import__("pysqlite3")\n'
            'sys.modules["sqlite3"] = sys.modules.pop("pysqlite3")\n'
            'sys.modules["json"] = sys.modules.get(name)\n')
    found = {f.line: f.severity.value for f in scan_files({"app/settings.py": code}, ["PY005"])}
    assert found == {4: "info", 5: "high"}
