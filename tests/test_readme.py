"""The README's rule table is generated from the catalog and must not drift from it."""

from __future__ import annotations

from pathlib import Path

from prodready.docs import rules_table_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_rule_table_matches_catalog():
    text = README.read_text(encoding="utf-8")
    assert rules_table_markdown() in text, (
        "README rule table is stale: regenerate with `python -m prodready.docs --write`"
    )


def test_readme_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block == [
        "python3 -m pip install . && prodready scan fixtures/repos/fastapi-bad",
        "python3 -m pip install '.[test]' && python3 -m pytest",
    ]
