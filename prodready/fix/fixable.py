"""Which findings `prodready fix` can change, shared by `fix` and the reports."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Finding, FixSafety


def wanted(finding: Finding, unsafe: bool) -> bool:
    """The finding has a fix `prodready fix` applies (with `--unsafe-fixes`: unsafe too)."""
    if finding.suppressed or finding.fix is None or not (
            finding.fix.edits or finding.fix.codemods):
        return False
    allowed = {FixSafety.SAFE, FixSafety.UNSAFE} if unsafe else {FixSafety.SAFE}
    return finding.fix.safety in allowed


def fix_counts(findings: Iterable[Finding]) -> tuple[int, int]:
    """(findings with a safe fix, findings with an unsafe one)."""
    safe = unsafe = 0
    for finding in findings:
        if wanted(finding, False):
            safe += 1
        elif wanted(finding, True):
            unsafe += 1
    return safe, unsafe


def fixable_summary(findings: Iterable[Finding]) -> str:
    """ "3 fixable with `prodready fix` (2 more with `--unsafe-fixes`)", or ""."""
    safe, unsafe = fix_counts(findings)
    if not safe and not unsafe:
        return ""
    more = f" ({unsafe} more with `--unsafe-fixes`)" if unsafe else ""
    return f"{safe} fixable with `prodready fix`{more}."
