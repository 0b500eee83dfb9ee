"""K8S009 privilege-escalation-allowed."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ...project.kubernetes import containers, is_false, is_true
from ..api import RuleContext
from ._fixes import security_context_fix
from ._report import report_container, waiting_init_container

SCOPE = "yaml"


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for container in containers(yf, "K8S009", init=True):
        if container.workload.is_windows:
            continue  # not a Windows setting
        sc = container.security_context
        value = sc.get_value("allowPrivilegeEscalation") if sc is not None else None
        if is_false(value):
            ctx.examine()
            continue
        if is_true(value):
            problem = "sets securityContext.allowPrivilegeEscalation: true"
        else:
            problem = "does not set securityContext.allowPrivilegeEscalation: false"
        report_container(
            ctx, container,
            f"{container.label} {problem}: a process in it can gain more privileges than "
            "its parent through setuid binaries or file capabilities; set "
            "allowPrivilegeEscalation: false in the container's securityContext",
            fix=None if is_true(value) else security_context_fix(
                yf, container, "allowPrivilegeEscalation: false"),
            informational=waiting_init_container(container),
        )
