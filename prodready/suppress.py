"""Inline suppression comments: `# prodready: ignore[PY001] -- reason`, `ignore-file[...]`,
and the allowances secret scanners read (`# pragma: allowlist secret`, `# gitleaks:allow`,
`# checkov:skip=CKV_SECRET_6`, `# nosec B105`, `# noqa: S105`): a value its authors already
marked for detect-secrets, gitleaks, checkov, bandit or ruff was reviewed, and prodready's
secret rules take the same answer.
"""

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


# The secret rules another scanner's allowance answers for.
SECRET_RULES = frozenset({"REPO001", "REPO002", "K8S012", "COMPOSE005", "DOCKER006", "PY015"})
# Substrings that must occur for a line to hold an allowance (a cheap test per file and line).
_ALLOWANCE_WORDS = ("allowlist", "gitleaks:allow", "checkov:skip", "nosec", "noqa",
                    "trufflehog:ignore")
_ALLOWANCE = re.compile(
    r"(?P<tool>pragma:\s*allowlist[ -]secret|gitleaks:allow|trufflehog:ignore"
    r"|checkov:skip=CKV_SECRET_\d+|nosec(?![\w-])(?!\s+B(?!10[5-7])\d)"
    r"|noqa:[ \t]*(?:[A-Z]+\d+[ \t]*,[ \t]*)*S10[5-7]\b)", re.IGNORECASE)


def find_ignores(text: str) -> list[Ignore]:
    """Every suppression comment in a file (Python, Dockerfile and YAML share `#`)."""
    ours = "prodready:" in text
    lowered = text.lower()
    theirs = any(word in lowered for word in _ALLOWANCE_WORDS)
    if not ours and not theirs:
        return []
    lines = split_lines(text)
    found = []
    for index in _candidate_lines(text, lowered, ours, theirs):
        number, line = index + 1, lines[index]
        if theirs and (allowance := _scanner_allowance(line, number)) is not None:
            found.append(allowance)
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


# Any spelling of an allowance word in any case (for the rare text whose lowered form is
# longer, where places in the lowered text are not places in the text).
_ALLOWANCE_ANY_CASE = re.compile("|".join(map(re.escape, _ALLOWANCE_WORDS)), re.IGNORECASE)


def _candidate_lines(text: str, lowered: str, ours: bool, theirs: bool) -> list[int]:
    """Indexes of the lines that may hold a comment, in order: found by searching the whole
    text instead of testing each line (a file that mentions `noqa` once has thousands)."""
    starts = _places(text, "prodready:") if ours else []
    if theirs and len(lowered) == len(text):  # one character for one: the same places
        for word in _ALLOWANCE_WORDS:
            starts += _places(lowered, word)
    elif theirs:
        starts += (m.start() for m in _ALLOWANCE_ANY_CASE.finditer(text))
    indexes: list[int] = []
    line, counted = 0, 0
    for start in sorted(starts):
        line += text.count("\n", counted, start)
        counted = start
        if not indexes or indexes[-1] != line:
            indexes.append(line)
    return indexes


def _places(text: str, word: str) -> list[int]:
    found, at = [], text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def _scanner_allowance(line: str, number: int) -> Ignore | None:
    """A secret scanner's allowance on this line, as a suppression of the secret rules."""
    lowered = line.lower()
    if not any(word in lowered for word in _ALLOWANCE_WORDS):
        return None
    match = _ALLOWANCE.search(line)
    if match is None or "#" not in line[:match.start()]:  # in a comment, not in a value
        return None
    return Ignore(number, SECRET_RULES, f"marked for another secret scanner "
                                        f"(`{' '.join(match['tool'].split())}`)",
                  own_line=line[:line.index("#")].strip() == "", foreign=True)


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
