"""A file that cannot be parsed is reported in every output format, and the rest is scanned."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prodready.cli import app
from prodready.report import OutputFormat
from prodready.testing import write_tree


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_parse_diagnostic_in_every_format(fmt, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    write_tree(tmp_path, {"app/broken.py": "def f(:\n",
                          "app/ok.py": 'import requests\nrequests.get("http://x")\n'})
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--no-cache", "--format", fmt])
    assert result.exit_code == 1, result.output  # the other file's finding still counts
    assert "app/broken.py" in result.output
    assert "PY006" in result.output or "http-call-without-timeout" in result.output
