"""Every catalog rule has logic, complete docs, and examples that behave as they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prodready.catalog import load_catalog
from prodready.model import Scope
from prodready.testing import run_example

CATALOG = load_catalog()
CONTRACT = Path(__file__).resolve().parent / "rule_contract.txt"

EXAMPLES = [
    pytest.param(rule, kind, i, ex, id=f"{rule_id}-{kind}{i}")
    for rule_id, rule in CATALOG.items()
    for kind, items in (("bad", rule.examples.bad), ("good", rule.examples.good))
    for i, ex in enumerate(items)
]


@pytest.mark.parametrize(("rule", "kind", "index", "example"), EXAMPLES)
def test_example(rule, kind, index, example):
    findings = run_example(rule, example)
    if kind == "bad":
        assert findings, f"{rule.id} bad example {index} was not flagged"
    else:
        assert not findings, f"{rule.id} good example {index} was flagged: {findings}"


@pytest.mark.parametrize("rule_id", list(CATALOG))
def test_rule_is_complete(rule_id):
    rule = CATALOG[rule_id]
    assert rule.scope in set(Scope)
    assert callable(rule.logic().check)
    assert len(rule.examples.bad) >= 2, "needs at least two bad examples"
    assert len(rule.examples.good) >= 2, "needs at least two good examples"
    for text in (rule.summary, rule.what, rule.why, rule.example, rule.use_instead):
        assert text.strip()
    assert rule.references, "needs at least one reference"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.slug)


def test_catalog_matches_the_public_contract():
    """IDs and slugs are a public interface (configs, suppressions, baselines use them)."""
    rows = [line.split() for line in CONTRACT.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    assert sorted(r[0] for r in rows) == sorted(CATALOG), (
        "the catalog and tests/rule_contract.txt list different rules")
    for rule_id, slug, severity, category, fix in rows:
        rule = CATALOG[rule_id]
        assert (rule.slug, rule.severity.value, rule.category.value, rule.fix) == (
            slug, severity, category, fix), rule_id
