"""The sample repositories in fixtures/repos are annotated with what must be found.

`# ruleid: A, B` on a line means findings of A and B on the next code line; an unannotated
finding fails the test, so a false positive in a sample fails as surely as a miss.
`# todoruleid:` marks a known gap (tolerated if missing); `# todook:` a known false positive.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prodready.catalog import load_catalog
from prodready.config import Config
from prodready.engine import scan

REPOS = Path(__file__).resolve().parents[1] / "fixtures" / "repos"
ANNOTATION = re.compile(r"#\s*(ruleid|ok|todoruleid|todook):\s*([A-Z0-9][A-Z0-9,\s]*)")


def annotations(root: Path) -> dict[str, set[tuple[str, int, str]]]:
    marks: dict[str, set[tuple[str, int, str]]] = {
        "ruleid": set(), "ok": set(), "todoruleid": set(), "todook": set()}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        pending: list[tuple[str, list[str]]] = []
        for number, line in enumerate(lines, start=1):
            match = ANNOTATION.search(line)
            if match and line.strip().startswith("#"):
                rules = [r.strip() for r in match[2].split(",") if r.strip()]
                pending.append((match[1], rules))
                continue
            for kind, rules in pending:
                marks[kind].update((rel, number, rule) for rule in rules)
            pending = []
    return marks


@pytest.mark.parametrize("repo", sorted(p.name for p in REPOS.iterdir() if p.is_dir()))
def test_annotated_findings(repo):
    root = REPOS / repo
    catalog = load_catalog()
    marks = annotations(root)
    result = scan(root, Config(), jobs=1, use_cache=False)
    actual = {(f.path, f.line, f.rule_id) for f in result.active_findings}
    expected = {m for m in marks["ruleid"] if m[2] in catalog}
    missing = expected - actual
    unexpected = actual - expected - marks["todook"]
    assert not {m for m in marks["ok"] if m in actual}, "flagged a line marked ok"
    assert not missing, f"expected findings not reported: {sorted(missing)}"
    assert not unexpected, f"unannotated findings: {sorted(unexpected)}"
    assert not [d for d in result.diagnostics if d.kind in ("PARSE", "INTERNAL")]
