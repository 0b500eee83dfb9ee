"""Minimal span edits on YAML: add keys to a block mapping without re-serialising anything.

Comments, quoting, key order and the indentation of everything untouched stay as written;
the new lines take the indentation of the mapping they join.
"""

from __future__ import annotations

from ..artifacts.source import split_lines
from ..artifacts.yamldocs import YMap, YNode, YScalar, YSeq
from ..model import Edit
from .edits import line_starts, newline_of


def indent_unit(text: str) -> int:
    """The file's indentation step (2 unless the file clearly uses another)."""
    widths: dict[int, int] = {}
    previous = 0
    for raw in split_lines(text):
        stripped = raw.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        width = len(raw) - len(stripped)
        if width > previous:
            widths[width - previous] = widths.get(width - previous, 0) + 1
        previous = width
    return max(widths, key=lambda w: widths[w]) if widths else 2


def last_line(node: YNode) -> int:
    """The last line a node's content occupies (PyYAML's end mark may be the next line)."""
    if isinstance(node, YMap) and node.items:
        return max(last_line(node.items[-1][1]), node.items[-1][0].line)
    if isinstance(node, YSeq) and node.items and not node.flow:
        return last_line(node.items[-1])
    if node.end_column == 1 and node.end_line > node.line:
        return node.end_line - 1
    return node.end_line


def key_indent(mapping: YMap) -> int | None:
    """Column (0-based) of the mapping's keys; None for flow or empty mappings."""
    if mapping.flow or not mapping.items:
        return None
    return mapping.items[0][0].column - 1


def add_to_mapping(path: str, text: str, mapping: YMap, block: list[str]) -> Edit | None:
    """Append `block` (lines relative to the mapping's key column) at the end of `mapping`."""
    indent = key_indent(mapping)
    if indent is None:
        return None
    starts = line_starts(text)
    after = last_line(mapping)
    nl = newline_of(text)
    lines = [(" " * indent + line) if line else "" for line in block]
    if after < len(starts):
        at = starts[after]
        return Edit(path, at, at, nl.join(lines) + nl)
    prefix = "" if text.endswith("\n") or not text else nl
    return Edit(path, len(text), len(text), prefix + nl.join(lines) + nl)


def set_nested(path: str, text: str, mapping: YMap, keys: list[str], leaf: list[str]
               ) -> Edit | None:
    """Make `mapping[keys[0]][keys[1]]…` contain the `leaf` lines, creating what is missing.

    `leaf` lines are relative to the innermost mapping's key column, e.g. ["runAsNonRoot: true"].
    """
    unit = indent_unit(text)
    node: YMap = mapping
    for depth, key in enumerate(keys):
        child = node.get(key)
        if isinstance(child, YMap) and not child.flow and child.items:
            node = child
            continue
        missing = keys[depth:]
        block: list[str] = []
        for level, name in enumerate(missing):
            block.append(" " * (unit * level) + f"{name}:")
        block += [" " * (unit * len(missing)) + line for line in leaf]
        empty = (isinstance(child, YMap) and not child.items) or (
            isinstance(child, YScalar) and child.value is None)
        if child is not None and empty:
            # `resources: {}` or a bare `resources:`: the key and its empty value become
            # the block (only when the key has its own line)
            key_node = node.key_node(key)
            if key_node is None or not _owns_line(text, key_node):
                return None
            return replace_node(path, text, key_node, child, block)
        if child is not None:
            return None  # a list, a scalar or a non-empty flow map: not ours to rewrite
        return add_to_mapping(path, text, node, block)
    return add_to_mapping(path, text, node, leaf)


def _owns_line(text: str, key: YScalar) -> bool:
    """Nothing but indentation before the key on its line (not `- name: x` list items)."""
    lines = split_lines(text)
    line = lines[key.line - 1] if key.line - 1 < len(lines) else ""
    return line[: key.column - 1].strip() == ""


def replace_node(path: str, text: str, key: YScalar, value: YNode, new_block: list[str]
                 ) -> Edit:
    """Replace `key: value` (the key's line through the value's last line) with new lines,
    written at the key's indentation."""
    starts = line_starts(text)
    nl = newline_of(text)
    start = starts[key.line - 1]
    end_line = max(last_line(value), key.line)
    end = starts[end_line] if end_line < len(starts) else len(text)
    indent = " " * (key.column - 1)
    lines = [indent + line for line in new_block]
    tail = nl if end_line < len(starts) or text.endswith("\n") else ""
    return Edit(path, start, end, nl.join(lines) + tail)
