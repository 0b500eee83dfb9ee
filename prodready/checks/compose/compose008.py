"""COMPOSE008 datastore-port-published."""

from __future__ import annotations

from ...project import Project
from ...project.compose import is_loopback
from ..api import RuleContext
from ._reporter import Reporter

SCOPE = "project"


def check(project: Project, ctx: RuleContext) -> None:
    out = Reporter(ctx)
    for svc in out.services(project):
        kind = svc.datastore
        if kind is None:
            continue
        for port in svc.ports():
            if is_loopback(port.host_ip):
                out.ok(port.site)
                continue
            where = "all interfaces" if port.host_ip is None else port.host_ip
            out.report(port.site,
                       f"{kind} service {svc.name!r} publishes {port.raw!r} on {where}: "
                       "anyone who reaches the host reaches the database; drop the port (other "
                       "services use the Compose network) or bind it to 127.0.0.1",
                       snippet=f"- {port.raw}")
    out.finish()
