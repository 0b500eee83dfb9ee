"""Configuration: [tool.prodready] in pyproject.toml or a .prodready.toml, then CLI flags."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .model import Severity

if TYPE_CHECKING:
    from .catalog import Rule


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def _check_selectors(value: list[str]) -> list[str]:
    """Ids or prefixes of catalog rules, or ALL; anything else is a typo that selects nothing
    (and "" would match every rule)."""
    from .catalog import load_catalog

    ids = load_catalog()
    for sel in value:
        if sel != "ALL" and (not sel or not any(i.startswith(sel) for i in ids)):
            raise ValueError(f"unknown rule or prefix {sel!r}")
    return value


class Exemption(BaseModel):
    """A dated exemption: `rule` is not reported under `path` until `expires`."""

    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True)
    rule: str
    path: str = "**"
    reason: str
    expires: dt.date | None = None

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        return _check_selectors([value])[0]


# Rules about sizing a deployment: in a distributed project the operator sizes it.
SIZING_RULES = frozenset({"K8S001", "K8S002", "COMPOSE006"})
INCLUDE_CHOICES = ("examples", "fixtures", "dev", "docs", "generated")
EXPOSURES = Literal["public", "internal", "worker", "health-sidecar"]


class ServiceSettings(BaseModel):
    """What the repository's owner knows about one service better than its files say."""

    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True,
                              frozen=True)
    exposure: EXPOSURES | None = None


class Config(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=_kebab, populate_by_name=True, frozen=True
    )

    select: list[str] = ["ALL"]
    ignore: list[str] = []
    extend_select: list[str] = []
    per_file_ignores: dict[str, list[str]] = {}
    exclude: list[str] = []
    extend_exclude: list[str] = []
    include_tests: bool = Field(False, description="also scan test code")
    severity: dict[str, Severity] = {}
    fail_on: Severity = Severity.LOW
    jobs: int | None = None
    cache: bool = True
    handled_elsewhere: dict[str, str] = {}
    exemptions: list[Exemption] = []
    require_reason: bool = False
    inline_ignores: bool = True
    max_file_size: int = 2_000_000
    http_timeout: float = 10.0
    # Artifacts outside what ships (examples, fixtures, dev tooling, docs, generated) that are
    # reported anyway, outside the score.
    include: list[str] = []
    # "distributed": images and manifests others run, so sizing is the operator's choice.
    profile: Literal["service", "distributed"] = "service"
    services: dict[str, ServiceSettings] = {}

    @field_validator("include")
    @classmethod
    def _known_includes(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in INCLUDE_CHOICES]
        if unknown:
            raise ValueError(f"unknown value(s) {', '.join(map(repr, unknown))}; "
                             f"choose from {', '.join(INCLUDE_CHOICES)}")
        return value

    @field_validator("select", "ignore", "extend_select")
    @classmethod
    def _known_selectors(cls, value: list[str]) -> list[str]:
        return _check_selectors(value)

    @field_validator("per_file_ignores")
    @classmethod
    def _known_per_file(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for pattern, rules in value.items():
            try:
                _check_selectors(rules)
            except ValueError as exc:
                raise ValueError(f"{pattern!r}: {exc}") from None
        return value

    @field_validator("severity", "handled_elsewhere")
    @classmethod
    def _known_ids(cls, value: dict[str, Any]) -> dict[str, Any]:
        from .catalog import load_catalog

        unknown = sorted(set(value) - set(load_catalog()))
        if unknown:
            raise ValueError(f"unknown rule id(s): {', '.join(unknown)}")
        return value

    def severity_of(self, rule: Rule) -> Severity:
        if rule.id in self.severity:
            return self.severity[rule.id]
        if self.profile == "distributed" and rule.id in SIZING_RULES:
            return Severity.INFO  # sizing is the choice of whoever runs the images
        return rule.severity

    def is_selected(self, rule_id: str) -> bool:
        from .catalog import rule_matches

        chosen = rule_matches(rule_id, self.select + self.extend_select)
        return chosen and not rule_matches(rule_id, self.ignore)

    def ignored_for_path(self, rule_id: str, path: str) -> str | None:
        """Why rule_id is off for path (per-file-ignores or a live exemption), or None."""
        from .catalog import rule_matches

        for pattern, rules in self.per_file_ignores.items():
            if _path_matches(path, pattern) and rule_matches(rule_id, rules):
                return f"per-file-ignores {pattern}"
        today = dt.date.today()
        for ex in self.exemptions:
            if rule_matches(rule_id, [ex.rule]) and _path_matches(path, ex.path):
                if ex.expires is None or ex.expires >= today:
                    return ex.reason
        return None

    def digest(self) -> str:
        """A stable hash of everything that can change a file's findings (for the cache)."""
        data = self.model_dump(mode="json", exclude={"jobs", "cache", "fail_on"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _path_matches(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return fnmatch(path, pattern) or path.startswith(pattern + "/") or fnmatch(path, pattern + "/*")


class ConfigError(Exception):
    """Invalid configuration; the message names the file and the key."""


def find_config_file(root: Path) -> Path | None:
    for name in (".prodready.toml", "pyproject.toml"):
        candidate = root / name
        if candidate.is_file():
            if name == "pyproject.toml" and "prodready" not in _tool_tables(candidate):
                continue
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _tool_tables(path: Path) -> dict[str, Any]:
    tool = _read_toml(path).get("tool", {})
    return tool if isinstance(tool, dict) else {}


def _table(path: Path, value: Any) -> dict[str, Any]:
    # Anything but a table here would crash later, outside the exit-code-2 path.
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [tool.prodready] must be a table, not {type(value).__name__}")
    return dict(value)


def load_config(
    root: Path, config_file: Path | None = None, overrides: dict[str, Any] | None = None
) -> tuple[Config, Path | None]:
    """The effective config for a scan of `root`: file settings, then CLI overrides."""
    path = config_file or find_config_file(root)
    raw: dict[str, Any] = {}
    if path is not None:
        if path.name == "pyproject.toml":
            raw = _table(path, _tool_tables(path).get("prodready", {}))
        else:
            raw = _read_toml(path)
            tool = raw.get("tool", {})
            raw = _table(path, tool.get("prodready", raw) if isinstance(tool, dict) else raw)
    for key, value in (overrides or {}).items():
        if value is not None:
            # The file may spell the key in snake case; both spellings would be a conflict.
            raw.pop(key.replace("-", "_"), None)
            raw[_kebab(key)] = value
    try:
        return Config.model_validate(raw), path
    except ValidationError as exc:
        where = str(path) if path else "command line"
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"{where}: invalid [tool.prodready] setting: {problems}") from exc
