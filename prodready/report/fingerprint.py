"""A finding's fingerprint: how reports and baselines recognise it from one run to the next."""

from __future__ import annotations

import hashlib

from ..model import Finding


def fingerprint(finding: Finding) -> str:
    """Stable across line shifts: rule + path + the whitespace-normalised snippet."""
    snippet = " ".join(finding.snippet.split())
    basis = f"{finding.rule_id}|{finding.path}|{snippet or finding.message}"
    return hashlib.sha256(basis.encode()).hexdigest()[:20]
