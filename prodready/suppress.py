"""Inline suppression comments: `# prodready: ignore[PY001] -- reason`, `ignore-file[...]`."""

from __future__ import annotations

import re

from .artifacts.source import split_lines
from .model import Ignore

_PATTERN = re.compile(
    r"#\s*prodready:\s*(?P<kind>ignore-file|ignore)"
    r"(?:\[(?P<rules>[A-Za-z0-9_,\s]*)\])?"
    # A reason runs to the end of the line; without one, another tool's comment may follow
    # (a type-checker or noqa comment stacked after the ignore).
    # (Greedy to the end and stripped afterwards: a lazy reason before `\s*$` is quadratic
    # in a long run of blanks.)
    r"(?:\s*--\s*(?P<reason>.*)|\s*#.*)?\s*$"
)


def find_ignores(text: str) -> list[Ignore]:
    """Every suppression comment in a file (Python, Dockerfile and YAML share `#`)."""
    if "prodready:" not in text:
        return []
    found = []
    for number, line in enumerate(split_lines(text), start=1):
        if "prodready:" not in line:
            continue
        match = _PATTERN.search(line)
        if not match:
            continue
        rules = frozenset(r.strip().upper() for r in (match["rules"] or "").split(",")
                          if r.strip())
        reason = (match["reason"] or "").strip() or None
        found.append(Ignore(number, rules, reason, whole_file=match["kind"] == "ignore-file",
                            own_line=line[:match.start()].strip() == ""))
    return found


def matching_ignore(ignores: list[Ignore], rule_id: str, line: int,
                    end_line: int) -> Ignore | None:
    """The comment that suppresses a finding spanning line..end_line, if any.

    A comment counts on any line of the flagged statement or on the line before it,
    so a call that a formatter wrapped over several lines can still be suppressed.
    """
    for ignore in ignores:
        if ignore.rules and rule_id not in ignore.rules:
            continue
        if ignore.whole_file or line <= ignore.line <= end_line:
            return ignore
        if ignore.own_line and ignore.line == line - 1:
            return ignore
    return None
