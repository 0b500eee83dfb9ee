"""APP007 no-metrics."""

from __future__ import annotations

from ...project import Project
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    check_practice(project, ctx, "metrics",
                   "no metrics: no Prometheus, OpenTelemetry or StatsD instrumentation and no "
                   "/metrics route, so latency, error rate and saturation are invisible; "
                   "instrument the app (e.g. prometheus-fastapi-instrumentator, prometheus-"
                   "flask-exporter, django-prometheus)",
                   informational=lambda svc: "" if svc.has("metrics-collector") else UNCOLLECTED)


UNCOLLECTED = ("nothing in the repository collects metrics (no Prometheus, OpenTelemetry "
               "collector, StatsD or agent): instrument the app when something scrapes it; the "
               "platform's own request metrics may be what the team reads")
