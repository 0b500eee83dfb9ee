"""DOCKER001 missing-healthcheck."""

from __future__ import annotations

from ...artifacts.dockerfile import Dockerfile
from ..api import RuleContext
from ._image import effective_stages, runs_server

SCOPE = "dockerfile"


def check(df: Dockerfile, ctx: RuleContext) -> None:
    final = df.final_stage
    if final is None or not runs_server(final):
        return
    if any(stage.find("HEALTHCHECK") for stage in effective_stages(df)):
        ctx.examine()
        return
    ctx.report(df.path, final.line, 1,
               "the final stage runs a server but defines no HEALTHCHECK: Docker and Compose "
               "cannot tell a hung container from a healthy one",
               snippet=f"FROM {final.base_raw}")
