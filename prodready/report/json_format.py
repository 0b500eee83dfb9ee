"""The JSON report: the stable machine contract (keys may be added, never renamed)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .. import __version__
from ..model import Finding
from ..scoring import SCORING_VERSION
from . import Report

SCHEMA_VERSION = "1"


def fingerprint(finding: Finding) -> str:
    """Stable across line shifts: rule + path + the whitespace-normalised snippet."""
    snippet = " ".join(finding.snippet.split())
    basis = f"{finding.rule_id}|{finding.path}|{snippet or finding.message}"
    return hashlib.sha256(basis.encode()).hexdigest()[:20]


def finding_dict(finding: Finding, report: Report) -> dict[str, Any]:
    rule = report.result.rules.get(finding.rule_id)
    return {
        "rule_id": finding.rule_id,
        "slug": rule.slug if rule else finding.rule_id.lower(),
        "severity": finding.severity.value,
        "category": rule.category.value if rule else None,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "message": finding.message,
        "fix": {"safety": finding.fix.safety.value, "description": finding.fix.description}
        if finding.fix else None,
        "fingerprint": fingerprint(finding),
        "suppressed": finding.suppressed,
        "suppression_reason": finding.suppression_reason,
        "baseline": finding.baseline,
    }


def report_dict(report: Report) -> dict[str, Any]:
    result, score = report.result, report.score
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "prodready", "version": __version__},
        "root": str(result.root),
        "scoring_version": SCORING_VERSION,
        "score": {
            "overall": score.overall,
            "grade": score.grade,
            "categories": {
                cat.value: {"score": cs.score, "findings": cs.findings,
                            "suppressed": cs.suppressed}
                for cat, cs in score.categories.items()
            },
        },
        "findings": [finding_dict(f, report) for f in result.findings],
        "baseline": result.baseline,
        "diagnostics": [
            {"kind": d.kind, "path": d.path, "line": d.line, "message": d.message}
            for d in result.diagnostics
        ],
        "stats": {
            "files": {k: result.stats.files.get(k, 0)
                      for k in ("python", "dockerfile", "compose", "kubernetes", "yaml", "text")},
            "lines": result.stats.lines,
            "skipped": result.stats.skipped,
            "duration_s": result.stats.duration_s,
        },
    }


def render(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, sort_keys=False) + "\n"
