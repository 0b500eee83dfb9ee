"""K8S013 cronjob-missing-timezone."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile
from ...project.kubernetes import as_map, file_workloads, is_templated, text_of
from ..api import RuleContext
from ._report import report_object

SCOPE = "yaml"


def zone_independent(schedule: str) -> bool:
    """Schedules that fire at the same instants in every whole-hour time zone.

    `*/5 * * * *` or `@hourly` vary only the minute, so the zone does not change when they run.
    """
    text = schedule.strip()
    if text.lower() == "@hourly":
        return True
    fields = text.split()
    return len(fields) == 5 and all(f == "*" for f in fields[1:])


def check(yf: YamlFile, ctx: RuleContext) -> None:
    for workload in file_workloads(yf, "K8S013"):
        if workload.kind != "CronJob":
            continue
        spec = as_map(workload.root.get("spec"))
        if spec is None:
            continue
        schedule = text_of(spec.get_value("schedule"))
        if spec.get_value("timeZone") or zone_independent(schedule) or is_templated(schedule):
            ctx.examine()
            continue
        when = f"schedule {schedule!r}" if schedule else "its schedule"
        report_object(
            ctx, workload,
            f"{workload.label} sets no spec.timeZone, so {when} is read in the time zone of "
            "the cluster's kube-controller-manager: it changes between clusters and moves "
            "with daylight saving time; set spec.timeZone to an IANA zone such as "
            "\"Etc/UTC\" or \"Europe/Berlin\"",
        )
