"""Helm chart values that run an image this repository builds, with the security context
set beside the image (`image:` and `securityContext:` / `containerSecurityContext:` keys of
one component's values)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from ...project import Project
from ...project.deployment import deployment_of, image_name

SECURITY_KEYS = ("containerSecurityContext", "securityContext")


def image_names(project: Project, dockerfile: str) -> set[str]:
    """Names of the image a Dockerfile builds: tagged by Compose, CI, skaffold, or by
    chartpress (`imagePrefix` + the image's key, built from `images/<key>/`)."""
    names = {n for n, p in deployment_of(project).image_dockerfiles.items() if p == dockerfile}
    for path, yf in project.yaml_files.items():
        if posixpath.basename(path) not in ("chartpress.yaml", "chartpress.yml"):
            continue
        directory = posixpath.dirname(path)
        for doc in yf.documents:
            data = doc.root.to_python() if doc.root is not None else None
            for chart in (data or {}).get("charts") or () if isinstance(data, dict) else ():
                if isinstance(chart, dict):
                    names.update(_chartpress_names(chart, directory, dockerfile))
    return names


def _chartpress_names(chart: dict[str, Any], directory: str, dockerfile: str) -> Iterator[str]:
    prefix = str(chart.get("imagePrefix") or "")
    images = chart.get("images")
    for key, spec in images.items() if isinstance(images, dict) else ():
        spec = spec if isinstance(spec, dict) else {}
        context = str(spec.get("contextPath") or posixpath.join("images", str(key)))
        path = str(spec.get("dockerfilePath") or posixpath.join(context, "Dockerfile"))
        if posixpath.normpath(posixpath.join(directory, path)) == dockerfile:
            yield image_name(prefix + str(key))


def values_contexts(project: Project, names: set[str]) -> list[dict[str, Any] | None]:
    """For every component of a chart's values whose `image` is one of `names`: its security
    context (None when it sets none)."""
    return [next((component[k] for k in SECURITY_KEYS if isinstance(component.get(k), dict)),
                 None) for _, component in _components_running(project, names)]


def charts_running(project: Project, names: set[str]) -> set[str]:
    """The directories of the charts whose values run an image of `names`."""
    return {chart for chart, _ in _components_running(project, names)}


def _components_running(project: Project, names: set[str]
                        ) -> Iterator[tuple[str, dict[str, Any]]]:
    """(chart directory, component) for every component of a chart's values whose `image`
    is one of `names`."""
    if not names:
        return
    for path, yf in project.yaml_files.items():
        directory, name = posixpath.split(path)
        if not (name.startswith("values") and name.endswith((".yaml", ".yml"))) or \
                not project.has_file(posixpath.join(directory, "Chart.yaml")):
            continue
        for doc in yf.documents:
            data = doc.root.to_python() if doc.root is not None else None
            for component in _components(data):
                if _image_of(component.get("image")) in names:
                    yield directory, component


def _components(data: Any) -> Iterator[dict[str, Any]]:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "image" in value:
                yield value
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _image_of(value: Any) -> str:
    """`image: repo/name:tag`, or `image: {name|repository: …, registry: …}`."""
    if isinstance(value, str):
        return image_name(value)
    if isinstance(value, dict):
        ref = value.get("name") or value.get("repository")
        if isinstance(ref, str):
            return image_name(ref)
    return ""
