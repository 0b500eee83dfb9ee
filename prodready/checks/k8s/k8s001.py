"""K8S001 missing-resource-requests."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ...project.kubernetes import as_map, containers, quantity_set
from ..api import RuleContext
from ._fixes import requests_fix
from ._report import report_container

SCOPE = "yaml"


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for container in containers(yf, "K8S001"):
        resources = container.resources
        requests = as_map(resources.get("requests")) if resources else None
        limits = as_map(resources.get("limits")) if resources else None
        # Kubernetes copies a limit into an unset request, so a limit alone is a request.
        missing = [key for key in ("cpu", "memory")
                   if not quantity_set(requests, key) and not quantity_set(limits, key)]
        if not missing:
            ctx.examine()
            continue
        what = "requests neither cpu nor memory" if len(missing) == 2 else (
            f"has no {missing[0]} request")
        fields = " and ".join(f"resources.requests.{key}" for key in missing)
        report_container(
            ctx, container,
            f"{container.label} {what}: the scheduler reserves nothing for "
            "it, so nodes get overcommitted and it is among the first pods evicted under "
            f"pressure; set {fields} to its typical usage",
            fix=requests_fix(yf, container, missing),
        )
