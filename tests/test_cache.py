"""The result cache is untrusted input: it never runs code, never holds secrets, never breaks
a scan, and is ignored (with a warning) when the repository itself could have planted it."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from test_secrets_never_printed import FILES as LEAKY_FILES
from test_secrets_never_printed import SECRETS

from prodready import cache, engine
from prodready.config import Config
from prodready.engine import CACHE_DIR, scan
from prodready.result import ScanResult
from prodready.testing import write_tree

SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # one PY003 finding at line 2
FIXTURE = Path(__file__).parent.parent / "fixtures" / "repos" / "fastapi-bad"
DATABASE = Path(CACHE_DIR) / cache.DATABASE


def run(root: Path, **config: object) -> ScanResult:
    return scan(root, Config.model_validate({"select": ["PY003"], **config}), jobs=1)



def rows(root: Path) -> dict[str, str]:
    with sqlite3.connect(root / DATABASE) as db:
        found = dict(db.execute("SELECT path, value FROM files").fetchall())
    db.close()
    return found


def cache_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((root / CACHE_DIR).rglob("*")) if p.is_file())


def cache_warnings(result: ScanResult) -> list[str]:
    return [d.message for d in result.diagnostics if d.kind == "CACHE"]


class _Payload:
    """Unpickling this creates a marker directory: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.marker),)


# ------------------------------------------------------------------ nothing stored runs


def test_a_planted_pickle_never_runs_and_the_scan_still_works(tmp_path: Path) -> None:
    repo, marker = tmp_path / "repo", tmp_path / "pwned"
    write_tree(repo, {"app/a.py": SYS_PATH})
    payload = pickle.dumps(_Payload(marker))
    legacy = repo / CACHE_DIR / "files" / "ab"
    legacy.mkdir(parents=True)
    (legacy / ("ab" + "0" * 62)).write_bytes(payload)
    (repo / DATABASE).write_bytes(payload)  # where the database belongs
    result = run(repo)
    assert [(f.path, f.line) for f in result.findings] == [("app/a.py", 2)]
    assert not marker.exists()
    assert not (repo / CACHE_DIR / "files").exists()  # the old pickle store is removed
    # A pickle inside a well-formed row, under the right key, is a miss too.
    with sqlite3.connect(repo / DATABASE) as db:
        db.execute("UPDATE files SET value = ?", (payload,))
    db.close()
    again = run(repo)
    assert not marker.exists()
    assert again.findings == result.findings


def test_garbage_database_is_replaced(tmp_path: Path, analysed: list[str]) -> None:
    write_tree(tmp_path, {"app/a.py": SYS_PATH})
    (tmp_path / CACHE_DIR).mkdir()
    (tmp_path / DATABASE).write_bytes(os.urandom(4096))
    first = run(tmp_path)
    assert analysed == ["app/a.py"] and cache_warnings(first) == []
    analysed.clear()
    assert run(tmp_path).findings == first.findings
    assert analysed == []  # the rebuilt cache serves the second scan


@pytest.mark.parametrize("value", [
    '{"$": "system", "v": "id"}',
    '{"v": 1, "result": {"$": "FileResult", "path": 1}}',
    '[1, 2',
    '{"v": 1, "result": {"$": "Popen"}, "snippets": [], "artifact": null, "text": false}',
])
def test_a_corrupt_entry_is_a_miss(tmp_path: Path, analysed: list[str], value: str) -> None:
    write_tree(tmp_path, {"app/a.py": SYS_PATH})
    first = run(tmp_path)
    with sqlite3.connect(tmp_path / DATABASE) as db:
        db.execute("UPDATE files SET value = ?", (value,))
    db.close()
    analysed.clear()
    assert run(tmp_path).findings == first.findings
    assert analysed == ["app/a.py"]


def test_wrongly_typed_fields_are_refused() -> None:
    good = cache.encode(engine.FileResult("a.py", engine.FileKind.PYTHON, lines=3))
    assert cache.decode(good).lines == 3
    with pytest.raises(cache.CorruptEntry):
        cache.decode(good.replace('"lines":3', '"lines":"3"'))
    with pytest.raises(cache.CorruptEntry):
        cache.decode(good.replace('"lines":3', '"lines":3,"extra":1'))


# ------------------------------------------------------------------ caches the tree could plant


def test_a_cache_tracked_by_git_is_ignored_and_never_written(tmp_path: Path,
                                                              analysed: list[str]) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    write_tree(tmp_path, {"app/a.py": SYS_PATH, f"{CACHE_DIR}/cache.sqlite3": "planted"})
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-f", "."], check=True)
    first = run(tmp_path)
    assert any("tracked by git" in w for w in cache_warnings(first))
    assert (tmp_path / DATABASE).read_text(encoding="utf-8") == "planted"
    analysed.clear()
    assert run(tmp_path).findings == first.findings
    assert analysed == ["app/a.py"]


def test_a_cache_owned_by_another_user_is_ignored(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"app/a.py": SYS_PATH})
    run(tmp_path)
    before = (tmp_path / DATABASE).read_bytes()
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path / CACHE_DIR).st_uid + 1)
    write_tree(tmp_path, {"app/b.py": SYS_PATH})
    result = run(tmp_path)
    assert any("owned by another user" in w for w in cache_warnings(result))
    assert len(result.findings) == 2
    assert (tmp_path / DATABASE).read_bytes() == before


