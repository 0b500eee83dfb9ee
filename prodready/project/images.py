"""What a Dockerfile's image holds and runs, read from its instructions: the stages an image
is built from, the ENTRYPOINT/CMD in effect, and which repository file its COPY/ADD
instructions put at a path of the image. Read once per Dockerfile and kept on `project.cache`,
for the Docker rules and the startup model alike."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..artifacts.dockerfile import Dockerfile, Instruction, Stage, substitute, variables
from . import Project

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_PATH_WORD = re.compile(r"[\w./${}-]+")


def script_words(text: str, suffixes: tuple[str, ...]) -> list[str]:
    """The words of a command or script that name a file ending with one of `suffixes`
    (`./docker/start.sh`, `uwsgi.ini`): one linear pass, so a long token of data cannot
    make it slow."""
    return [word for word in _PATH_WORD.findall(text) if word.endswith(suffixes)]
# Where a base image finds a command named without a directory, before the image's own PATH.
_DEFAULT_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def stage_chain(df: Dockerfile, stage: Stage | None) -> list[Stage]:
    """`stage` plus the stages it builds FROM (their settings are inherited)."""
    by_name = {s.name: s for s in df.stages if s.name}
    chain: list[Stage] = []
    while stage is not None and stage not in chain:
        chain.append(stage)
        stage = by_name.get(stage.base_image.lower())
    return chain


def effective_stages(df: Dockerfile) -> list[Stage]:
    """The final stage plus the stages it builds FROM (their settings are inherited)."""
    return stage_chain(df, df.final_stage)


def target_stages(df: Dockerfile, target: str | None) -> list[Stage]:
    """The stages of the image built for `target` (the final stage when no stage has that
    name) plus the stages it builds FROM."""
    by_name = {s.name: s for s in df.stages if s.name}
    stage = by_name.get(target.lower()) if target else None
    return stage_chain(df, stage) if stage is not None else effective_stages(df)


def shipped_targets(project: Project, path: str) -> set[str | None]:
    """The targets the deployed builds of a Dockerfile select (None: the final stage, also
    when nothing builds it)."""
    from .builds import image_builds
    from .deployment import deployment_of

    model = deployment_of(project)
    return {b.target for b in image_builds(project).get(path, ())
            if model.role_of(b.source).judged} or {None}


def shipped_stage(project: Project, df: Dockerfile) -> Stage | None:
    """The stage whose image ships: the final stage, unless it only extends the one target
    every deployed build selects (`FROM runtime AS runtime-dev` after `runtime`): then that
    target. A build of an earlier stage the final one merely copies from (a CI check of the
    builder) leaves the final stage."""
    targets = shipped_targets(project, df.path)
    target = next(iter(targets)) if len(targets) == 1 else None
    final = df.final_stage
    if not target or final is None:
        return final
    chosen = target_stages(df, target)[0]
    return chosen if chosen in stage_chain(df, final) else final


def image_commands(df: Dockerfile, target: str | None) -> list[Instruction]:
    """The ENTRYPOINT and CMD in effect in the image built for `target` (the last stage when
    no stage has that name), inherited from the stages it is built FROM."""
    found: dict[str, Instruction] = {}
    for current in target_stages(df, target):
        for keyword in ("ENTRYPOINT", "CMD"):
            matches = current.find(keyword)
            if matches and keyword not in found:
                found[keyword] = matches[-1]
    return [found[k] for k in ("ENTRYPOINT", "CMD") if k in found]


@dataclass(slots=True)
class _Copy:
    source: str  # repository path (a file or a directory)
    dest: str  # absolute image path (a file, or the directory the source lands in)
    directory: bool  # the source is a directory: its contents land under dest


@dataclass(slots=True)
class ImageFiles:
    """The repository files copied into a Dockerfile's final image, and its variables."""

    project: Project
    copies: list[_Copy] = field(default_factory=list)
    env: dict[str, str | None] = field(default_factory=dict)
    workdir: str = "/"

    def source(self, image_path: str) -> str | None:
        """The repository path of the file at `image_path` (relative to WORKDIR), if any."""
        path = posixpath.normpath(posixpath.join(self.workdir, self.expand(image_path)))
        for copy in reversed(self.copies):  # a later COPY overwrites an earlier one
            if copy.directory:
                root = copy.dest.rstrip("/") + "/"
                if path.startswith(root):
                    rest = path[len(root):]
                    candidate = posixpath.join(copy.source, rest) if copy.source else rest
                    if self.project.has_file(candidate):
                        return candidate
            elif path in (copy.dest, posixpath.join(copy.dest, posixpath.basename(copy.source))):
                return copy.source
        return None

    def executable(self, word: str) -> str | None:
        """The repository path of the file a command word runs: a path (relative to WORKDIR),
        or a bare name (`docker-entrypoint.sh`) also looked up in the image's PATH."""
        found = self.source(word)
        if found is not None or "/" in word:
            return found
        path = self.expand(self.env.get("PATH") or "").split(":")
        for directory in [*(d for d in path if d.startswith("/")), *_DEFAULT_PATH]:
            found = self.source(posixpath.join(directory, word))
            if found is not None:
                return found
        return None

    def files(self) -> Iterator[tuple[str, str]]:
        """(image path, repository path) of every copied file."""
        for copy in self.copies:
            if not copy.directory:
                yield copy.dest, copy.source
                continue
            prefix = copy.source + "/" if copy.source else ""
            for path in self.project.all_files:
                if path.startswith(prefix):
                    yield posixpath.join(copy.dest, path[len(prefix):]), path

    def text(self, image_path: str) -> str | None:
        source = self.source(image_path)
        return self.project.texts.get(source) if source else None

    def expand(self, value: str) -> str:
        return substitute(value, self.env)


