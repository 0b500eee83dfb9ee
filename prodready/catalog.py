"""The rule catalog: one YAML file per rule in rules/, the single source of truth."""

from __future__ import annotations

import importlib
from functools import cache, cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .model import Category, FixSafety, Scope, Severity
from .resources import RULES_DIR

# Rule id prefix -> the package under prodready/checks/ holding that family's logic.
FAMILIES = {
    "PY": "python",
    "APP": "service",
    "DOCKER": "docker",
    "COMPOSE": "compose",
    "K8S": "k8s",
    "REPO": "repo",
}


class Example(BaseModel):
    """A bad or good example. `code` is one file at `path`; `files` is a whole tree."""

    model_config = ConfigDict(extra="forbid")
    path: str | None = None
    code: str | None = None
    files: dict[str, str] | None = None
    note: str | None = None


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bad: list[Example]
    good: list[Example]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    slug: str
    severity: Severity
    category: Category
    fix: Literal["safe", "unsafe", "none"]
    summary: str
    what: str = Field(description="What it does")
    why: str = Field(description="Why is this bad?")
    example: str
    use_instead: str
    fix_safety: str | None = None
    options: str | None = None
    references: list[str] = []

    @cached_property
    def examples(self) -> Examples:
        """The rule's bad and good examples, read on first use: a scan never needs them."""
        return Examples.model_validate(_read(RULES_DIR / f"{self.id}.yaml")["examples"])

    @property
    def family(self) -> str:
        prefix = self.id.rstrip("0123456789")
        return FAMILIES[prefix]

    @property
    def fix_safety_level(self) -> FixSafety | None:
        return None if self.fix == "none" else FixSafety(self.fix)

    def logic(self) -> ModuleType:
        """The module implementing this rule: prodready.checks.<family>.<id>."""
        return importlib.import_module(f"prodready.checks.{self.family}.{self.id.lower()}")

    @property
    def scope(self) -> Scope:
        return Scope(self.logic().SCOPE)

    @property
    def doc_url(self) -> str:
        return f"https://prodready.dev/rules/{self.id}"


@cache
def load_catalog() -> dict[str, Rule]:
    """All rules, keyed by id, in id order."""
    rules: dict[str, Rule] = {}
    for path in sorted(RULES_DIR.glob("*.yaml")):
        data = _read(path, head=True)
        rule = Rule.model_validate(data)
        if rule.id != path.stem:
            raise ValueError(f"{path.name}: id {rule.id!r} does not match the file name")
        rules[rule.id] = rule
    return dict(sorted(rules.items(), key=lambda kv: _id_key(kv[0])))


# Every rule file ends with its `examples:`, the bulk of its text.
_EXAMPLES = "\nexamples:"


def _read(path: Path, *, head: bool = False) -> dict[str, Any]:
    """A rule file's mapping; with `head`, without the examples at its end."""
    text = path.read_text(encoding="utf-8")
    if head:
        if _EXAMPLES not in text:
            raise ValueError(f"{path.name}: no examples")
        text = text.split(_EXAMPLES, 1)[0] + "\n"
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: not a mapping")
    return data


def _id_key(rule_id: str) -> tuple[int, str, int]:
    prefix = rule_id.rstrip("0123456789")
    order = list(FAMILIES).index(prefix) if prefix in FAMILIES else 99
    return (order, prefix, int(rule_id[len(prefix):] or 0))


def rule_matches(rule_id: str, selectors: list[str]) -> bool:
    """Ruff-style selection: a selector is an exact id, a prefix (PY, K8S01) or ALL."""
    return any(s == "ALL" or rule_id.startswith(s) for s in selectors)
