"""APP007 no-metrics."""

from __future__ import annotations

import re

from ...project import Project
from ...project.compose import configs, image_repository
from ..api import RuleContext
from ._common import check_practice

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    collector = _metrics_collector(project)
    check_practice(project, ctx, "metrics",
                   "no metrics: no Prometheus, OpenTelemetry or StatsD instrumentation and no "
                   "/metrics route, so latency, error rate and saturation are invisible; "
                   "instrument the app (e.g. prometheus-fastapi-instrumentator, prometheus-"
                   "flask-exporter, django-prometheus)",
                   informational=lambda _svc: "" if collector else UNCOLLECTED)


UNCOLLECTED = ("nothing in the repository collects metrics (no Prometheus, OpenTelemetry "
               "collector, StatsD or agent): instrument the app when something scrapes it; the "
               "platform's own request metrics may be what the team reads")


# Images of metrics collectors and agents a stack may run beside the app
_COLLECTOR_IMAGES = frozenset({
    "prometheus", "grafana-agent", "alloy", "opentelemetry-collector",
    "opentelemetry-collector-contrib", "otel-collector", "agent", "telegraf", "statsd",
    "graphite", "victoria-metrics", "vmagent", "infrastructure", "signoz-otel-collector"})
_COLLECTOR_NAMESPACES = frozenset({"", "library", "prom", "grafana", "otel", "datadog",
                                   "newrelic", "victoriametrics", "bitnami", "signoz"})
# A Prometheus scrape configuration, a Helm chart's ServiceMonitor switch; an OpenTelemetry
# collector's pipeline has both receivers and exporters
_COLLECTOR_CONFIG = re.compile(r"^[ \t]*(?:scrape_configs|serviceMonitor|podMonitor)[ \t]*:",
                               re.MULTILINE)
_RECEIVERS = re.compile(r"^[ \t]*receivers[ \t]*:", re.MULTILINE)
_EXPORTERS = re.compile(r"^[ \t]*exporters[ \t]*:", re.MULTILINE)


def _metrics_collector(project: Project) -> str:
    """Where the repository collects metrics ("" when nothing does): a Compose service
    running a collector or agent, a Prometheus or OpenTelemetry collector configuration, a
    chart's ServiceMonitor setting."""
    for config in configs(project):
        for svc in config.services.values():
            namespace, name = image_repository(svc.image or "")
            if name in _COLLECTOR_IMAGES and namespace.rsplit("/", 1)[-1] in \
                    _COLLECTOR_NAMESPACES:
                return f"{svc.anchor.path}: {svc.name}"
    for path, yf in project.yaml_files.items():
        if _COLLECTOR_CONFIG.search(yf.text) or (
                _RECEIVERS.search(yf.text) and _EXPORTERS.search(yf.text)):
            return path
    return ""
