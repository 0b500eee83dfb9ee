"""Every fix has a golden before/after pair in fixtures/fixes/<RULE>-<what>/.

The directory name starts with the rule (or rule prefix) to run; `case.json` may set
`select` and `unsafe`. The test fixes a copy of `before/`, compares every file with `after/`,
checks the fixed findings are gone and that a second run changes nothing.
Set PRODREADY_REGOLD=1 to rewrite the `after/` trees (then review the diff).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from prodready.config import Config
from prodready.fix.apply import run_fix, wanted

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "fixes"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".prodready_cache" not in p.parts}


def _case(case: Path) -> tuple[list[str], bool]:
    settings = json.loads((case / "case.json").read_text()) if (case / "case.json").exists() else {}
    return settings.get("select", [case.name.split("-", 1)[0]]), settings.get("unsafe", True)


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()),
                         ids=lambda p: p.name)
def test_fix_matches_golden_and_is_idempotent(case, tmp_path):
    select, unsafe = _case(case)
    work = tmp_path / "repo"
    shutil.copytree(case / "before", work)
    config = Config.model_validate({"select": select, "cache": False})
    first = run_fix(work, config, unsafe=unsafe, jobs=1)
    assert not first.failed, first.failed
    assert first.applied, "the case fixed nothing"
    if os.environ.get("PRODREADY_REGOLD"):
        shutil.rmtree(case / "after", ignore_errors=True)
        shutil.copytree(work, case / "after",
                        ignore=shutil.ignore_patterns(".prodready_cache"))
    assert _files(work) == _files(case / "after")
    fixed_rules = set(first.applied)
    left = [f for f in first.after.findings if f.rule_id in fixed_rules and wanted(f, unsafe)]
    assert not left, f"fixable findings remain after fixing: {left}"
    second = run_fix(work, config, unsafe=unsafe, jobs=1)
    assert not second.applied and not second.diffs, "a second fix run changed files again"
    assert _files(work) == _files(case / "after")
