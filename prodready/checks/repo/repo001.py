"""REPO001 committed-secret.

Runs in the worker processes on every decoded file (scope "text"), on the text already read.
The secret value is never put in a message or snippet: only its type and a short sha1.
"""

from __future__ import annotations

import ast
import posixpath
import re
from functools import cache

from ...artifacts.yamldocs import is_compose_path
from ...devconfig import dev_class_at, is_dev_settings_module
from ...project.deployment import README_NAMES
from ...secretcontext import is_throwaway_config
from ..api import RuleContext
from ._gitleaks import (
    NOTHING_IGNORED,
    GitleaksIgnore,
    load_gitleaks_ignore,
    load_repository_file,
)
from ._secrets import (
    AWS_TYPE,
    EMPTY_BASELINE,
    NAME_BASED_TYPES,
    PRIVATE_KEY_TYPE,
    Baseline,
    Hit,
    load_baseline,
    scan_text,
)

SCOPE = "text"


def _root() -> str | None:
    from ... import engine

    root = getattr(getattr(engine, "_state", None), "root", None)
    return root if isinstance(root, str) else None


def _baseline() -> Baseline:
    root = _root()
    return load_baseline(root) if root is not None else EMPTY_BASELINE


def _gitleaks_ignore() -> GitleaksIgnore:
    root = _root()
    return load_gitleaks_ignore(root) if root is not None else NOTHING_IGNORED


def check(target: object, ctx: RuleContext) -> None:
    path = getattr(target, "path", "")
    text = getattr(target, "text", "")
    if posixpath.basename(path) == ".secrets.baseline" or not isinstance(text, str):
        return
    hits = list(scan_text(path, text))
    baseline = _baseline() if hits else EMPTY_BASELINE
    if baseline.excludes(path):
        return  # the project's own secret scan is told not to read it
    ignored = _gitleaks_ignore() if hits else NOTHING_IGNORED
    # an access key ID grants nothing without its secret access key
    paired = any(h.type == AWS_TYPE and not h.key_id for h in hits)
    reported = 0
    lines = text.splitlines() if ignored.values or any(
        h.type == PRIVATE_KEY_TYPE for h in hits) else []
    for hit in hits:
        line = lines[hit.line - 1] if 0 < hit.line <= len(lines) else ""
        if baseline.covers(path, hit) or ignored.covers(path, hit.line, line):
            continue  # the maintainers reviewed it: listed in their secret scanner's file
        reported += 1
        ctx.report(path, hit.line, hit.column,
                   f"{hit.type} committed (sha1 {hit.sha1[:12]}): anyone with the repository "
                   "can use it; revoke and rotate it, remove it from the file and the git "
                   "history, and load it from the environment or a secret manager (if it is not "
                   "a secret, list it in .secrets.baseline)",
                   snippet="", informational=_judged_in_context(path, hit) or (
                       KEY_ID_ALONE if hit.key_id and not paired else "") or (
                       _named_for_tests(path, hit, lines, text)) or _sample_keys(path, hit))
    if not reported:
        ctx.examine()


KEY_ID_ALONE = ("an AWS access key ID with no secret access key in the file: it names a key "
                "and grants nothing by itself")


# `SSL_TEST_PRIVATE_CA_KEY = b"""-----BEGIN PRIVATE KEY-----`: the name the code gives it
_ASSIGNED_NAME = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?::[^=]*)?=")
_TEST_WORDS = frozenset({"TEST", "TESTS", "TESTING", "FAKE", "DUMMY", "MOCK", "EXAMPLE", "SAMPLE"})


def _named_for_tests(path: str, hit: Hit, lines: list[str], text: str) -> str:
    """A private key the code keeps for tests: assigned to a name that says so
    (`SSL_TEST_PRIVATE_CA_KEY`, `FAKE_SIGNING_KEY`), on the line of the key or on the line
    above, where its literal opens; or set in a configuration class for tests or development
    (`class TestConfig: JWT_PRIVATE_KEY = …`): the test suite's own key pair."""
    if hit.type != PRIVATE_KEY_TYPE or not path.endswith(".py"):
        return ""
    line = lines[hit.line - 1] if 0 < hit.line <= len(lines) else ""
    assigned = _ASSIGNED_NAME.match(line)
    if assigned is None and 1 < hit.line <= len(lines) and _OPENS_LITERAL.search(
            lines[hit.line - 2]):
        assigned = _ASSIGNED_NAME.match(lines[hit.line - 2])
    if assigned is not None and _TEST_WORDS.intersection(assigned[1].upper().split("_")):
        return f"a private key the code names for tests ({assigned[1]})"
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return ""
    held = dev_class_at(ast.walk(tree), hit.line)
    return f"a private key of {held}, a configuration class for tests or development" if (
        held) else ""


_OPENS_LITERAL = re.compile(r"(?:\"\"\"|'''|\()\s*$")  # `KEY = """` with the key below


# What a directory's README says of the key files beside it: "These keys are just samples.
# They cannot be used for production systems."
_SAMPLE_NOTE = re.compile(
    r"\b(?:sample|example|test|dummy|fake|demo)\s+(?:private\s+)?keys?\b"
    r"|\b(?:can ?not|must not|should not|not to) be used (?:for|in) production\b"
    r"|\bdo not use (?:them |these |it |this )?(?:for|in) production\b", re.IGNORECASE)
_README_LIMIT = 65536


def _sample_keys(path: str, hit: Hit) -> str:
    """Why a key file is only information: the README of its directory says its keys are
    samples, not for production."""
    root = _root()
    if hit.type != PRIVATE_KEY_TYPE or path.endswith(".py") or root is None:
        return ""
    directory = posixpath.dirname(path)
    for name in README_NAMES:
        readme = posixpath.join(directory, name) if directory else name
        # a regular file of the checkout (no link out of it), read again when it changes
        if load_repository_file(root, readme, _readme_says_sample, False,
                                follow_links=False):
            return f"{readme} says the keys beside it are samples, not for production"
    return ""


@cache
def _readme_says_sample(full_path: str, mtime_ns: int, size: int) -> bool:
    try:
        with open(full_path, encoding="utf-8", errors="replace") as fh:
            return _SAMPLE_NOTE.search(fh.read(_README_LIMIT)) is not None
    except OSError:
        return False


def _judged_in_context(path: str, hit: Hit) -> str:
    """Why a hit found by its name alone (`password = "…"`, an entropy string next to a
    secret-like key, credentials in a URL) is only information here: in Python code and
    Compose files such values are mostly development, test or demo defaults, and the rules
    that read them in context judge them (PY015 a secret's fallback, COMPOSE005 a literal in
    a service's environment). In a settings module for development or tests, private keys
    are the test suite's too. Token formats (AWS, GitHub, Slack keys) stay."""
    if is_dev_settings_module(path) and (hit.type in NAME_BASED_TYPES or
                                         hit.type == PRIVATE_KEY_TYPE):
        return "a settings module for development or tests: keys and passwords there are " \
               "made for the test suite or a local instance"
    if hit.type == PRIVATE_KEY_TYPE and not path.endswith(".py") and is_throwaway_config(path):
        return "a key file named for development or tests (its name says so): the key pair " \
               "of a local instance or the test suite"
    if hit.type not in NAME_BASED_TYPES:
        return ""
    if path.endswith((".py", ".pyi")):
        return "a literal under a secret-like name in code, most often a development or test " \
               "default; PY015 judges a secret's fallback in context"
    if is_compose_path(path):
        return "a literal under a secret-like name in a Compose file; COMPOSE005 judges a " \
               "service's environment in context"
    return ""
