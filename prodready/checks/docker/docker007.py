"""DOCKER007 missing-dockerignore."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator

import pathspec

from ...artifacts.dockerfile import Dockerfile, Stage
from ...fix.edits import ABSENT, append_lines
from ...model import Edit, Fix, FixSafety
from ...project import Project
from ...project.builds import UNKNOWN, image_builds
from ...project.deployment import deployment_of
from ...project.images import shipped_targets, stage_chain, target_stages
from ...project.local_secrets import ENV, local_secrets
from ...secretcontext import env_file_secrets
from ..api import RuleContext
from ._context_copies import context_destinations, copied_paths, holds
from ._git_context import build_needs_git

SCOPE = "project"
MUST_EXCLUDE = (".git", ".env")
NEW_DOCKERIGNORE = (
    "# Keep version control, secrets and local clutter out of the build context.",
    ".git", ".env", ".env.*", "!.env.example", "*.pem", "*.key", "__pycache__/", "*.py[cod]",
    ".venv/", "venv/", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/", ".prodready_cache/",
)


def check(project: Project, ctx: RuleContext) -> None:
    runners = _runner_contexts(project)
    from_git = _built_from_git_only(project)
    for path, df in sorted(project.dockerfiles.items()):
        if path in from_git:
            ctx.examine()  # the image that ships holds tracked files only
            continue
        shipped = _shipped_stages(project, path, df)  # type: ignore[arg-type]
        whole_copy = [ins for stage in shipped for ins in stage.instructions
                      if ins.keyword in ("COPY", "ADD") and "from" not in ins.flags
                      and _copies_context(ins.args)]
        if not whole_copy:
            continue
        # Docker reads .dockerignore at the root of the build context, wherever the
        # Dockerfile is: the contexts Compose and CI build it with. Without a runner, a
        # Dockerfile at the root is built there; one in a directory may be built from its
        # directory or from the root (`docker build -f dir/Dockerfile .`): unknown.
        directory = posixpath.dirname(path)
        contexts = runners.get(path)
        either: list[str] = []  # no runner and no .dockerignore: built from here or the root
        if contexts:
            known = sorted(c for c in contexts if c != UNKNOWN)
            single = len(contexts) == 1 and len(known) == 1
        else:
            candidates = [directory, ""] if directory else [""]
            present = [c for c in candidates if project.has_file(_ignore_in(c))]
            known = present[:1] or [directory]
            single = not directory
            either = [] if present else candidates
        own = f"{path}.dockerignore"  # BuildKit reads it whatever the context
        ins = whole_copy[0]
        reported = False
        for context in known:
            ignore_path = _ignore_in(context)
            text = project.texts.get(own, project.texts.get(ignore_path))
            found = {p for c in [context, *either] for p in _leakable(project, c, text)}
            leakable = [p for p in MUST_EXCLUDE if p in found and not (
                p == ".git" and build_needs_git(project, df, context))]  # type: ignore[arg-type]
            if not leakable:
                continue  # neither a git directory nor a .env file can be in this context
            if text is None and not project.has_file(ignore_path) and not project.has_file(own):
                where = f" (the build context {context or '.'}/)" if context != \
                    directory else ""
                read = _env_files_read(project, context)
                ctx.report(path, ins.line, ins.column,
                           f"`COPY .` with no .dockerignore{where} sends "
                           f"{' and '.join(leakable)} and local files into the build context "
                           "and the image; add a .dockerignore",
                           snippet=ins.raw.partition("\n")[0],
                           fix=Fix(FixSafety.UNSAFE if read else FixSafety.SAFE,
                                   f"create {ignore_path}" + (f" ({read})" if read else ""),
                                   (Edit(ignore_path, 0, 0, "\n".join(NEW_DOCKERIGNORE) + "\n",
                                         base=ABSENT),)) if single else None)
                reported = True
                break
            missing = [p for p in leakable if not _excluded(p, text or "")]
            if text is not None and missing:
                where = own if own in project.texts else ignore_path
                read = _env_files_read(project, context) if ".env" in missing else ""
                ctx.report(path, ins.line, ins.column,
                           f".dockerignore does not exclude {', '.join(missing)}: `COPY .` puts "
                           "them in the image", snippet=ins.raw.partition("\n")[0],
                           fix=Fix(FixSafety.UNSAFE if read else FixSafety.SAFE,
                                   f"add {', '.join(missing)} to {where}" + (
                                       f" ({read})" if read else ""),
                                   (append_lines(where, text or "", missing),))
                           if single or where == own else None)
                reported = True
                break
        if not reported:
            ctx.examine()


# Front-end build tools that read `.env` files into the bundle they build or serve
_ENV_READING_TOOLS = re.compile(r'"(vite|next|react-scripts|@vue/cli-service|nuxt|parcel|'
                                r'@angular/cli)"\s*:')
_ENV_TEMPLATE = re.compile(r"\.env\.(?:example|sample|template|dist|defaults?)$")


def _env_files_read(project: Project, context: str) -> str:
    """Why keeping `.env` files out could change what the image holds ("" if nothing says
    so): the context commits `.env.*` files a build may read (`.env.production`), or it is a
    front end whose tooling reads `.env` files into what it builds or serves."""
    prefix = f"{context}/" if context else ""
    committed = sorted(p for p in project.all_files if p.startswith(prefix) and
                       "/" not in p[len(prefix):] and posixpath.basename(p).startswith(".env.")
                       and not _ENV_TEMPLATE.search(p))
    if committed:
        return f"the build may read {committed[0]}, which the repository commits"
    manifest = project.texts.get(f"{prefix}package.json", "")
    tool = _ENV_READING_TOOLS.search(manifest)
    if tool:
        return f"a front end built with {tool[1]}, which reads .env files"
    return ""


def _leakable(project: Project, context: str, dockerignore: str | None) -> list[str]:
    """The MUST_EXCLUDE entries that can be in a build context: `.git` at the repository root
    (or a nested work tree), `.env` where the repository has `.env*` files or the project's
    workflow puts a local `.env` (a template copied to it, Compose or the code reading it).
    A `.gitignore` line alone is no evidence: language templates list `.env` for everyone;
    nor is a `.env*` file deeper in the context that `dockerignore` already keeps out by its
    own path (`dev/.env`)."""
    prefix = f"{context}/" if context else ""
    below = [p[len(prefix):] for p in project.all_files if p.startswith(prefix)]
    found = []
    if not context or any(p == ".git" or p.startswith(".git/") or "/.git/" in f"/{p}"
                          or p.endswith("/.git") for p in below):
        found.append(".git")
    # a `.env` the repository commits with no secret in it holds its public defaults: the
    # copy in the image is the one everyone has
    committed = {p for p in below if posixpath.basename(p) == ".env" and
                 not env_file_secrets(project.texts.get(prefix + p) or "", prefix + p)}
    local_envs = [place for s in local_secrets(project) if s.kind == ENV
                  for place in (s.path, *s.places) if place[len(prefix):] not in committed]
    env_files = [p for p in below if posixpath.basename(p).startswith(".env")
                 and p not in committed]
    # only files in subdirectories, each kept out by its own path: nothing at the top
    kept_out = dockerignore is not None and all(
        "/" in p and _path_excluded(p, dockerignore) for p in env_files)
    if any(not context or place.startswith(prefix) for place in local_envs) or (
            env_files and not kept_out):
        found.append(".env")
    return found


def _path_excluded(path: str, dockerignore: str) -> bool:
    """Whether .dockerignore keeps the file at `path` (relative to the context) out, as
    Docker matches it: every pattern anchored at the context's root, the last matching line
    wins, and a line matching a directory above the file covers it (git's ignore rules
    with each pattern anchored)."""
    lines = [("!" if negated else "") + "/" + pattern
             for negated, pattern in _patterns(dockerignore)]
    return pathspec.GitIgnoreSpec.from_lines(lines).match_file(path)


def _patterns(dockerignore: str) -> Iterator[tuple[bool, str]]:
    """(re-includes, pattern without `!` and leading `/`) of each line, comments skipped."""
    for line in dockerignore.splitlines():
        pattern = line.strip()
        if pattern and not pattern.startswith("#"):
            yield pattern.startswith("!"), pattern.lstrip("!").strip().lstrip("/")


def _excluded(name: str, dockerignore: str) -> bool:
    """Whether .dockerignore keeps `name` (at the context's root) out, as Docker matches it:
    glob patterns where `*` also matches nothing (`.*` and `*.env` cover `.env`), `**/` any
    directories, `!` re-includes, and the last matching line wins. A line that re-includes
    `name` itself (`!.env`) is the authors' decision and counts as settled, and so does a line
    that picks parts of it (`**/.git/config`, `.git/objects`): they left the rest in on purpose
    (a build step that reads the commit, say)."""
    excluded = False
    for negated, pattern in _patterns(dockerignore):
        pattern = pattern.rstrip("/")
        while pattern.startswith("**/"):
            pattern = pattern[3:]
        if pattern.startswith(f"{name}/"):
            return True
        if pattern in ("*", "**") or ("/" not in pattern and fnmatch.fnmatchcase(name, pattern)):
            excluded = not negated or pattern == name
    return excluded


def _shipped_stages(project: Project, path: str, df: Dockerfile) -> list[Stage]:
    """The stages whose files end up in an image that ships: the final stage's, or those of
    the targets that deployed builds select, with the stages they are built FROM and the
    stages they copy a directory from (`COPY --from=builder /opt/app/ /opt/app/`). A stage
    that only gives one built file (`COPY --from=build /dist/app.tar.gz .`), or a directory
    apart from or inside where it put the context (`/opt/venv` or `/src/dist` of a build that
    copied it to /src), ships none of its .git or .env."""
    targets = shipped_targets(project, path)
    by_name = {s.name: s for s in df.stages if s.name}
    pending = [s for target in targets for s in target_stages(df, target)]
    shipped: dict[int, Stage] = {}
    while pending:
        stage = pending.pop()
        if stage.index in shipped:
            continue
        shipped[stage.index] = stage
        for ins in stage.find("COPY"):
            source = ins.flags.get("from", "").lower()
            given = by_name.get(source) or (df.stages[int(source)] if source.isdigit() and
                                            int(source) < len(df.stages) else None)
            directories = [w for w in ins.copy_words()[:-1] if _is_directory(w)]
            if given is not None and directories and _takes_context(df, given, stage,
                                                                    directories):
                pending += stage_chain(df, given)
    return [shipped[i] for i in sorted(shipped)]


def _takes_context(df: Dockerfile, given: Stage, copying: Stage, sources: list[str]) -> bool:
    """Whether copying these directories from `given` can take the build context along: a
    source is where `given` put the context or above it (an unknown path can be)."""
    destinations = context_destinations(stage_chain(df, given), _copies_context)
    paths = copied_paths(stage_chain(df, copying), sources)
    if not destinations or paths is None:
        return True
    return any(holds(path, target) for path in paths for target in destinations)


def _is_directory(source: str) -> bool:
    """A copied path that is a directory, as far as its name tells (`/opt/app/`, `/app`),
    not a file (`/dist/app.tar.gz`)."""
    return source.endswith("/") or "." not in posixpath.basename(source)


def _ignore_in(context: str) -> str:
    return posixpath.join(context, ".dockerignore") if context else ".dockerignore"


def _copies_context(args: str) -> bool:
    words = [w for w in args.split() if not w.startswith("--")]
    return len(words) >= 2 and any(w in (".", "./") for w in words[:-1])


def _built_from_git_only(project: Project) -> set[str]:
    """Dockerfiles whose every build that ships (not a development or test stack's) is a CI
    build from the git repository itself, which holds neither `.git` nor untracked files."""
    deployment = deployment_of(project)
    found = set()
    for path, builds in image_builds(project).items():
        shipping = [b for b in builds if deployment.role_of(b.source).judged]
        if shipping and all(b.git_context for b in shipping):
            found.add(path)
    return found


def _runner_contexts(project: Project) -> dict[str, set[str]]:
    """Dockerfile path -> the build contexts Compose, CI and build scripts build it with."""
    return {path: {b.context for b in builds}
            for path, builds in image_builds(project).items()}