def image_files(project: Project, df: Dockerfile, target: str | None = None) -> ImageFiles:
    """What the image built for `target` (the final stage when none is named, and the stages
    it builds FROM) copies from the build context. The context is the Dockerfile's directory
    or one of its parents: the nearest one holding the source wins."""
    cache = project.cache.setdefault("docker-image-files", {})
    assert isinstance(cache, dict)
    stages = target_stages(df, target)
    key = (df.path, stages[0].index if stages else 0)
    found = cache.get(key)
    if isinstance(found, ImageFiles):
        return found
    files = ImageFiles(project, env={k: v for k, v in df.global_args.items()})
    directories = _directories(project)
    home = posixpath.dirname(df.path)
    context = _build_context(stages, project, directories, home)
    for stage in reversed(stages):
        _read_stage(stage, files, directories, context, home)
    cache[key] = files
    return files


def _build_context(stages: list[Stage], project: Project, directories: set[str],
                   home: str) -> str:
    """The build context: the Dockerfile's directory, or the parent where a copied file is
    (`docker/Dockerfile` built from the root copies `requirements.txt`), so that `COPY .`
    copies that parent too."""
    context = home
    for stage in stages:
        for ins in stage.instructions:
            if ins.keyword not in ("COPY", "ADD") or "from" in ins.flags:
                continue
            for source in ins.copy_words()[:-1]:
                if _URL.match(source) or "*" in source or "$" in source:
                    continue
                found = _in_context(source, home, project, directories)
                if found is None or found[1]:
                    continue
                where = _context_of(found[0], source)
                if where is not None and len(where) < len(context):
                    context = where
    return context


def _context_of(path: str, source: str) -> str | None:
    """The directory `source` was found under as `path` (`requirements.txt` -> "")."""
    source = posixpath.normpath(source.lstrip("/"))
    if path == source:
        return ""
    return path[:-len(source) - 1] if path.endswith("/" + source) else None


def _read_stage(stage: Stage, files: ImageFiles, directories: set[str], context: str,
                home: str) -> None:
    for ins in stage.instructions:
        if ins.keyword in ("ARG", "ENV"):
            for name, value in variables(ins.keyword, ins.args):
                if value is not None or name not in files.env:
                    files.env[name] = substitute(value, files.env) if value else value
        elif ins.keyword == "WORKDIR" and ins.args.strip():
            files.workdir = posixpath.normpath(posixpath.join(files.workdir,
                                                              files.expand(ins.args.strip())))
        elif ins.keyword in ("COPY", "ADD") and "from" not in ins.flags:
            words = ins.copy_words()
            if len(words) < 2:
                continue
            *sources, dest = (files.expand(w) for w in words)
            dest = posixpath.join(files.workdir, dest)
            many = len(sources) > 1 or dest.endswith("/")
            for source in sources:
                if _URL.match(source) or "*" in source or "$" in source:
                    continue
                found = _in_context(source, context, files.project, directories) or (
                    _in_context(source, home, files.project, directories))
                if found is None:
                    continue
                path, directory = found
                target = posixpath.normpath(dest)
                if many and not directory:
                    target = posixpath.join(target, posixpath.basename(path))
                files.copies.append(_Copy(path, target, directory))


def context_file(project: Project, df: Dockerfile, source: str) -> str | None:
    """The repository file a COPY source names (None: a directory, or not in the
    repository)."""
    found = _in_context(source, posixpath.dirname(df.path), project, _directories(project))
    return found[0] if found is not None and not found[1] else None


def _in_context(source: str, home: str, project: Project, directories: set[str]
                ) -> tuple[str, bool] | None:
    """(repository path, is a directory) of a COPY source, tried from the Dockerfile's own
    directory up to the repository root."""
    source = posixpath.normpath(source.lstrip("/"))
    context = home
    while True:
        path = posixpath.normpath(posixpath.join(context, source)) if context else source
        path = "" if path == "." else path
        if path.startswith(".."):
            return None
        if path and project.has_file(path):
            return path, False
        if path in directories:
            return path, True
        if not context:
            return None
        context = posixpath.dirname(context)


def _directories(project: Project) -> set[str]:
    cached = project.cache.get("docker-directories")
    if isinstance(cached, set):
        return cached
    found = {""}
    for path in project.all_files:
        directory = posixpath.dirname(path)
        while directory and directory not in found:
            found.add(directory)
            directory = posixpath.dirname(directory)
    project.cache["docker-directories"] = found
    return found
