"""A rule's documentation, generated from its catalog entry (never written twice)."""

from __future__ import annotations

import re
from pathlib import Path

from .catalog import Rule
from .testing import DEFAULT_PATHS


def rule_markdown(rule: Rule) -> str:
    fix = {"safe": "safe fix available", "unsafe": "unsafe fix (opt-in)",
           "none": "no automatic fix"}[rule.fix]
    parts = [
        f"# {rule.id} {rule.slug}",
        f"{rule.summary}\n\nSeverity: {rule.severity.value} · Category: "
        f"{rule.category.value} · Fix: {fix}",
        f"## What it does\n{rule.what.strip()}",
        f"## Why is this bad?\n{rule.why.strip()}",
        f"## Example\n```\n{rule.example.rstrip()}\n```",
        f"## Use instead\n{_code_or_prose(rule.use_instead)}",
    ]
    if rule.fix_safety:
        parts.append(f"## Fix safety\n{rule.fix_safety.strip()}")
    if rule.options:
        parts.append(f"## Options\n{rule.options.strip()}")
    parts.append("## References\n" + "\n".join(f"- {ref}" for ref in rule.references))
    for kind, items in (("flagged", rule.examples.bad), ("not flagged", rule.examples.good)):
        parts.append(f"## Examples ({kind})")
        for ex in items:
            files = dict(ex.files or {})
            if ex.code is not None:
                files[ex.path or DEFAULT_PATHS[rule.family]] = ex.code
            note = f"{ex.note}\n\n" if ex.note else ""
            parts.append(note + "\n".join(
                f"`{path}`:\n```\n{body.rstrip()}\n```" for path, body in files.items()))
    return "\n\n".join(parts) + "\n"


def _code_or_prose(text: str) -> str:
    """Fence a code-only "use instead"; prose (with its own indented code) stays as it is."""
    text = text.strip()
    return text if re.match(r"[A-Z][a-z]+ ", text) else f"```\n{text}\n```"


def rules_table_markdown() -> str:
    """The README's rule table, generated from the catalog."""
    from .catalog import load_catalog

    rows = ["| ID | Slug | Severity | Category | Fix | Summary |", "|---|---|---|---|---|---|"]
    for rule in load_catalog().values():
        fix = "—" if rule.fix == "none" else rule.fix
        summary = rule.summary.replace("|", "\\|")
        rows.append(f"| {rule.id} | {rule.slug} | {rule.severity.value} | "
                    f"{rule.category.value} | {fix} | {summary} |")
    return "\n".join(rows) + "\n"


def update_readme(path: Path) -> bool:
    """Replace the table after `<!-- rules-table -->` in a README; True when it changed."""
    text = path.read_text(encoding="utf-8")
    marker = "<!-- rules-table -->\n"
    head, found, rest = text.partition(marker)
    if not found:
        raise SystemExit(f"{path}: no {marker.strip()} marker")
    lines = rest.splitlines(keepends=True)
    end = next((i for i, line in enumerate(lines) if not line.startswith("|")), len(lines))
    updated = head + marker + rules_table_markdown() + "".join(lines[end:])
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--write"]:
        update_readme(Path(sys.argv[2] if len(sys.argv) > 2 else "README.md"))
    else:
        print(rules_table_markdown(), end="")
