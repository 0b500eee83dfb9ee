"""DOCKER007 missing-dockerignore."""

from __future__ import annotations

import posixpath

from ...project import Project
from ..api import RuleContext

SCOPE = "project"
MUST_EXCLUDE = (".git", ".env")


def check(project: Project, ctx: RuleContext) -> None:
    for path, df in sorted(project.dockerfiles.items()):
        whole_copy = [ins for stage in df.stages for ins in stage.instructions  # type: ignore[attr-defined]
                      if ins.keyword in ("COPY", "ADD") and "from" not in ins.flags
                      and _copies_context(ins.args)]
        if not whole_copy:
            continue
        context = posixpath.dirname(path)
        ignore_path = posixpath.join(context, ".dockerignore") if context else ".dockerignore"
        own = f"{path}.dockerignore"
        text = project.texts.get(own, project.texts.get(ignore_path))
        ins = whole_copy[0]
        if text is None and not project.has_file(ignore_path):
            ctx.report(path, ins.line, ins.column,
                       "`COPY .` with no .dockerignore sends .git, .env and local files into "
                       "the build context and the image; add a .dockerignore",
                       snippet=ins.raw.splitlines()[0])
            continue
        patterns = {line.strip().lstrip("/").rstrip("/") for line in (text or "").splitlines()
                    if line.strip() and not line.startswith("#")}
        missing = [p for p in MUST_EXCLUDE if not ({p, f"**/{p}", f"{p}*", "*", "**"} & patterns)]
        if text is not None and missing:
            ctx.report(path, ins.line, ins.column,
                       f".dockerignore does not exclude {', '.join(missing)}: `COPY .` puts "
                       "them in the image", snippet=ins.raw.splitlines()[0])
        else:
            ctx.examine()


def _copies_context(args: str) -> bool:
    words = [w for w in args.split() if not w.startswith("--")]
    return len(words) >= 2 and any(w in (".", "./") for w in words[:-1])
