"""REPO005 unpinned-requirements."""

from __future__ import annotations

import posixpath
import re

from ...artifacts.dockerfile import Dockerfile, Stage
from ...artifacts.source import split_lines
from ...project import Project
from ...project.deployment import deployment_of, pyproject
from ...project.images import image_files
from ...requirements import canonical_name
from ..api import RuleContext

SCOPE = "project"
LOCK_FILES = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "pylock.toml")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|tgz|zip|tar\.bz2)(#.*)?$", re.IGNORECASE)
# Output of pip-compile / `uv pip compile`: its header, or the `# via` notes on every pin.
_COMPILED = re.compile(r"^#.*\b(?:pip-compile|uv pip compile)\b|^[ \t]+#[ \t]+via\b",
                       re.MULTILINE)
# `-r x.txt`, `--requirement=x.txt`, uv's `--requirements x.txt`
_INCLUDE = re.compile(r"(?:^|\s)(?:-r|--requirements?)(?:[ \t]*=[ \t]*|[ \t]+|(?=\S))"
                      r"([^\s;&|]+)")
# Named for tooling that never runs in production.
_TOOLING_PART = {"dev", "devel", "develop", "development", "test", "tests", "testing", "docs",
                 "doc", "readthedocs", "rtd", "lint", "linting", "typing", "mypy", "ci", "style",
                 "format", "local", "build"}


def is_requirements(path: str) -> bool:
    name = posixpath.basename(path).lower()
    in_dir = "/requirements/" in f"/{path.lower()}"  # requirements/base.txt, requirements/prod.txt
    return (name.startswith("requirements") or in_dir) and name.endswith(".txt")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, content without comment) with `\\` continuations joined."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(split_lines(text), start=1):
        if not pending:
            start = number
        line = "" if raw.lstrip().startswith("#") else re.sub(r"(^|\s)#.*$", "", raw)
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            out.append((start, joined))
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            out.append((start, joined))
    return out


def unpinned(text: str) -> tuple[list[tuple[int, str]], bool, bool]:
    """(unpinned requirements, has hashes, uses a constraints file)."""
    found: list[tuple[int, str]] = []
    pinned: set[str] = set()
    hashes = constrained = False
    for number, line in logical_lines(text):
        if "--hash" in line:
            hashes = True
        if line.startswith("-"):
            if line.startswith(("-c", "--constraint")):
                constrained = True
            continue  # -r, -e, --index-url, … and hash continuations
        requirement = line.split(";", 1)[0].strip()
        if "://" in requirement or requirement.startswith(("git+", "hg+", "svn+", "bzr+")):
            url = requirement.split("@", 1)[-1] if " @ " in requirement else requirement
            vcs = re.search(r"(git|hg|svn|bzr)\+", url)
            if "sha256=" in url or "--hash" in line or _ARCHIVE.search(url.split()[0]):
                continue
            if vcs and re.search(r"@[^/@\s]+(#|$)", url.split()[0].split("://", 1)[-1]):
                continue  # a VCS URL at a tag or commit
            found.append((number, requirement))
            continue
        if requirement.startswith((".", "/")):
            continue  # a local path
        match = _NAME.match(requirement)
        if "==" in requirement:  # also ===
            if match:
                pinned.add(canonical_name(match[1]))
            continue
        if match:
            found.append((number, match[1]))
    # `bleach[css]` beside `bleach==6.3.0` only adds extras to the pinned project
    found = [(n, name) for n, name in found if "://" in name or canonical_name(name) not in pinned]
    return found, hashes, constrained


def _locked(project: Project, directory: str, hashed_dirs: set[str]) -> bool:
    """A lock file, or hashed requirements, in `directory` or a directory above it."""
    parts = directory.split("/") if directory else []
    for depth in range(len(parts), -1, -1):
        base = "/".join(parts[:depth])
        if base in hashed_dirs:
            return True
        if any(project.has_file(posixpath.join(base, name) if base else name)
               for name in LOCK_FILES):
            return True
    return False


def _tooling_only(path: str, images: set[str] | None) -> bool:
    """A dev/test/docs requirements file that no Dockerfile of the repository installs (also
    through another file's `-r`): its packages never reach an image. `images` is None when
    a Dockerfile names the file it installs through a variable or a glob."""
    if images is None:
        return False
    parts = re.split(r"[-_./]+", path.lower().removesuffix(".txt"))
    name_parts = parts[-2:] if "requirements" in parts[-2:-1] else parts[-1:]
    if not _TOOLING_PART & set(re.split(r"[-_.]+", "-".join(name_parts))):
        return False
    return path not in images


