"""How the repository builds its images: every build of a Dockerfile that a Compose service, a
CI workflow (a `docker build` command, or docker/build-push-action and its drop-ins, also in
the repository's reusable workflows it calls, read with the caller's inputs), a
Makefile or build script, or skaffold runs, with its build context, its build arguments and
the image names it tags.

Read once per scan. The deployment model links what ships through these builds; the Docker
rules read a Dockerfile's contexts and build arguments from them.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ..artifacts.yamldocs import YamlFile, YMap, YScalar, YSeq
from . import Project

UNKNOWN = "?"  # a context only known once variables are expanded, or outside the repository

# Who runs a build.
COMPOSE = "compose"
ACTION = "docker/build-push-action"
COMMAND = "docker build"
SKAFFOLD = "skaffold"

CI_FILES = re.compile(r"(^|/)(\.(?:github|gitea|forgejo)/workflows/[^/]+|\.gitlab-ci\.ya?ml|"
                      r"\.circleci/[^/]+|\.buildkite/[^/]+|azure-pipelines[^/]*|cloudbuild[^/]*|"
                      r"bitbucket-pipelines\.ya?ml|\.drone\.ya?ml|Jenkinsfile)$")
BUILD_SCRIPT_NAMES = ("makefile", "justfile", "taskfile.yml", "taskfile.yaml")
# docker, podman and buildah (`buildah bud`) builds, `buildx` and `image` forms included.
_BUILD_COMMAND = re.compile(
    r"\b(?:docker|podman|buildah)\s+(?:buildx\s+|image\s+)?(?:build|bud)\b([^\n;&|]*)")
# build-push-action and its drop-in forks with the same inputs (`depot/build-push-action`);
# not a local action that happens to share the name.
_BUILD_PUSH_ACTION = re.compile(r"[\w.-]+/build-push-action(?:@.*)?")
# Options of `docker build` whose value is the next word.
_VALUE_OPTIONS = frozenset({
    "-t", "--tag", "--target", "--platform", "--label", "--cache-from", "--cache-to",
    "--secret", "--ssh", "-o", "--output", "--progress", "--network", "--build-context",
    "--build-arg", "-f", "--file"})
# A command inside the text an echo or printf prints, on the same line before it.
_PRINTED = re.compile(r"\b(?:echo|printf)\b[^\n]*[\"']")
# A command run on another machine (`ssh host 'docker build -t app src'`) builds that
# machine's directory, not a path of this checkout.
_REMOTE = re.compile(r"\bssh\b[^\n]*[\"']")
# A shell redirection ends the command's arguments: `docker build . > build.log`.
_REDIRECT = re.compile(r"^\d*(?:>>?|<)")


@dataclass(frozen=True, slots=True)
class ImageBuild:
    """One build of a Dockerfile that the repository runs."""

    dockerfile: str | None  # repository path; None: chosen at run time or outside the repository
    context: str  # repository path ("" for the root) or UNKNOWN
    source: str  # the file that runs the build
    how: str  # COMPOSE, ACTION, COMMAND or SKAFFOLD
    # build arguments: NAME -> value (None: the value comes from the builder's environment)
    args: dict[str, str | None] = field(default_factory=dict)
    images: tuple[str, ...] = ()  # image names it tags (`team/api`: no registry or tag)
    service: str = ""  # the Compose service that builds it
    # it also tags a name read at run time (`ghcr.io/${{ github.repository }}`), not the
    # names another step gives (`${{ steps.meta.outputs.tags }}`)
    runtime_name: bool = False
    target: str | None = None  # the stage it builds (`--target`, Compose `build.target`)
    # one of those names is the repository's own (`ghcr.io/${{ github.repository }}:tag`)
    repository_image: bool = False
    # the fixed ends of names read at run time: `${{ vars.REGISTRY_REPO }}/base:latest` -> base
    runtime_suffixes: tuple[str, ...] = ()
    # the names with the literal tags given them (`doccano/doccano:backend`): one repository
    # can hold the images of several Dockerfiles, told apart by tag
    tagged: tuple[str, ...] = ()
    # a build-push-action step that neither pushes, loads nor exports the image: CI checks
    # that it builds, and the image goes nowhere
    check_only: bool = False
    # a build-push-action step without `context`: BuildKit builds from the git repository at
    # the workflow's commit, which holds the tracked files only (no `.git`, no `.env`)
    git_context: bool = False


def project_builds(project: Project) -> list[ImageBuild]:
    """Every image build the repository runs: Compose services, CI files and build scripts
    (in path order), then skaffold configs."""
    cached = project.cache.get("image-builds")
    if isinstance(cached, list):
        return cached
    found = list(compose_builds(project))
    workflows = ci_documents(project)
    for path, documents in workflows.items():
        found += ci_file_builds(path, documents)
        found += reusable_workflow_builds(documents, workflows)
    for path, text in sorted(build_scripts(project)):
        found += _script_builds(project, path, text)
    for path, section, _ in skaffold_sections(project):
        found += skaffold_builds(path, section)
    project.cache["image-builds"] = found
    return found


def ci_documents(project: Project) -> dict[str, list[Any]]:
    """CI file path -> its YAML documents as data, in path order; each file converted once."""
    found: dict[str, list[Any]] = project.once("ci-documents", lambda: {
        path: _documents(yf) for path, yf in sorted(project.yaml_files.items())
        if CI_FILES.search(path)})
    return found


def image_builds(project: Project) -> dict[str, list[ImageBuild]]:
    """Dockerfile path -> every build of it the repository runs."""
    cached = project.cache.get("image-builds-by-dockerfile")
    if isinstance(cached, dict):
        return cached
    found: dict[str, list[ImageBuild]] = {}
    for build in project_builds(project):
        if build.dockerfile is not None:
            found.setdefault(build.dockerfile, []).append(build)
    project.cache["image-builds-by-dockerfile"] = found
    return found


def image_names(tags: Any) -> tuple[str, ...]:
    """The image names (`team/api`) in tags written as a list or as one text (one per line or
    comma-separated); those read at run time (`${{ … }}`, `$VERSION`) are left out."""
    return _tag_names(tags)[0]


# `ghcr.io/${{ github.repository }}:latest`: the image named after the repository itself
_REPOSITORY_TAG = re.compile(r"^(?:[\w.-]+(?::\d+)?/)?\$\{\{\s*github\.repository\s*\}\}"
                             r"(?::\S*)?$")


def _names_repository(tags: Any) -> bool:
    return any(_REPOSITORY_TAG.match(str(tag).strip()) for tag in _tag_items(tags))


def _tag_items(tags: Any) -> list[Any]:
    """The tags of a `tags:` value: a list, or a comma- or line-separated string."""
    return tags if isinstance(tags, list) else str(tags or "").replace(",", "\n").split("\n")


# `${{ steps.meta.outputs.tags }}`: the names another step (docker/metadata-action) gives
_STEP_OUTPUT = re.compile(r"\$\{\{\s*steps\.[\w-]+\.outputs\.[\w-]+\s*\}\}")


def _tag_names(tags: Any) -> tuple[tuple[str, ...], bool]:
    """(image names, some name is read at run time and not given by another step)."""
    from .compose import UNKNOWN as UNSET
    from .compose import image_repository

    names: list[str] = []
    runtime = False
    for tag in _tag_items(tags):
        tag = str(tag).strip()
        name = "" if "${{" in tag.split(":", 1)[0] else "/".join(
            p for p in image_repository(tag) if p)
        if name and UNSET not in name and "$" not in name:
            names.append(name)
        elif "$" in tag and not _STEP_OUTPUT.fullmatch(tag):
            runtime = True
    return tuple(names), runtime


def _tagged(tags: Any) -> tuple[str, ...]:
    """`name:tag` (no registry) of each tag spelled out in full: `doccano/doccano:backend`."""
    from .compose import image_repository

    found = []
    for tag in _tag_items(tags):
        tag = str(tag).strip().split("@", 1)[0]
        name, _, version = tag.rpartition(":")
        if name and version and "/" not in version and "$" not in tag:
            found.append("/".join(p for p in image_repository(name) if p) + ":" + version)
    return tuple(found)


def _runtime_suffixes(tags: Any) -> tuple[str, ...]:
    """The fixed repository path after a run-time owner: `${{ vars.REPO }}/base:latest` ->
    `base` (nothing for `ghcr.io/${{ github.repository }}`)."""
    found = []
    for tag in _tag_items(tags):
        name = str(tag).strip().split("@", 1)[0]
        head, slash, last = name.rpartition("/")
        name = head + slash + last.split(":", 1)[0]  # without its tag (`:${{ github.sha }}`)
        if "}}" not in name:
            continue
        rest = name.rsplit("}}", 1)[1].strip("/")
        if rest and "$" not in rest and re.fullmatch(r"[\w./-]+", rest):
            found.append(rest.lower())
    return tuple(found)


# --------------------------------------------------------------------------- Compose


def compose_builds(project: Project) -> Iterator[ImageBuild]:
    """The `build:` of every Compose service (`.env` and defaults interpolated)."""
    from .compose import build_context, build_dockerfile, configs

    for config in configs(project):
        for name, svc in config.services.items():
            build = svc.build
            if build is None:
                continue
            context = build_context(project, build)
            found = svc.find("build")
            images, runtime = _tag_names(svc.image or "")
            yield ImageBuild(build_dockerfile(project, build),
                             UNKNOWN if context is None else context, build.path, COMPOSE,
                             _compose_args(found[2] if found is not None else None),
                             images, name, runtime, build.target)


def _compose_args(node: object) -> dict[str, str | None]:
    args = node.get("args") if isinstance(node, YMap) else None
    out: dict[str, str | None] = {}
    if isinstance(args, YMap):
        for key, value in args.items:
            out[str(key.value)] = None if not isinstance(value, YScalar) or value.value is None \
                else str(value.value)
    elif isinstance(args, YSeq):
        for item in args.items:
            if isinstance(item, YScalar) and isinstance(item.value, str):
                name, sep, given = item.value.partition("=")
                out[name.strip()] = given if sep else None
    return out


# --------------------------------------------------------------------------- CI and scripts


def ci_file_builds(path: str, documents: list[Any]) -> list[ImageBuild]:
    """The builds of one CI file (its YAML documents as data): build-push-action steps, and
    build commands in any of its texts (`run:`, `script:`, `before_script:`, `command:` …),
    each job read once per entry of its build matrix."""
    values = list(walk(*(_with_matrices(d) for d in documents)))
    # docker/metadata-action names the images that build-push-action then tags
    named = {str(v.get("id") or ""): str(v["with"].get("images") or "") for v in values
             if isinstance(v, dict) and "metadata-action" in str(v.get("uses") or "")
             and isinstance(v.get("with"), dict)}
    found: list[ImageBuild] = []
    for value in values:
        if isinstance(value, dict):
            uses, options = value.get("uses"), value.get("with")
            if isinstance(uses, str) and _BUILD_PUSH_ACTION.fullmatch(uses.strip()) and \
                    isinstance(options, dict):
                if _ACTION_V1.fullmatch(uses.strip()):
                    options = _v1_inputs(options)
                found.append(_action_build(options, path, named))
        elif isinstance(value, str):
            found += command_builds(value, path)
    return found


# `${{ matrix.image_name }}`: a value of the job's build matrix
_MATRIX = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")
MATRIX_ENTRIES = 32  # more combinations than a repository builds images: read none


def _with_matrices(document: Any) -> Any:
    """A GitHub Actions workflow whose jobs are repeated once per entry of their matrix, the
    entry's values in place of `${{ matrix.x }}`: the entries of `include:` (each image with
    its Dockerfile and context), else every combination of the listed values."""
    jobs = document.get("jobs") if isinstance(document, dict) else None
    if not isinstance(jobs, dict):
        return document
    expanded = {}
    for name, job in jobs.items():
        entries = _matrix_entries(job)
        expanded[name] = [_with_values(job, entry, _MATRIX) for entry in entries] if entries \
            else job
    return {**document, "jobs": expanded}


def _matrix_entries(job: Any) -> list[dict[str, str]]:
    strategy = job.get("strategy") if isinstance(job, dict) else None
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if not isinstance(matrix, dict):
        return []
    listed = matrix.get("include")
    if isinstance(listed, list) and len(listed) > MATRIX_ENTRIES:
        return []
    include = [{str(k): str(v) for k, v in entry.items()} for entry in listed
               if isinstance(entry, dict)] if isinstance(listed, list) else []
    axes = {str(k): [str(v) for v in values] for k, values in matrix.items()
            if k not in ("include", "exclude") and isinstance(values, list) and values}
    combinations: list[dict[str, str]] = [{}]
    for key, values in axes.items():
        combinations = [{**c, key: v} for c in combinations for v in values]
        if len(combinations) > MATRIX_ENTRIES:
            return []
    # an include entry adds keys to the combinations it matches, or stands alone
    entries = [dict(c) for c in combinations] if axes else []
    for extra in include:
        matched = [e for e in entries if all(e.get(k, v) == v for k, v in extra.items()
                                             if k in axes)]
        for entry in matched:
            entry.update(extra)
        if not matched:
            entries.append(extra)
    return entries[:MATRIX_ENTRIES]


def _with_values(value: Any, entry: dict[str, Any], pattern: re.Pattern[str]) -> Any:
    """`value` with every reference `pattern` matches and `entry` names replaced by it."""
    if isinstance(value, str):
        return pattern.sub(lambda m: str(entry[m[1]]) if m[1] in entry else m[0], value)
    if isinstance(value, list):
        return [_with_values(v, entry, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _with_values(v, entry, pattern) for k, v in value.items()}
    return value


def _documents(yf: YamlFile) -> list[Any]:
    return [doc.root.to_python() for doc in yf.documents if doc.root is not None]


# `${{ inputs.image-name }}`: an input of a reusable workflow, given by the job that calls it
_INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def reusable_workflow_builds(documents: list[Any], workflows: dict[str, list[Any]]
                             ) -> list[ImageBuild]:
    """The builds a GitHub Actions workflow runs through the reusable workflows of the
    repository it calls (`uses: ./.github/workflows/build.yml` with `with:`): the called
    workflow's builds (`workflows`: CI file -> its documents), read with the caller's inputs
    (or the inputs' defaults)."""
    found: list[ImageBuild] = []
    for job in walk(*documents):
        if not isinstance(job, dict):
            continue
        uses = job.get("uses")
        if not isinstance(uses, str) or not uses.startswith("./.github/workflows/"):
            continue
        called = uses[2:].split("@", 1)[0]
        target = workflows.get(called)
        if target is None:
            continue
        given = job.get("with")
        if not isinstance(given, dict):
            given = {}
        inputs = {**_input_defaults(target), **{str(k): v for k, v in given.items()
                                                if isinstance(v, str | int | float | bool)}}
        found += ci_file_builds(called, [_with_inputs(d, inputs) for d in target])
    return found


def _input_defaults(documents: list[Any]) -> dict[str, Any]:
    """`on.workflow_call.inputs.<name>.default` of a reusable workflow."""
    for doc in documents:
        on = doc.get("on", doc.get(True)) if isinstance(doc, dict) else None  # YAML 1.1: on
        call = on.get("workflow_call") if isinstance(on, dict) else None
        inputs = call.get("inputs") if isinstance(call, dict) else None
        if isinstance(inputs, dict):
            return {str(name): spec["default"] for name, spec in inputs.items()
                    if isinstance(spec, dict) and isinstance(spec.get("default"),
                                                             str | int | float | bool)}
    return {}


def _with_inputs(value: Any, inputs: dict[str, Any]) -> Any:
    """`value` with every `${{ inputs.x }}` whose value is known replaced by it."""
    return _with_values(value, inputs, _INPUT)


# docker/build-push-action@v1: `repository` and bare `tags`, `path` for the context,
# `dockerfile`, `build_args`; it pushes unless told not to
_ACTION_V1 = re.compile(r"docker/build-push-action@v1(?:\.[\d.]*)?")


def _v1_inputs(options: dict[str, Any]) -> dict[str, Any]:
    """Version 1's inputs under the names the later versions use."""
    repository = str(options.get("repository") or "")
    tags = [t.strip() for t in str(options.get("tags") or "latest").split(",") if t.strip()]
    args = options.get("build_args")
    return {
        "context": options.get("path") or ".",
        "file": options.get("dockerfile"),
        "tags": "\n".join(f"{repository}:{t}" for t in tags) if repository else None,
        "build-args": "\n".join(a.strip() for a in str(args).split(",")) if args else None,
        "target": options.get("target"),
        "push": options.get("push", True),
    }


# `/github/workspace/docker/Dockerfile`, `${{ github.workspace }}/docker/Dockerfile`: the
# checkout, as the runner's path
_WORKSPACE = re.compile(r"^(?:/github/workspace|\$\{\{\s*github\.workspace\s*\}\})(?:/|$)")


def _action_build(options: dict[str, Any], source: str, named: dict[str, str]) -> ImageBuild:
    """build-push-action: `file` is relative to the workspace, not to the context."""
    given = _WORKSPACE.sub("", str(options.get("context") or ".")) or "."
    context = _inside(given) if "$" not in given and "://" not in given else None
    file = _WORKSPACE.sub("", str(options.get("file") or ""))
    if file:
        dockerfile = _inside(file) if "$" not in file else None
    else:
        dockerfile = _default_dockerfile(context)
    tags = options.get("tags")
    images, runtime = _tag_names(tags)
    own = _names_repository(tags)
    if not images:
        metadata = _metadata_images(named, str(tags or ""))
        images, more = _tag_names(metadata)
        runtime, own = runtime or more, own or _names_repository(metadata)
    target = options.get("target")
    return ImageBuild(dockerfile, UNKNOWN if context is None else context, source, ACTION,
                      _action_args(options.get("build-args")), images, runtime_name=runtime,
                      target=str(target) if target and "$" not in str(target) else None,
                      repository_image=own, runtime_suffixes=_runtime_suffixes(tags),
                      tagged=_tagged(tags), check_only=not any(
                          _may_be_true(options.get(key)) for key in ("push", "load", "outputs")),
                      git_context="context" not in options)


def _may_be_true(value: Any) -> bool:
    """An action input that is, or may be at run time, set (`true`, `${{ … }}`, an output
    list); the inputs default to false."""
    if value is None or value is False:
        return False
    return str(value).strip().lower() not in ("", "false")


def _metadata_images(named: dict[str, str], tags: str) -> str:
    """The images of the metadata-action step whose outputs a build's `tags` use."""
    step = re.search(r"steps\.([\w-]+)\.outputs", tags)
    if step is not None:
        return named.get(step[1], "")
    return next(iter(named.values())) if len(named) == 1 else ""


def _action_args(value: Any) -> dict[str, str | None]:
    """build-push-action's `build-args`: one NAME=value per line (or a list of them)."""
    lines = value.splitlines() if isinstance(value, str) else \
        [str(i) for i in value if i is not None] if isinstance(value, list) else []
    out: dict[str, str | None] = {}
    for line in lines:
        name, sep, given = line.strip().partition("=")
        if name:
            out[name] = given if sep else None
    return out


def build_scripts(project: Project) -> Iterator[tuple[str, str]]:
    """(path, text) of the Makefiles, justfiles, Taskfiles and shell scripts that may build
    images, in the project's file order."""
    from .deployment import path_role

    for path, text in project.texts.items():
        name = posixpath.basename(path).lower()
        if name in BUILD_SCRIPT_NAMES or (name.endswith(".sh") and path_role(path) is None):
            yield path, text


def _script_builds(project: Project, path: str, text: str) -> list[ImageBuild]:
    """The builds of a Makefile or script, with the names `docker tag` gives their images.

    A Makefile runs in its own directory; a shell script in its caller's, which for one
    under a directory is usually the repository root (`build_helpers/publish.sh` run by CI):
    its paths are read from its own directory, else from the root when only there the
    Dockerfile exists."""
    base = posixpath.dirname(path)
    builds = command_builds(text, path, base=base)
    if base and path.endswith(".sh"):
        from_root = command_builds(text, path)
        builds = [root if build.dockerfile not in project.dockerfiles and
                  root.dockerfile in project.dockerfiles else build
                  for build, root in zip(builds, from_root, strict=True)]
    aliases = _tag_aliases(text)
    if not aliases:
        return builds
    named = []
    for build in builds:
        extra = tuple(dict.fromkeys(a for name in build.images for a in aliases.get(name, ())
                                    if a not in build.images))
        named.append(replace(build, images=build.images + extra) if extra else build)
    return named


# `docker tag app:1.2 ${IMAGE_NAME}:1.2` and a script's plain `IMAGE_NAME=acme/app`
_TAG_COMMAND = re.compile(r"\b(?:docker|podman)\s+(?:image\s+)?tag\s+(\S+)\s+(\S+)")
_ASSIGNMENT = re.compile(
    r"^[ \t]*(?:export[ \t]+)?([A-Za-z_]\w*)=([\w./:-]+|\"[\w./:-]+\")[ \t]*$", re.MULTILINE)
_REFERENCE = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")


def _tag_aliases(text: str) -> dict[str, list[str]]:
    """Image name -> the names `docker tag` gives it in a shell text, with the script's
    literal variable assignments expanded (a name still holding `$` is left out)."""
    if "tag" not in text:
        return {}
    values = {m[1]: m[2].strip('"') for m in _ASSIGNMENT.finditer(text)}
    aliases: dict[str, list[str]] = {}
    for m in _TAG_COMMAND.finditer(text):
        source, target = (_REFERENCE.sub(lambda r: values.get(r[1], r[0]), word.strip("'\""))
                          for word in (m[1], m[2]))
        source_names, _ = _tag_names([source])
        target_names, _ = _tag_names([target])
        for name in source_names:
            aliases.setdefault(name, []).extend(target_names)
    return aliases


def command_builds(text: str, source: str, base: str = "") -> list[ImageBuild]:
    """The builds of the build commands in a shell text (continuation lines joined); `base`:
    the directory the commands run in (a script's own, else the repository root). A command
    a script only prints (`echo "docker build -t $IMAGE ."`) builds nothing; one it runs over
    ssh builds a Dockerfile of the remote machine (its image names still count)."""
    joined = text.replace("\\\n", " ")
    builds = []
    for m in _BUILD_COMMAND.finditer(joined):
        line_start = joined.rfind("\n", 0, m.start()) + 1
        if _PRINTED.search(joined, line_start, m.start()):
            continue
        build = _command_build(m[1], source, base)
        if _REMOTE.search(joined, line_start, m.start()):
            build = replace(build, dockerfile=None, context=UNKNOWN)
        builds.append(build)
    return builds


# `${{ matrix.registry.name }}`, `$(git describe --tags)`: a workflow expression or a command
# substitution is one word, whatever its spaces
_EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}|\$\([^()]*\)")


