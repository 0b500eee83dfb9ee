"""Who runs the project: its authors (a service) or others (a distributed product).

A project is distributed when its documentation tells users to run it themselves: a
`docker run` / `docker pull` of an image the repository builds or that is named after the
project, a Compose snippet naming such an image as `image:`, a Compose file of the
repository that runs it without building it, a `pip install` of the project's own
distribution, or a top-level README that calls the project self-hosted (a "Self-hosting"
heading, "X is a self-hosted …", "self-host X"), asks readers to set up their own instance
("before setting up your own", "Setting up an X instance", "on your own server"), links to
the project's own installation guide or pipes the project's own install script into a shell,
or a documentation page tells operators how to upgrade their installation; or a CI workflow
publishes the project's own distribution (from the
repository's root, not an SDK in a subdirectory) to a package index. Its operators, not its
authors, then choose sizing, wire telemetry and set the TLS policy (HSTS) and request limits at
their proxy; a service's authors deploy it, and document its settings where they keep its
infrastructure. A configured `profile` decides; without one, what the files say applies, and
the report says why.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..requirements import REQUIREMENT_NAME
from . import Project

# The deployment model and the documentation reader load only when a profile is detected: a
# scan answered from its stored result never needs them.

SERVICE = "service"
DISTRIBUTED = "distributed"
# `docker run -d -p 9090:9090 owner/app:latest`, `podman pull ghcr.io/owner/app`
_RUN = re.compile(r"\b(?:docker|podman)(?:[ \t]+container)?[ \t]+(?:run|pull|create)\b([^\n]*)",
                  re.IGNORECASE)
_IMAGE_KEY = re.compile(r"^[ \t]*image:[ \t]*['\"]?([^\s'\"#]+)", re.MULTILINE)
_QUOTES = "`'\"()[],;"  # around an image named in prose: `acme/app`
# `pip install -U "pretalx[postgres]"`, `pipx install radicale`, `uv tool install app`
_PIP_INSTALL = re.compile(r"\b(?:pip3?|pipx|uv[ \t]+(?:tool|pip))[ \t]+install\b([^\n`|;&]*)",
                          re.IGNORECASE)
# A README calling its own project self-hosted: a heading or bold label ("## Self-hosting",
# "- **Self-Hostable**"), or a sentence whose subject it is ("X is a self-hosted app", "It's
# open-source, self-hostable"). "supports self-hosted LLMs" speaks of other software.
_SELF_HOST = r"self[- ]?host(?:ed|ing|able)?\b(?![ \t]+(?:runners?|llms?|models?)\b)"
_SELF_HOSTED = re.compile(
    rf"^(?:#{{1,6}}[ \t]|[ \t]*[-*+][ \t]+[^\n*]{{0,4}}\*\*|<h\d>)[^\n]*?{_SELF_HOST}"
    rf"|\b(?:is|['’]s)[ \t]+(?:an?[ \t]+)?(?:(?!(?:for|with|of|to|on|in|by|like)\b)"
    rf"[\w-]+,?[ \t]+){{0,3}}{_SELF_HOST}",
    re.IGNORECASE | re.MULTILINE)

# "before setting up your own.", "Hosting your own instance", "Setting up a Redash instance",
# "install Taiga on your own server": the named instance must be the project's ("run your
# own Keycloak instance" is not).
_OWN_INSTANCE = re.compile(
    r"\b(?:set(?:ting)?[ -]?up|host(?:ing)?|deploy(?:ing)?|run(?:ning)?|install(?:ing)?)[ \t]+"
    r"(?:your[ \t]+own(?:[ \t]+([\w-]+))?[ \t]+(?:instance|server|deployment)\b"
    r"|your[ \t]+own[ \t]*[.!,)]"
    r"|an?[ \t]+(?:new[ \t]+)?([\w-]+)[ \t]+(?:instance|server)\b"
    r"|(?:[\w-]+[ \t]+)?on[ \t]+your[ \t]+own[ \t]+(?:servers?|hardware|infrastructure)\b)",
    re.IGNORECASE)
# Distribution names in-house services often take, which say nothing when a URL or a
# sentence contains them.
_GENERIC_NAMES = frozenset({"app", "api", "web", "www", "server", "backend", "frontend",
                            "service", "core", "site", "main", "project", "docs"})
# "installation guide", "install instructions", "installation and deployment instructions"
_INSTALL_GUIDE = re.compile(
    r"\binstall(?:ation|ing)?[ \t]+(?:and[ \t]+\w+[ \t]+)?(?:guides?|instructions|documentation"
    r"|docs)\b", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s)>\]\"'`]+")
# `curl -sSL https://get.example.io/install_app.sh | bash`: the URL must name the project
# (installing a tool such as uv the same way says nothing).
_PIPED_INSTALL = re.compile(
    r"\b(?:curl|wget)\b[^\n|`]*?(https?://[^\s|`'\")]+)[^\n|`]*\|[ \t]*"
    r"(?:sudo[ \t]+(?:-\w+[ \t]+)*)?(?:ba|z)?sh\b", re.IGNORECASE)

# Uploading a built distribution: `twine upload dist/*`, `uv publish`, `hatch publish`.
_PUBLISH = re.compile(r"\b(?:twine[ \t]+upload|(?:uv|poetry|flit|hatch|pdm)[ \t]+publish)\b"
                      r"([^\n;&|]*)")
_CHANGES_DIRECTORY = re.compile(r"(?:^|[;&|(]|\n)[ \t]*(?:cd|pushd)[ \t]+[^\s;&|)]")


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
    return Profile(SERVICE, "no documentation tells users to run it themselves", False)


def distributed_evidence(project: Project) -> str:
    """Why the project looks distributed ("" when it does not): the documentation file that
    tells users to run an image the repository builds, and that image."""
    cached = project.cache.get("distributed-evidence")
    if isinstance(cached, str):
        return cached
    from .deployment import deployment_of

    model = deployment_of(project)
    published = {i for i in model.built_images if "/" in i}
    names = model.project_names

    def built_here(image: str) -> bool:
        if image.startswith(("local/", "localhost/")):
            return False  # a tag for the machine that builds it: nothing users can pull
        if image in published or ("/" in image and model.dockerfile_of_image(image) is not None):
            return True
        # released by a process the repository does not show (a release script, a registry
        # build), under the project's own name: `bugsink/bugsink` for distribution `bugsink`
        return "/" in image and bool(project.dockerfiles) and \
            image.rsplit("/", 1)[-1].lower() in names

    run_files = _compose_files_running(project, built_here)
    found = ""
    # READMEs first, then the shallowest pages: the clearest instructions say why
    from .documentation import documentation_pages

    pages = sorted(documentation_pages(project), key=lambda page: (
        not posixpath.basename(page[0]).lower().startswith("readme"), page[0].count("/")))
    for path, text in pages:
        found = _tells_users_to_run(text, built_here, run_files, names)
        if found:
            found = f"{path} {found}"
            break
    found = found or _self_hosted_readme(pages, names, project.has_file) or \
        _upgrade_guide(pages, names) or \
        _publishes_distribution(project, names)
    project.cache["distributed-evidence"] = found
    return found


def _tells_users_to_run(text: str, built_here: Callable[[str], bool],
                        run_files: dict[str, str], names: frozenset[str]) -> str:
    """How a documentation text tells users to run the project ("" when it does not)."""
    from .deployment import image_name

    joined = re.sub(r"\\[ \t]*\n", " ", text)  # `docker run \` continued on the next lines
    tokens = [t.strip(_QUOTES) for args in _RUN.findall(joined) for t in args.split()]
    tokens += _IMAGE_KEY.findall(text)
    # an option's value is no image: a path, a volume (`$PWD/data:/var/data`), a variable
    image = next((image_name(t) for t in tokens
                  if t and not t.startswith(("-", "$", "/", ".", "~")) and ":/" not in t
                  and built_here(image_name(t))), None)
    if image:
        return f"tells users to run {image}, an image this repository builds"
    for args in _PIP_INSTALL.findall(text):
        for token in args.split():
            found = REQUIREMENT_NAME.match(token.strip(_QUOTES))
            if not token.startswith("-") and found and \
                    found[0].lower().replace("_", "-") in names:
                return f"tells users to install {found[0]}, this project's own distribution"
    lowered = text.lower()
    for base, image in run_files.items():
        if base in lowered:
            return f"points users to {base}, which runs {image}, an image this repository builds"
    return ""


# Top-level pages about the project's community and process, not about running it
_NOT_ABOUT_RUNNING = ("contributing", "security", "code_of_conduct", "code-of-conduct",
                      "governance", "support", "maintainers", "authors")


def _self_hosted_readme(pages: list[tuple[str, str]], names: frozenset[str],
                        has_file: Callable[[str], bool]) -> str:
    """Why a top-level README or page (`HOSTED.md`, `INSTALL.md`) invites readers to run the
    project themselves ("" when none does): it calls the project self-hosted, asks them to
    set up their own instance, pipes the project's own install script into a shell or links
    to its installation guide."""
    for path, text in pages:
        if "/" in path or path.lower().startswith(_NOT_ABOUT_RUNNING):
            continue
        match = _SELF_HOSTED.search(text)
        if match:
            return f"{path} calls the project self-hosted (\"{_quoted(text, match)}\")"
        match = next((m for m in _OWN_INSTANCE.finditer(text)
                      if _names_it(m[1] or m[2], names)), None)
        if match:
            return f"{path} asks readers to set up their own instance (\"{_quoted(text, match)}\")"
        match = next((m for m in _PIPED_INSTALL.finditer(text) if _names_it(m[1], names)),
                     None)
        if match:
            return f"{path} pipes the project's install script into a shell ({match[1]})"
        guide = _installation_guide(text, names, has_file)
        if guide:
            return f"{path} points readers to the project's installation guide ({guide})"
    return ""


# Pages for the project's own developers, not for those who install it
CONTRIBUTOR_PAGE = re.compile(r"contribut|develop|hacking", re.IGNORECASE)
# `docs/installation/upgrading.md`, `UPGRADING.md`, `upgrade-guide.md`
_UPGRADE_PAGE = re.compile(r"upgrad(?:e|ing)(?:[-_]?guide)?\.(?:md|rst|txt)", re.IGNORECASE)
# ... but not a page for the project's own developers or its design records
_NOT_FOR_OPERATORS = frozenset({"contributing", "development", "dev", "dev-docs", "decisions",
                                "adr", "adrs", "hacking"})


def _upgrade_guide(pages: list[tuple[str, str]], names: frozenset[str]) -> str:
    """The documentation page that tells operators how to upgrade their installation of the
    project ("" when none does): its own authors deploy a service, they write no upgrade
    guide for it."""
    for path, text in pages:
        *directories, name = path.lower().split("/")
        if _UPGRADE_PAGE.fullmatch(name) and not _NOT_FOR_OPERATORS & set(directories) and \
                names and _names_it(text, names):
            return f"{path} tells operators how to upgrade their installation"
    return ""


def _installation_guide(text: str, names: frozenset[str], has_file: Callable[[str], bool]
                        ) -> str:
    """The project's own installation guide a README paragraph links to ("" when none): "See
    the [Installation Guide](https://docs.notes.org/install)", or a page of the repository
    ("instructions are available [here](docs/new-install.md)"). A guide on a site named for
    another project (a tool's install instructions) does not count, nor one for the
    project's contributors (`/contributing/#install-locally`)."""
    for match in _INSTALL_GUIDE.finditer(text):
        # the line, and the rest of its paragraph: the link may wrap onto the next line
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n\n", match.end())
        line = text[start:min(end if end >= 0 else len(text), match.end() + 300)]
        url = next((u for u in [*_URL.findall(line), *(
            t for t in _RELATIVE_LINK.findall(line) if has_file(posixpath.normpath(t)))]
            if (_names_it(u, names) or not u.startswith("http"))
            and not CONTRIBUTOR_PAGE.search(u)), "")
        if url:
            return url
    return ""


# `[here](docs/new-install.md)`: a page of the repository (no scheme, no anchor alone)
_RELATIVE_LINK = re.compile(r"\]\((?!\w+:|#|/)([^)\s#]+)")


def _publishes_distribution(project: Project, names: frozenset[str]) -> str:
    """The CI file that uploads the repository's own distribution to a package index ("" when
    none does): its root project, not a client or SDK built in a subdirectory."""
    from .builds import ci_documents, walk

    if not names:
        return ""
    for path, documents in ci_documents(project).items():
        for step in walk(*documents):
            if isinstance(step, dict) and _publishes_root(step):
                return f"{path} publishes the project's own distribution to a package index"
    return ""


def _publishes_root(step: dict[str, object]) -> bool:
    """Whether a CI step (a GitHub Actions step, a GitLab job) uploads the package built at
    the repository's root."""
    if _in_subdirectory(step.get("working-directory")):
        return False
    uses, options = step.get("uses"), step.get("with")
    if isinstance(uses, str) and "pypi-publish" in uses:
        chosen = options.get("packages-dir") if isinstance(options, dict) else None
        return not _in_subdirectory(chosen)
    commands = step.get("run") or step.get("script")
    if isinstance(commands, list):
        commands = "\n".join(c for c in commands if isinstance(c, str))
    if not isinstance(commands, str):
        return False
    for match in _PUBLISH.finditer(commands):
        paths = [a for a in match[1].split() if "/" in a and not a.startswith("-")]
        if not _CHANGES_DIRECTORY.search(commands, 0, match.start()) and \
                not any(_in_subdirectory(a) for a in paths):
            return True
    return False


def _in_subdirectory(value: object) -> bool:
    """Whether a directory option names somewhere other than the root or its `dist/`
    (a `${{ … }}` value is unknown: not the root)."""
    if not isinstance(value, str):
        return False
    path = value.strip().strip("'\"").removeprefix("./")
    return bool(path) and path not in (".", "dist") and not path.startswith("dist/")


def _names_it(text: str | None, names: frozenset[str]) -> bool:
    """Whether text is empty (nothing to name) or names the project: one of its words
    (`onyx` in `install_onyx.sh`, `Redash` in "a Redash instance")."""
    if not text:
        return True
    return any(word in names and word not in _GENERIC_NAMES
               for word in re.split(r"[^a-z0-9-]+", text.lower()))


def _quoted(text: str, match: re.Match[str]) -> str:
    """The match with the rest of its line, at most 80 characters."""
    start = max(text.rfind("\n", 0, match.start()) + 1, match.end() - 60)
    end = text.find("\n", match.end())
    line = " ".join(text[start:end if end >= 0 else None].strip("#*-+ \t").split())
    return line if len(line) <= 80 else line[:79] + "…"


def _compose_files_running(project: Project, built_here: Callable[[str], bool]
                           ) -> dict[str, str]:
    """Compose file name -> the image built here that one of its judged services runs
    without building it: a file for users to run the published image."""
    from .compose import configs
    from .deployment import image_name

    found: dict[str, str] = {}
    for config in configs(project):
        for svc in config.judged:
            raw = svc.scalar("image")  # as written, the way documentation snippets are read
            image = image_name(raw) if isinstance(raw, str) else ""
            if image and svc.build is None and built_here(image):
                found.setdefault(posixpath.basename(svc.anchor_site.path).lower(), image)
    return found


def render_profile_text(project: Project) -> str:
    """One line for `prodready services`: the profile in force, and why."""
    profile = profile_of(project)
    why = _shown(profile.why)
    if profile.configured:
        return f"profile: [cyan]{profile.name}[/cyan] [dim]({why})[/dim]"
    if profile.name == DISTRIBUTED:
        return (f"profile: [cyan]{DISTRIBUTED}[/cyan] [dim](detected: {why}; sizing, "
                f"network policy, read-only root filesystems, image pinning, operator-wired "
                f"telemetry, rate limits and HSTS are info; "
                f"{OPT_OUT})[/dim]")
    return (f"profile: [cyan]{SERVICE}[/cyan] [dim](default; {why}; undocumented "
            f"environment variables are info: its own team deploys it)[/dim]")


# How a user who runs the images themselves takes the detection back.
OPT_OUT = f'set profile = "{SERVICE}" to judge them at their own severity'


def profile_summary(profile: Profile, reported: frozenset[str] = frozenset()) -> str:
    """The report's line for the profile: which rules it makes info, and why it is in force
    ("" for a service unless one of the rules it makes info is among the `reported`)."""
    from ..config import AUTHOR_DEPLOYED_RULES, OPERATOR_RULES

    if profile.name != DISTRIBUTED:
        rules = ", ".join(sorted(AUTHOR_DEPLOYED_RULES & reported))
        return (f"Profile: {SERVICE} ({_shown(profile.why)}): {rules} info, its own team "
                f'deploys it; set profile = "{DISTRIBUTED}" when others do.') if rules else ""

    rules = ", ".join(sorted(OPERATOR_RULES))
    why = _shown(profile.why)
    if profile.configured:
        return f"Profile: {DISTRIBUTED} ({why}): {rules} are info, the operator's choice."
    return (f"Profile: {DISTRIBUTED}, detected ({why}): {rules} are info, the "
            f"operator's choice; {OPT_OUT}.")


def _shown(text: str) -> str:
    """Repository text (a README line, a path) as printed: literal, never markup or escapes."""
    from ..report import literal_markup

    return literal_markup(text)
