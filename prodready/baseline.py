"""Baselines: accept today's findings, fail only on new ones.

A baseline entry is rule + path + a hash of the finding's normalised snippet, with a count.
There are no line numbers in it, so adding lines above a finding, moving it within the file or
reformatting it does not make it new; a file that is renamed keeps its findings too (matched
by rule + snippet once exact matches are used up).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .model import Finding

BASELINE_VERSION = 1
_NUMBERS = re.compile(r"\d+")
_QUOTES = str.maketrans({"'": '"'})


class BaselineError(Exception):
    pass


def content_hash(finding: Finding) -> str:
    """What a finding is about, independent of where the file puts it."""
    if finding.snippet:
        basis = "".join(finding.snippet.split()).translate(_QUOTES)
    else:  # messages may name lines (`main.py:12`): numbers are not identity
        basis = _NUMBERS.sub("#", finding.message)
    return hashlib.sha256(f"{finding.rule_id}|{basis}".encode()).hexdigest()[:16]


def build(findings: list[Finding]) -> dict[str, Any]:
    """A deterministic baseline document (sorted, no timestamps, no line numbers)."""
    counts = Counter((f.rule_id, f.path, content_hash(f)) for f in findings if not f.suppressed)
    entries = [{"rule_id": r, "path": p, "hash": h, "count": n}
               for (r, p, h), n in sorted(counts.items())]
    return {"version": BASELINE_VERSION, "tool": "prodready", "findings": entries}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION or (
            not isinstance(document.get("findings"), list)):
        raise BaselineError(f"{path} is not a prodready baseline (version {BASELINE_VERSION})")
    return document


@dataclass(frozen=True, slots=True)
class BaselineOutcome:
    findings: list[Finding]  # every finding, marked new or baselined
    new: int
    baselined: int
    fixed: list[dict[str, Any]]  # baseline entries no longer found (count = how many)


def apply(findings: list[Finding], document: dict[str, Any]) -> BaselineOutcome:
    exact: Counter[tuple[str, str, str]] = Counter()
    for entry in document["findings"]:
        try:
            exact[(str(entry["rule_id"]), str(entry["path"]), str(entry["hash"]))] += int(
                entry.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"malformed baseline entry: {entry!r}") from None
    marked: list[Finding | None] = [None] * len(findings)
    pending: list[int] = []
    for i, finding in enumerate(findings):
        key = (finding.rule_id, finding.path, content_hash(finding))
        if not finding.suppressed and exact[key] > 0:
            exact[key] -= 1
            marked[i] = replace(finding, baseline="baselined")
        else:
            pending.append(i)
    # Second chance for renamed files: the same rule and content, a path no longer seen.
    moved: Counter[tuple[str, str]] = Counter()
    seen_paths = {f.path for f in findings}
    for (rule_id, path, digest), left in exact.items():
        if left > 0 and path not in seen_paths:
            moved[(rule_id, digest)] += left
    for i in pending:
        finding = findings[i]
        key2 = (finding.rule_id, content_hash(finding))
        if not finding.suppressed and moved[key2] > 0:
            moved[key2] -= 1
            marked[i] = replace(finding, baseline="baselined")
            _consume(exact, finding.rule_id, key2[1], seen_paths)
        else:
            marked[i] = replace(finding, baseline="new")
    final = [m for m in marked if m is not None]
    fixed = [{"rule_id": r, "path": p, "count": n} for (r, p, _), n in sorted(exact.items())
             if n > 0]
    active = [f for f in final if not f.suppressed]
    return BaselineOutcome(
        findings=final,
        new=sum(1 for f in active if f.baseline == "new"),
        baselined=sum(1 for f in active if f.baseline == "baselined"),
        fixed=fixed,
    )


def _consume(exact: Counter[tuple[str, str, str]], rule_id: str, digest: str,
             seen_paths: set[str]) -> None:
    for key, left in exact.items():
        if left > 0 and key[0] == rule_id and key[2] == digest and key[1] not in seen_paths:
            exact[key] -= 1
            return


def apply_to_result(result: Any, document: dict[str, Any]) -> Any:
    """The scan result with every finding marked new or baselined, and the counts."""
    outcome = apply(result.findings, document)
    return replace(result, findings=outcome.findings, baseline={
        "new": outcome.new, "baselined": outcome.baselined, "fixed": outcome.fixed})
