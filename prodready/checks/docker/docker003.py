"""DOCKER003 runs-as-root."""

from __future__ import annotations

from ...artifacts.dockerfile import Dockerfile
from ..api import RuleContext
from ._fixes import non_root_fix
from ._image import NONROOT_BASES, effective_stages

SCOPE = "dockerfile"


def check(df: Dockerfile, ctx: RuleContext) -> None:
    final = df.final_stage
    if final is None:
        return
    chain = effective_stages(df)
    users = [u for stage in reversed(chain) for u in stage.find("USER")]
    base = chain[-1].base_image
    if users:
        user = users[-1].args.split(":", 1)[0].strip()
        if user in ("root", "0"):
            ctx.report(df.path, users[-1].line, users[-1].column,
                       "the final USER is root: a compromised process owns the container; "
                       "switch to an unprivileged user before CMD", snippet=users[-1].raw)
        else:
            ctx.examine()
        return
    if NONROOT_BASES.search(base) or base == "scratch":
        ctx.examine()
        return
    ctx.report(df.path, final.line, 1,
               "the final stage never sets USER, so the container runs as root; create an "
               "unprivileged user and add `USER` before CMD", snippet=f"FROM {final.base_raw}",
               fix=non_root_fix(df, final, base))
