"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

from prodready import engine


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the engine really analysed (not served from the cache)."""
    calls: list[str] = []
    real = engine._analyse

    def spy(entry: engine.SourceEntry, data: bytes) -> engine.FileResult:
        calls.append(entry.path)
        return real(entry, data)

    monkeypatch.setattr(engine, "_analyse", spy)
    return calls