def _command_build(arguments: str, source: str, base: str) -> ImageBuild:
    # spaces inside an expression are held as NULs while the words split, then restored
    arguments = _EXPRESSION.sub(lambda m: m[0].replace(" ", "\0"), arguments)
    try:
        words = shlex.split(arguments, comments=True)
    except ValueError:
        words = arguments.split()
    words = [word.replace("\0", " ") for word in words]
    dockerfile: str | None = None
    args: dict[str, str | None] = {}
    tags: list[str] = []
    target: str | None = None
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if _REDIRECT.match(word):
            break
        option, sep, inline = word.partition("=")
        if option in _VALUE_OPTIONS and word.startswith("-"):
            value = inline if sep else words[i + 1] if i + 1 < len(words) else ""
            i += 1 if sep else 2
            if option in ("-f", "--file"):
                dockerfile = value or None
            elif option in ("-t", "--tag"):
                tags.append(value)
            elif option == "--target":
                target = value if value and "$" not in value else None
            elif option == "--build-arg":
                name, has, given = value.partition("=")
                args[name] = given if has else None
            continue
        if not word.startswith("-"):
            positional.append(word)
        i += 1
    images, runtime = _tag_names(tags)
    # the context is the one argument `docker build` takes: the last word that is not an
    # option (a value of an option this reader does not know comes before it)
    context = positional[-1] if positional else None
    if context is None or "$" in context or "://" in context or (
            dockerfile is not None and ("$" in dockerfile or dockerfile == "-")):
        return ImageBuild(None, UNKNOWN, source, COMMAND, args, images, runtime_name=runtime,
                          target=target, runtime_suffixes=_runtime_suffixes(tags))
    directory = _inside(posixpath.join(base, context))
    # `-f` is relative to the working directory, like the context
    path = _inside(posixpath.join(base, dockerfile)) if dockerfile is not None else \
        _default_dockerfile(directory)
    return ImageBuild(path, UNKNOWN if directory is None else directory, source, COMMAND, args,
                      images, runtime_name=runtime, target=target,
                      runtime_suffixes=_runtime_suffixes(tags), tagged=_tagged(tags))