def _installed_in_images(project: Project, files: list[str]) -> set[str] | None:
    """The requirement files Dockerfiles that ship install with `-r`, with the files they
    include (none when no Dockerfile names one); None when one names it through a variable
    or a glob. A developer's image (`dev.dockerfile`) installing `requirements/dev.txt` puts
    nothing in what ships."""
    named: list[tuple[Dockerfile, Stage, str]] = []  # the file a stage's pip step names
    deployment = deployment_of(project)
    for path, df in project.dockerfiles.items():
        if not isinstance(df, Dockerfile) or not deployment.role_of(path).judged:
            continue
        for stage in df.stages:
            for ins in stage.find("RUN"):
                text = " ".join([ins.args, *ins.heredocs])
                if "pip" in text or "uv " in text:
                    named += [(df, stage, t) for t in _INCLUDE.findall(text)
                              if t.endswith(".txt") or "$" in t]
    if any("$" in t or "*" in t for _, _, t in named):
        return None
    installed: set[str] = set()
    for df, stage, target in named:
        installed |= _named_files(project, files, df, stage, target)
    todo = list(installed)
    while todo:  # `-r other.txt` inside an installed file
        current = todo.pop()
        for line in project.texts.get(current, "").splitlines():
            for target in _INCLUDE.findall(line.split("#", 1)[0]):
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
                if joined in files and joined not in installed:
                    installed.add(joined)
                    todo.append(joined)
    return installed


def _named_files(project: Project, files: list[str], df: Dockerfile, stage: Stage,
                 target: str) -> set[str]:
    """The requirement files a pip step's `-r target` installs: the file a COPY of the
    stage's image puts at that path, else, for a bare name (`requirements.txt`), the one at
    the top of the build context (the Dockerfile's directory or the repository's), else
    every file the name's last parts fit."""
    copied = image_files(project, df, stage.name).source(target)
    if copied in files:
        return {copied}
    if "/" not in target.strip("./"):
        name = target.strip("./")
        contexts = {posixpath.join(posixpath.dirname(df.path), name), name}
        found = {p for p in files if p in contexts}
        if found:
            return found
    return {p for p in files if _same_file(p, target)}


def _same_file(path: str, named: str) -> bool:
    """`named` (a path inside an image, after COPY) ends with the file's own last parts:
    `/tmp/requirements.txt` is `requirements.txt`, `requirements/prod.txt` only that one."""
    parts = [p for p in named.split("/") if p not in ("", ".")]
    own = path.split("/")
    depth = 2 if len(parts) > 1 and len(own) > 1 and parts[-2] == own[-2] else 1
    return own[-depth:] == parts[-depth:]


def _distribution_requirements(project: Project, files: list[str]) -> set[str]:
    """Requirement files the project's packaging reads as the distribution's dependencies
    (setup.py reading the file into `install_requires`, setup.cfg `install_requires = file:`,
    pyproject.toml `[tool.setuptools.dynamic] dependencies = {file = …}`): a published
    package declares compatible ranges there, and the application that installs it pins."""
    from ...project.documentation import read_text  # setup.py: Python, not kept as text

    found: set[str] = set()
    for path in files:
        directory, name = posixpath.split(path)
        setup_py = posixpath.join(directory, "setup.py")
        setup_py_text = read_text(project, setup_py) if project.has_file(setup_py) else ""
        setup_cfg = project.texts.get(posixpath.join(directory, "setup.cfg"), "")
        if ("install_requires" in setup_py_text and name in setup_py_text) or re.search(
                rf"install_requires\s*=\s*file:[^\n]*\b{re.escape(name)}", setup_cfg) or \
                name in _dynamic_dependency_files(project, directory):
            found.add(path)
    return found


def _unbounded_lines(text: str) -> set[int]:
    """The logical lines whose requirement names no version at all."""
    return {start for start, line in logical_lines(text)
            if "://" not in line.split(";", 1)[0]
            and not re.search(r"[<>=~!]", line.split(";", 1)[0])}


