"""Reporters: each a pure function of one Report, returning the text to write."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum

from ..result import ScanResult
from ..scoring import Score, compute_score


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    GITHUB = "github"
    CODECLIMATE = "codeclimate"
    JUNIT = "junit"


@dataclass(frozen=True, slots=True)
class Report:
    result: ScanResult
    score: Score
    previous: dict | None = None  # an earlier JSON report to compare with

    @classmethod
    def of(cls, result: ScanResult, previous: dict | None = None) -> Report:
        return cls(result, compute_score(result), previous)


def render(fmt: OutputFormat, report: Report, *, color: bool = False,
           step_summary: bool = True) -> str:
    """Text of `report` in `fmt`; each format lives in prodready/report/<format>.py."""
    module = importlib.import_module(f"prodready.report.{fmt.value}_format")
    if fmt is OutputFormat.TEXT:
        return str(module.render(report, color=color))
    if fmt is OutputFormat.GITHUB:  # the one reporter with a side effect: the step summary
        return str(module.render(report, summary=step_summary))
    return str(module.render(report))
