"""What a rule's `check` function receives besides its target: a way to report."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..catalog import Rule
from ..config import Config
from ..model import Finding, Fix, Related, Severity, SiteCount


def informational_message(message: str, why: str) -> str:
    return f"{message} (informational: {why})"


@dataclass
class RuleContext:
    """Collects one rule's findings and the number of sites it examined.

    Every reported finding is also an examined site, so a check that only reports still
    gets a correct denominator; call `examine()` for each site that passed.
    """

    rule: Rule
    config: Config
    findings: list[Finding] = field(default_factory=list)
    sites: SiteCount = field(default_factory=SiteCount)

    def examine(self, n: int = 1) -> None:
        self.sites.examined += n

    def report(
        self,
        path: str,
        line: int,
        column: int,
        message: str,
        *,
        end_line: int | None = None,
        end_column: int | None = None,
        snippet: str = "",
        fix: Fix | None = None,
        severity: Severity | None = None,
        related: tuple[Related, ...] = (),
        informational: str = "",
    ) -> None:
        """`informational`: why the finding is only information here (reported as info, with
        the reason, and without a fix), unless the configuration sets the rule's severity."""
        if informational and self.rule.id not in self.config.severity:
            message, severity, fix = informational_message(message, informational), \
                Severity.INFO, None
        self.sites.examined += 1
        self.sites.failed += 1
        self.findings.append(
            Finding(
                rule_id=self.rule.id,
                path=path,
                line=line,
                column=column,
                end_line=end_line if end_line is not None else line,
                end_column=end_column if end_column is not None else column,
                message=message,
                severity=severity or self.config.severity_of(self.rule),
                snippet=snippet.strip(),
                fix=fix,
                related=related,
            )
        )

    def report_node(
        self,
        path: str,
        node: ast.AST,
        message: str,
        *,
        lines: list[str] | None = None,
        fix: Fix | None = None,
        informational: str = "",
    ) -> None:
        """Report at an ast node: its start, its end, and its first source line as snippet."""
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        end_line = getattr(node, "end_lineno", None) or line
        end_col = (getattr(node, "end_col_offset", None) or col - 1) + 1
        snippet = lines[line - 1] if lines and 0 < line <= len(lines) else ""
        self.report(
            path, line, col, message,
            end_line=end_line, end_column=end_col, snippet=snippet, fix=fix,
            informational=informational,
        )
