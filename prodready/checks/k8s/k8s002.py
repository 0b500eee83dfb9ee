"""K8S002 missing-memory-limit."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ...project.kubernetes import as_map, containers, quantity_set
from ..api import RuleContext
from ._fixes import memory_limit_fix
from ._report import report_container

SCOPE = "yaml"


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for container in containers(yf, "K8S002"):
        resources = container.resources
        limits = as_map(resources.get("limits")) if resources else None
        if quantity_set(limits, "memory"):
            ctx.examine()
            continue
        report_container(
            ctx, container,
            f"{container.label} has no memory limit: a leak grows until the node runs out "
            "of memory and the kernel kills whatever it picks, other pods included; set "
            "resources.limits.memory (a CPU limit is not needed)",
            fix=memory_limit_fix(yf, container),
        )
