"""How the repository builds its Dockerfiles: the context and the build arguments of each
build by Compose, CI workflows, Makefiles and build scripts."""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...artifacts.yamldocs import YMap, YNode, YScalar, YSeq
from ...project import Project
from ...project.deployment import build_command_arguments, build_scripts

if TYPE_CHECKING:
    from ...project.compose import Service

UNKNOWN = "?"  # a context only known once variables are expanded
_VALUE_OPTIONS = ("-t", "--tag", "--target", "--platform", "--label", "--cache-from",
                  "--cache-to", "--secret", "--ssh", "-o", "--output", "--progress", "--network",
                  "--build-context")


@dataclass(frozen=True, slots=True)
class ImageBuild:
    context: str  # repository path ("" for the root) or UNKNOWN
    source: str  # the file that runs the build
    # `--build-arg NAME=value`; None: the value comes from the builder's environment
    args: dict[str, str | None] = field(default_factory=dict)


def image_builds(project: Project) -> dict[str, list[ImageBuild]]:
    """Dockerfile path -> every build of it the repository runs."""
    cached = project.cache.get("docker-image-builds")
    if isinstance(cached, dict):
        return cached
    from ...project.compose import build_context, build_dockerfile, configs

    found: dict[str, list[ImageBuild]] = {}
    for config in configs(project):
        for svc in config.services.values():
            build = svc.build
            if build is None or build.inline:
                continue
            dockerfile = build_dockerfile(project, build)
            context = build_context(project, build)
            if dockerfile is not None:
                found.setdefault(dockerfile, []).append(ImageBuild(
                    UNKNOWN if context is None else context, build.path, _compose_args(svc)))
    for path, yf in project.yaml_files.items():
        if "/workflows/" in f"/{path}" or path.startswith(".gitlab-ci"):
            for doc in yf.documents:
                if doc.root is not None:
                    _workflow_builds(doc.root, path, found)
    for path, yf in project.yaml_files.items():
        if posixpath.basename(path).lower().startswith("skaffold"):
            for doc in yf.documents:
                data = doc.root.to_python() if doc.root is not None else None
                if isinstance(data, dict):
                    _skaffold_builds(data, path, found)
    for path, text in build_scripts(project):
        for arguments in build_command_arguments(text, buildah=False):
            _docker_build(arguments, path, found, base=posixpath.dirname(path))
    project.cache["docker-image-builds"] = found
    return found


def _skaffold_builds(data: dict[str, Any], source: str, found: dict[str, list[ImageBuild]]) -> None:
    """`build.artifacts` of a skaffold config and its profiles: context, Dockerfile (relative
    to the context) and `docker.buildArgs`."""
    directory = posixpath.dirname(source)
    profiles = [p for p in data.get("profiles") or () if isinstance(p, dict)]
    for section in [data, *profiles]:
        build = section.get("build")
        for artifact in (build.get("artifacts") or ()) if isinstance(build, dict) else ():
            if not isinstance(artifact, dict):
                continue
            context = posixpath.join(directory, str(artifact.get("context") or "."))
            docker = artifact.get("docker")
            docker = docker if isinstance(docker, dict) else {}
            args = docker.get("buildArgs")
            args = args if isinstance(args, dict) else {}
            dockerfile = posixpath.join(context, str(docker.get("dockerfile") or "Dockerfile"))
            _add(found, context, dockerfile, source,
                 {str(k): None if v is None else str(v) for k, v in args.items()})


def _compose_args(svc: Service) -> dict[str, str | None]:
    found = svc.find("build")
    node = found[2] if found is not None else None
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


def _workflow_builds(node: YNode, source: str, found: dict[str, list[ImageBuild]]) -> None:
    if isinstance(node, YSeq):
        for item in node.items:
            _workflow_builds(item, source, found)
        return
    if not isinstance(node, YMap):
        return
    uses = node.get_value("uses")
    if isinstance(uses, str) and uses.startswith("docker/build-push-action"):
        options = node.get_map("with")
        context = options.get_value("context") if options is not None else None
        dockerfile = options.get_value("file") if options is not None else None
        _add(found, context if isinstance(context, str) else ".",
             dockerfile if isinstance(dockerfile, str) else None, source,
             _action_args(options.get("build-args") if options is not None else None))
    for key in ("run", "script"):
        script = node.get(key)
        lines = [script] if not isinstance(script, YSeq) else script.items
        for line in lines:
            value = getattr(line, "value", None)
            if isinstance(value, str):
                for arguments in build_command_arguments(value, buildah=False):
                    _docker_build(arguments, source, found)
    for _, value in node.items:
        _workflow_builds(value, source, found)


def _action_args(node: YNode | None) -> dict[str, str | None]:
    """build-push-action's `build-args`: one NAME=value per line (or a list of them)."""
    lines: list[str] = []
    if isinstance(node, YScalar) and isinstance(node.value, str):
        lines = node.value.splitlines()
    elif isinstance(node, YSeq):
        lines = [str(i.value) for i in node.items if isinstance(i, YScalar)]
    out: dict[str, str | None] = {}
    for line in lines:
        name, sep, value = line.strip().partition("=")
        if name:
            out[name] = value if sep else None
    return out


def _docker_build(args: str, source: str, found: dict[str, list[ImageBuild]],
                  base: str = "") -> None:
    try:
        words = shlex.split(args, comments=True)
    except ValueError:
        return
    dockerfile: str | None = None
    build_args: dict[str, str | None] = {}
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        value = words[i + 1] if i + 1 < len(words) else ""
        if word in ("-f", "--file"):
            dockerfile, i = value, i + 2
            continue
        if word == "--build-arg" or word.startswith("--build-arg="):
            arg = word.split("=", 1)[1] if "=" in word else value
            name, sep, given = arg.partition("=")
            build_args[name] = given if sep else None
            i += 1 if "=" in word else 2
            continue
        if word.startswith("--file="):
            dockerfile = word.split("=", 1)[1]
        elif word.startswith("-"):
            i += 1 if "=" not in word and word in _VALUE_OPTIONS else 0
        else:
            positional.append(word)
        i += 1
    if positional:
        context = posixpath.join(base, positional[-1]) if base else positional[-1]
        path = posixpath.join(base, dockerfile) if base and dockerfile else dockerfile
        _add(found, context, path, source, build_args)


def _add(found: dict[str, list[ImageBuild]], context: str, dockerfile: str | None, source: str,
         args: dict[str, str | None]) -> None:
    if "$" in context or "://" in context or (dockerfile is not None and "$" in dockerfile):
        return
    context = posixpath.normpath(context)
    if context.startswith(("..", "/")):
        return
    context = "" if context == "." else context
    # `file:` / `-f` are relative to the working directory (the repository root in CI)
    path = posixpath.normpath(dockerfile) if dockerfile is not None else \
        posixpath.join(context, "Dockerfile") if context else "Dockerfile"
    found.setdefault(path, []).append(ImageBuild(context, source, args))
