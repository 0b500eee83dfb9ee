"""The rule catalog: one YAML file per rule in rules/, the single source of truth."""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import Literal

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
    examples: Examples

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
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=yaml.CSafeLoader)
        rule = Rule.model_validate(data)
        if rule.id != path.stem:
            raise ValueError(f"{path.name}: id {rule.id!r} does not match the file name")
        rules[rule.id] = rule
    return dict(sorted(rules.items(), key=lambda kv: _id_key(kv[0])))


def _id_key(rule_id: str) -> tuple[int, str, int]:
    prefix = rule_id.rstrip("0123456789")
    order = list(FAMILIES).index(prefix) if prefix in FAMILIES else 99
    return (order, prefix, int(rule_id[len(prefix):] or 0))


def rule_matches(rule_id: str, selectors: list[str]) -> bool:
    """Ruff-style selection: a selector is an exact id, a prefix (PY, K8S01) or ALL."""
    return any(s == "ALL" or rule_id.startswith(s) for s in selectors)
