"""K8S008 run-as-non-root-not-set."""

from __future__ import annotations

from typing import Any

from ...artifacts.yamldocs import YamlFile, YMap, is_compose_path
from ...project import Project
from ...project.kubernetes import as_int, containers, is_false, is_templated, is_true
from ..api import RuleContext
from ..docker._privileges import ENTRYPOINT_DROPS, is_root, official_repository
from ._fixes import built_user, run_as_non_root_fix
from ._report import report_container, waiting_init_container

SCOPE = "project"  # the fix needs the user of the image the repository builds


def _setting(container_sc: YMap | None, pod_sc: YMap | None, key: str) -> tuple[Any, str]:
    """The effective value of `key` (a container's own setting overrides the pod's)."""
    if container_sc is not None and key in container_sc:
        return container_sc.get_value(key), "container"
    if pod_sc is not None and key in pod_sc:
        return pod_sc.get_value(key), "pod"
    return None, ""


def check(project: Project, ctx: RuleContext) -> None:
    for path, yf in sorted(project.yaml_files.items()):
        if not is_compose_path(path):
            _check_file(project, yf, ctx)


def _check_file(project: Project, yf: YamlFile, ctx: RuleContext) -> None:
    for container in containers(yf, "K8S008", init=True):
        if container.workload.is_windows:
            continue  # Windows pods use windowsOptions.runAsUserName instead
        own, pod = container.security_context, container.workload.pod_security_context
        non_root, non_root_from = _setting(own, pod, "runAsNonRoot")
        user, user_from = _setting(own, pod, "runAsUser")
        uid = as_int(user)
        if uid == 0:
            clash = (" while runAsNonRoot is true, so the kubelet refuses to start it"
                     if is_true(non_root) else "")
            problem = f"runs as root: the {user_from} securityContext sets runAsUser: 0{clash}"
        elif is_true(non_root) or (uid is not None and uid > 0) or is_templated(user):
            ctx.examine()
            continue
        elif is_false(non_root):
            problem = (f"may run as root: the {non_root_from} securityContext sets "
                       "runAsNonRoot: false and no non-zero runAsUser")
        else:
            problem = ("may run as root: neither the pod nor the container securityContext "
                       "sets runAsNonRoot: true or a non-zero runAsUser, so it runs as the "
                       "image's user, root for most images")
        unset = non_root is None and user is None
        report_container(
            ctx, container,
            f"{container.label} {problem}; set securityContext.runAsNonRoot: true and a "
            "non-zero runAsUser (on the pod, or on this container)",
            fix=run_as_non_root_fix(project, yf, container) if unset else None,
            informational=(_image_user_note(project, container) if unset else "") or
            waiting_init_container(container),
        )


# Official images that run their server as their own user besides those whose entrypoint
# steps down to it (ENTRYPOINT_DROPS): their own non-root USER, or gosu in the entrypoint.
_OWN_USER_IMAGES = frozenset({"memcached", "elasticsearch", "cassandra", "couchdb"})


def _image_user_note(project: Project, container: Any) -> str:
    """Why the finding is only information: the image the repository builds for it already
    switches to a named non-root USER, or it is an official datastore image whose entrypoint
    drops root. (With a numeric uid the finding stays: its fix, runAsNonRoot: true, is then
    safe and makes Kubernetes enforce it.)"""
    image = container.node.get_value("image")
    repository = official_repository(image) if isinstance(image, str) else ""
    # only while the container keeps the image's entrypoint and server command
    keeps_entrypoint = container.node.get("command") is None and \
        container.node.get("args") is None
    if (repository in ENTRYPOINT_DROPS or repository in _OWN_USER_IMAGES) and keeps_entrypoint:
        return (f"the official {repository} image's entrypoint starts the server as its own "
                "user, not root")
    user, _ = built_user(project, image if isinstance(image, str) else "")
    name = (user or "").split(":", 1)[0].strip()
    if not name or is_root(name) or name.isdigit():
        return ""
    return (f"the image built here switches to USER {name}: it does not run as root (the "
            "kubelet cannot verify a user name for runAsNonRoot; a numeric USER lets it)")
