"""Help texts print what they say: bracketed words are text, never terminal markup."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prodready.cli import app


@pytest.mark.parametrize("command", ["scan", "fix", "baseline", "config"])
def test_the_config_table_name_survives_in_help(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "250",
                                                                "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "[tool.prodready]" in result.output
