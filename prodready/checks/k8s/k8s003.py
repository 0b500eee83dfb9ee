"""K8S003 missing-liveness-probe."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ..api import RuleContext
from ._workloads import LONG_RUNNING_KINDS, containers, has_probe, ports_text, report_container

SCOPE = "yaml"


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for container in containers(yf, "K8S003", kinds=LONG_RUNNING_KINDS):
        if not container.ports:
            continue  # a worker or sidecar without ports: nothing to probe
        if has_probe(container, "livenessProbe"):
            ctx.examine()
            continue
        report_container(
            ctx, container,
            f"{container.label} {ports_text(container)} but has no livenessProbe: a process "
            "that hangs (deadlock, stuck event loop) keeps running and is never restarted; "
            "add a livenessProbe on a cheap endpoint that checks only the process itself",
        )
