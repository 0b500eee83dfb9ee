"""Secret values masked in what prodready prints: start commands, environment, URLs.

Which names hold secrets is `secretnames`' one heuristic; this module only finds the values
in free text (`KEY=value`, `--password value`, `postgres://user:pw@host`, well-known token
shapes) and replaces them with `***`.
"""

from __future__ import annotations

import re

from .secretnames import is_literal_secret_value, is_secret_name

MASK = "***"
# Every pattern starts only where a token starts (a lookbehind, not `\b`): tried inside a long
# run of name characters, each would scan the rest of the run again (quadratic).
_URL_PASSWORD = re.compile(r"(?P<head>(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+(?=@)",
                           re.IGNORECASE)
# NAME=value, NAME: value, --name=value, ?token=value (quoted or bare; `scheme://` is no pair)
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.-])(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)(?P<sep>=|:[ \t]+|:(?!//))"
    r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s\"',;&]+)")
_FLAG = re.compile(r"(?<![A-Za-z0-9_-])(?P<flag>--?(?P<name>[A-Za-z][A-Za-z0-9_-]*))(?P<sep>[ \t]+)"
                   r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s\"'-][^\s\"']*)")
# Credentials recognisable by their shape alone.
_TOKEN_SHAPES = re.compile(
    r"\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"
    r"|sk-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}"
    r"|glpat-[A-Za-z0-9_-]{20,})\b")
# A name `is_secret_name` accepts holds one of these words, or is a URL/URI/DSN whose value is a
# credential URL (so the text holds `://`): text with neither has no pair to mask, and the
# pair patterns, which call back into Python for every `name=value`, need not run. (Tested on
# the lower-cased text: plain substring tests cost far less than a case-blind pattern.)
_SECRET_WORDS = ("secret", "passw", "token", "credential", "key")
# Every token shape starts with one of these (`gh?_` and `github_pat_` with `gh`).
_TOKEN_STARTS = ("AKIA", "gh", "sk-", "xox", "AIza", "glpat-")


def _may_name_a_secret(text: str) -> bool:
    lower = text.lower()
    return any(word in lower for word in _SECRET_WORDS)


def mask_secrets(text: str) -> str:
    """`text` with every secret value it visibly carries replaced by `***`."""
    if not text:
        return text
    url = "://" in text
    if url:
        text = _URL_PASSWORD.sub(lambda m: m["head"] + MASK, text)
    if url or _may_name_a_secret(text):
        text = _ASSIGNMENT.sub(_masked_assignment, text)
        text = _FLAG.sub(_masked_flag, text)
    if any(start in text for start in _TOKEN_STARTS):
        text = _TOKEN_SHAPES.sub(MASK, text)
    return text


def _secret(name: str, value: str) -> bool:
    bare = value.strip("\"'")
    if "://" not in bare and not _may_name_a_secret(name):
        return False
    return MASK not in bare and is_secret_name(name, bare) and is_literal_secret_value(bare)


def _masked_assignment(match: re.Match[str]) -> str:
    if not _secret(match["name"], match["value"]):
        return match[0]
    return f"{match['name']}{match['sep']}{MASK}"


def _masked_flag(match: re.Match[str]) -> str:
    if not _secret(match["name"], match["value"]):
        return match[0]
    return f"{match['flag']}{match['sep']}{MASK}"
