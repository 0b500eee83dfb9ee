"""Run a rule's catalog examples through the real engine (used by the test-suite)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .catalog import Example, Rule
from .config import Config
from .engine import scan
from .model import Finding

DEFAULT_PATHS = {
    "python": "app/example.py",
    "service": "app/main.py",
    "docker": "Dockerfile",
    "compose": "docker-compose.yml",
    "k8s": "k8s/example.yaml",
    "repo": "requirements.txt",
}


def example_files(rule: Rule, example: Example) -> dict[str, str]:
    files = dict(example.files or {})
    if example.code is not None:
        files[example.path or DEFAULT_PATHS[rule.family]] = example.code
    if not files:
        raise ValueError(f"{rule.id}: an example needs `code` or `files`")
    return files


def write_tree(root: Path, files: dict[str, str] | dict[str, str | bytes]) -> Path:
    """Create `files` (repo-relative path -> text or bytes) under `root`."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def release_workflow(*tags: str) -> str:
    """A GitHub workflow that builds the root Dockerfile with docker/build-push-action and
    pushes it under `tags`: the repository's published images, in test trees."""
    listed = "".join(f"\n            {tag}" for tag in tags)
    return ("on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: docker/build-push-action@v6\n        with:\n"
            f"          push: true\n          tags: |{listed}\n")


def scan_files(files: dict[str, str], select: list[str] | None = None,
               **config: object) -> list[Finding]:
    """Write `files` into a fresh directory, scan it, return the unsuppressed findings."""
    with tempfile.TemporaryDirectory(prefix="prodready-example-") as tmp:
        root = write_tree(Path(tmp), files)
        cfg = Config.model_validate({"select": select or ["ALL"], **config})
        result = scan(root, cfg, jobs=1, use_cache=False)
        return result.active_findings


def run_example(rule: Rule, example: Example) -> list[Finding]:
    """The findings of `rule` alone on one example."""
    return [f for f in scan_files(example_files(rule, example), [rule.id])
            if f.rule_id == rule.id]
