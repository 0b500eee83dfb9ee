"""The PR readiness scorecard (GitHub-flavoured markdown), rendered from a jinja2 template."""

from __future__ import annotations

from typing import Any

import jinja2

from .. import __version__
from ..catalog import load_catalog
from ..model import Finding, Severity
from ..resources import TEMPLATES_DIR
from ..scoring import SCORING_VERSION
from . import Report
from .json_format import fingerprint

MARKER = "<!-- prodready-scorecard -->"
TOP_LIMIT = 10
LIST_LIMIT = 20
ICONS = {"critical": ":red_circle:", "high": ":orange_circle:", "medium": ":yellow_circle:",
         "low": ":large_blue_circle:", "info": ":white_circle:"}
GRADE_ICONS = {"A": ":green_circle:", "B": ":green_circle:", "C": ":yellow_circle:",
               "D": ":orange_circle:", "F": ":red_circle:"}
SEVERITY_RANK = {s.value: s.rank for s in Severity}


def _cell(text: object) -> str:
    """Safe inside a table cell: no pipes or line breaks."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,  # markdown, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = _cell
    return env


def _score_text(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.0f}"


def _change(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "—" if before == after else ("new" if before is None else "N/A")
    delta = round(after - before)
    if delta > 0:
        return f":arrow_up: +{delta}"
    if delta < 0:
        return f":arrow_down: {delta}"
    return "±0"


def _doc_url(rule_id: str) -> str:
    rule = load_catalog().get(rule_id)
    return rule.doc_url if rule else f"https://prodready.dev/rules/{rule_id}"


def _finding_view(rule_id: str, slug: str, severity: str, path: str, line: int | None,
                  message: str) -> dict[str, Any]:
    return {
        "rule_id": rule_id, "slug": slug, "severity": severity,
        "icon": ICONS.get(severity, ""), "url": _doc_url(rule_id),
        "location": f"{path}:{line}" if line else path,
        "message": " ".join(message.split()),
    }


def _view_of(f: Finding, report: Report) -> dict[str, Any]:
    rule = report.result.rules.get(f.rule_id)
    return _finding_view(f.rule_id, rule.slug if rule else f.rule_id.lower(),
                         f.severity.value, f.path, f.line, f.message)


def _sort_key(view: dict[str, Any]) -> tuple[int, str, str]:
    return (-SEVERITY_RANK.get(view["severity"], 0), view["location"], view["rule_id"])


def _comparison(report: Report, previous: dict[str, Any]) -> dict[str, Any]:
    score = report.score
    prev_score = previous.get("score") or {}
    prev_cats = prev_score.get("categories") or {}
    rows = []
    for cat, cs in score.categories.items():
        before = (prev_cats.get(cat.value) or {}).get("score")
        rows.append({"name": cat.value, "before": _score_text(before),
                     "after": _score_text(cs.score), "change": _change(before, cs.score)})
    overall_before = prev_score.get("overall")
    # Match by fingerprint first, then by rule and file (the same problem on a line whose text
    # changed is neither new nor fixed), counting duplicates.
    prev_active = [f for f in previous.get("findings") or [] if not f.get("suppressed")]
    current = report.result.active_findings
    left = list(range(len(prev_active)))
    unmatched: list[Finding] = []
    by_fp: dict[str, list[int]] = {}
    for i in left:
        by_fp.setdefault(prev_active[i]["fingerprint"], []).append(i)
    matched: set[int] = set()
    for f in current:
        bucket = by_fp.get(fingerprint(f))
        if bucket:
            matched.add(bucket.pop())
        else:
            unmatched.append(f)
    by_place: dict[tuple[str, str], list[int]] = {}
    for i in left:
        if i not in matched:
            item = prev_active[i]
            by_place.setdefault((item["rule_id"], item["path"]), []).append(i)
    new: list[dict[str, Any]] = []
    for f in unmatched:
        bucket = by_place.get((f.rule_id, f.path))
        if bucket:
            matched.add(bucket.pop())
        else:
            new.append(_view_of(f, report))
    fixed = [_finding_view(item["rule_id"], item.get("slug", ""), item.get("severity", "info"),
                           item["path"], item.get("line"), item.get("message", ""))
             for i, item in enumerate(prev_active) if i not in matched]
    return {
        "rows": rows,
        "overall": {"before": _score_text(overall_before),
                    "after": _score_text(score.overall),
                    "change": _change(overall_before, score.overall)},
        "new": sorted(new, key=_sort_key),
        "fixed": sorted(fixed, key=_sort_key),
    }


def context(report: Report) -> dict[str, Any]:
    result, score = report.result, report.score
    active = result.active_findings
    suppressed = len(result.findings) - len(active)
    baselined = sum(1 for f in active if f.baseline == "baselined")
    top = sorted((_view_of(f, report) for f in active), key=_sort_key)
    passing: list[dict[str, Any]] = []
    failing: list[dict[str, Any]] = []
    for rule_id, rs in score.rules.items():
        rule = result.rules[rule_id]
        view = {"id": rule_id, "slug": rule.slug, "summary": rule.summary,
                "url": rule.doc_url, "examined": rs.examined, "failed": rs.failed,
                "points": score.points_recoverable(rule_id)}
        (failing if rs.failed else passing).append(view)
    failing.sort(key=lambda r: (-r["points"], r["id"]))
    parts = [f"{len(active)} finding(s)"]
    if suppressed:
        parts.append(f"{suppressed} suppressed")
    if baselined:
        parts.append(f"{baselined} baselined")
    na = [cat.value for cat, cs in score.categories.items() if cs.score is None]
    headline = ", ".join(parts) + "."
    if na:
        headline += f" Not applicable (nothing to check): {', '.join(na)}."
    return {
        "marker": MARKER,
        "overall": "N/A" if score.overall is None else f"{score.overall:.0f}/100",
        "grade": score.grade,
        "grade_icon": GRADE_ICONS.get(score.grade, ":white_circle:"),
        "headline": headline,
        "categories": [{"name": cat.value, "score": _score_text(cs.score),
                        "findings": cs.findings, "suppressed": cs.suppressed}
                       for cat, cs in score.categories.items()],
        "total_findings": len(active),
        "total_suppressed": suppressed,
        "comparison": _comparison(report, report.previous) if report.previous else None,
        "top": top[:TOP_LIMIT],
        "more_findings": max(0, len(top) - TOP_LIMIT),
        "limit": LIST_LIMIT,
        "passing": passing,
        "failing": failing,
        "unchecked": [{"kind": d.kind, "location": f"{d.path}:{d.line}" if d.line else d.path,
                       "message": d.message} for d in result.diagnostics
                      if d.kind in ("PARSE", "INTERNAL")],
        "footer": f"prodready {__version__} · scoring v{SCORING_VERSION} · "
                  f"{sum(result.stats.files.values())} file(s) scanned",
    }


def render(report: Report) -> str:
    text = _environment().get_template("scorecard.md.j2").render(**context(report))
    return text.rstrip("\n") + "\n"