# --------------------------------------------------------------------------- skaffold


# Named build contexts a build passes (`FROM base` is then that context, not a pulled image):
# a bake file's `contexts = { base = "target:base" }`, Compose `additional_contexts`,
# `docker buildx build --build-context base=…` and build-push-action's `build-contexts`.
_BAKE_CONTEXTS = re.compile(r"\bcontexts\s*=\s*\{([^{}]{0,4000})\}")
_BAKE_ENTRY = re.compile(r"[\"']?([\w.-]+)[\"']?\s*[=:]\s*[\"']")
_CONTEXT_FLAG = re.compile(r"--build-context[ =]([\w.-]+)=")
_ACTION_CONTEXTS = re.compile(r"build-contexts:\s*[|>]?[-+]?\s*\n((?:[ \t]+[\w.-]+=[^\n]*\n?)+)")


def named_build_contexts(project: Project) -> set[str]:
    """Names of the build contexts the repository's builds pass by name, read once per scan."""
    found: set[str] = project.once("named-build-contexts",
                                   lambda: _named_build_contexts(project))
    return found


def _named_build_contexts(project: Project) -> set[str]:
    found: set[str] = set()
    texts = [text for path, text in project.texts.items() if path.endswith(".hcl")
             or posixpath.basename(path).lower() in BUILD_SCRIPT_NAMES or path.endswith(".sh")]
    texts += [yf.text for yf in project.yaml_files.values()]
    for text in texts:
        if "context" not in text:
            continue
        for block in _BAKE_CONTEXTS.findall(text):
            found.update(_BAKE_ENTRY.findall(block))
        found.update(_CONTEXT_FLAG.findall(text))
        for block in _ACTION_CONTEXTS.findall(text):
            found.update(line.strip().split("=", 1)[0] for line in block.splitlines()
                         if "=" in line)
    for yf in project.compose_files().values():
        if "additional_contexts" not in yf.text:
            continue
        for doc in yf.documents:
            for value in walk(doc.root.to_python() if doc.root is not None else None):
                if isinstance(value, dict) and "additional_contexts" in value:
                    extra = value["additional_contexts"]
                    if isinstance(extra, dict):
                        found.update(str(k) for k in extra)
                    elif isinstance(extra, list):
                        found.update(str(e).split("=", 1)[0] for e in extra if "=" in str(e))
    return found


