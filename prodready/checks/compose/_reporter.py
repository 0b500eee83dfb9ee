"""One verdict per Compose site, however many configurations reach it."""

from __future__ import annotations

from ...model import Fix, Severity
from ...project.compose import Site, is_prod_file
from ..api import RuleContext


class Reporter:
    """Reports each (file, line, column) once, however many configurations reach it.

    A site can be reached by several configurations (a base file is also the base of a
    production overlay); one bad verdict wins over good ones. Call `finish()` at the end.
    """

    def __init__(self, ctx: RuleContext, raise_in_prod: bool = False) -> None:
        self.ctx = ctx
        self.raise_in_prod = raise_in_prod
        self.good: set[tuple[str, int, int]] = set()
        self.bad: dict[tuple[str, int, int],
                       tuple[Site, str, str, Fix | None, Severity | None]] = {}

    def ok(self, site: Site) -> None:
        self.good.add((site.path, site.line, site.column))

    def report(self, site: Site, message: str, snippet: str = "", fix: Fix | None = None,
               informational: str = "") -> None:
        """`informational`: why the finding is only information here (reported as info,
        with the reason, and without a fix), unless the configuration sets the rule's
        severity itself."""
        severity: Severity | None = None
        if informational and self.ctx.rule.id not in self.ctx.config.severity:
            message, fix, severity = f"{message} (informational: {informational})", None, \
                Severity.INFO
        self.bad.setdefault((site.path, site.line, site.column),
                            (site, message, snippet, fix, severity))

    def finish(self) -> None:
        for key in sorted(self.bad):
            site, message, snippet, fix, severity = self.bad[key]
            if severity is None and self.raise_in_prod and is_prod_file(site.path):
                severity = self.ctx.config.severity_of(self.ctx.rule).raised()
            self.ctx.report(site.path, site.line, site.column, message, snippet=snippet,
                            severity=severity, fix=fix)
        self.ctx.examine(len(self.good - set(self.bad)))