@pytest.mark.parametrize("link", [CACHE_DIR, str(DATABASE)])
def test_a_cache_symlinked_out_of_the_repository_is_ignored(tmp_path: Path, link: str) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    write_tree(repo, {"app/a.py": SYS_PATH})
    outside.mkdir()
    (repo / CACHE_DIR).mkdir(exist_ok=link != CACHE_DIR)
    if link == CACHE_DIR:
        (repo / CACHE_DIR).rmdir()
        (repo / link).symlink_to(outside, target_is_directory=True)
    else:
        (repo / link).symlink_to(outside / "cache.sqlite3")
    result = run(repo)
    assert any("outside the repository" in w for w in cache_warnings(result))
    assert [f.line for f in result.findings] == [2]
    assert list(outside.iterdir()) == []


# ------------------------------------------------------------------ what the cache holds


def test_the_cache_holds_no_secret_and_forgets_removed_ones(tmp_path: Path) -> None:
    write_tree(tmp_path, LEAKY_FILES)
    cold = scan(tmp_path, Config(), jobs=1)
    stored = cache_bytes(tmp_path)
    assert rows(tmp_path)  # the files are cached …
    for secret in SECRETS:  # … without any secret value
        assert secret.encode() not in stored
    warm = scan(tmp_path, Config(), jobs=1)
    assert warm.stats.cached_files == sum(cold.stats.files.values()) == len(LEAKY_FILES)
    assert warm.findings == cold.findings  # snippets (fingerprints) re-derived exactly
    # The secret leaves the source: nothing about the old file stays.
    old_row = rows(tmp_path)[".env"]
    (tmp_path / ".env").write_text("AWS_REGION=eu-west-1\n", encoding="utf-8")
    scan(tmp_path, Config(), jobs=1)
    assert rows(tmp_path)[".env"] != old_row


def test_warm_scan_equals_cold_scan_on_a_sample_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo, ignore=shutil.ignore_patterns(CACHE_DIR))
    cold = scan(repo, Config(), jobs=1, use_cache=False)
    first = scan(repo, Config(), jobs=1)
    warm = scan(repo, Config(), jobs=1)
    assert warm.stats.cached_files > 0
    assert first.findings == cold.findings == warm.findings
    assert warm.diagnostics == cold.diagnostics
    assert warm.sites == cold.sites
    assert warm.stats.files == cold.stats.files and warm.stats.lines == cold.stats.lines


def test_entries_of_deleted_files_are_evicted(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/a.py": SYS_PATH, "app/b.py": SYS_PATH})
    run(tmp_path)
    assert sorted(rows(tmp_path)) == ["app/a.py", "app/b.py"]
    (tmp_path / "app" / "b.py").unlink()
    run(tmp_path)
    assert sorted(rows(tmp_path)) == ["app/a.py"]


def test_django_settings_values_are_not_cached(tmp_path: Path) -> None:
    write_tree(tmp_path, {"site/settings.py": (
        'SECRET_KEY = "k3y-Zq81vNw0pLr"\nINSTALLED_APPS = ["django.contrib.admin"]\n'
        'DATABASES = {"default": {"PASSWORD": "Rv83nTq2WmZy"}}\n'
    )})
    scan(tmp_path, Config(), jobs=1)
    assert rows(tmp_path)
    stored = cache_bytes(tmp_path)
    assert b"k3y-Zq81vNw0pLr" not in stored and b"Rv83nTq2WmZy" not in stored


# ------------------------------------------------------------------ the whole-result memo


def test_an_unchanged_tree_is_answered_from_the_memo(tmp_path: Path, analysed: list[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo, ignore=shutil.ignore_patterns(CACHE_DIR))
    cold = scan(repo, Config(), jobs=1, memo=True)
    assert cold.project is not None

    def no_rows(*args: object) -> None:
        raise AssertionError("a memo hit reads no per-file row")

    monkeypatch.setattr(engine, "_cached_result", no_rows)
    analysed.clear()
    warm = scan(repo, Config(), jobs=1, memo=True)
    assert analysed == [] and warm.project is None
    assert warm.findings == cold.findings  # snippets too: fingerprints are unchanged
    assert warm.diagnostics == cold.diagnostics and warm.sites == cold.sites
    assert (warm.stats.files, warm.stats.lines) == (cold.stats.files, cold.stats.lines)
    assert warm.stats.skipped_roles == cold.stats.skipped_roles
    # what the report adds from the project is kept too: per-service scores
    from prodready.scoring import service_scores
    assert service_scores(warm) == service_scores(cold) != []


def test_the_memo_is_missed_when_a_file_or_the_configuration_changes(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/a.py": SYS_PATH, "app/b.py": "x = 1\n"})
    scan(tmp_path, Config(select=["PY003"]), jobs=1, memo=True)
    assert scan(tmp_path, Config(select=["PY003"]), jobs=1, memo=True).project is None
    write_tree(tmp_path, {"app/b.py": SYS_PATH})
    changed = scan(tmp_path, Config(select=["PY003"]), jobs=1, memo=True)
    assert changed.project is not None and len(changed.findings) == 2
    other = scan(tmp_path, Config(select=["PY003", "PY006"]), jobs=1, memo=True)
    assert other.project is not None
    write_tree(tmp_path, {"app/new.txt": "hello\n"})  # a new file is a new tree
    assert scan(tmp_path, Config(select=["PY003", "PY006"]), jobs=1,
                memo=True).project is not None


def test_the_memo_holds_no_secret(tmp_path: Path) -> None:
    write_tree(tmp_path, LEAKY_FILES)
    cold = scan(tmp_path, Config(), jobs=1, memo=True)
    stored = cache_bytes(tmp_path)
    for secret in SECRETS:
        assert secret.encode() not in stored
    assert scan(tmp_path, Config(), jobs=1, memo=True).findings == cold.findings
