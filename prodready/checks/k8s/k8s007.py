"""K8S007 privileged-container."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ...project.kubernetes import containers, is_true
from ..api import RuleContext
from ._report import report_container

SCOPE = "yaml"


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for container in containers(yf, "K8S007", init=True):
        sc = container.security_context
        if sc is None or not is_true(sc.get_value("privileged")):
            ctx.examine()
            continue
        report_container(
            ctx, container,
            f"{container.label} runs with securityContext.privileged: true: it gets every "
            "capability and access to all host devices, so whoever controls the container "
            "controls the node; remove it and add only the capabilities the process needs "
            "under securityContext.capabilities.add",
        )
