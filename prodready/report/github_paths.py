"""Where the scanned directory sits in the GitHub Actions checkout."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def workspace_prefix(root: Path, environ: Mapping[str, str]) -> str:
    """`services/api/` when `root` is that directory of the checkout in GITHUB_WORKSPACE."""
    workspace = environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    try:
        relative = Path(root).resolve().relative_to(Path(workspace).resolve())
    except (OSError, ValueError):
        return ""
    text = relative.as_posix()
    return "" if text in ("", ".") else f"{text}/"
