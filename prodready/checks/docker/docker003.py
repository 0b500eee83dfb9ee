"""DOCKER003 runs-as-root."""

from __future__ import annotations

import posixpath

from ...artifacts.dockerfile import Dockerfile, Stage, image_reference
from ...project import Project
from ...project.deployment import deployment_of, image_name
from ..api import RuleContext
from ._fixes import non_root_fix
from ._image import NONROOT_BASES, PRIVILEGE_DROP, command_of, command_text, effective_stages

SCOPE = "project"  # the entrypoint script and the repository's own base images are other files


def check(project: Project, ctx: RuleContext) -> None:
    for _, df in sorted(project.dockerfiles.items()):
        if isinstance(df, Dockerfile):
            _check(project, df, ctx)


def _check(project: Project, df: Dockerfile, ctx: RuleContext) -> None:
    final = df.final_stage
    if final is None:
        return
    chain = effective_stages(df)
    users = [u for stage in reversed(chain) for u in stage.find("USER")]
    base = chain[-1].base_image
    if users:
        user = users[-1].args.split(":", 1)[0].strip()
        if user in ("root", "0") and not _drops_privileges(project, df, final):
            ctx.report(df.path, users[-1].line, users[-1].column,
                       "the final USER is root: a compromised process owns the container; "
                       "switch to an unprivileged user before CMD", snippet=users[-1].raw)
        else:
            ctx.examine()
        return
    if NONROOT_BASES.search(base) or base == "scratch" or _drops_privileges(project, df, final) \
            or _own_base_runs_unprivileged(project, base, {df.path}):
        ctx.examine()
        return
    ctx.report(df.path, final.line, 1,
               "the final stage never sets USER, so the container runs as root; create an "
               "unprivileged user and add `USER` before CMD", snippet=f"FROM {final.base_raw}",
               fix=non_root_fix(df, final, base))


def _drops_privileges(project: Project, df: Dockerfile, stage: Stage) -> bool:
    """The container starts as root only to hand the process to another user: gosu, su-exec,
    setpriv … in the ENTRYPOINT/CMD or in the entrypoint script the repository holds."""
    for ins in command_of(stage):
        text = command_text(ins)
        if PRIVILEGE_DROP.search(text):
            return True
        words = ins.exec_form or text.split()
        for word in words[:2]:  # `/entrypoint.sh …` or `sh /entrypoint.sh …`
            script = _script_text(project, df, word)
            if script is not None and PRIVILEGE_DROP.search(script):
                return True
    return False


def _script_text(project: Project, df: Dockerfile, word: str) -> str | None:
    """The repository's copy of a script the image runs, found by the COPY that puts it there
    or, failing that, by its name next to the Dockerfile."""
    name = posixpath.basename(word)
    if not name or name in ("sh", "bash", "/bin/sh", "exec") or word.startswith("-"):
        return None
    directory = posixpath.dirname(df.path)
    candidates = [p for p in project.texts if posixpath.basename(p) == name]
    if not candidates:
        return None
    near = [p for p in candidates if not directory or p.startswith(directory + "/")]
    chosen = sorted(near or candidates, key=lambda p: (p.count("/"), p))[0]
    return project.texts[chosen]


def _own_base_runs_unprivileged(project: Project, base: str, seen: set[str]) -> bool:
    """FROM an image this repository builds: judged by the Dockerfile that builds it."""
    if not base or base == "scratch":
        return False
    repository, _, _ = image_reference(base)
    source = deployment_of(project).image_dockerfiles.get(image_name(repository or base))
    df = project.dockerfiles.get(source) if source else None
    if not isinstance(df, Dockerfile) or df.path in seen or df.final_stage is None:
        return False
    seen.add(df.path)
    chain = effective_stages(df)
    users = [u for stage in reversed(chain) for u in stage.find("USER")]
    if users:
        return users[-1].args.split(":", 1)[0].strip() not in ("root", "0")
    parent = chain[-1].base_image
    return bool(NONROOT_BASES.search(parent)) or _own_base_runs_unprivileged(
        project, parent, seen)
