"""A scan of files or of several paths: the repository holding them is analysed (rules read
the whole project), and only findings and diagnostics under the given paths are reported."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .result import ScanResult


class PathFilter:
    def __init__(self, root: Path, paths: list[Path], config_dir: Path) -> None:
        self.root = root
        self.config_dir = config_dir  # configuration is looked up from the paths, not the root
        self.wanted = sorted({p.relative_to(root).as_posix() for p in paths})

    def covers(self, path: str) -> bool:
        return any(w in (".", "") or path == w or path.startswith(w + "/") for w in self.wanted)

    def keep(self, result: ScanResult) -> ScanResult:
        return dataclasses.replace(
            result,
            findings=[f for f in result.findings if self.covers(f.path)],
            diagnostics=[d for d in result.diagnostics if not d.path or self.covers(d.path)],
        )
