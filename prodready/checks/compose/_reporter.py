"""One verdict per Compose site, however many configurations reach it."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Fix
from ...project import Project
from ...project.compose import (
    Service,
    Site,
    build_definition,
    deployed_runs,
    is_prod_file,
    judged_services,
    users_stack,
)
from ..api import RuleContext

_Key = tuple[str, int, int]
_Config = tuple[str, ...]
_Source = tuple[_Config, _Key]  # the configuration, and the service (its defining key)


class Reporter:
    """Reports each (file, line, column) once, however many configurations reach it.

    A site can be reached by several configurations (a base file is also the base of a
    production overlay). A service that a configuration the repository runs (`docker compose
    -f compose.yml -f compose.deploy.yml up`) judges is judged by it alone: the other
    configurations of the same service (the base with its development override) do not
    count. Otherwise one bad verdict wins over good ones. Iterate `services(project)` so that
    each verdict knows its configuration and service, and call `finish()` at the end.
    """

    def __init__(self, ctx: RuleContext, raise_in_prod: bool = False) -> None:
        self.ctx = ctx
        self.raise_in_prod = raise_in_prod
        self.good: dict[_Key, set[_Source]] = {}
        self.bad: dict[_Key, tuple[Site, str, str, Fix | None, str]] = {}
        self.bad_sources: dict[_Key, set[_Source]] = {}
        self._source: _Source = ((), ("", 0, 0))
        self._deployed: set[_Config] = set()
        self._run: set[_Key] = set()  # services a configuration the repository runs judges
        self._project: Project | None = None

    def services(self, project: Project) -> Iterator[Service]:
        """The judged services; the verdicts given while one is current are counted as its
        configuration's and its own."""
        self._deployed = deployed_runs(project)
        self._project = project
        for svc in judged_services(project):
            if build_definition(project, svc.config.files[-1]):
                continue  # its services are images to build and push: none of them runs
            first = svc.layers[0]
            self._source = (tuple(svc.config.files),
                            (first.path, first.key.line, first.key.column))
            if self._source[0] in self._deployed:
                self._run.add(self._source[1])
            yield svc

    def ok(self, site: Site) -> None:
        self.good.setdefault((site.path, site.line, site.column), set()).add(self._source)

    def report(self, site: Site, message: str, snippet: str = "", fix: Fix | None = None,
               informational: str = "") -> None:
        """`informational`: why the finding is only information here (see
        `RuleContext.report`)."""
        key = (site.path, site.line, site.column)
        self.bad.setdefault(key, (site, message, snippet, fix, informational))
        self.bad_sources.setdefault(key, set()).add(self._source)

    def finish(self) -> None:
        passed = 0
        for key in sorted(set(self.good) | set(self.bad)):
            bad = {(config, service) for config, service in self.bad_sources.get(key, ())
                   if config in self._deployed or service not in self._run}
            if not bad:
                passed += 1
                continue
            site, message, snippet, fix, informational = self.bad[key]
            severity = self.ctx.config.severity_of(self.ctx.rule).raised() if (
                self.raise_in_prod and is_prod_file(site.path) and
                not (self._project and users_stack(self._project, site.path))) else None
            self.ctx.report(site.path, site.line, site.column, message, snippet=snippet,
                            severity=severity, fix=fix, informational=informational)
        self.ctx.examine(passed)
