"""Kubernetes objects as the K8S rules see them: workloads, their pod spec and containers.

Every accessor tolerates odd input (a list where a map belongs, null, numbers, templated
strings): a manifest a rule cannot read is simply not judged by it, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..artifacts.yamldocs import (
    YamlDocument,
    YamlFile,
    YMap,
    YNode,
    YScalar,
    YSeq,
    is_compose_path,
)
from . import Project

# ReplicationController and OpenShift's DeploymentConfig hold a pod template like a Deployment.
WORKLOAD_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob",
     "ReplicationController", "DeploymentConfig"})
LONG_RUNNING_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicationController", "DeploymentConfig"})
IGNORE_ANNOTATION = "prodready.dev/ignore"
_ALL = "ALL"


def as_map(node: YNode | None) -> YMap | None:
    return node if isinstance(node, YMap) else None


def scalar(node: YNode | None) -> Any:
    """The plain value of a scalar node, None for anything else."""
    return node.value if isinstance(node, YScalar) else None


def text_of(value: Any) -> str:
    """A scalar as text for messages (`None` and containers become '')."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def is_true(value: Any) -> bool:
    """YAML `true`, also when written as a string (`"true"`)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def is_templated(value: Any) -> bool:
    """A value filled in later: `${VAR}`, `$(VAR)`, `{{ … }}`, `<placeholder>`."""
    if not isinstance(value, str):
        return False
    return "${" in value or "$(" in value or "{{" in value or bool(
        re.fullmatch(r"\s*<[^<>]+>\s*", value))


def as_int(value: Any) -> int | None:
    """An integer from a YAML int or a digit string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def ignored_rules(*metadatas: YMap | None) -> frozenset[str]:
    """Rule ids named by `prodready.dev/ignore` annotations ("all"/"true" -> every rule)."""
    found: set[str] = set()
    for meta in metadatas:
        annotations = as_map(meta.get("annotations")) if meta is not None else None
        if annotations is None:
            continue
        raw = annotations.get_value(IGNORE_ANNOTATION)
        if raw is None:
            continue
        if raw is True:
            found.add(_ALL)
            continue
        for part in re.split(r"[\s,;]+", str(raw)):
            part = part.strip().upper()
            if part in ("ALL", "TRUE", "*"):
                found.add(_ALL)
            elif part:
                found.add(part)
    return frozenset(found)


def objects(docs: Iterable[YamlDocument]) -> Iterator[YMap]:
    """Each object's root map; the items of a `kind: List` count as objects of their own."""
    for doc in docs:
        root = as_map(doc.root)
        if root is None:
            continue
        if root.get_value("kind") == "List":
            for item in root.get_seq("items") or ():
                if isinstance(item, YMap) and isinstance(item.get_value("kind"), str):
                    yield item
        else:
            yield root


@dataclass(slots=True)
class KObject:
    """One Kubernetes object with where it lives and what it exempts itself from."""

    path: str
    root: YMap
    kind: str
    metadata: YMap | None
    ignored: frozenset[str] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return text_of(self.metadata.get_value("name")) if self.metadata else ""

    @property
    def namespace(self) -> str:
        ns = text_of(self.metadata.get_value("namespace")) if self.metadata else ""
        return ns or "default"

    @property
    def label(self) -> str:
        """`Deployment 'orders'` for messages."""
        return f"{self.kind} {self.name!r}" if self.name else f"unnamed {self.kind}"

    @property
    def name_position(self) -> tuple[int, int]:
        """The `metadata.name` key (the metadata key, or the object, when there is none)."""
        if self.metadata is not None:
            key = self.metadata.key_node("name")
            if key is not None:
                return key.line, key.column
        meta_key = self.root.key_node("metadata")
        if meta_key is not None:
            return meta_key.line, meta_key.column
        return self.root.line, self.root.column

    @property
    def name_snippet(self) -> str:
        return f"name: {self.name}" if self.name else f"kind: {self.kind}"

    def exempt(self, rule_id: str) -> bool:
        return _ALL in self.ignored or rule_id.upper() in self.ignored


@dataclass(slots=True)
class Container:
    workload: Workload
    node: YMap
    init: bool

    @property
    def name(self) -> str:
        return text_of(self.node.get_value("name"))

    @property
    def label(self) -> str:
        kind = "init container" if self.init else "container"
        name = f"{kind} {self.name!r}" if self.name else f"unnamed {kind}"
        return f"{name} of {self.workload.label}"

    @property
    def position(self) -> tuple[int, int]:
        """The container's `- name:` key (or the start of its map when it has no name)."""
        key = self.node.key_node("name")
        if key is not None:
            return key.line, key.column
        return self.node.line, self.node.column

    @property
    def snippet(self) -> str:
        return f"- name: {self.name}" if self.name else "- image: " + text_of(
            self.node.get_value("image"))

    @property
    def security_context(self) -> YMap | None:
        return as_map(self.node.get("securityContext"))

    @property
    def resources(self) -> YMap | None:
        return as_map(self.node.get("resources"))

    @property
    def ports(self) -> list[YNode]:
        seq = self.node.get_seq("ports")
        return [p for p in seq if isinstance(p, YMap)] if seq is not None else []


