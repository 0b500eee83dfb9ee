"""The detect-secrets baseline a repository keeps: the secrets it lists and the files its
`--exclude-files` patterns keep out of the scan. Its patterns are a repository's data: one
that can backtrack without bound is not used. Also the fingerprints of `.gitleaksignore`."""

from __future__ import annotations

import json

import pytest

from prodready.checks.repo._gitleaks import load_gitleaks_ignore, parse_fingerprint
from prodready.checks.repo._secrets import load_baseline


def _baseline(tmp_path, patterns):
    (tmp_path / ".secrets.baseline").write_text(json.dumps({
        "version": "1.5.0",
        "filters_used": [
            {"path": "detect_secrets.filters.heuristic.is_lock_file"},
            {"path": "detect_secrets.filters.regex.should_exclude_file",
             "pattern": patterns},
        ],
        "results": {},
    }))
    return load_baseline(str(tmp_path))


def test_exclude_files_patterns_are_searched_in_the_path(tmp_path):
    baseline = _baseline(tmp_path, ["config/keycloak/*", r".*_test\.py", "poetry.lock"])
    assert baseline.excludes("config/keycloak/realms/local.json")
    assert baseline.excludes("app/views_test.py")
    assert not baseline.excludes("app/settings.py")


def test_patterns_that_could_backtrack_without_bound_or_do_not_compile_are_dropped(tmp_path):
    baseline = _baseline(tmp_path, ["(a+)+$", "(x|xx)*y", "[unclosed", "x" * 400, 7, "docs/"])
    assert [p.pattern for p in baseline.excluded] == ["docs/"]
    assert not baseline.excludes("a" * 5000 + "!")


@pytest.mark.parametrize("entry, expected", [
    ("app/keys/dev.key:private-key:1", ("app/keys/dev.key", 1)),
    ("0123456789abcdef0123456789abcdef01234567:app/settings.py:generic-api-key:188",
     ("app/settings.py", 188)),
    ("./app/x.py:generic-api-key:3", ("app/x.py", 3)),
    ("# reviewed test keys", None),
    ("", None),
    ("app/x.py:generic-api-key", None),
    ("app/x.py:generic-api-key:three", None),
])
def test_gitleaks_fingerprints(entry, expected):
    assert parse_fingerprint(entry) == expected


def test_gitleaks_ignore_file(tmp_path):
    (tmp_path / ".gitleaksignore").write_text("keys/dev.key:private-key:1\n")
    ignored = load_gitleaks_ignore(str(tmp_path))
    assert ignored.covers("keys/dev.key", 1)
    assert not ignored.covers("keys/dev.key", 2)
    assert not load_gitleaks_ignore(str(tmp_path / "missing")).covers("keys/dev.key", 1)
