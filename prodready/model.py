"""The value types every stage shares: findings, locations, fixes, diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe: info=0 … critical=4."""
        return _SEVERITY_ORDER.index(self)

    def raised(self, steps: int = 1) -> Severity:
        return _SEVERITY_ORDER[min(self.rank + steps, len(_SEVERITY_ORDER) - 1)]


_SEVERITY_ORDER = [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


class Category(StrEnum):
    SECURITY = "security"
    RELIABILITY = "reliability"
    OBSERVABILITY = "observability"
    PERFORMANCE = "performance"
    OPERATIONS = "operations"


class FixSafety(StrEnum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class Scope(StrEnum):
    """What a check receives: one parsed file of a kind, or the whole project."""

    PYTHON = "python"
    DOCKERFILE = "dockerfile"
    YAML = "yaml"
    TEXT = "text"  # every decoded file, whatever its kind
    PROJECT = "project"


class FileKind(StrEnum):
    PYTHON = "python"
    DOCKERFILE = "dockerfile"
    YAML = "yaml"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] (character offsets) of one file with `replacement`."""

    path: str
    start: int
    end: int
    replacement: str
    # sha256 (hex prefix) of the text the offsets were computed from, checked right before
    # writing; "" for a file that did not exist yet; None when unknown (tests)
    base: str | None = None


@dataclass(frozen=True, slots=True)
class Codemod:
    """A Python change applied with libcst at fix time, anchored at a node's start.

    `column` counts characters (0-based) like libcst, not ast's UTF-8 bytes.
    """

    path: str
    op: str  # rename-method | add-keyword | static-import | log-exception | register-router
    line: int
    column: int
    arg: str = ""
    callee: str = ""  # for call ops: the called name (`a.get(...).json()` both start at `a`)
    base: str | None = None  # as for Edit: the digest of the source it was computed from


@dataclass(frozen=True, slots=True)
class Fix:
    safety: FixSafety
    description: str
    edits: tuple[Edit, ...] = ()
    codemods: tuple[Codemod, ...] = ()


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding is about (one of the variables a per-file finding lists)."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    path: str  # repo-relative, POSIX
    line: int  # 1-based
    column: int  # 1-based
    end_line: int
    end_column: int
    message: str
    severity: Severity
    snippet: str = ""  # the flagged source line(s), stripped; used for fingerprints
    fix: Fix | None = None
    suppressed: bool = False
    suppression_reason: str | None = None
    baseline: str = "new"  # new | baselined
    related: tuple[Related, ...] = ()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something about the scan itself: a file that could not be parsed, skipped files, …"""

    kind: str  # PARSE, SKIP, INFO, CONFIG, IGNORE
    path: str
    message: str
    line: int | None = None


@dataclass(slots=True)
class SiteCount:
    """How many sites a rule examined; the denominator of its pass ratio."""

    examined: int = 0
    failed: int = 0

    def add(self, other: SiteCount) -> None:
        self.examined += other.examined
        self.failed += other.failed


@dataclass(frozen=True, slots=True)
class Ignore:
    """One inline suppression comment found in a file."""

    line: int
    rules: frozenset[str]  # empty = all rules
    reason: str | None
    whole_file: bool = False
    own_line: bool = False  # the comment stands alone, so it also covers the next line
    foreign: bool = False  # another tool's allowance: never reported as unused


@dataclass(slots=True)
class FileFacts:
    """What a worker sends back about one file besides its findings."""

    path: str
    kind: FileKind
    ignores: list[Ignore] = field(default_factory=list)
    artifact: object | None = None  # parsed Dockerfile / YAML file / python facts
    text: str | None = None  # kept only for small repo files project checks read
    # Python: (first, last) line of every statement spanning several lines, so a suppression
    # on any line of the statement (or just above it) covers a finding inside it.
    statements: list[tuple[int, int]] = field(default_factory=list)
