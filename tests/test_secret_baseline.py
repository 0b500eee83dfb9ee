"""The detect-secrets baseline a repository keeps: the secrets it lists and the files its
`--exclude-files` patterns keep out of the scan. Its patterns are a repository's data: one
that can backtrack without bound is not used."""

from __future__ import annotations

import json

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
