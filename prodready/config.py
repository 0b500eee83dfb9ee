"""Configuration: [tool.prodready] in pyproject.toml or a .prodready.toml, then CLI flags."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import tomllib
from collections.abc import Iterable
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
            raise ValueError(f"unknown rule or prefix {sel!r}{did_you_mean(sel, ids)}")
    return value


# Measured: a 2 MB file of one-line statements costs about 8 s of CPU and 0.8 GB; both grow
# linearly, so 4 MB stays within what a CI runner has.
MAX_FILE_SIZE_CEILING = 4_000_000


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'X'?)` for the closest choice, or nothing."""
    close = difflib.get_close_matches(word.upper() if word.isupper() else word,
                                      list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


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


# Rules about sizing a deployment (requests, limits, replicas): in a distributed project the
# operator sizes it.
SIZING_RULES = frozenset({"K8S001", "K8S002", "K8S017", "COMPOSE006"})
# Telemetry a distributed product's operator wires to their own systems (their metrics
# scraper or exporter, a proxy's request ids, their error tracker's DSN, their log pipeline's
# format): the authors never receive it.
OPERATOR_TELEMETRY_RULES = frozenset({"APP007", "APP008", "APP009", "APP014"})
# Policy set at the edge: in a product others run, the operator's proxy terminates TLS (HSTS)
# and limits request rates.
OPERATOR_EDGE_RULES = frozenset({"APP003", "APP004"})
# What the cluster the operator runs it in decides: its network policy, which paths get a
# writable volume (a read-only root filesystem needs them sized), which image tags it pins,
# and the pod security its admission enforces (the restricted Pod Security Standard requires
# runAsNonRoot and allowPrivilegeEscalation: false of every pod).
OPERATOR_CLUSTER_RULES = frozenset({"K8S016", "K8S010", "K8S011", "K8S008", "K8S009"})
# What the distributed profile makes info.
OPERATOR_RULES = SIZING_RULES | OPERATOR_TELEMETRY_RULES | OPERATOR_EDGE_RULES | \
    OPERATOR_CLUSTER_RULES
# What the service profile makes info: documentation for whoever deploys the code, when that
# is the service's own team, with its configuration kept beside its infrastructure.
AUTHOR_DEPLOYED_RULES = frozenset({"APP013"})
# Rules whose judgement reads the profile: those it makes info, and DOCKER001 (whether the
# project's own team runs the image).
PROFILE_RULES = OPERATOR_RULES | AUTHOR_DEPLOYED_RULES | frozenset({"DOCKER001"})
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
    fail_under: float | None = Field(None, ge=0, le=100)
    fail_on_parse: bool = False
    jobs: int | None = None
    cache: bool = True
    handled_elsewhere: dict[str, str] = {}
    exemptions: list[Exemption] = []
    require_reason: bool = False
    inline_ignores: bool = True
    # A hard ceiling: a repository's own configuration must not make one file cost gigabytes.
    max_file_size: int = Field(2_000_000, ge=1, le=MAX_FILE_SIZE_CEILING)
    http_timeout: float = 10.0
    # Artifacts outside what ships (examples, fixtures, dev tooling, docs, generated) that are
    # reported anyway, outside the score.
    include: list[str] = []
    # "distributed": images and manifests others run, so sizing, network policy, telemetry,
    # rate limits and HSTS are the operator's choice.
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

    @field_validator("exclude", "extend_exclude")
    @classmethod
    def _valid_globs(cls, value: list[str]) -> list[str]:
        import re

        import pathspec

        for pattern in value:
            try:
                pathspec.GitIgnoreSpec.from_lines([pattern])
            except (re.error, ValueError, TypeError) as exc:
                raise ValueError(f"invalid pattern {pattern!r}: {exc}") from None
        return value

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
        if self.profile == "distributed" and rule.id in OPERATOR_RULES:
            return Severity.INFO  # sizing, telemetry, edge: the choice of whoever runs the images
        if self.profile == "service" and rule.id in AUTHOR_DEPLOYED_RULES:
            return Severity.INFO  # its deployers are its authors
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
        data = self.model_dump(mode="json", exclude={"jobs", "cache", "fail_on", "fail_under",
                                                     "fail_on_parse"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def to_toml(data: dict[str, Any]) -> str:
    """A `[tool.prodready]` table for `data` (JSON-like values; None is left out)."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)  # a JSON string is a valid TOML basic string
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            items = ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()
                              if x is not None)
            return "{ " + items + " }" if items else "{}"
        raise TypeError(f"no TOML for {type(v).__name__}")

    lines = ["[tool.prodready]"]
    lines += [f"{key} = {value(v)}" for key, v in data.items() if v is not None]
    return "\n".join(lines) + "\n"


def _path_matches(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return fnmatch(path, pattern) or path.startswith(pattern + "/") or fnmatch(path, pattern + "/*")


class ConfigError(Exception):
    """Invalid configuration; the message names the file and the key."""


def find_config_file(root: Path) -> Path | None:
    """The nearest .prodready.toml, or pyproject.toml with [tool.prodready], from `root`
    upward, stopping at the repository root (as ruff finds its configuration)."""
    from .discover import repository_root

    start = root.resolve()
    if start.is_file():
        start = start.parent
    repo = repository_root(start)
    directories = [start]
    if repo is not None and repo != start:
        directories += [d for d in start.parents if d.is_relative_to(repo)]
    for directory in directories:
        for name in (".prodready.toml", "pyproject.toml"):
            candidate = directory / name
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
    root: Path, config_file: Path | None = None, overrides: dict[str, Any] | None = None,
    scan_root: Path | None = None,
) -> tuple[Config, Path | None]:
    """The effective config for a scan of `root`: file settings, then CLI overrides.
    Paths in the file are relative to its directory; they are rebased onto `scan_root`
    (default `root`), the directory finding paths are relative to."""
    path = config_file or find_config_file(root)
    raw: dict[str, Any] = {}
    if path is not None:
        if path.name == "pyproject.toml":
            raw = _table(path, _tool_tables(path).get("prodready", {}))
        else:
            raw = _read_toml(path)
            tool = raw.get("tool", {})
            raw = _table(path, tool.get("prodready", raw) if isinstance(tool, dict) else raw)
        if config_file is None:
            raw = rebase_paths(raw, path.parent.resolve(), (scan_root or root).resolve())
    from_cli: set[str] = set()
    for key, value in (overrides or {}).items():
        if value is not None:
            # The file may spell the key in snake case; both spellings would be a conflict.
            raw.pop(key.replace("-", "_"), None)
            raw[_kebab(key)] = value
            from_cli.add(_kebab(key))
    try:
        return Config.model_validate(raw), path
    except ValidationError as exc:
        cli = [err for err in exc.errors() if err["loc"] and err["loc"][0] in from_cli]
        if cli:  # an option's value: name the option, not a file it never came from
            raise ConfigError("; ".join(f"--{err['loc'][0]}: {_problem(err)}"
                                        for err in cli)) from exc
        where = str(path) if path else "command line"
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {_problem(err)}"
            for err in exc.errors()
        )
        raise ConfigError(f"{where}: invalid [tool.prodready] setting: {problems}") from exc


def rebase_paths(raw: dict[str, Any], config_dir: Path, scan_root: Path) -> dict[str, Any]:
    """The file's path settings as seen from `scan_root` when the config file lives above it
    (a service directory of a repository) or below it (files of a subdirectory). Patterns
    anchored elsewhere no longer apply; patterns that match at any depth stay as they are."""
    if config_dir == scan_root:
        return raw
    if scan_root.is_relative_to(config_dir):
        below = scan_root.relative_to(config_dir).as_posix() + "/"

        def move(pattern: str, fnmatch_style: bool = False) -> str | None:
            bare = pattern.lstrip("/")
            if bare.startswith(below):
                return bare[len(below):] or "**"
            anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
            return None if anchored and not bare.startswith("**") else pattern
    elif config_dir.is_relative_to(scan_root):
        above = config_dir.relative_to(scan_root).as_posix() + "/"

        def move(pattern: str, fnmatch_style: bool = False) -> str | None:
            bare = pattern.lstrip("/")
            anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
            # fnmatch's * crosses directories; gitignore's needs ** for any depth
            return above + bare if anchored or fnmatch_style else f"{above}**/{bare}"
    else:
        return raw

    out = dict(raw)
    for key in ("exclude", "extend-exclude", "extend_exclude"):
        if isinstance(out.get(key), list):
            out[key] = [m for p in out[key] if isinstance(p, str) and (m := move(p)) is not None]
    for key in ("per-file-ignores", "per_file_ignores"):
        if isinstance(out.get(key), dict):
            out[key] = {m: v for p, v in out[key].items()
                        if isinstance(p, str) and (m := move(p, True)) is not None}
    if isinstance(out.get("exemptions"), list):
        kept = []
        for item in out["exemptions"]:
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                moved = move(item["path"], True)
                if moved is None:
                    continue
                item = {**item, "path": moved}
            kept.append(item)
        out["exemptions"] = kept
    return out


def _problem(err: Any) -> str:
    if err["type"] == "extra_forbidden" and err["loc"]:
        keys = [_kebab(name) for name in Config.model_fields]
        return f"{err['msg']}{did_you_mean(str(err['loc'][-1]).replace('_', '-'), keys)}"
    return str(err["msg"])
