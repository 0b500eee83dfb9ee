"""K8S014 cronjob-concurrency-allowed."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ...project.kubernetes import as_map, file_workloads
from ..api import RuleContext
from ._fixes import concurrency_fix
from ._report import report_object

SCOPE = "yaml"


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for workload in file_workloads(yf, "K8S014"):
        if workload.kind != "CronJob":
            continue
        spec = as_map(workload.root.get("spec"))
        if spec is None:
            continue
        policy = spec.get_value("concurrencyPolicy")
        if policy is not None and policy != "Allow":
            ctx.examine()
            continue
        how = ("sets concurrencyPolicy: Allow" if policy == "Allow"
               else "sets no concurrencyPolicy (the default is Allow)")
        report_object(
            ctx, workload,
            f"{workload.label} {how}: a run that outlasts the schedule interval overlaps "
            "the next one, so two copies work on the same data at once and slow runs pile "
            "up; set spec.concurrencyPolicy: Forbid (or Replace to cancel the old run)",
            fix=concurrency_fix(yf, workload),
        )
