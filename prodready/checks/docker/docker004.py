"""DOCKER004 unpinned-base-image."""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile, Stage, image_reference
from ...project import Project
from ...project.builds import (
    COMPOSE,
    ImageBuild,
    image_builds,
    named_build_contexts,
    project_builds,
)
from ...project.deployment import image_name
from ..api import RuleContext

SCOPE = "project"  # the builds that pass the base image's tag are other files
_ARG = re.compile(r"\$\{?([A-Za-z_]\w*)")
# Registries whose free images are published only under a rolling `latest` (rebuilt daily
# for fixes): the only pin there is a digest, so following `latest` is a deliberate choice.
ROLLING_ONLY_REGISTRIES = ("cgr.dev/chainguard/",)


def check(project: Project, ctx: RuleContext) -> None:
    for _, df in sorted(project.dockerfiles.items()):
        if isinstance(df, Dockerfile):
            _check(project, df, ctx)


def _check(project: Project, df: Dockerfile, ctx: RuleContext) -> None:
    earlier: set[str] = set()
    for stage in df.stages:
        image = stage.base_image
        unset = [n for n in _ARG.findall(stage.base_raw) if not df.global_args.get(n)]
        if image.lower() in earlier or image == "scratch" or "$" in image or not image or (
                image in named_build_contexts(project)) or unset:
            # the build supplies it by name, or the builder fills in a variable with no
            # default (`FROM ${TARGETARCH}-golang`, an earlier stage per platform)
            ctx.examine()
        else:
            _, tag, digest = image_reference(image)
            if digest is None and tag in (None, "latest") and not _always_pinned(
                    project, df, stage):
                what = "no tag" if tag is None else "the `latest` tag"
                chosen = _deliberate_latest(project, df, image)
                ctx.report(df.path, stage.line, 1,
                           f"base image {image!r} uses {what}: every build may pull a "
                           "different image; pin a version tag (or a digest)",
                           snippet=f"FROM {stage.base_raw}", informational=chosen)
            else:
                ctx.examine()
        if stage.name:
            earlier.add(stage.name)


def _deliberate_latest(project: Project, df: Dockerfile, image: str) -> str:
    """Why following `latest` is the authors' choice ('' if nothing says so): the registry
    publishes no other tag, or the repository builds the base image itself."""
    if image.lower().startswith(ROLLING_ONLY_REGISTRIES):
        return "the registry publishes this image only as `latest`"
    name = image_name(image)
    for build in project_builds(project):
        if build.dockerfile in (None, df.path):
            continue
        if name in build.images or any(name == suffix or name.endswith("/" + suffix)
                                       for suffix in build.runtime_suffixes) or (
                _compose_default_name(name, build)):
            return f"the repository builds this base image itself from {build.dockerfile}"
    return ""


def _compose_default_name(name: str, build: ImageBuild) -> bool:
    """`ocw-studio_web`, `mit-learn-web`: the name Compose gives the image a service builds
    when the service names none (`<project>_<service>`, `<project>-<service>`; the project is
    the checkout's directory name), a local image no registry holds."""
    return build.how == COMPOSE and not build.images and bool(build.service) and \
        "/" not in name and name.endswith(("_" + build.service, "-" + build.service)) and \
        len(name) > len(build.service) + 1


def _always_pinned(project: Project, df: Dockerfile, stage: Stage) -> bool:
    """The FROM reads build arguments that every build of this Dockerfile the repository runs
    (Compose `build.args`, `--build-arg`, build-push-action `build-args`) passes with a value
    other than `latest`: the default never applies."""
    names = _ARG.findall(stage.base_raw)
    builds = image_builds(project).get(df.path)
    if not names or not builds:
        return False
    return all(name in build.args and _pinned(build.args[name])
               for build in builds for name in names)


def _pinned(value: str | None) -> bool:
    """A passed value that is not `latest` (a CI expression or the builder's environment
    carries the release's version)."""
    if value is None:
        return True
    value = value.strip().strip("\"'")
    return bool(value) and value != "latest" and not value.endswith(":latest")
