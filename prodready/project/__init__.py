"""What project-level checks see: every parsed artifact of the scan, never re-read."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..artifacts.yamldocs import YamlDocument, YamlFile, is_compose_path
from ..config import Config


@dataclass(slots=True)
class Project:
    root: Path
    config: Config
    all_files: list[str]  # every non-ignored file, scanned or not
    dockerfiles: dict[str, object] = field(default_factory=dict)  # path -> Dockerfile
    yaml_files: dict[str, YamlFile] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # small repo files by path
    python: dict[str, object] = field(default_factory=dict)  # path -> python facts
    cache: dict[str, object] = field(default_factory=dict)  # models derived once per scan
    _file_set: set[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._file_set = set(self.all_files)

    def once(self, key: str, build: Callable[[], Any]) -> Any:
        """`build()`, computed on first use and kept for the rest of the scan: the models
        derived from the artifacts (services, Compose configurations, Kubernetes objects…)
        are built once, whichever check asks first."""
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]

    def has_file(self, path: str) -> bool:
        return path in self._file_set

    def files_named(self, *names: str) -> list[str]:
        wanted = {n.lower() for n in names}
        return [p for p in self.all_files if posixpath.basename(p).lower() in wanted]

    def compose_files(self) -> dict[str, YamlFile]:
        return {p: f for p, f in self.yaml_files.items() if is_compose_path(p)}

    def kubernetes_documents(self) -> list[tuple[str, YamlDocument]]:
        """(path, document) for every Kubernetes object outside Compose files."""
        return [
            (path, doc)
            for path, yf in self.yaml_files.items()
            if not is_compose_path(path)
            for doc in yf.kubernetes_objects()
        ]
