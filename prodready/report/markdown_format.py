"""The PR readiness scorecard (GitHub-flavoured markdown), rendered from a jinja2 template."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from .. import __version__
from ..catalog import load_catalog
from ..model import Finding, Severity
from ..resources import TEMPLATES_DIR
from ..scoring import SCORING_VERSION
from . import Report
from .fingerprint import fingerprint
from .github_paths import workspace_prefix

MARKER = "<!-- prodready-scorecard -->"
TOP_LIMIT = 10
LIST_LIMIT = 20
ICONS = {"critical": ":red_circle:", "high": ":orange_circle:", "medium": ":yellow_circle:",
         "low": ":large_blue_circle:", "info": ":white_circle:"}
SEVERITY_RANK = {s.value: s.rank for s in Severity}


# Markdown punctuation that could start a link, an image, emphasis, a heading or a table cell;
# each is backslash-escaped so repository text renders as the text it is.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def md_text(text: object) -> str:
    """Repository-controlled text (names, paths, messages) as inert markdown on one line:
    no links, images, HTML, entities, emphasis, table breaks, @-mentions or autolinked URLs.
    Complete code spans stay code spans (nothing inside one is markdown)."""
    flat = " ".join(str(text).split())
    parts = []
    last = 0
    for span in _CODE_SPAN.finditer(flat):
        parts.append(_inert(flat[last:span.start()]))
        parts.append(span.group(0).replace("|", "\\|"))  # a pipe still ends a table cell
        last = span.end()
    parts.append(_inert(flat[last:]))
    return "".join(parts)


_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _inert(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _PUNCTUATION.sub(r"\\\1", text)
    # A zero-width space keeps GitHub from turning @name into a mention and a bare URL or
    # e-mail address into a link, while the text reads the same.
    escaped = escaped.replace("@", "@&#8203;").replace("://", ":&#8203;//")
    return re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:3] + "&#8203;.", escaped)


def md_code(text: object) -> str:
    """A code span holding `text` verbatim (inside one nothing is markdown, HTML or a mention)."""
    flat = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


@dataclass(frozen=True, slots=True)
class Places:
    """How locations are shown: from the repository root under GitHub Actions (`prefix` is
    the scanned directory's place in the checkout), linked to the commit when `blob` is set."""

    prefix: str = ""
    blob: str | None = None

    @classmethod
    def of(cls, environ: Mapping[str, str], root: Path) -> Places:
        return cls(workspace_prefix(root, environ), blob_base(environ))


def blob_base(environ: Mapping[str, str]) -> str | None:
    """The URL prefix of files at the commit under test, from the GitHub Actions environment."""
    server = environ.get("GITHUB_SERVER_URL", "").rstrip("/")
    repo, sha = environ.get("GITHUB_REPOSITORY", ""), environ.get("GITHUB_SHA", "")
    if not (server.startswith(("https://", "http://")) and re.fullmatch(r"[\w.-]+/[\w.-]+", repo)
            and re.fullmatch(r"[0-9a-f]{7,64}", sha)):
        return None
    return f"{server}/{repo}/blob/{sha}/"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,  # markdown, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def _score_text(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.0f}"


def _change(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "—" if before == after else ("new" if before is None else "N/A")
    # the difference of the scores as shown, so that Before + Change = After in the table
    delta = int(_score_text(after)) - int(_score_text(before))
    if delta > 0:
        return f":arrow_up: +{delta}"
    if delta < 0:
        return f":arrow_down: {delta}"
    return "±0"


def _doc_url(rule_id: str) -> str:
    rule = load_catalog().get(rule_id)
    return rule.doc_url if rule else f"https://prodready.dev/rules/{rule_id}"


def _location(path: str, line: int | None, places: Places, link: bool = True) -> str:
    """`path:line` as a code span, linked to the file at the commit when the URL is known."""
    path = places.prefix + path
    text = md_code(f"{path}:{line}" if line else path)
    if places.blob is None or not link:
        return text
    anchor = f"#L{line}" if line else ""
    return f"[{text}]({places.blob}{quote(path, safe='/')}{anchor})"


def _finding_view(rule_id: str, slug: str, severity: str, path: str, line: int | None,
                  message: str, places: Places, link: bool = True) -> dict[str, Any]:
    return {
        "rule_id": md_text(rule_id), "slug": md_text(slug), "severity": md_text(severity),
        "icon": ICONS.get(severity, ""), "url": _doc_url(rule_id),
        "location": _location(path, line, places, link),
        "message": md_text(message),
        "sort": (-SEVERITY_RANK.get(severity, 0), path, line or 0, rule_id),
    }


def _view_of(f: Finding, report: Report, places: Places) -> dict[str, Any]:
    rule = report.result.rules.get(f.rule_id)
    return _finding_view(f.rule_id, rule.slug if rule else f.rule_id.lower(),
                         f.severity.value, f.path, f.line, f.message, places)


def _sort_key(view: dict[str, Any]) -> tuple[int, str, int, str]:
    return view["sort"]


def _comparison(report: Report, previous: dict[str, Any], places: Places) -> dict[str, Any]:
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
            new.append(_view_of(f, report, places))
    # a fixed finding's line is gone at this commit: no link
    fixed = [_finding_view(str(item["rule_id"]), str(item.get("slug", "")),
                           str(item.get("severity", "info")), str(item["path"]),
                           item.get("line") if isinstance(item.get("line"), int) else None,
                           str(item.get("message", "")), places, link=False)
             for i, item in enumerate(prev_active) if i not in matched]
    return {
        "rows": rows,
        "overall": {"before": _score_text(overall_before),
                    "after": _score_text(score.overall),
                    "change": _change(overall_before, score.overall)},
        "new": sorted(new, key=_sort_key),
        "fixed": sorted(fixed, key=_sort_key),
    }


def context(report: Report, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    result, score = report.result, report.score
    env = os.environ if environ is None else environ
    places = Places.of(env, result.root)
    where = workspace_prefix(result.root, env).rstrip("/")
    active = result.active_findings
    suppressed = len(result.findings) - len(active)
    baselined = sum(1 for f in active if f.baseline == "baselined")
    # baselined findings are known debt: they never lead the list
    top = sorted((_view_of(f, report, places) for f in report.open_findings), key=_sort_key)
    failures = report.gate_failures()
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
    if score.unchecked_files:
        headline += (f" {score.unchecked_files} file(s) could not be parsed and were not "
                     "checked.")
    if na:
        headline += f" Not applicable (nothing to check): {', '.join(na)}."
    return {
        "marker": MARKER,
        "overall": "N/A" if score.overall is None else f"{score.overall:.0f}/100",
        "grade": score.grade,
        # the header states the gate's verdict, which is what fails or passes the check
        "gate_icon": ":x:" if failures else ":white_check_mark:",
        "gate": "failed" if failures else "passed",
        "where": md_code(where) if where else "",
        "gate_reasons": "; ".join(failures),
        "headline": headline,
        "categories": [{"name": cat.value, "score": _score_text(cs.score),
                        "findings": cs.findings, "suppressed": cs.suppressed}
                       for cat, cs in score.categories.items()],
        "total_findings": len(active),
        "total_suppressed": suppressed,
        "comparison": (_comparison(report, report.previous, places) if report.previous
                       else None),
        "services": [{"name": md_text(s.name), "root": md_code(s.root or "."),
                      "score": _score_text(s.overall), "grade": s.grade,
                      "findings": s.findings} for s in report.services]
        if len(report.services) > 1 else [],
        "top": top[:TOP_LIMIT],
        "more_findings": max(0, len(top) - TOP_LIMIT),
        "limit": LIST_LIMIT,
        "passing": passing,
        "failing": failing,
        "unchecked": [{"kind": d.kind, "location": _location(d.path, d.line, places),
                       "message": md_text(d.message)} for d in result.diagnostics
                      if d.kind in ("PARSE", "INTERNAL")],
        "footer": f"prodready {__version__} · scoring v{SCORING_VERSION} · "
                  f"{sum(result.stats.files.values())} file(s) scanned",
    }


def render(report: Report) -> str:
    text = _environment().get_template("scorecard.md.j2").render(**context(report))
    return text.rstrip("\n") + "\n"
