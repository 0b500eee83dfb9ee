"""Which settings modules development and tests read, by their names."""

from __future__ import annotations

import pytest

from prodready.devconfig import is_dev_settings_module, is_settings_module


@pytest.mark.parametrize(("path", "dev"), [
    ("mysite/settings/dev.py", True),
    ("mysite/settings/devel.py", True),
    ("course_discovery/settings/devstack.py", True),
    ("mysite/settings/local.py", True),
    ("mysite/settings/.example.local.py", True),
    ("mysite/settings/unittests.py", True),
    ("mysite/settings_test.py", True),
    ("test_settings.py", True),
    ("mysite/settings/development_docker.py", True),
    ("mysite/settings/debug_toolbar_settings.py", True),
    ("mysite/settings/base.py", False),
    ("mysite/settings/production.py", False),
    ("mysite/settings.py", False),
    ("mysite/local.py", False),  # not a settings module
])
def test_development_settings_are_told_by_their_name(path, dev):
    assert is_dev_settings_module(path) is dev


def test_settings_modules_are_settings_py_or_a_settings_package():
    assert is_settings_module("mysite/settings.py")
    assert is_settings_module("mysite/settings/base.py")
    assert not is_settings_module("mysite/config.py")
