"""DOCKER007 missing-dockerignore."""

from __future__ import annotations

import posixpath
import re
import shlex

from ...artifacts.yamldocs import YMap, YNode, YSeq
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
UNKNOWN = "?"  # a context only known once variables are expanded


def check(project: Project, ctx: RuleContext) -> None:
    runners = _runner_contexts(project)
    for path, df in sorted(project.dockerfiles.items()):
        whole_copy = [ins for stage in df.stages for ins in stage.instructions  # type: ignore[attr-defined]
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
        if contexts:
            known = sorted(c for c in contexts if c != UNKNOWN)
            single = len(contexts) == 1 and len(known) == 1
        else:
            candidates = [directory, ""] if directory else [""]
            present = [c for c in candidates if project.has_file(_ignore_in(c))]
            known = present[:1] or [directory]
            single = not directory
        own = f"{path}.dockerignore"  # BuildKit reads it whatever the context
        ins = whole_copy[0]
        reported = False
        for context in known:
            ignore_path = _ignore_in(context)
            text = project.texts.get(own, project.texts.get(ignore_path))
            leakable = _leakable(project, context)
            if not leakable:
                continue  # neither a git directory nor a .env file can be in this context
            if text is None and not project.has_file(ignore_path) and not project.has_file(own):
                where = f" (the build context {context or '.'}/)" if context != \
                    directory else ""
                ctx.report(path, ins.line, ins.column,
                           f"`COPY .` with no .dockerignore{where} sends "
                           f"{' and '.join(leakable)} and local files into the build context "
                           "and the image; add a .dockerignore",
                           snippet=ins.raw.partition("\n")[0],
                           fix=Fix(FixSafety.SAFE, f"create {ignore_path}",
                                   (Edit(ignore_path, 0, 0, "\n".join(NEW_DOCKERIGNORE) + "\n",
                                         base=ABSENT),)) if single else None)
                reported = True
                break
            patterns = {line.strip().lstrip("/").rstrip("/")
                        for line in (text or "").splitlines()
                        if line.strip() and not line.startswith("#")}
            missing = [p for p in leakable
                       if not ({p, f"**/{p}", f"{p}*", "*", "**"} & patterns)]
            if text is not None and missing:
                where = own if own in project.texts else ignore_path
                ctx.report(path, ins.line, ins.column,
                           f".dockerignore does not exclude {', '.join(missing)}: `COPY .` puts "
                           "them in the image", snippet=ins.raw.partition("\n")[0],
                           fix=Fix(FixSafety.SAFE, f"add {', '.join(missing)} to {where}",
                                   (append_lines(where, text or "", missing),))
                           if single or where == own else None)
                reported = True
                break
        if not reported:
            ctx.examine()


def _leakable(project: Project, context: str) -> list[str]:
    """The MUST_EXCLUDE entries that can be in a build context: `.git` at the repository root
    (or a nested work tree), `.env` where the repository has `.env*` files or a .gitignore of
    the context keeps one out of git (a local .env sits there)."""
    prefix = f"{context}/" if context else ""
    below = [p[len(prefix):] for p in project.all_files if p.startswith(prefix)]
    found = []
    if not context or any(p == ".git" or p.startswith(".git/") or "/.git/" in f"/{p}"
                          or p.endswith("/.git") for p in below):
        found.append(".git")
    if any(posixpath.basename(p).startswith(".env") for p in below) or any(
            _ignores_env(project.texts.get(prefix + p, "")) for p in below
            if posixpath.basename(p) == ".gitignore"):
        found.append(".env")
    return found


def _ignores_env(gitignore: str) -> bool:
    for line in gitignore.splitlines():
        pattern = line.strip().lstrip("/").removeprefix("**/")
        if pattern.startswith((".env", "*.env")) and not line.startswith("#"):
            return True
    return False


def _ignore_in(context: str) -> str:
    return posixpath.join(context, ".dockerignore") if context else ".dockerignore"


def _copies_context(args: str) -> bool:
    words = [w for w in args.split() if not w.startswith("--")]
    return len(words) >= 2 and any(w in (".", "./") for w in words[:-1])


def _runner_contexts(project: Project) -> dict[str, set[str]]:
    """Dockerfile path -> the build contexts Compose and CI workflows build it with."""
    from ...project.compose import build_context, build_dockerfile, configs

    found: dict[str, set[str]] = {}
    for config in configs(project):
        for svc in config.services.values():
            build = svc.build
            if build is None or build.inline:
                continue
            dockerfile = build_dockerfile(project, build)
            context = build_context(project, build)
            if dockerfile is not None:
                found.setdefault(dockerfile, set()).add(UNKNOWN if context is None else context)
    for path, yf in project.yaml_files.items():
        if "/workflows/" in f"/{path}" or path.startswith(".gitlab-ci"):
            for doc in yf.documents:
                if doc.root is not None:
                    _workflow_builds(doc.root, found)
    return found


_DOCKER_BUILD = re.compile(r"docker\s+(?:buildx\s+)?build\b([^\n;&|]*)")


def _workflow_builds(node: YNode, found: dict[str, set[str]]) -> None:
    if isinstance(node, YSeq):
        for item in node.items:
            _workflow_builds(item, found)
        return
    if not isinstance(node, YMap):
        return
    uses = node.get_value("uses")
    if isinstance(uses, str) and uses.startswith("docker/build-push-action"):
        options = node.get_map("with")
        context = options.get_value("context") if options is not None else None
        dockerfile = options.get_value("file") if options is not None else None
        _add(found, context if isinstance(context, str) else ".",
             dockerfile if isinstance(dockerfile, str) else None)
    for key in ("run", "script"):
        script = node.get(key)
        lines = [script] if not isinstance(script, YSeq) else script.items
        for line in lines:
            value = getattr(line, "value", None)
            if isinstance(value, str):
                for match in _DOCKER_BUILD.finditer(value):
                    _docker_build(match.group(1), found)
    for _, value in node.items:
        _workflow_builds(value, found)


def _docker_build(args: str, found: dict[str, set[str]]) -> None:
    try:
        words = shlex.split(args.replace("\\\n", " "))
    except ValueError:
        return
    dockerfile: str | None = None
    positional: list[str] = []
    skip = False
    for i, word in enumerate(words):
        if skip:
            skip = False
            continue
        if word in ("-f", "--file"):
            dockerfile = words[i + 1] if i + 1 < len(words) else None
            skip = True
        elif word.startswith("--file="):
            dockerfile = word.split("=", 1)[1]
        elif word.startswith("-"):
            skip = "=" not in word and word in ("-t", "--tag", "--build-arg", "--target",
                                                 "--platform", "--label", "--cache-from",
                                                 "--cache-to", "--secret", "--ssh", "-o",
                                                 "--output", "--progress", "--network")
        else:
            positional.append(word)
    if positional:
        _add(found, positional[-1], dockerfile)


def _add(found: dict[str, set[str]], context: str, dockerfile: str | None) -> None:
    if "$" in context or "://" in context or (dockerfile is not None and "$" in dockerfile):
        return
    context = posixpath.normpath(context)
    if context.startswith(("..", "/")):
        return
    context = "" if context == "." else context
    # `file:` / `-f` are relative to the working directory (the repository root in CI)
    path = posixpath.normpath(dockerfile) if dockerfile is not None else \
        posixpath.join(context, "Dockerfile") if context else "Dockerfile"
    found.setdefault(path, set()).add(context)
