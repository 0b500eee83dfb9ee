"""DOCKER004 unpinned-base-image."""

from __future__ import annotations

from ...artifacts.dockerfile import Dockerfile, image_reference
from ..api import RuleContext

SCOPE = "dockerfile"


def check(df: Dockerfile, ctx: RuleContext) -> None:
    earlier: set[str] = set()
    for stage in df.stages:
        image = stage.base_image
        if image.lower() in earlier or image == "scratch" or "$" in image or not image:
            ctx.examine()
        else:
            _, tag, digest = image_reference(image)
            if digest is None and tag in (None, "latest"):
                what = "no tag" if tag is None else "the `latest` tag"
                ctx.report(df.path, stage.line, 1,
                           f"base image {image!r} uses {what}: every build may pull a "
                           "different image; pin a version tag (or a digest)",
                           snippet=f"FROM {stage.base_raw}")
            else:
                ctx.examine()
        if stage.name:
            earlier.add(stage.name)
