"""K8S010 writable-root-filesystem."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ...project.kubernetes import containers, is_true
from ..api import RuleContext
from ._report import report_container, waiting_init_container

SCOPE = "yaml"


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for container in containers(yf, "K8S010", init=True):
        if container.workload.is_windows:
            continue  # not supported on Windows
        sc = container.security_context
        if sc is not None and is_true(sc.get_value("readOnlyRootFilesystem")):
            ctx.examine()
            continue
        report_container(
            ctx, container,
            f"{container.label} has a writable root filesystem: an intruder can replace "
            "binaries and drop tools into it, and files the app writes there vanish on "
            "restart; set securityContext.readOnlyRootFilesystem: true and mount an emptyDir "
            "for the paths it must write (such as /tmp)",
            informational=waiting_init_container(container),
        )