@dataclass(slots=True)
class Workload(KObject):
    pod_template: YMap | None = None  # the template holding metadata + spec (None for Pod)
    pod_spec: YMap | None = None

    @property
    def long_running(self) -> bool:
        return self.kind in LONG_RUNNING_KINDS

    @property
    def pod_security_context(self) -> YMap | None:
        return as_map(self.pod_spec.get("securityContext")) if self.pod_spec else None

    @property
    def is_windows(self) -> bool:
        os_map = as_map(self.pod_spec.get("os")) if self.pod_spec else None
        return os_map is not None and str(os_map.get_value("name", "")).lower() == "windows"

    @property
    def job_spec(self) -> YMap | None:
        """The Job spec: `spec` of a Job, `spec.jobTemplate.spec` of a CronJob."""
        spec = as_map(self.root.get("spec"))
        if spec is None:
            return None
        if self.kind == "Job":
            return spec
        if self.kind == "CronJob":
            return as_map(spec.path("jobTemplate", "spec"))
        return None

    def containers(self, *, init: bool = False) -> list[Container]:
        """Regular containers, followed by init containers when `init` is true."""
        keys = ("containers", "initContainers") if init else ("containers",)
        found: list[Container] = []
        if self.pod_spec is None:
            return found
        for key in keys:
            seq = self.pod_spec.get_seq(key)
            for item in seq or ():
                if isinstance(item, YMap):
                    found.append(Container(self, item, init=key == "initContainers"))
        return found


def kubernetes_objects(path: str, docs: Iterable[YamlDocument]) -> Iterator[KObject]:
    """Every object of a manifest file as a KObject (workloads as Workload)."""
    if is_compose_path(path):
        return
    for root in objects(docs):
        kind = root.get_value("kind")
        if not isinstance(kind, str) or not kind:
            continue
        metadata = as_map(root.get("metadata"))
        if kind in WORKLOAD_KINDS:
            yield _workload(path, root, kind, metadata)
        else:
            yield KObject(path, root, kind, metadata, ignored_rules(metadata))


def _workload(path: str, root: YMap, kind: str, metadata: YMap | None) -> Workload:
    spec = as_map(root.get("spec"))
    metas: list[YMap | None] = [metadata]
    template: YMap | None = None
    pod_spec: YMap | None = None
    if kind == "Pod":
        pod_spec = spec
    elif spec is not None:
        holder: YMap | None = spec
        if kind == "CronJob":
            job = as_map(spec.get("jobTemplate"))
            metas.append(as_map(job.get("metadata")) if job else None)
            holder = as_map(job.get("spec")) if job else None
        template = as_map(holder.get("template")) if holder else None
        if template is not None:
            metas.append(as_map(template.get("metadata")))
            pod_spec = as_map(template.get("spec"))
    return Workload(path, root, kind, metadata, ignored_rules(*metas),
                    pod_template=template, pod_spec=pod_spec)


def file_objects(yf: YamlFile) -> Iterator[KObject]:
    return kubernetes_objects(yf.path, yf.kubernetes_objects())


def file_workloads(yf: YamlFile, rule_id: str) -> Iterator[Workload]:
    """Workloads of one file that do not exempt themselves from `rule_id`."""
    for obj in file_objects(yf):
        if isinstance(obj, Workload) and not obj.exempt(rule_id):
            yield obj


def project_objects(project: Project) -> list[KObject]:
    """Every Kubernetes object of the project, in path and document order (built once per
    scan: the K8S, APP and service checks all read it)."""
    found: list[KObject] = project.once("kubernetes-objects", lambda: _objects(project))
    return found


def _objects(project: Project) -> list[KObject]:
    by_path: dict[str, list[YamlDocument]] = {}
    for path, doc in project.kubernetes_documents():
        by_path.setdefault(path, []).append(doc)
    found: list[KObject] = []
    for path in sorted(by_path):
        found.extend(kubernetes_objects(path, sorted(by_path[path], key=lambda d: d.index)))
    return found


def containers(yf: YamlFile, rule_id: str, *, init: bool = False,
               kinds: frozenset[str] = WORKLOAD_KINDS) -> Iterator[Container]:
    """Every container of the file's workloads of `kinds` not exempt from `rule_id`."""
    for workload in file_workloads(yf, rule_id):
        if workload.kind in kinds:
            yield from workload.containers(init=init)


def seq_items(node: YNode | None) -> list[YNode]:
    return list(node.items) if isinstance(node, YSeq) else []


def quantity_set(section: YMap | None, key: str) -> bool:
    """A resource quantity that is present and not zero (templated values count as set)."""
    if section is None or key not in section:
        return False
    value = section.get(key)
    if not isinstance(value, YScalar):
        return False
    raw = value.value
    if raw is None or isinstance(raw, bool):
        return False
    text = str(raw).strip()
    return bool(text) and not re.fullmatch(r"0+(\.0*)?[a-zA-Z]*", text)


def has_probe(container: Container, key: str) -> bool:
    """A probe is declared (a map, or a value filled in by templating)."""
    node = container.node.get(key)
    return isinstance(node, YMap) or (isinstance(node, YScalar) and is_templated(node.value))


def ports_text(container: Container) -> str:
    """`port 8000` / `ports 8000, 9090` for messages."""
    numbers = []
    for port in container.ports:
        value = port.get_value("containerPort") if isinstance(port, YMap) else None
        if value is not None and not isinstance(value, (dict, list)):
            numbers.append(str(value))
    if not numbers:
        return "declares ports"
    return ("serves port " if len(numbers) == 1 else "serves ports ") + ", ".join(numbers)
