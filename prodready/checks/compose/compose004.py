"""COMPOSE004 unbounded-logging."""

from __future__ import annotations

from ...artifacts.yamldocs import YScalar
from ...project import Project
from ...project.compose import (
    UNKNOWN,
    ComposeConfig,
    deployed_here,
    interpolate,
    is_prod_file,
    operator_template,
    users_stack,
)
from ..api import RuleContext
from ._fixes import logging_fix
from ._reporter import Reporter

SCOPE = "project"


# A Compose file the repository does not deploy, and that configures logging for none of its
# services, leaves rotation to the Docker daemon of the host that runs it (`log-opts` in
# daemon.json). One that sets it for some services and forgets others is the authors' slip,
# and one the repository deploys is theirs to bound: both keep their severity.
DAEMON_ROTATES = ("nothing here deploys this file and no service of it sets logging: rotation "
                  "is left to the Docker daemon of the host that runs it (`log-opts` in "
                  "daemon.json)")


# ... and so does one a project distributed to its users starts on their machines (through a
# script or a Makefile of its own), unless it is named for production.
USERS_HOSTS = ("the project is distributed and no service of this file sets logging: the "
               "users who start it on their hosts rotate logs with their Docker daemon "
               "(`log-opts` in daemon.json)")


# memcached's image logs nothing unless told to be verbose (`-v` in its command)
QUIET = "memcached writes nothing to its log unless its command asks for it (`-v`)"


def _users_stack(project: Project, config: ComposeConfig) -> bool:
    from ...project.profile import DISTRIBUTED, profile_of

    return profile_of(project).name == DISTRIBUTED and (
        not is_prod_file(config.files[-1]) or users_stack(project, config.files[-1]))


def check(project: Project, ctx: RuleContext) -> None:
    out = Reporter(ctx, raise_in_prod=True)
    configures_logging: dict[tuple[str, ...], bool] = {}
    for svc in out.services(project):
        if svc.never_runs:
            continue  # no container, no logs and no memory
        logging = svc.merged_map("logging")
        driver_entry = logging.get("driver")
        driver = "json-file"
        if driver_entry is not None and isinstance(driver_entry[2], YScalar) and \
                driver_entry[2].value is not None:
            driver = interpolate(str(driver_entry[2].value)).strip().lower()
        options = svc.merged_map("logging", "options")
        if driver not in ("json-file", "") and UNKNOWN not in driver:
            out.ok(svc.anchor_site)  # local, journald, syslog, fluentd … rotate or ship
            continue
        if UNKNOWN in driver or "max-size" in options:
            out.ok(svc.anchor_site)
            continue
        found = svc.find("logging")
        site = svc.site(found[0], found[1]) if found else svc.anchor_site
        out.report(site,
                   f"service {svc.name!r} logs with the json-file driver and no `max-size`: "
                   "its log file grows until the disk is full; set `logging.options` "
                   "`max-size` and `max-file`",
                   snippet="logging:" if found else f"{svc.name}:",
                   fix=logging_fix(project, svc),
                   informational=(QUIET if svc.datastore == "memcached" and not (
                       svc.find("command")) else "") or operator_template(project, svc.config)
                   or (
                       "" if _configures_logging(svc.config, configures_logging) else
                       DAEMON_ROTATES if not deployed_here(project, svc.config) else
                       USERS_HOSTS if _users_stack(project, svc.config) else ""))
    out.finish()


def _configures_logging(config: ComposeConfig, seen: dict[tuple[str, ...], bool]) -> bool:
    key = tuple(config.files)
    if key not in seen:
        seen[key] = any(svc.merged_map("logging") for svc in config.services.values())
    return seen[key]
