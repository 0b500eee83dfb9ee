"""Fix edits for the Kubernetes container rules: minimal insertions into the manifest."""

from __future__ import annotations

import posixpath
from typing import Any

from ...artifacts.dockerfile import Dockerfile
from ...artifacts.yamldocs import YamlFile, YMap
from ...fix.yaml_edits import set_nested
from ...model import Fix, FixSafety
from ...project import Project
from ...project.images import effective_stages
from ...project.kubernetes import Container, Workload, as_map

# Starting points a team tunes later; small enough to schedule anywhere.
DEFAULT_REQUESTS = {"cpu": "100m", "memory": "128Mi"}
DEFAULT_MEMORY_LIMIT = "256Mi"


def is_patch(workload: Workload, container: Container | None = None) -> bool:
    """A fragment merged over a base by kustomize (or another overlay tool): a workload kind
    that requires `spec.selector` without one, or a container without an image. Adding
    defaults to a patch overrides what the base sets."""
    spec = as_map(workload.root.get("spec"))
    if workload.kind in _SELECTOR_KINDS and (spec is None or "selector" not in spec):
        return True
    return container is not None and container.node.get("image") is None


_SELECTOR_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})


def _fix(yf: YamlFile, mapping: YMap, keys: list[str], leaf: list[str], what: str,
         safety: FixSafety = FixSafety.SAFE) -> Fix | None:
    edit = set_nested(yf.path, yf.text, mapping, keys, leaf)
    return Fix(safety, what, (edit,)) if edit is not None and yf.text else None


def requests_fix(yf: YamlFile, container: Container, missing: list[str]) -> Fix | None:
    if is_patch(container.workload, container):
        return None
    leaf = [f"{key}: {DEFAULT_REQUESTS[key]}" for key in missing]
    return _fix(yf, container.node, ["resources", "requests"], leaf,
                "add resources.requests " + ", ".join(leaf))


def memory_limit_fix(yf: YamlFile, container: Container) -> Fix | None:
    if is_patch(container.workload, container):
        return None
    requests = as_map(container.resources.get("requests")) if container.resources else None
    requested = requests.get_value("memory") if requests is not None else None
    limit = requested if isinstance(requested, str) and requested else DEFAULT_MEMORY_LIMIT
    # Shown, never applied: a limit below the container's peak turns into OOM kills, and
    # only measurements give the number (a database's default buffers alone exceed 128Mi).
    return _fix(yf, container.node, ["resources", "limits"], [f"memory: {limit}"],
                f"add resources.limits.memory: {limit} (not applied: size it from measured "
                "peak usage)", FixSafety.DISPLAY_ONLY)


def security_context_fix(yf: YamlFile, container: Container, line: str) -> Fix | None:
    if is_patch(container.workload, container):
        return None
    return _fix(yf, container.node, ["securityContext"], [line], f"set securityContext {line}")


def concurrency_fix(yf: YamlFile, cronjob: Workload) -> Fix | None:
    spec = as_map(cronjob.root.get("spec"))
    if spec is None or "concurrencyPolicy" in spec:
        return None  # an explicit Allow is a decision to change by hand
    return _fix(yf, spec, [], ["concurrencyPolicy: Forbid"], "set concurrencyPolicy: Forbid")


def run_as_non_root_fix(project: Project, yf: YamlFile, container: Container) -> Fix | None:
    """`runAsNonRoot: true` is safe only when the image is built here and its final USER is a
    non-zero numeric uid: with root, or a user name the kubelet cannot check, the pod would
    no longer start."""
    image = container.node.get_value("image")
    user, why = built_user(project, image if isinstance(image, str) else "")
    fix = security_context_fix(yf, container, "runAsNonRoot: true")
    if fix is None:
        return None
    uid = user.split(":", 1)[0].strip() if user else ""
    if uid.isdigit() and int(uid) > 0:
        return fix
    if user == "":
        why = "the image built here sets no USER, so it runs as root and would not start"
    elif user is not None:
        why = (f"the image's final USER is {user!r}, not a non-zero numeric uid: the kubelet "
               "refuses to start a container it cannot verify as non-root")
    return Fix(FixSafety.DISPLAY_ONLY, f"{fix.description} (not applied: {why})", fix.edits)


def built_user(project: Project, image: str) -> tuple[str | None, str]:
    """The final USER of the repository's Dockerfile that builds `image` ("" when it sets
    none, i.e. root), or None and why it cannot be known."""
    from ...project.compose import image_repository

    if not image:
        return None, "the container names no image"
    name = image_repository(image)
    # once per scan: every workload asks
    builds: dict[Any, set[str]] = project.once("compose-image-builds",
                                               lambda: _compose_image_builds(project))
    paths: set[str] = set(builds.get(name, ()))
    if not paths:  # tagged by CI, skaffold or a build script
        from ...project.deployment import deployment_of, image_name

        tagged = deployment_of(project).dockerfile_of_image(image_name(image))
        paths = {tagged[0]} if tagged is not None else set()
    if not paths and name[1]:
        # once per scan: every workload asks (the Dockerfiles in their order)
        named: dict[str, list[str]] = project.once("dockerfiles-by-name",
                                                   lambda: _dockerfiles_by_name(project))
        paths.update(named.get(name[1], ()))
    users: set[str] = set()
    for path in paths:
        df = project.dockerfiles.get(path)
        if not isinstance(df, Dockerfile) or df.final_stage is None:
            return None, f"{path} cannot be read"
        found = [u for stage in reversed(effective_stages(df)) for u in stage.find("USER")]
        users.add(found[-1].args.strip() if found else "")
    if len(users) != 1:
        return None, ("the image is not built in this repository" if not users else
                      "the Dockerfiles building the image disagree on its user")
    return users.pop(), ""


def _dockerfiles_by_name(project: Project) -> dict[str, list[str]]:
    """The Dockerfiles an image name may stand for: those in a directory of that name, and
    `Dockerfile.<name>` or `<name>.Dockerfile` anywhere."""
    named: dict[str, list[str]] = {}
    for path in project.dockerfiles:
        base = posixpath.basename(path)
        names = {posixpath.basename(posixpath.dirname(path))}
        if base.startswith("Dockerfile."):
            names.add(base[len("Dockerfile."):])
        if base.endswith(".Dockerfile"):
            names.add(base[:-len(".Dockerfile")])
        for each in names:
            named.setdefault(each, []).append(path)
    return named


def _compose_image_builds(project: Project) -> dict[Any, set[str]]:
    """Image repository -> the Dockerfiles Compose services build it from."""
    from ...project.compose import build_dockerfile, configs, image_repository

    builds: dict[Any, set[str]] = {}
    for config in configs(project):
        for svc in config.services.values():
            build = svc.build
            path = build_dockerfile(project, build) if build is not None and svc.image else None
            if path is not None:
                builds.setdefault(image_repository(svc.image or ""), set()).add(path)
    return builds
