"""Who runs the project: its authors (a service) or others (a distributed product).

A project is distributed when it publishes an image of its own and its documentation tells
users to run it: a `docker run` / `docker pull` of that image, or a Compose snippet naming it
as `image:`. Its operators, not its authors, then choose sizing, wire telemetry and set the
TLS policy (HSTS) at their proxy. A configured `profile` decides; without one, what the files
say applies, and the report says why.
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
_QUOTES = "`'\"()[],;"  # around an image named in prose: `acme/app`


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

    model = deployment_of(project)
    published = {i for i in model.built_images if "/" in i}

    def built_here(image: str) -> bool:
        return image in published or ("/" in image and model.dockerfile_of_image(image) is not None)

    found = ""
    if published or model.published:
        for path in documentation_files(project)[:DOC_FILES_LIMIT]:
            text = read_text(project, path)
            tokens = [t.strip(_QUOTES) for args in _RUN.findall(text) for t in args.split()]
            tokens += _IMAGE_KEY.findall(text)
            image = next((image_name(t) for t in tokens
                          if t and not t.startswith("-") and built_here(image_name(t))), None)
            if image:
                found = f"{path} tells users to run {image}, an image this repository builds"
                break
    project.cache["distributed-evidence"] = found
    return found


def render_profile_text(project: Project) -> str:
    """One line for `prodready services`: the profile in force, and why."""
    profile = profile_of(project)
    if profile.configured:
        return f"profile: [cyan]{profile.name}[/cyan] [dim]({profile.why})[/dim]"
    if profile.name == DISTRIBUTED:
        return (f"profile: [cyan]{DISTRIBUTED}[/cyan] [dim](detected: {profile.why}; sizing, "
                f"operator-wired telemetry and HSTS are info; {OPT_OUT})[/dim]")
    return f"profile: [cyan]{SERVICE}[/cyan] [dim](default; {profile.why})[/dim]"


# How a user who runs the images themselves takes the detection back.
OPT_OUT = f'set profile = "{SERVICE}" to judge them at their own severity'


def profile_summary(profile: Profile) -> str:
    """The report's line for a distributed profile ("" for a service): which rules it makes
    info, and why it is in force."""
    if profile.name != DISTRIBUTED:
        return ""
    from ..config import OPERATOR_RULES

    rules = ", ".join(sorted(OPERATOR_RULES))
    if profile.configured:
        return f"Profile: {DISTRIBUTED} ({profile.why}): {rules} are info, the operator's choice."
    return (f"Profile: {DISTRIBUTED}, detected ({profile.why}): {rules} are info, the "
            f"operator's choice; {OPT_OUT}.")
