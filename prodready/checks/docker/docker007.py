"""DOCKER007 missing-dockerignore."""

from __future__ import annotations

import posixpath

from ...fix.edits import ABSENT, append_lines
from ...model import Edit, Fix, FixSafety
from ...project import Project
from ..api import RuleContext

SCOPE = "project"
MUST_EXCLUDE = (".git", ".env")
NEW_DOCKERIGNORE = (
    "# Keep version control, secrets and local clutter out of the build context.",
    ".git", ".env", ".env.*", "!.env.example", "*.pem", "*.key", "__pycache__/", "*.py[cod]",
    ".venv/", "venv/", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/", ".prodready_cache/",
)


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
                       snippet=ins.raw.splitlines()[0],
                       fix=Fix(FixSafety.SAFE, f"create {ignore_path}",
                               (Edit(ignore_path, 0, 0, "\n".join(NEW_DOCKERIGNORE) + "\n",
                                     base=ABSENT),)))
            continue
        patterns = {line.strip().lstrip("/").rstrip("/") for line in (text or "").splitlines()
                    if line.strip() and not line.startswith("#")}
        missing = [p for p in MUST_EXCLUDE if not ({p, f"**/{p}", f"{p}*", "*", "**"} & patterns)]
        if text is not None and missing:
            where = own if own in project.texts else ignore_path
            ctx.report(path, ins.line, ins.column,
                       f".dockerignore does not exclude {', '.join(missing)}: `COPY .` puts "
                       "them in the image", snippet=ins.raw.splitlines()[0],
                       fix=Fix(FixSafety.SAFE, f"add {', '.join(missing)} to {where}",
                               (append_lines(where, text or "", missing),)))
        else:
            ctx.examine()


def _copies_context(args: str) -> bool:
    words = [w for w in args.split() if not w.startswith("--")]
    return len(words) >= 2 and any(w in (".", "./") for w in words[:-1])