def skaffold_sections(project: Project) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(path, section, is a profile) of every skaffold config: each document, then each of its
    profiles, in path order."""
    for path, yf in sorted(project.yaml_files.items()):
        if not posixpath.basename(path).lower().startswith("skaffold"):
            continue
        for doc in yf.documents:
            data = doc.root.to_python() if doc.root is not None else None
            if not isinstance(data, dict):
                continue
            yield path, data, False
            for profile in data.get("profiles") or ():
                if isinstance(profile, dict):
                    yield path, profile, True


def skaffold_builds(path: str, section: dict[str, Any]) -> list[ImageBuild]:
    """`build.artifacts` of a skaffold section: context and Dockerfile (relative to the
    config and to the context), `docker.buildArgs` and the artifact's image."""
    build = section.get("build")
    found: list[ImageBuild] = []
    for artifact in (build.get("artifacts") or ()) if isinstance(build, dict) else ():
        if not isinstance(artifact, dict):
            continue
        given = str(artifact.get("context") or ".")
        docker = artifact.get("docker")
        docker = docker if isinstance(docker, dict) else {}
        file = str(docker.get("dockerfile") or "Dockerfile")
        context = _inside(posixpath.join(posixpath.dirname(path), given)) \
            if "$" not in given and "://" not in given else None
        dockerfile = _inside(posixpath.join(posixpath.dirname(path), given, file)) \
            if "$" not in given + file and "://" not in given else None
        args = docker.get("buildArgs")
        args = args if isinstance(args, dict) else {}
        image = artifact.get("image")
        images, runtime = _tag_names(image) if isinstance(image, str) else ((), False)
        found.append(ImageBuild(
            dockerfile, UNKNOWN if context is None else context, path, SKAFFOLD,
            {str(k): None if v is None else str(v) for k, v in args.items()}, images,
            runtime_name=runtime))
    return found


# --------------------------------------------------------------------------- helpers


def _inside(path: str) -> str | None:
    """A path normalised to the repository ("" for the root); None outside it."""
    path = posixpath.normpath(path)
    if path.startswith(("..", "/")):
        return None
    return "" if path == "." else path


def _default_dockerfile(context: str | None) -> str | None:
    """The `Dockerfile` at the root of a context (None: the context is not known)."""
    if context is None:
        return None
    return posixpath.join(context, "Dockerfile") if context else "Dockerfile"


def walk(*values: Any) -> Iterator[Any]:
    """Every value nested in `values` (mappings and lists), depth first."""
    stack: list[Any] = list(values)
    while stack:
        value = stack.pop()
        yield value
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
