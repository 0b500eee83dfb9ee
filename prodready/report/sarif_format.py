"""SARIF 2.1.0 for GitHub code scanning: one run, rule metadata, stable fingerprints.

Suppressed and baselined findings are left out (their counts are run properties): code
scanning does not honour SARIF `suppressions` or `baselineState` and would open an alert for
each, while the scan itself passes.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..catalog import Rule, load_catalog
from ..docs import rule_markdown
from ..model import Finding, Severity
from ..scoring import SCORING_VERSION
from . import Report, distinct_fingerprints, json_text
from .github_format import workspace_prefix

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://prodready.dev"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "prodready/v1"

# GitHub ranks alerts by this number: > 9 critical, ≥ 7 high, ≥ 4 medium, else low.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "7.5", Severity.MEDIUM: "5.0",
                     Severity.LOW: "3.0", Severity.INFO: "1.0"}
LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
# Diagnostics about the scan itself, as notifications: a parse failure is a warning (the
# file was not checked); an internal error is an error.
NOTIFICATION_LEVELS = {"INTERNAL": "error", "PARSE": "warning", "CONFIG": "warning"}


def rule_descriptor(rule: Rule, severity: Severity) -> dict[str, Any]:
    tags = ["prodready", rule.category.value, rule.family]
    if rule.category.value == "security":
        tags.append("security")
    return {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.what.split())},
        "helpUri": rule.doc_url,
        "help": {"text": f"{rule.summary} See {rule.doc_url}", "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[severity],
            "precision": "high",
            "problem.severity": _problem_severity(severity),
            "tags": sorted(set(tags)),
        },
    }


def _problem_severity(severity: Severity) -> str:
    return {"error": "error", "warning": "warning", "note": "recommendation"}[LEVELS[severity]]


def _location(path: str, line: int | None, column: int | None = None,
              end_line: int | None = None, end_column: int | None = None) -> dict[str, Any]:
    # a URI reference: spaces and non-ASCII characters of a path are percent-encoded
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path, safe="/"),
                                                     "uriBaseId": SRCROOT}}
    if line and line >= 1:
        region: dict[str, Any] = {"startLine": line}
        if column and column >= 1:
            region["startColumn"] = column
        if end_line and end_line >= line:
            region["endLine"] = end_line
            if end_column and end_column >= 1 and (end_line > line or
                                                    end_column >= region.get("startColumn", 1)):
                region["endColumn"] = end_column
        physical["region"] = region
    return {"physicalLocation": physical}


def _result(finding: Finding, rule_index: int, print_: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding.path, finding.line, finding.column,
                                finding.end_line, finding.end_column)],
        "partialFingerprints": {FINGERPRINT_KEY: print_},
        "properties": {"severity": finding.severity.value},
    }
    if finding.related:
        item["relatedLocations"] = [
            {"id": i, "message": {"text": r.message}, **_location(r.path, r.line, r.column)}
            for i, r in enumerate(finding.related)]
    if finding.fix is not None:
        item["properties"]["fix"] = {"safety": finding.fix.safety.value,
                                     "description": finding.fix.description}
    return item


def sarif_dict(report: Report) -> dict[str, Any]:
    result = report.result
    rules: dict[str, Rule] = dict(result.rules)
    catalog = load_catalog()
    for f in result.findings:  # a finding's rule must always be described
        if f.rule_id not in rules and f.rule_id in catalog:
            rules[f.rule_id] = catalog[f.rule_id]
    descriptors = [rule_descriptor(rule, result.config.severity_of(rule))
                   for rule in rules.values()]
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    # Only open findings become results. GitHub code scanning ignores SARIF `suppressions`
    # and `baselineState` and would open an alert for each; a result left out closes its alert.
    shown = [f for f in report.open_findings if f.rule_id in index]
    results = [_result(f, index[f.rule_id], p)
               for f, p in zip(shown, distinct_fingerprints(shown), strict=True)]
    active = result.active_findings
    notifications = [
        {
            "level": NOTIFICATION_LEVELS.get(d.kind, "note"),
            "message": {"text": d.message},
            "descriptor": {"id": d.kind},
            "locations": [_location(d.path, d.line)] if d.path else [],
        }
        for d in result.diagnostics
    ]
    root_uri = result.root.resolve().as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "prodready",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }},
            "invocations": [{
                "executionSuccessful": not any(d.kind == "INTERNAL" for d in result.diagnostics),
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {
                "score": report.score.overall,
                "grade": report.score.grade,
                "scoring_version": SCORING_VERSION,
                "suppressed": len(result.findings) - len(active),
                "baselined": len(active) - len(report.open_findings),
                "categories": {cat.value: cs.score for cat, cs in report.score.categories.items()},
            },
        }],
    }


def render(report: Report) -> str:
    document = sarif_dict(report)
    # Code scanning wants paths from the repository root: when a service directory of the
    # checkout was scanned, its findings carry that directory in front.
    prefix = workspace_prefix(report.result.root, os.environ)
    if prefix:
        for run in document["runs"]:
            for item in [*run["results"],
                         *run["invocations"][0].get("toolExecutionNotifications", [])]:
                for location in item.get("locations", []):
                    artifact = location["physicalLocation"]["artifactLocation"]
                    artifact["uri"] = quote(prefix, safe="/") + artifact["uri"]
    return json_text.dumps(document) + "\n"
