"""GitLab code quality (the Code Climate issue format): a JSON list of issues."""

from __future__ import annotations

import hashlib
from typing import Any

from ..model import Severity
from . import Report, distinct_fingerprints, json_text

SEVERITY = {Severity.CRITICAL: "blocker", Severity.HIGH: "critical", Severity.MEDIUM: "major",
            Severity.LOW: "minor", Severity.INFO: "info"}
CATEGORY = {"security": "Security", "reliability": "Bug Risk", "observability": "Clarity",
            "performance": "Performance", "operations": "Style"}


def render(report: Report) -> str:
    rules = report.result.rules
    issues: list[dict[str, Any]] = []
    findings = report.open_findings  # GitLab has no notion of a suppressed or baselined issue
    for finding, print_ in zip(findings, distinct_fingerprints(findings), strict=True):
        rule = rules.get(finding.rule_id)
        issues.append({
            "type": "issue",
            "check_name": f"{finding.rule_id} {rule.slug}" if rule else finding.rule_id,
            "description": finding.message,
            "categories": [CATEGORY.get(rule.category.value, "Bug Risk") if rule else "Bug Risk"],
            "severity": SEVERITY[finding.severity],
            "fingerprint": print_,
            "location": {"path": finding.path,
                         "lines": {"begin": finding.line, "end": max(finding.end_line,
                                                                     finding.line)}},
        })
    for diagnostic in report.result.diagnostics:
        if diagnostic.kind not in ("PARSE", "INTERNAL"):
            continue  # a file prodready could not check is worth a look; the rest is chatter
        issues.append({
            "type": "issue",
            "check_name": f"prodready {diagnostic.kind}",
            "description": diagnostic.message,
            "categories": ["Bug Risk"],
            "severity": "major" if diagnostic.kind == "INTERNAL" else "info",
            "fingerprint": hashlib.sha256(
                f"{diagnostic.kind}|{diagnostic.path}|{diagnostic.message}".encode()
            ).hexdigest()[:20],
            "location": {"path": diagnostic.path,
                         "lines": {"begin": diagnostic.line or 1, "end": diagnostic.line or 1}},
        })
    return json_text.dumps(issues) + "\n"
