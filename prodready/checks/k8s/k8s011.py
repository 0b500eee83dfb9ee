"""K8S011 image-tag-latest."""

from __future__ import annotations

import posixpath

from ...artifacts.dockerfile import image_reference
from ...artifacts.yamldocs import YamlFile, YMap
from ...project import Project
from ...project.kubernetes import Workload, as_map, is_templated, project_objects, seq_items
from ..api import RuleContext
from ._report import report_container

SCOPE = "project"
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "kustomization")
SKAFFOLD = ("skaffold.yaml", "skaffold.yml")


def _pinned_elsewhere(project: Project) -> set[str]:
    """Image names whose tag a build tool sets at deploy time (kustomize `images`, skaffold)."""
    names: set[str] = set()
    for path, yf in project.yaml_files.items():
        base = posixpath.basename(path).lower()
        if base in KUSTOMIZATIONS:
            names.update(_kustomize_images(yf))
        elif base in SKAFFOLD:
            names.update(_skaffold_images(yf))
    return names


def _kustomize_images(yf: YamlFile) -> set[str]:
    names = set()
    for doc in yf.documents:
        root = as_map(doc.root)
        for item in seq_items(root.get("images") if root else None):
            if not isinstance(item, YMap) or not isinstance(item.get_value("name"), str):
                continue
            tag = item.get_value("newTag")
            if item.get_value("digest") or (tag not in (None, "", "latest")):
                names.add(item.get_value("name"))
    return names


def _skaffold_images(yf: YamlFile) -> set[str]:
    names = set()
    for doc in yf.documents:
        root = as_map(doc.root)
        if root is None:
            continue
        builds = [root.get("build")]
        builds += [p.get("build") for p in seq_items(root.get("profiles")) if isinstance(p, YMap)]
        for build in builds:
            build_map = as_map(build)
            for artifact in seq_items(build_map.get("artifacts") if build_map else None):
                if isinstance(artifact, YMap) and isinstance(artifact.get_value("image"), str):
                    names.add(artifact.get_value("image"))
    return names


def check(project: Project, ctx: RuleContext) -> None:
    pinned: set[str] | None = None
    for obj in project_objects(project):
        if not isinstance(obj, Workload) or obj.exempt("K8S011"):
            continue
        for container in obj.containers(init=True):
            image = container.node.get_value("image")
            if not isinstance(image, str) or not image.strip() or is_templated(image):
                continue  # no image to judge, or one filled in at deploy time
            image = image.strip()
            if image.startswith("ko://"):
                ctx.examine()  # ko builds it and substitutes a digest
                continue
            name, tag, digest = image_reference(image)
            if digest or tag not in (None, "latest"):
                ctx.examine()
                continue
            if pinned is None:
                pinned = _pinned_elsewhere(project)
            if name in pinned or image in pinned:
                ctx.examine()
                continue
            what = " without a tag, so it pulls `latest`" if tag is None else ""
            report_container(
                ctx, container,
                f"{container.label} uses image {image!r}{what}: each node pulls whatever "
                "`latest` points to when the pod starts, so replicas can run different builds "
                "and a rollback does not bring the old version back; pin a version tag or a "
                "digest (@sha256:…)",
            )
