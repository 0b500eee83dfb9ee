"""Where the rule catalog (rules/) and the jinja templates (templates/) live.

In a source checkout or an editable install they sit at the repository root; the wheel
packages them inside the `prodready` package (see pyproject.toml's force-include).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The `rules` or `templates` directory, installed or in a checkout."""
    installed = _PACKAGE / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


RULES_DIR = data_dir("rules")
TEMPLATES_DIR = data_dir("templates")
