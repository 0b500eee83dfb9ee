"""YAML files (Compose and Kubernetes) as trees that know the exact line of every key.

Parsed with PyYAML's C composer and a safe constructor for scalars. Aliases are expanded
into a bounded number of nodes, so a "billion laughs" file fails fast instead of eating
memory. Duplicate keys are recorded (PyYAML silently keeps the last one) so the caller can
report them instead of judging half a mapping.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()
MAX_NODES = 250_000  # after alias expansion, per file
MAX_DEPTH = 200

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(slots=True)
class YNode:
    line: int  # 1-based
    column: int  # 1-based
    end_line: int
    end_column: int

    def to_python(self) -> Any:
        raise NotImplementedError


@dataclass(slots=True)
class YScalar(YNode):
    value: Any  # str, int, float, bool, None, date …
    tag: str = ""
    quoted: bool = False  # written with ' or " (so "1" stays a string)

    def to_python(self) -> Any:
        return self.value


@dataclass(slots=True)
class YSeq(YNode):
    items: list[YNode] = field(default_factory=list)
    flow: bool = False

    def to_python(self) -> list[Any]:
        return [item.to_python() for item in self.items]

    def __iter__(self) -> Iterator[YNode]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(slots=True)
class DuplicateKey:
    key: str
    line: int
    first_line: int


@dataclass(slots=True)
class YMap(YNode):
    items: list[tuple[YScalar, YNode]] = field(default_factory=list)
    flow: bool = False
    duplicates: list[DuplicateKey] = field(default_factory=list)

    def get(self, key: str) -> YNode | None:
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def key_node(self, key: str) -> YScalar | None:
        for k, _ in self.items:
            if k.value == key:
                return k
        return None

    def get_map(self, key: str) -> YMap | None:
        node = self.get(key)
        return node if isinstance(node, YMap) else None

    def get_seq(self, key: str) -> YSeq | None:
        node = self.get(key)
        return node if isinstance(node, YSeq) else None

    def get_value(self, key: str, default: Any = None) -> Any:
        """The plain Python value of a scalar child, or `default`."""
        node = self.get(key)
        return node.value if isinstance(node, YScalar) else default

    def path(self, *keys: str) -> YNode | None:
        node: YNode | None = self
        for key in keys:
            if not isinstance(node, YMap):
                return None
            node = node.get(key)
        return node

    def keys(self) -> list[Any]:
        return [k.value for k, _ in self.items]

    def __contains__(self, key: object) -> bool:
        return any(k.value == key for k, _ in self.items)

    def to_python(self) -> dict[Any, Any]:
        return {k.value: v.to_python() for k, v in self.items}


@dataclass(slots=True)
class YamlDocument:
    index: int  # 0-based position in the file
    root: YNode | None
    line: int  # first line of the document's content

    @property
    def is_kubernetes(self) -> bool:
        root = self.root
        return (
            isinstance(root, YMap)
            and isinstance(root.get_value("apiVersion"), str)
            and isinstance(root.get_value("kind"), str)
        )


@dataclass(slots=True)
class YamlFile:
    path: str
    documents: list[YamlDocument]
    text: str = ""  # the source, for fixes that edit spans of it

    def duplicate_keys(self) -> list[DuplicateKey]:
        found: list[DuplicateKey] = []
        for doc in self.documents:
            if doc.root is not None:
                _collect_duplicates(doc.root, found)
        # An anchored mapping is rebuilt at every alias: report its duplicate once.
        unique = {(d.key, d.line, d.first_line): d for d in found}
        return list(unique.values())

    def kubernetes_objects(self) -> list[YamlDocument]:
        return [doc for doc in self.documents if doc.is_kubernetes]


def _collect_duplicates(node: YNode, out: list[DuplicateKey]) -> None:
    if isinstance(node, YMap):
        out.extend(node.duplicates)
        for _, value in node.items:
            _collect_duplicates(value, out)
    elif isinstance(node, YSeq):
        for item in node.items:
            _collect_duplicates(item, out)


def is_compose_path(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return any(
        fnmatch.fnmatch(name, pattern)
        for pattern in ("compose*.yml", "compose*.yaml", "docker-compose*.yml",
                        "docker-compose*.yaml", "docker-stack*.yml", "docker-stack*.yaml")
    )


def invalid_compose_services(yf: YamlFile) -> list[tuple[str, int]]:
    """(name, line) of the entries of a Compose file's `services` that are not mappings (a
    service key left empty, keys indented one level too little): Compose refuses such a
    file, so none of its services can run."""
    found: list[tuple[str, int]] = []
    for doc in yf.documents:
        services = doc.root.get("services") if isinstance(doc.root, YMap) else None
        if isinstance(services, YMap):
            found += [(str(key.value), key.line) for key, value in services.items
                      if not isinstance(value, YMap) and not str(key.value).startswith("x-")]
    return found


def looks_like_template(text: str) -> bool:
    """Helm/Jinja templates are not YAML (nor Python) until rendered."""
    return ("{{" in text and "}}" in text) or ("{%" in text and "%}" in text)


class _Builder:
    def __init__(self) -> None:
        self.count = 0

    def build(self, node: yaml.Node, depth: int = 0) -> YNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(
                f"more than {MAX_NODES} nodes after alias expansion (alias bomb?)",
                node.start_mark.line + 1,
            )
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        start, end = node.start_mark, node.end_mark
        pos = (start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return YScalar(*pos, value=self._scalar(node), tag=node.tag,
                           quoted=node.style in ("'", '"'))
        if isinstance(node, yaml.SequenceNode):
            return YSeq(*pos, items=[self.build(n, depth + 1) for n in node.value],
                        flow=bool(node.flow_style))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, pos, depth)
        raise YamlError(f"unsupported YAML node {type(node).__name__}", pos[0])

    def _mapping(self, node: yaml.MappingNode, pos: tuple[int, int, int, int],
                 depth: int) -> YMap:
        result = YMap(*pos, flow=bool(node.flow_style))
        seen: dict[Any, int] = {}
        merged: list[tuple[YScalar, YNode]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.extend(self._merge_items(value_node, depth))
                continue
            key = self.build(key_node, depth + 1)
            if not isinstance(key, YScalar):
                key = YScalar(key.line, key.column, key.end_line, key.end_column,
                              value=repr(key.to_python()))
            value = self.build(value_node, depth + 1)
            hashable = key.value if _hashable(key.value) else repr(key.value)
            if hashable in seen:
                result.duplicates.append(DuplicateKey(str(key.value), key.line, seen[hashable]))
                result.items = [(k, v) for k, v in result.items if k.value != key.value]
            seen[hashable] = key.line
            result.items.append((key, value))
        # Explicit keys win over merged ones (YAML merge-key semantics).
        for key, value in merged:
            if key.value not in seen:
                seen[key.value] = key.line
                result.items.append((key, value))
        return result

    def _merge_items(self, node: yaml.Node, depth: int) -> list[tuple[YScalar, YNode]]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        items: list[tuple[YScalar, YNode]] = []
        for source in sources:
            built = self.build(source, depth + 1)
            if isinstance(built, YMap):
                items.extend(built.items)
        return items

    @staticmethod
    def _scalar(node: yaml.ScalarNode) -> Any:
        try:
            return _constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            return node.value


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# YAML also breaks lines at NEL, U+2028, U+2029 and a lone CR; every other reader of the
# file (suppressions, findings, edits) counts `\n` only. Each becomes a space (same length,
# so offsets hold) before parsing, so that line numbers agree.
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]|\r(?!\n)")


def parse_yaml(path: str, text: str) -> YamlFile:
    """All documents of a YAML file; raises YamlError with a line number on bad input."""
    documents: list[YamlDocument] = []
    builder = _Builder()
    source = _OTHER_BREAKS.sub(" ", text)
    try:
        for index, node in enumerate(yaml.compose_all(source, Loader=_Loader)):
            if node is None:
                continue
            root = builder.build(node)
            documents.append(YamlDocument(index=index, root=root, line=root.line))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        raise YamlError(f"invalid YAML: {problem}" + (f" (line {line})" if line else ""),
                        line) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise YamlError("invalid YAML: nesting too deep") from exc
    except UnicodeError as exc:  # a lone surrogate (text decoded with an escape codec)
        raise YamlError("invalid YAML: text that cannot be encoded (lone surrogate)") from exc
    return YamlFile(path=path, documents=documents, text=text)


def command_line(node: YNode | None) -> str:
    """A start command (`command:`, `args:`) as one line: a string as written, a list joined
    with spaces."""
    value = node.to_python() if node is not None else None
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value if isinstance(value, str) else ""
