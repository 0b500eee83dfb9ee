"""K8S015 job-without-limits."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ...project.kubernetes import file_workloads
from ..api import RuleContext
from ._report import report_object

SCOPE = "yaml"


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for workload in file_workloads(yf, "K8S015"):
        if workload.kind not in ("Job", "CronJob"):
            continue
        job_spec = workload.job_spec
        pod_spec = workload.pod_spec
        deadlines = [spec.get_value("activeDeadlineSeconds")
                     for spec in (job_spec, pod_spec) if spec is not None]
        if any(value is not None for value in deadlines):
            ctx.examine()
            continue
        where = ("spec.jobTemplate.spec.activeDeadlineSeconds" if workload.kind == "CronJob"
                 else "spec.activeDeadlineSeconds")
        blocked = (", and with concurrencyPolicy Forbid it also blocks every later run"
                   if workload.kind == "CronJob" else "")
        report_object(
            ctx, workload,
            f"{workload.label} sets no activeDeadlineSeconds: a run that hangs (a stuck "
            f"connection, a lock that is never released) keeps its pod forever{blocked}; set "
            f"{where} to the longest a run may take",
        )