def _bounded_above_lines(text: str) -> set[int]:
    """The logical lines whose requirement stays within a compatible range (`>=7.4,<7.5`,
    `~=2.1`, `==5.2.*`): an upper bound chosen on purpose."""
    return {start for start, line in logical_lines(text)
            if re.search(r"<|~=|==", line.split(";", 1)[0])}


def _dynamic_dependency_files(project: Project, directory: str) -> list[str]:
    if "dynamic" not in project.texts.get(posixpath.join(directory, "pyproject.toml"), ""):
        return []
    dynamic = pyproject(project, directory).get("tool", {}).get("setuptools", {}).get(
        "dynamic", {})
    given = dynamic.get("dependencies", {}) if isinstance(dynamic, dict) else {}
    files = given.get("file", []) if isinstance(given, dict) else []
    return [posixpath.basename(str(f)) for f in ([files] if isinstance(files, str) else files)]


def check(project: Project, ctx: RuleContext) -> None:
    files = sorted(p for p in project.texts if is_requirements(p))
    parsed = {p: unpinned(project.texts[p]) for p in files}
    # hashed or compiled output pins what its directory (and below) installs: the files
    # beside it are its inputs (`requirements.in`, `unfrozen/requirements.txt`)
    hashed_dirs = {posixpath.dirname(p) for p, (_, hashes, _) in parsed.items() if hashes}
    hashed_dirs |= {posixpath.dirname(p) for p in files if _COMPILED.search(project.texts[p])}
    images = _installed_in_images(project, files)
    distributed = _distribution_requirements(project, files)
    for path in files:
        loose, hashes, constrained = parsed[path]
        if not loose or hashes or constrained or _locked(project, posixpath.dirname(path),
                                                         hashed_dirs):
            ctx.examine()
            continue
        if path in distributed:  # ranges are right there: only an unbounded entry is loose
            unbounded = _unbounded_lines(project.texts[path])
            loose = [(n, name) for n, name in loose if n in unbounded]
        if _tooling_only(path, images) or not loose:
            ctx.examine()
            continue
        line, first = loose[0]
        names = ", ".join(name for _, name in loose[:3])
        more = f" and {len(loose) - 3} more" if len(loose) > 3 else ""
        if path in distributed:
            message = (f"{len(loose)} of the package's dependencies have no version bound "
                       f"({names}{more}): any future release, breaking ones included, is "
                       "installed; give each a compatible range")
        else:
            message = (f"{len(loose)} requirement(s) without an exact version ({names}{more}) "
                       "and no lock file: every build may install different code; pin with "
                       "`==` or compile a lock (pip-compile --generate-hashes, uv, poetry)")
        ranged = path not in distributed and {n for n, _ in loose} <= _bounded_above_lines(
            project.texts[path])
        ctx.report(path, line, 1, message, snippet=first, informational=(
            "every one is held to a compatible range (`>=X,<Y`, `~=X.Y`): a deliberate "
            "choice that takes only fixes; a lock still makes builds repeatable"
            if ranged else PACKAGE_RANGES if path in distributed and not _bounded_above_lines(
                project.texts[path]) else _installed_by_hand(project, path, images)))


# Files that automate an install: a CI workflow, a Makefile, a script, a tool's configuration
_AUTOMATION = re.compile(r"(?:^|/)(?:\.github/|\.gitlab-ci|\.circleci/|Makefile$|Justfile$|"
                         r"Procfile$|tox\.ini$|[^/]+\.(?:sh|ya?ml|toml|cfg)$)", re.IGNORECASE)


def _installed_by_hand(project: Project, path: str, images: set[str] | None) -> str:
    """Why a requirements file below the top is only information ("" if it is not): the
    repository's images install other requirement files, and neither they nor a CI
    workflow, Makefile or script install this one; an optional part (an evaluation harness,
    an experimental variant, another database's driver) someone installs by hand."""
    if not images or "/" not in path or path in images or any(
            path in text for other, text in project.texts.items()
            if other != path and _AUTOMATION.search(other)):
        return ""
    shown = ", ".join(sorted(images)[:2])
    return (f"no image of the repository installs it (they install {shown}), nor does a CI "
            "workflow, Makefile or script: the requirements of an optional part installed "
            "by hand")


PACKAGE_RANGES = ("the dependency list of a published package that bounds no dependency from "
                  "above: leaving entries open is its practice, and the applications that "
                  "install it pin what they run")
