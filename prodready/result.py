"""The outcome of one scan: what reporters, scoring, baseline and fix read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import Rule
from .config import Config
from .model import Diagnostic, Finding, SiteCount
from .project import Project
from .project.profile import Profile

if TYPE_CHECKING:
    from .scoring import ServiceScore

# A service as per-service scores see it: name, kind, app path, root, the files it owns.
ServiceOwner = tuple[str, str, str, str, list[str]]


@dataclass(slots=True)
class ScanStats:
    files: dict[str, int]
    lines: int
    skipped: dict[str, int]
    duration_s: float
    cached_files: int = 0
    skipped_roles: dict[str, int] = field(default_factory=dict)  # findings not judged, by role


@dataclass(slots=True)
class ScanResult:
    root: Path
    config: Config
    rules: dict[str, Rule]  # the rules that ran
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    sites: dict[str, SiteCount]
    stats: ScanStats
    project: Project | None = None
    baseline: dict[str, Any] | None = None  # new / baselined / fixed, when a baseline is used
    # sites of the per-file rules, per file (what per-service scores are computed from)
    file_sites: dict[str, dict[str, SiteCount]] = field(default_factory=dict)
    # (name, kind, app path, root, owned files) per service, where `project` is not kept
    service_owners: list[ServiceOwner] | None = None
    # the profile in force and why (None when no selected rule depends on it)
    profile: Profile | None = None
    # the per-service scores of `findings` as the scan computed them for its memo (a list of
    # findings filtered afterwards is another list, scored again)
    scored: tuple[list[Finding], list[ServiceScore]] | None = None
    # the whole-result memo this scan left or was answered from: its key, and how many files
    # a run answered from it counts as cached (what a replay of this run's output relies on)
    memo: tuple[str, int] | None = None

    @property
    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]
