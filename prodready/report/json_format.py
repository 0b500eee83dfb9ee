"""The JSON report: the stable machine contract (keys may be added, never renamed)."""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..model import Finding
from ..scoring import SCORING_VERSION
from . import Report, json_text
from .fingerprint import fingerprint

SCHEMA_VERSION = "1"


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
        "related": [{"path": r.path, "line": r.line, "column": r.column, "message": r.message}
                    for r in finding.related],
    }


def report_dict(report: Report) -> dict[str, Any]:
    result, score = report.result, report.score
    failures = report.gate_failures()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "prodready", "version": __version__},
        "root": str(result.root),
        "scoring_version": SCORING_VERSION,
        "score": {
            "overall": score.overall,
            "grade": score.grade,
            # files that did not parse, which no rule judged: the score covers the rest
            "unchecked_files": score.unchecked_files,
            "categories": {
                cat.value: {"score": cs.score, "findings": cs.findings,
                            "suppressed": cs.suppressed}
                for cat, cs in score.categories.items()
            },
        },
        "gate": {"passed": not failures, "failures": failures,
                 "fail_on": result.config.fail_on.value, "fail_under": result.config.fail_under,
                 "fail_on_parse": result.config.fail_on_parse},
        "profile": None if result.profile is None else {
            "name": result.profile.name, "why": result.profile.why,
            "configured": result.profile.configured},
        "services": [{"name": s.name, "kind": s.kind, "path": s.path, "root": s.root,
                      "score": s.overall, "grade": s.grade, "findings": s.findings}
                     for s in report.services],
        "rules": {rule_id: {"examined": sites.examined, "failed": sites.failed}
                  for rule_id, sites in sorted(result.sites.items())},
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
            "cached_files": result.stats.cached_files,
            "skipped_roles": result.stats.skipped_roles,
        },
    }


def render(report: Report) -> str:
    return json_text.dumps(report_dict(report)) + "\n"


def load_report(data: dict[str, Any]) -> Report:
    """A Report rebuilt from this format's JSON (what `comment --report` renders from)."""
    from pathlib import Path

    from ..catalog import load_catalog
    from ..config import Config
    from ..model import Diagnostic, Finding, Related, Severity, SiteCount
    from ..project.profile import Profile
    from ..result import ScanResult, ScanStats
    from ..scoring import ServiceScore

    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"not a prodready JSON report (schema_version {SCHEMA_VERSION})")
    catalog = load_catalog()
    rule_ids = set(data.get("rules", {})) | {f["rule_id"] for f in data["findings"]}
    findings = [Finding(
        rule_id=f["rule_id"], path=f["path"], line=f["line"], column=f["column"],
        end_line=f.get("end_line", f["line"]), end_column=f.get("end_column", f["column"]),
        message=f["message"], severity=Severity(f["severity"]), snippet=f.get("snippet", ""),
        suppressed=bool(f.get("suppressed")), suppression_reason=f.get("suppression_reason"),
        baseline=f.get("baseline", "new"),
        related=tuple(Related(r["path"], r["line"], r["column"], r["message"])
                      for r in f.get("related", ())),
    ) for f in data["findings"] if f["rule_id"] in catalog]
    sites = {rid: SiteCount(v.get("examined", 0), v.get("failed", 0))
             for rid, v in data.get("rules", {}).items()}
    stats = data.get("stats", {})
    gate = data.get("gate") or {}
    profile = data.get("profile")
    profile = None if not isinstance(profile, dict) else Profile(
        str(profile.get("name")), str(profile.get("why", "")), bool(profile.get("configured")))
    config = Config.model_validate({
        **{key: gate[key] for key in ("fail_on", "fail_under", "fail_on_parse") if key in gate},
        **({"profile": profile.name} if profile is not None else {})})
    result = ScanResult(
        root=Path(data.get("root", ".")), config=config,
        rules={rid: catalog[rid] for rid in sorted(rule_ids) if rid in catalog},
        findings=findings,
        diagnostics=[Diagnostic(d["kind"], d["path"], d["message"], line=d.get("line"))
                     for d in data.get("diagnostics", [])],
        sites=sites,
        stats=ScanStats(files=stats.get("files", {}), lines=stats.get("lines", 0),
                        skipped=stats.get("skipped", {}),
                        duration_s=stats.get("duration_s", 0.0),
                        skipped_roles=stats.get("skipped_roles", {})),
        baseline=data.get("baseline"),
        profile=profile,
    )
    services = tuple(ServiceScore(str(s["name"]), str(s["kind"]), str(s["path"]),
                                  str(s["root"]), s["score"], str(s["grade"]),
                                  int(s["findings"]))
                     for s in data.get("services") or [])
    return Report.of(result, services=services)
