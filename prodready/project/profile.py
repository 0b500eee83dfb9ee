"""Who runs the project: its authors (a service) or others (a distributed product).

A project is distributed when it publishes an image of its own and its documentation tells
users to run it: a `docker run` / `docker pull` of that image, or a Compose snippet naming it
as `image:`. Its operators, not its authors, then choose sizing and wire telemetry. The
configured `profile` decides; the detection explains what the files say, so a user can set it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import Project
from .documentation import documentation_files, read_text

SERVICE = "service"
DISTRIBUTED = "distributed"
# `docker run -d -p 9090:9090 owner/app:latest`, `podman pull ghcr.io/owner/app`
_RUN = re.compile(r"\b(?:docker|podman)(?:[ \t]+container)?[ \t]+(?:run|pull|create)\b([^\n]*)",
                  re.IGNORECASE)
_IMAGE_KEY = re.compile(r"^[ \t]*image:[ \t]*['\"]?([^\s'\"#]+)", re.MULTILINE)
DOC_FILES_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Profile:
    name: str  # SERVICE or DISTRIBUTED
    why: str
    configured: bool  # set in the configuration, not detected


def profile_of(project: Project) -> Profile:
    """The configured profile, else what the repository's files say."""
    if "profile" in project.config.model_fields_set:
        return Profile(project.config.profile, "set in the configuration", True)
    evidence = distributed_evidence(project)
    if evidence:
        return Profile(DISTRIBUTED, evidence, False)
    return Profile(SERVICE, "no documentation tells users to run an image built here", False)


def distributed_evidence(project: Project) -> str:
    """Why the project looks distributed ("" when it does not): the documentation file that
    tells users to run an image the repository builds, and that image."""
    cached = project.cache.get("distributed-evidence")
    if isinstance(cached, str):
        return cached
    from .deployment import deployment_of, image_name

    published = {i for i in deployment_of(project).built_images if "/" in i}
    found = ""
    if published:
        for path in documentation_files(project)[:DOC_FILES_LIMIT]:
            text = read_text(project, path)
            tokens = [t for args in _RUN.findall(text) for t in args.split()]
            tokens += _IMAGE_KEY.findall(text)
            image = next((image_name(t) for t in tokens
                          if not t.startswith("-") and image_name(t) in published), None)
            if image:
                found = f"{path} tells users to run {image}, an image this repository builds"
                break
    project.cache["distributed-evidence"] = found
    return found


def render_profile_text(project: Project) -> str:
    """One line for `prodready services`: the profile in force, and what the files say."""
    profile = profile_of(project)
    if profile.configured:
        return f"profile: [cyan]{profile.name}[/cyan] [dim]({profile.why})[/dim]"
    if profile.name == DISTRIBUTED:
        return (f"profile: [cyan]{SERVICE}[/cyan] [dim](default; this project looks "
                f"{DISTRIBUTED}: {profile.why} — set profile = \"{DISTRIBUTED}\" to report "
                f"sizing and operator-wired telemetry at info)[/dim]")
    return f"profile: [cyan]{SERVICE}[/cyan] [dim](default; {profile.why})[/dim]"
