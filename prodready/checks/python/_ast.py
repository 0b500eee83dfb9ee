"""Small ast helpers shared by the Python rules."""

from __future__ import annotations

import ast


def dotted_name(node: ast.AST) -> str:
    """`a.b.c` for Name/Attribute chains, '' for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_kwargs_splat(call: ast.Call) -> bool:
    """`f(**options)` may carry any keyword: rules that require one must not guess."""
    return any(kw.arg is None for kw in call.keywords)
