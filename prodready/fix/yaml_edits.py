"""Minimal span edits on YAML: add keys to a block mapping without re-serialising anything.

Comments, quoting, key order and the indentation of everything untouched stay as written;
the new lines take the indentation of the mapping they join.
"""

from __future__ import annotations

from ..artifacts.source import split_lines
from ..artifacts.yamldocs import YMap, YNode, YScalar, YSeq
from ..model import Edit
from .edits import digest, line_starts, newline_of, offset


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


def last_line(node: YNode, text: str = "") -> int:
    """The last line a node's content occupies (PyYAML's end mark may be the next line)."""
    if isinstance(node, YMap) and node.items:
        own = own_items(node)
        if not own:  # only `<<: *ref` lines: the merged keys live in the anchor
            return _merge_only_end(text, node) if text and not node.flow else node.line
        key, value = own[-1]
        return max(_value_end(key, value, text), key.line)
    if isinstance(node, YSeq) and node.items and not node.flow:
        return last_line(node.items[-1], text)
    if node.end_column == 1 and node.end_line > node.line:
        return node.end_line - 1
    return node.end_line


def _merge_only_end(text: str, node: YMap) -> int:
    """The last line of a block mapping holding only merge keys: its lines are those indented
    at least as deep as its first key (comments and blank lines after it excluded)."""
    lines = text.split("\n")
    indent = node.column - 1
    last = node.line
    for number in range(node.line + 1, len(lines) + 1):
        raw = lines[number - 1].rstrip("\r")
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(raw) - len(raw.lstrip(" ")) < indent or (
                len(raw) - len(raw.lstrip(" ")) == indent and not stripped.startswith("<<")):
            break
        last = number
    return last


def _value_end(key: YScalar, value: YNode, text: str = "") -> int:
    """Where `key: value` ends in the text; an alias (`key: *ref`) ends on the key's line."""
    if value.line < key.line or (value.line == key.line and value.column < key.column):
        return key.line
    return last_line(value, text)


def owns(mapping: YMap, key: YScalar) -> bool:
    """The key is written inside this mapping's own text, not merged in through `<<: *ref`
    (merged keys keep the anchor's positions, and an edit there changes every user)."""
    if mapping.flow:
        return (mapping.line, mapping.column) <= (key.line, key.column) <= (
            mapping.end_line, mapping.end_column)
    return mapping.line <= key.line <= mapping.end_line and key.column >= mapping.column


def own_items(mapping: YMap) -> list[tuple[YScalar, YNode]]:
    return [(k, v) for k, v in mapping.items if owns(mapping, k)]


def own_child(mapping: YMap, key: str) -> tuple[YScalar, YNode] | None:
    """`key` and its value when written in this mapping; None when absent or merged."""
    for k, v in own_items(mapping):
        if k.value == key:
            return k, v
    return None


def key_indent(mapping: YMap) -> int | None:
    """Column (0-based) of the mapping's keys; None for flow or empty mappings."""
    own = own_items(mapping)
    if mapping.flow or not own:
        return None
    return own[0][0].column - 1


def _insertion_line(text: str, after: int, indent: int) -> int:
    """The line after which new keys go: past comments indented deeper than the keys (they
    belong to the last key's value, e.g. commented-out entries of a list) and the blank
    lines between them."""
    lines = [raw.rstrip("\r") for raw in text.split("\n")]
    line = after
    probe = after
    while probe < len(lines):
        raw = lines[probe]
        stripped = raw.strip()
        if not stripped:
            probe += 1
            continue
        if stripped.startswith("#") and len(raw) - len(raw.lstrip(" \t")) > indent:
            probe += 1
            line = probe
            continue
        break
    return line


def add_to_mapping(path: str, text: str, mapping: YMap, block: list[str]) -> Edit | None:
    """Append `block` (lines relative to the mapping's key column) at the end of `mapping`."""
    if mapping.flow:
        return _add_to_flow(path, text, mapping, block)
    indent = key_indent(mapping)
    if indent is None:
        return None
    starts = line_starts(text)
    after = _insertion_line(text, last_line(mapping, text), indent)
    nl = newline_of(text)
    lines = [(" " * indent + line) if line else "" for line in block]
    if after < len(starts) and starts[after] < len(text):
        at = starts[after]
        return Edit(path, at, at, nl.join(lines) + nl, base=digest(text))
    prefix = "" if text.endswith(("\n", "\r")) or not text else nl
    return Edit(path, len(text), len(text), prefix + nl.join(lines) + nl, base=digest(text))


def _add_to_flow(path: str, text: str, mapping: YMap, block: list[str]) -> Edit | None:
    """A flow mapping (`{...}`, JSON): the block's keys written as JSON right after `{`."""
    import json

    import yaml

    try:
        value = yaml.safe_load("\n".join(block))
    except yaml.YAMLError:
        return None
    if not isinstance(value, dict) or not value:
        return None
    start = offset(text, mapping.line, mapping.column)
    if not text.startswith("{", start):
        return None
    body = json.dumps(value, separators=(", ", ": "))[1:-1]
    return Edit(path, start + 1, start + 1, body + (", " if mapping.items else ""),
                base=digest(text))


def set_nested(path: str, text: str, mapping: YMap, keys: list[str], leaf: list[str]
               ) -> Edit | None:
    """Make `mapping[keys[0]][keys[1]]…` contain the `leaf` lines, creating what is missing.

    `leaf` lines are relative to the innermost mapping's key column, e.g. ["runAsNonRoot: true"].
    Keys merged in through `<<: *ref` or values that are aliases are never edited: the change
    would land in the anchor (shared by every user) or hide the merged sub-keys.
    """
    unit = indent_unit(text)
    node: YMap = mapping
    for depth, key in enumerate(keys):
        found = own_child(node, key)
        if found is None and node.get(key) is not None:
            return None  # merged from an anchor
        if found is not None and _value_end(*found) == found[0].line and \
                found[1].line < found[0].line:
            return None  # `key: *alias`
        child = found[1] if found is not None else None
        if isinstance(child, YMap) and child.items:
            node = child
            continue
        missing = keys[depth:]
        block: list[str] = []
        for level, name in enumerate(missing):
            block.append(" " * (unit * level) + f"{name}:")
        block += [" " * (unit * len(missing)) + line for line in leaf]
        if node.flow:
            return _add_to_flow(path, text, node, block) if child is None else None
        empty = (isinstance(child, YMap) and not child.items) or (
            isinstance(child, YScalar) and child.value is None)
        if found is not None and empty:
            # `resources: {}` or a bare `resources:`: the key and its empty value become
            # the block (only when the key has its own line)
            key_node = found[0]
            if not _owns_line(text, key_node):
                return None
            return replace_node(path, text, key_node, found[1], block)
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
    end_line = max(last_line(value, text), key.line)
    end = starts[end_line] if end_line < len(starts) else len(text)
    indent = " " * (key.column - 1)
    lines = [indent + line for line in new_block]
    tail = nl if end_line < len(starts) or text.endswith("\n") else ""
    return Edit(path, start, end, nl.join(lines) + tail, base=digest(text))
