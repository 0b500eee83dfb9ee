"""What the repository ships: the role of every Dockerfile, manifest, Compose file and Python
file, and what builds or applies what.

Two kinds of evidence decide a role together:

- the graph: a Dockerfile built by a Compose service, a CI workflow, a Makefile or skaffold;
  a manifest applied through a kustomization or skaffold. When something that is itself
  deployed (or unclassified) builds or applies an artifact, the artifact is deployed, whatever
  its path says;
- path conventions: `examples/`, `testdata/`, `docs/`, `hack/`, a Compose file named
  `docker-compose.test.yml`, a `Dockerfile.dev`, a `skaffold-e2e.yaml`, a final stage named
  `test` …

An artifact with neither is unclassified and judged like a deployed one. Files a kustomization
lists as patches are patches: fragments of other objects, never objects of their own.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..artifacts.yamldocs import YamlFile, YMap, is_compose_path
from ..requirements import REQUIREMENT_NAME, canonical_name
from . import Project
from .builds import (
    ACTION,
    CI_FILES,
    COMMAND,
    COMPOSE,
    ImageBuild,
    ci_documents,
    command_builds,
    project_builds,
    skaffold_builds,
    skaffold_sections,
    walk,
)
from .devstack import RUNS_TESTS, VARIABLE_DEFAULT
from .documentation import doc_roots
from .roles import (
    DEPLOYED,
    DEV_TOOLING,
    DOCS,
    EXAMPLE,
    GENERATED,
    PATCH,
    ROLE_BLIND_RULES,
    ROLES,
    TEST_FIXTURE,
    UNCLASSIFIED,
    Role,
)

# Directory names (one path segment, lower case) and the role they give everything below.
DIRECTORY_ROLES = {
    "examples": EXAMPLE, "example": EXAMPLE, "samples": EXAMPLE, "sample": EXAMPLE,
    "demo": EXAMPLE, "demos": EXAMPLE, "tutorial": EXAMPLE, "tutorials": EXAMPLE,
    "quickstart": EXAMPLE, "quickstarts": EXAMPLE, "_archived": EXAMPLE, "archived": EXAMPLE,
    "testdata": TEST_FIXTURE, "test-data": TEST_FIXTURE, "test_data": TEST_FIXTURE,
    "unittests": TEST_FIXTURE, "unittest": TEST_FIXTURE,
    "fixtures": TEST_FIXTURE, "fixture": TEST_FIXTURE, "__fixtures__": TEST_FIXTURE,
    "e2e": TEST_FIXTURE, "integration-tests": TEST_FIXTURE, "integration_tests": TEST_FIXTURE,
    # suites run against a deployed environment by hand or by CI, never deployed themselves
    "smoketests": TEST_FIXTURE, "smoke-tests": TEST_FIXTURE, "smoke_tests": TEST_FIXTURE,
    "systemtests": TEST_FIXTURE, "system-tests": TEST_FIXTURE, "system_tests": TEST_FIXTURE,
    "functional-tests": TEST_FIXTURE, "functional_tests": TEST_FIXTURE,
    "acceptance-tests": TEST_FIXTURE, "acceptance_tests": TEST_FIXTURE,
    "docs": DOCS, "doc": DOCS, "documentation": DOCS,
    "dev": DEV_TOOLING, "devel": DEV_TOOLING, "development": DEV_TOOLING, "hack": DEV_TOOLING,
    "devcontainer": DEV_TOOLING, ".devcontainer": DEV_TOOLING, "dev-env": DEV_TOOLING,
    "devenv": DEV_TOOLING, "dev-tools": DEV_TOOLING, "dev_tools": DEV_TOOLING,
    "devtools": DEV_TOOLING, "loadtest": DEV_TOOLING, "loadtests": DEV_TOOLING,
    "load-test": DEV_TOOLING, "load_test": DEV_TOOLING, "locust": DEV_TOOLING,
    "benchmark": DEV_TOOLING, "benchmarks": DEV_TOOLING, "profiling": DEV_TOOLING,
    "gitlint": DEV_TOOLING,  # the project's commit-message lint rules
    "generated": GENERATED, "_generated": GENERATED, "autogen": GENERATED,
    # third-party code copied in: its upstream is what to fix (not `third_party/`, which
    # often holds the project's own integrations with third parties)
    "vendor": GENERATED, "vendored": GENERATED, "_vendor": GENERATED,
}
# Top-level directories of optional add-ons and alternative setups (`extras/cloudsql/`,
# `contrib/nginx/`): what the main deployment does not use, unless something links them. Only
# at the top: a `contrib` package inside the code (`app/contrib/auth.py`) ships with it.
ADDON_DIRECTORIES = frozenset({"extras", "contrib"})
# Top-level directories of the maintainers' own scripts (release, translation, migration and
# admin helpers run by hand or by CI), when they are not a package the code imports
# (`utils/__init__.py` is code).
TOOL_DIRECTORIES = frozenset({"tools", "bin", "utils", "build-tools", "build_tools", "tooling",
                              "qa"})
# Top-level directories of CI services' own configuration: images, stacks and scripts there
# serve the CI itself.
CI_DIRECTORIES = frozenset({".github", ".gitlab", ".circleci", ".buildkite", ".gitea",
                            ".forgejo", ".woodpecker"})
# Top-level modules that package the project or automate its chores (a build hook, nox, doit,
# fabric): they run on a developer's machine or in CI, never in a deployment.
BUILD_SCRIPTS = frozenset({"setup.py", "hatch_build.py", "noxfile.py", "dodo.py",
                           "fabfile.py"})
# Words in a Dockerfile's or Compose file's own name (split on . - _) and their role.
NAME_WORDS = {
    "test": TEST_FIXTURE, "tests": TEST_FIXTURE, "testing": TEST_FIXTURE,
    "e2e": TEST_FIXTURE, "ci": TEST_FIXTURE, "integration": TEST_FIXTURE,
    # browser test runners: `Dockerfile.selenium`, `docker-compose.cypress.yml`
    "selenium": TEST_FIXTURE, "cypress": TEST_FIXTURE, "playwright": TEST_FIXTURE,
    "dev": DEV_TOOLING, "devel": DEV_TOOLING, "develop": DEV_TOOLING,
    "development": DEV_TOOLING,
    "developer": DEV_TOOLING, "devcontainer": DEV_TOOLING, "local": DEV_TOOLING,
    "debug": DEV_TOOLING, "loadtest": DEV_TOOLING, "benchmark": DEV_TOOLING,
    "docs": DOCS, "doc": DOCS,
    "demo": EXAMPLE,  # `DemoDockerfile`, `docker-compose.demo.yml`: a showcase to try
    "lint": DEV_TOOLING, "linter": DEV_TOOLING,  # `sasslinter-dockerfile`: a CI tool's image
    # `docker-compose.pullpreview.yml`: the short-lived stack a pull request is reviewed on
    "preview": DEV_TOOLING, "pullpreview": DEV_TOOLING,
    # not "example": self-hosted products ship `docker-compose.example.yml` for users to run
}
# Directory names made of words such as `proxy-test`, `load_tests`, `e2e-suite`.
_TEST_DIRECTORY_WORDS = frozenset({"test", "tests", "e2e"})
# ... and `app-benchmark`, `api_loadtest`: the harness that measures the product
_MEASURING_DIRECTORY_WORDS = frozenset({"benchmark", "benchmarks", "loadtest", "loadtests"})
# ... and `sample_project`, `example-stack`: a sample of the product (not `demo`: a
# `services/demo_api/` is a service of its own)
_EXAMPLE_DIRECTORY_WORDS = frozenset({"example", "examples", "sample", "samples"})
# A patch holds only what it changes. Rules that flag something it writes (an image, a
# privileged flag, a secret, a probe) judge it; rules that flag something missing do not: the
# rest of the object lives in its base.
PATCH_JUDGED_RULES = frozenset({"K8S005", "K8S006", "K8S007", "K8S011", "K8S012"})
# What an absence rule reads: when an overlay's patch of the object writes it, the overlay
# decides, and the base object alone is not what ships.
OVERLAY_KEYS = {
    "K8S001": ("requests",), "K8S002": ("limits",), "K8S003": ("livenessProbe",),
    "K8S004": ("readinessProbe",), "K8S008": ("runAsNonRoot", "runAsUser"),
    "K8S009": ("allowPrivilegeEscalation",), "K8S010": ("readOnlyRootFilesystem",),
    "K8S017": ("replicas",),
}
SET_BY_OVERLAY = "set-by-overlay"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2_grpc.py", "_pb2.pyi")
# A CI file that exists to run tests builds test images; its builds are not deployments.
_TEST_WORKFLOW = re.compile(r"(^|[-_./])(test|tests|e2e|lint|ci-test)([-_.]|$)")
# ... unless it also publishes (`tests-and-publish.yml`, `test-and-release.yml`)
_PUBLISH_WORKFLOW = re.compile(r"(^|[-_./])(publish|release|deploy|push)([-_.]|$)")




@dataclass(slots=True)
class Deployment:
    """Roles of the project's artifacts and the links that decided them."""

    roles: dict[str, Role] = field(default_factory=dict)  # Dockerfile/manifest/Compose paths
    patches: dict[str, str] = field(default_factory=dict)  # patch file -> kustomization
    built_images: set[str] = field(default_factory=set)  # `team/api`: images built here
    image_dockerfiles: dict[str, str] = field(default_factory=dict)  # image -> its Dockerfile
    tagged_dockerfiles: dict[str, str] = field(default_factory=dict)  # image:tag -> Dockerfile
    # Dockerfiles CI publishes under names only known at run time (`${{ github.repository }}`)
    published: set[str] = field(default_factory=set)
    # the fixed end of a name published at run time -> its Dockerfile
    # (`${{ env.REGISTRY }}/${{ env.ORG }}/docat:${{ github.sha }}` -> docat)
    published_suffixes: dict[str, str] = field(default_factory=dict)
    # of those, the ones tagged with the repository's own name (`ghcr.io/${{ github.repository }}`)
    repository_images: set[str] = field(default_factory=set)
    project_names: frozenset[str] = frozenset()  # the distribution's names (pyproject.toml)
    # (kind, name) -> {patch file: (files the overlay applies, what the patch writes)}, from
    # overlays that ship
    overlay_writes: dict[tuple[str, str], dict[str, tuple[frozenset[str], Any]]] = field(
        default_factory=dict)
    # file -> (first line, last line, (kind, name)) of the objects overlays patch
    patched_spans: dict[str, list[tuple[int, int, tuple[str, str]]]] = field(
        default_factory=dict)
    # directories of deployed Dockerfiles whose path alone would say otherwise: the code
    # beside them ships in the image (`examples/app/` built by the root Compose file)
    deployed_dirs: dict[str, str] = field(default_factory=dict)
    tool_directories: frozenset[str] = frozenset()  # top-level TOOL_DIRECTORIES, no package
    # directory -> the role its README gives the Python code below it (only directories
    # with such a README); plain values, so the model holds no reference to the project
    readme_roles: dict[str, Role] = field(default_factory=dict)
    # directories of vendored third-party packages (a committed `pip install --target`,
    # `lib/` holding the project's requirements put on sys.path at start-up)
    vendored_directories: dict[str, str] = field(default_factory=dict)  # -> what it holds
    # the `conf.py` of each Sphinx source tree, wherever the tree is (`docsrc/source/`)
    sphinx_configs: frozenset[str] = frozenset()
    # Dockerfiles whose own words or documentation say they are not for production
    declared_images: set[str] = field(default_factory=set)
    _path_roles: dict[str, Role] = field(default_factory=dict, repr=False)

    def dockerfile_of_image(self, name: str, tag: str | None = None) -> tuple[str, str] | None:
        """(Dockerfile, why) for an image name (`org/app`, no registry or tag) built here:
        by its name and tag (`org/app:backend`, where one repository holds several images),
        by its name, or, for an image named after the project itself, the one Dockerfile CI
        publishes under a name read at run time (`ghcr.io/${{ github.repository }}`)."""
        path = self.tagged_dockerfiles.get(f"{name}:{tag}") if tag else None
        if path is not None:
            return path, f"the repository builds {name}:{tag} from {path}"
        path = self.image_dockerfiles.get(name)
        if path is not None:
            return path, f"the repository builds {name} from {path}"
        for suffix, path in self.published_suffixes.items():
            if name == suffix or name.endswith("/" + suffix):
                return path, f"CI publishes {path}'s image under a name ending {suffix}"
        last = name.rsplit("/", 1)[-1]
        if last != name and last in self.project_names and last in self.image_dockerfiles:
            path = self.image_dockerfiles[last]  # built as `app`, published as `org/app`
            return path, (f"{name} is named after the project, whose image the repository "
                          f"builds as {last} from {path}")
        own = self.published if len(self.published) == 1 else self.repository_images
        if len(own) == 1 and name.rsplit("/", 1)[-1] in self.project_names:
            path = next(iter(own))
            return path, (f"{name} is named after the project, whose image CI publishes "
                          f"from {path}")
        return None

    def skipped_as(self, rule_id: str, path: str, line: int = 0) -> Role | None:
        """The role for which a finding of `rule_id` on `path` is not judged (None: judged)."""
        role = self.role_of(path)
        if role.judged:
            overlay = self._set_by_overlay(rule_id, path, line)
            return Role(SET_BY_OVERLAY, overlay) if overlay else None
        if rule_id in ROLE_BLIND_RULES or (role.role == PATCH and rule_id in PATCH_JUDGED_RULES):
            return None
        return role

    def _set_by_overlay(self, rule_id: str, path: str, line: int) -> str:
        """Why an overlay's patch decides what `rule_id` reads at `path:line` ('' if none)."""
        keys = OVERLAY_KEYS.get(rule_id)
        spans = self.patched_spans.get(path)
        if keys is None or not spans:
            return ""
        for first, last, target in spans:
            if first <= line <= last:
                for patch, (applied, data) in sorted(self.overlay_writes.get(target, {}).items()):
                    if path in applied and _writes(data, keys, rule_id):
                        return f"the overlay patch {patch} sets {'/'.join(keys)}"
        return ""

    def role_of(self, path: str) -> Role:
        """The role of any file: an artifact's decided role, else its path convention."""
        found = self.roles.get(path)
        if found is not None:
            return found
        if path in self.patches:
            convention = path_role(path)  # a patch of a test or dev overlay is that first
            if convention is not None:
                return convention
            return Role(PATCH, f"listed as a patch by {self.patches[path]}")
        cached = self._path_roles.get(path)
        if cached is None:
            cached = path_role(path) or self.tool_role(path) or self.vendored_role(path) or \
                self.readme_role(path) or (Role(DOCS, "the Sphinx configuration of the "
                                                       "documentation") if (
                    path in self.sphinx_configs) else UNCLASSIFIED)
            if not cached.judged:
                cached = self._in_deployed_dir(path) or cached
            self._path_roles[path] = cached
        return cached

    def tool_role(self, path: str) -> Role | None:
        top = path.split("/", 1)[0]
        if "/" in path and top in self.tool_directories:
            return Role(DEV_TOOLING, f"under {top}/: the maintainers' tooling, not code "
                                     "the service imports")
        return None

    def vendored_role(self, path: str) -> Role | None:
        directory = _nearest_directory(path, self.vendored_directories)
        return Role(GENERATED, f"under {directory}/: {self.vendored_directories[directory]}; "
                               "the upstream is what to fix") if directory else None

    def readme_role(self, path: str) -> Role | None:
        """What the README of a directory the file is in says of it (`demodesk/README.rst`:
        "django-helpdesk Demo Project"), nearest directory first, the root's excluded."""
        directory = _nearest_directory(path, self.readme_roles)
        return self.readme_roles[directory] if directory else None

    def _in_deployed_dir(self, path: str) -> Role | None:
        directory = _nearest_directory(path, self.deployed_dirs)
        if not directory:
            return None
        dockerfile = self.deployed_dirs[directory]
        return Role(DEPLOYED, f"next to {dockerfile}, which ships "
                              f"({self.roles[dockerfile].why})")


def _nearest_directory(path: str, directories: Collection[str]) -> str:
    """The nearest directory above `path` that is one of `directories` ("" when none; the
    root is never one)."""
    if not directories:
        return ""
    directory = posixpath.dirname(path)
    while directory and directory not in directories:
        directory = posixpath.dirname(directory)
    return directory


def deployment_of(project: Project) -> Deployment:
    """The deployment model of a scan, built on first use and kept on the project."""
    cached = project.cache.get("deployment")
    if isinstance(cached, Deployment):
        return cached
    built = build_deployment(project)
    project.cache["deployment"] = built
    return built


# --------------------------------------------------------------------------- conventions


# A directory named by a full release version (`v0.6.0`, `1.2.3`, `v0.10.0-rc1`): a snapshot
# of an earlier release's rendered manifests, kept for users of that version. Not `3.12/`:
# images built per language version live in such directories.
_RELEASE_DIRECTORY = re.compile(r"v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.]+)?")


def named_role(name: str) -> str | None:
    """The role the words of a name give (split on `.`, `-`, `_` and case: `docker-compose
    .test.yml`, a stage `concourse_tests`, a skaffold profile `dev`, `DevDjangoDockerfile`),
    None when none does."""
    words = re.split(r"[._\-]", re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).lower())
    return next((NAME_WORDS[w] for w in words if w in NAME_WORDS), None)


def path_role(path: str) -> Role | None:
    """The role a path's directories or file name give it (None: nothing says)."""
    parts = path.split("/")
    for depth, directory in enumerate(parts[:-1]):
        role = DIRECTORY_ROLES.get(directory.lower())
        if role is not None:
            return Role(role, f"under {directory}/")
        if directory.startswith("{{") and directory.endswith("}}"):
            return Role(EXAMPLE, f"under {directory}/: a project template, whose files are "
                                 "judged in the projects made from it")
        if _RELEASE_DIRECTORY.fullmatch(directory):
            return Role(GENERATED, f"under {directory}/: the files of a past release")
        words = re.split(r"[-_.]", directory.lower())
        if len(words) > 1 and _TEST_DIRECTORY_WORDS.intersection(words):
            return Role(TEST_FIXTURE, f"under {directory}/")
        if len(words) > 1 and _MEASURING_DIRECTORY_WORDS.intersection(words):
            return Role(DEV_TOOLING, f"under {directory}/")
        # `data/sample_project/compose.yaml`; not at the top, where it may name the project
        # itself, nor for code, which the app may import and route (`blog_examples/`)
        if depth and len(words) > 1 and _EXAMPLE_DIRECTORY_WORDS.intersection(words) and \
                not parts[-1].endswith(".py"):
            return Role(EXAMPLE, f"under {directory}/")
    name = parts[-1].lower()
    if name.endswith(GENERATED_SUFFIXES):
        return Role(GENERATED, "protobuf-generated module")
    if parts[0] in CI_DIRECTORIES and (is_compose_path(path) or _is_dockerfile_name(name)):
        return Role(DEV_TOOLING, f"under {parts[0]}/: an image or stack of the CI itself")
    if parts[0] in CI_DIRECTORIES and name.endswith(".py"):
        return Role(DEV_TOOLING, f"under {parts[0]}/: a script of the CI itself")
    if len(parts) == 1 and name in BUILD_SCRIPTS:
        return Role(DEV_TOOLING, f"{parts[-1]} builds or automates the project; it never runs "
                                 "in a deployment")
    if name.startswith("locustfile") and name.endswith(".py"):
        return Role(DEV_TOOLING, f"{parts[-1]} is a Locust load test of the service")
    skaffold = name.startswith("skaffold") and name.endswith((".yml", ".yaml"))
    if is_compose_path(path) or _is_dockerfile_name(name) or skaffold:
        kind = "Compose file" if is_compose_path(path) else "skaffold config" if skaffold \
            else "Dockerfile"
        role = named_role(parts[-1])
        if role is not None:
            return Role(role, f"{kind} named {parts[-1]!r}")
        # `Ctl/local/docker-compose.yml`, `compose/local/django/Dockerfile`: the stack of a
        # developer's machine (only for these files: `rootfs/usr/local/` holds shipped code)
        if "local" in (d.lower() for d in parts[:-1]):
            return Role(DEV_TOOLING, f"{kind} under local/: a developer's machine")
        if in_scripts_directory(path):  # unless something deploys it
            return Role(DEV_TOOLING, f"{kind} under scripts/: a tool of the maintainers' "
                                     "scripts")
    if len(parts) > 1 and parts[0].lower() in ADDON_DIRECTORIES:
        return Role(EXAMPLE, f"under {parts[0]}/: optional add-ons the main deployment does "
                             "not use")
    return None


def in_scripts_directory(path: str) -> bool:
    """Under a `scripts/` (or `script/`) directory, at the top or deeper: scripts run by hand,
    which set up their own path and context, not package or service code."""
    return not _SCRIPT_DIRECTORIES.isdisjoint(path.split("/")[:-1])


_SCRIPT_DIRECTORIES = frozenset({"scripts", "script"})


def generated_header(text: str) -> Role | None:
    """A file whose first lines say it is generated (`THIS FILE IS GENERATED - DO NOT EDIT`,
    `Code generated by … DO NOT EDIT.`, `@generated`): its source is what to fix."""
    head = "\n".join(text.lower().splitlines()[:8])
    if "@generated" in head or ("generated" in head and ("do not edit" in head or
                                                        "don't edit" in head)):
        return Role(GENERATED, "its header says it is generated")
    return None


# What a file's opening comment says it is for, when that is not production.
_EXAMPLE_HEADER = re.compile(
    r"\b(?:an?|this is an?)\s+(?:example|sample|demo)\b|\bexample (?:docker[- ]?compose|compose|"
    r"configuration|manifest|deployment)\b")
_DEV_HEADER = re.compile(
    r"\bnot\s+(?:intended|meant|suitable|ready|made|designed|built|to be used)\s+for\s+production\b"
    r"|\bnot\s+(?:a\s+)?production[- ](?:worthy|ready|grade)\b"
    r"|\b(?:do\s+not|don['’]?t|never)\s+use\s+(?:(?:this|these|the|it|file|setup|stack|"
    r"configuration|config|docker-compose|compose|image)\s+){0,3}(?:in|for)\s+(?:an?\s+)?"
    r"production\b"
    r"|\bnot\s+for\s+production\b"
    r"|\bfor\s+(?:local\s+)?(?:development|testing|evaluation)(?:\s+purposes)?\s+only\b"
    r"|\bin\s+your\s+local\s+environment\b"
    r"|\b(?:development|dev|testing|test)\s+(?:playground|sandbox)\b"
    r"|\bused\s+(?:only\s+)?for\s+debugging\b"
    r"|\b(?:designed|meant|intended|used|built)\s+(?:(?:only|solely|exclusively|just)\s+)?"
    r"(?:to\s+run|for)\s+"
    r"(?:an?\s+|the\s+)?(?:local\s+)?development\b(?!\s+(?:and|or)\s+production)"
    r"|\b(?:run|for)\s+(?:an?\s+|the\s+)?(?:local\s+)?development\s+environment\b"
    r"|\b(?:docker[- ]?compose|compose(?:\s+file)?|stack|setup)\s+for\s+(?:[\w.-]+\s+){0,2}?"
    r"(?:local\s+)?development\b(?!\s+(?:and|or)\s+production)"
    r"|\b(?:file|stack)\s+is\s+(?:only\s+)?used\s+(?:to\s+test|for\s+testing)\b"
    r"|\b(?:will|is|are|should|must)\s+(?:not|never)\s+(?:be\s+)?(?:deployed|shipped|used|run)"
    r"\s+(?:on|in|to|for)\s+(?:a\s+)?production\b"
    r"|\b(?:image|file|stack|setup)\s+is\s+(?:only\s+)?for\s+(?:local\s+)?development\b"
    r"|\btestable\s+locally\b|\bon\s+(?:an?\s+|your\s+|the\s+)?(?:typical\s+|local\s+)?"
    r"(?:development|developer(?:['’]s)?)\s+machines?\b"
    r"|\b(?:used\s+only|only\s+used)\s+(?:for|to)\s+(?:run(?:ning)?\s+)?(?:the\s+)?tests?\b"
    r"|\b(?:primarily|mainly|mostly)\s+(?:used\s+)?for\s+(?:local\s+)?(?:testing|development)\b")
_HEADER_LINES = 15


def opening_comment(text: str) -> list[str]:
    """The text of a file's leading comment lines (up to the first other line)."""
    lines = []
    for line in text.splitlines()[:_HEADER_LINES]:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return lines


# Lines that may come before a Compose file's first comment: a document start, the format
# version, the `services:` key itself; before a Dockerfile's, its base image and build args.
_PREAMBLE = re.compile(r"^(?:---|services:|version:\s*\S+)$|^(?:FROM|ARG)\s", re.IGNORECASE)
# ... where the comment describes a service unless it names the file.
_NAMES_THE_FILE = re.compile(r"\b(?:compose|this)\s+(?:file|stack)\b")


def _comment_under_preamble(text: str) -> str:
    """The first comment right under `version:` (or `---`) or a Dockerfile's first `FROM`,
    or under `services:` when it speaks of the file (`# A dev / testing / example compose
    file for …`), else ""."""
    lines = text.splitlines()[:_HEADER_LINES]
    start = 0
    while start < len(lines) and _PREAMBLE.match(lines[start].strip()):
        start += 1
    if not start:
        return ""
    head = " ".join(opening_comment("\n".join(lines[start:]))).lower()
    under_services = lines[start - 1].strip() == "services:"
    return head if not under_services or _NAMES_THE_FILE.search(head) else ""


def declared_purpose(text: str) -> Role | None:
    """A file whose opening comment says it is an example, or for local development,
    evaluation or testing and not for production (`# An example docker-compose file for …`,
    `# … is not intended for production use`)."""
    head = " ".join(opening_comment(text)).lower() or _comment_under_preamble(text)
    if _DEV_HEADER.search(head):
        return Role(DEV_TOOLING, "its opening comment says it is for local use, not production")
    if _EXAMPLE_HEADER.search(head) and not _PRODUCTION_CLAIM.search(head):
        return Role(EXAMPLE, "its opening comment says it is an example")
    return None


# API versions Kubernetes has removed (Kubernetes' deprecated API migration guide): a
# manifest whose workloads use one cannot be applied to any supported cluster. A group maps
# to the kinds it served that are gone, or to None when all are.
_REMOVED_APIS: dict[str, frozenset[str] | None] = {
    "extensions/v1beta1": None,  # Deployment, DaemonSet, ReplicaSet (1.16), Ingress (1.22)
    "apps/v1beta1": None, "apps/v1beta2": None,  # 1.16
    "batch/v2alpha1": None,  # never on by default, since removed
    "batch/v1beta1": frozenset({"CronJob"}),  # 1.25
    "networking.k8s.io/v1beta1": frozenset({"Ingress", "IngressClass"}),  # 1.22
}
_RETIRED_KINDS = frozenset({"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job",
                            "CronJob", "Ingress"})


def _retired_manifest(yf: YamlFile) -> Role | None:
    """A manifest whose workloads (and ingresses) all use API versions Kubernetes has
    removed (`apps/v1beta1`, `extensions/v1beta1`): no cluster accepts it any more, so its
    settings are a record of an old deployment, not one to harden."""
    found = []
    for doc in yf.kubernetes_objects():
        root = doc.root
        if not isinstance(root, YMap):
            continue
        kind, version = root.get_value("kind"), root.get_value("apiVersion")
        if kind not in _RETIRED_KINDS or not isinstance(version, str):
            continue
        removed = _REMOVED_APIS.get(version, frozenset())
        found.append((version, removed is None or kind in removed))
    if not found or not all(gone for _, gone in found):
        return None
    versions = ", ".join(sorted({version for version, _ in found}))
    return Role(EXAMPLE, f"its workloads use API versions Kubernetes has removed ({versions}): "
                         "no supported cluster accepts it")


# An opening comment that offers the file for production ("a viable production setup", "can
# be used in production directly") makes it more than an example to copy from.
_PRODUCTION_CLAIM = re.compile(r"\bproduction[- ](?:setup|ready|deployment|grade|stack)\b"
                               r"|\b(?:be\s+)?used\s+in\s+production\b")


README_NAMES = ("README.md", "README.rst", "README.txt", "README")
_README_LOWER = frozenset(n.lower() for n in README_NAMES)
_EXAMPLES_TITLE = re.compile(r"\b(?:examples?|samples?|demos?)\b", re.IGNORECASE)
_DEMO_TITLE = re.compile(r"^(?:examples?|samples?|demos?)\b|\b(?:example|sample|demo)[\s-]+"
                         r"(?:project|app|application|site|server|deployment|setup|plugin)s?\b",
                         re.IGNORECASE)


# A README title naming its directory's files for developers ("Development Proxy Setup")
_DEV_TITLE = re.compile(r"^(?:local\s+)?(?:development|dev)\b(?![-_.])", re.IGNORECASE)


# A README's first sentence calling its directory an example of the project's kind ("This is
# an example extension to DiracX that …"); not "a sample configuration for running it",
# which is what users deploy
_EXAMPLE_OPENING = re.compile(
    r"(?:this|it)\s+(?:is|(?:directory|folder|repository|project)\s+(?:is|contains))\s+an?\s+"
    r"(?:example|sample|demo)\s+(?:extension|plugin|project|app|application|site|module|"
    r"package|integration|implementation)s?\b", re.IGNORECASE)


class _ReadmePurposes:
    """What the README of an artifact's own directory says the directory holds: a title such
    as `# Kubernetes deployment examples`, or a sentence that its files are for development
    and testing, not production. The repository root's README speaks for the project, not
    for the files beside it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        # directory -> its README, whatever its case (`keycloak/readme.md`)
        self.readmes: dict[str, str] = {}
        for path in sorted(project.all_files):
            directory, name = posixpath.split(path)
            if name.lower() in _README_LOWER:
                self.readmes.setdefault(directory, path)
        self.by_directory: dict[tuple[str, bool], Role | None] = {}

    def of(self, path: str) -> Role | None:
        return self.of_directory(posixpath.dirname(path))

    def roles_below(self) -> dict[str, Role]:
        """Directory -> the role its README gives everything below it, for every directory
        (not the root) whose README gives one."""
        return {directory: role for directory in self.readmes
                if directory and (role := self.of_directory(directory, below=True)) is not None}

    def of_directory(self, directory: str, *, below: bool = False) -> Role | None:
        """The role the directory's README gives its files; with `below`, the files of its
        subdirectories too, which takes a title that names the whole directory a demo
        ("Demo Project", "Examples"), not one that merely mentions examples."""
        if not directory:
            return None
        key = (directory, below)
        if key not in self.by_directory:
            self.by_directory[key] = self._read(directory, below)
        return self.by_directory[key]

    def _read(self, directory: str, below: bool) -> Role | None:
        from .documentation import read_text

        readme = self.readmes.get(directory)
        if readme is None:
            return None
        lines = [line.strip() for line in read_text(self.project, readme).splitlines()[:15]]
        # the first line of words: not a badge (`![example workflow](…badge.svg)`) or markup
        title = next((line for line in lines if line and not line.startswith(
            ("![", "[![", "<"))), "").lstrip("#").strip()
        if (_DEMO_TITLE if below else _EXAMPLES_TITLE).search(title):
            return Role(EXAMPLE, f"{readme} calls the directory {title!r}")
        opening = next((line for line in lines if line and not line.startswith(
            ("#", "![", "[![", "<", "=", "-")) and line.lstrip("#").strip() != title), "")
        if _EXAMPLE_OPENING.match(opening):
            return Role(EXAMPLE, f"{readme} opens saying the directory is an example")
        if not below and _DEV_TITLE.search(title):
            return Role(DEV_TOOLING, f"{readme} calls the directory {title!r}")
        if _DEV_HEADER.search(" ".join(lines).lower().replace("*", "").replace("_", " ")):
            return Role(DEV_TOOLING, f"{readme} says its files are not for production")
        return None


# a Markdown heading, or a reStructuredText title underlined on the next line
_HEADING = re.compile(r"\A\s*#|\A[^\n]+\n[=\-~^*]{3,}[ \t]*$", re.MULTILINE)
_WORDS = re.compile(r"[\w.\-]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^a-z])")  # "… only. The `x.yml` …"


def _documented_purposes(project: Project, artifacts: list[str]) -> dict[str, Role]:
    """Dockerfiles and Compose files a documentation paragraph names and says are for
    development or testing, not production ("This `docker-compose.yml` is configured for
    local testing only"; under a heading `# Dockerfile and Dockerfile.citus`, "not
    production-worthy"). A name is resolved beside the page, else at the root, else when it
    is the only file so named."""
    from .documentation import documentation_pages

    by_name: dict[str, list[str]] = {}
    for path in artifacts:
        by_name.setdefault(posixpath.basename(path).lower(), []).append(path)
    found: dict[str, Role] = {}
    for page, text in documentation_pages(project):
        if not _DEV_HEADER.search(" ".join(text.lower().split())):
            continue
        def named(words: str) -> list[str]:
            return [w.strip(".-") for w in _WORDS.findall(words) if w.strip(".-") in by_name]

        heading_names: list[str] = []
        for block in re.split(r"\n[ \t]*\n", text):
            lowered = " ".join(block.lower().split())
            if _HEADING.match(block):
                heading_names = named(block.lower().splitlines()[0])
            if not _DEV_HEADER.search(lowered):
                continue
            # the names in the sentences that say so, else the section's heading
            sentences = [t.lower() for t in _SENTENCE_END.split(" ".join(block.split()))]
            names = [n for sentence in sentences
                     if _DEV_HEADER.search(sentence) for n in named(sentence)]
            for name in names or heading_names:
                target = _resolve(by_name[name], posixpath.dirname(page))
                if target is not None:
                    found.setdefault(target, Role(
                        DEV_TOOLING, f"{page} says it is for development or testing, not "
                                     f"production"))
    return found


# `docker compose up`, `docker-compose -f dev.yml up -d`, `podman-compose up`
_COMPOSE_UP = re.compile(
    r"\b(?:docker|podman)[ -]compose\b((?:[ \t]+-[-\w]+(?:[ \t=]+[^\s-]\S*)?)*)[ \t]+up\b")
# A README section for the project's developers, not its users
_DEVELOPER_HEADING = re.compile(r"\b(?:develop\w*|contribut\w*|hacking|dev[ -]?(?:setup|env\w*)"
                                r"|running[ -]tests|testing)\b", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
# `kubectl apply -f ./k8s/errors/pod-crashloop.yaml`: the manifest (or directory) it applies
_KUBECTL_APPLY = re.compile(r"\bkubectl[ \t]+(?:apply|create)\b[^\n`]*?[ \t]-f[ \t]+([^\s`]+)")
_YAML_SUFFIXES = (".yaml", ".yml", ".json")


def _readme_development_stacks(project: Project) -> dict[str, Role]:
    """Root Compose files the top-level README starts (`docker compose up`) only in sections
    for the project's developers ("## Development", "### Contributing"): a developer's
    stack; and the directories of the manifests it applies only there (`kubectl apply -f
    k8s/errors/pod.yaml`, keyed `k8s/errors/`). One started or applied in any other section
    (installation, usage) is not."""
    from .compose import BASE_NAMES, COMPOSE_FILE_FLAG
    from .documentation import read_text

    readme = next((n for n in README_NAMES if project.has_file(n)), None)
    if readme is None or not readme.lower().endswith((".md", "readme")):
        return {}
    sections: dict[str, set[bool]] = {}  # file -> developer section or not, per start
    headings: list[tuple[int, str]] = []  # the heading path of the current line
    for line in read_text(project, readme).splitlines():
        heading = _MARKDOWN_HEADING.match(line)
        if heading:
            level = len(heading[1])
            headings = [h for h in headings if h[0] < level] + [(level, heading[2])]
            continue
        developer = any(_DEVELOPER_HEADING.search(text) for _, text in headings)
        for up in _COMPOSE_UP.finditer(line):
            named = COMPOSE_FILE_FLAG.findall(up[1])
            files = [posixpath.normpath(n.strip("'\"")) for n in named] or [
                n for n in BASE_NAMES if project.has_file(n)][:1]
            for name in files:
                sections.setdefault(name, set()).add(developer)
        for applied in _KUBECTL_APPLY.findall(line):
            # the manifests of the directory it applies from (`k8s/errors/pod-crashloop.yaml`)
            target = posixpath.normpath(applied.strip("'\"`"))
            directory = posixpath.dirname(target) if target.endswith(_YAML_SUFFIXES) else target
            if directory not in ("", "."):
                sections.setdefault(directory + "/", set()).add(developer)
    candidates = [name for name, kinds in sections.items() if kinds == {True}]
    # files another Compose file pulls in are part of that file's stack, whatever the README
    # starts them for
    included = set(_compose_file_users(project)) if candidates else set()

    def why(name: str) -> str:
        what = "applies the manifests there" if name.endswith("/") else "starts it"
        return f"{readme} {what} only in a section for the project's developers"

    return {name: Role(DEV_TOOLING, why(name)) for name in candidates if name not in included}


def _compose_file_users(project: Project) -> dict[str, list[str]]:
    """For each Compose file another one pulls in (`include:`, `extends: {file: …}`), the
    files that pull it in (`${VAR:-default}` in a path read at its default)."""
    def find() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for path in project.yaml_files:
            data = _compose_data(project, path) if is_compose_path(path) else None
            if not isinstance(data, dict):
                continue
            included, services = data.get("include"), data.get("services")
            refs = [ref.get("path") if isinstance(ref, dict) else ref
                    for ref in (included if isinstance(included, list) else [])]
            refs += [svc["extends"].get("file") for svc in (
                services.values() if isinstance(services, dict) else [])
                if isinstance(svc, dict) and isinstance(svc.get("extends"), dict)]
            for ref in refs:
                for one in ref if isinstance(ref, list) else [ref]:
                    if isinstance(one, str):
                        target = posixpath.normpath(posixpath.join(
                            posixpath.dirname(path), VARIABLE_DEFAULT.sub(r"\1", one)))
                        if target != path and path not in found.setdefault(target, []):
                            found[target].append(path)
        return found

    result: dict[str, list[str]] = project.once("compose-file-users", find)
    return result


def _resolve(paths: list[str], directory: str) -> str | None:
    for wanted in (directory, ""):
        near = [p for p in paths if posixpath.dirname(p) == wanted]
        if near:
            return near[0]
    return paths[0] if len(paths) == 1 else None


def _builds_only_declared(project: Project, path: str, yf: YamlFile,
                          convention: dict[str, Role | None], declared: set[str]
                          ) -> Role | None:
    """A Compose file whose every image of the project is built from a Dockerfile its own
    words, documentation or name call development-only (`Containerfile.dev`) runs that image
    for development too: the images it builds, and those its opening comment tells to build
    by hand (`# $ docker build -t app .` above `image: app`)."""
    built = [b.dockerfile for b in project_builds(project)
             if b.how == COMPOSE and b.source == path]
    built += _hand_built(project, path, yf)
    roles = [convention.get(d) if d in declared else _named_for_development(d) for d in built
             if d is not None]
    if not roles or len(roles) != len(built) or \
            any(r is None or r.role != DEV_TOOLING for r in roles):
        return None
    return Role(DEV_TOOLING, f"it runs only images meant for development ({built[0]}: "
                             f"{roles[0].why if roles[0] else ''})")


def _named_for_development(dockerfile: str) -> Role | None:
    """The role the Dockerfile's own name gives it when that is development or tests
    (`Containerfile.dev`; a directory such as `docker/dev/` does not count here)."""
    role = named_role(posixpath.basename(dockerfile))
    return Role(role, f"named {posixpath.basename(dockerfile)!r}") if role in (
        DEV_TOOLING, TEST_FIXTURE) else None


def _hand_built(project: Project, path: str, yf: YamlFile) -> list[str | None]:
    """The Dockerfiles of the images a Compose file runs (without building them) that its
    opening comment builds by hand."""
    from .compose import interpolate

    head = "\n".join(line.removeprefix("$").strip() for line in opening_comment(yf.text))
    if "build" not in head:
        return []
    tagged = {name: b.dockerfile for b in command_builds(head, path, posixpath.dirname(path))
              for name in b.images}
    data = _compose_data(project, path)
    services = data.get("services") if isinstance(data, dict) else None
    images = [interpolate(str(svc["image"])) for svc in (
        services.values() if isinstance(services, dict) else ())
        if isinstance(svc, dict) and "image" in svc and "build" not in svc]
    return [tagged[image_name(i)] for i in images if image_name(i) in tagged]


# `localhost:5000/app:latest`, `127.0.0.1:5001/api`: a registry on the machine itself
_LOCAL_REGISTRY = re.compile(r"^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?/")


def _jenkins_directories(project: Project) -> dict[str, Role]:
    """Directories of Jenkins pipelines (`Jenkinsfile`, `Jenkinsfile.pr-checks`): the
    Kubernetes manifests beside them are the pod templates the pipelines run their agents in
    (`yamlFile "Jenkinsfiles/agent-pod.yaml"`)."""
    found: dict[str, Role] = {}
    for path in project.all_files:
        name = posixpath.basename(path)
        if name == "Jenkinsfile" or name.startswith("Jenkinsfile."):
            directory = posixpath.dirname(path)
            found.setdefault(directory, Role(DEV_TOOLING, f"beside {path}: the pod templates "
                                                          "of its CI agents"))
    return found


def _local_cluster_directories(project: Project) -> dict[str, Role]:
    """Directories of Kubernetes manifests that pull an image from a registry on localhost
    (`kind` or minikube with a local registry): the developer's cluster, every manifest of
    the directory with it."""
    from .kubernetes import Workload, project_objects

    found: dict[str, Role] = {}
    for obj in project_objects(project):
        directory = posixpath.dirname(obj.path)
        if directory in found or not isinstance(obj, Workload):
            continue
        for container in obj.containers(init=False):
            image = str(container.node.get_value("image") or "")
            if _LOCAL_REGISTRY.match(image):
                found[directory] = Role(DEV_TOOLING, f"its manifests pull {image}, from a "
                                                     "registry on localhost: a local cluster")
                break
            if str(container.node.get_value("imagePullPolicy") or "") == "Never":
                found[directory] = Role(DEV_TOOLING, f"its manifests never pull {image}: an "
                                                     "image loaded into a local cluster")
                break
    # a kustomization that gathers such a directory applies its siblings to that cluster too
    for path, data in _kustomizations(project).items():
        base = posixpath.dirname(path)
        resources = data.get("resources")
        parts = [posixpath.normpath(posixpath.join(base, str(r))) for r in resources
                 ] if isinstance(resources, list) else []
        local = next((found[d] for d in [base, *parts] if d in found), None)
        if local is not None:
            for directory in [base, *parts]:
                found.setdefault(directory, local)
    return found


def _development_override(project: Project, path: str) -> Role | None:
    """`compose.override.yaml` beside the base file and another Compose file: a plain
    `docker compose up` merges the override (the developer's stack), while a deployment names
    its files with `-f` (`-f compose.yaml -f compose.production.yaml`) and leaves it out."""
    from .compose import BASE_NAMES, is_default_override

    if not is_default_override(path):
        return None
    directory = posixpath.dirname(path)
    others = sorted(p for p in project.yaml_files if is_compose_path(p) and p != path
                    and posixpath.dirname(p) == directory
                    and posixpath.basename(p).lower() not in BASE_NAMES)
    if not others:
        return None
    return Role(DEV_TOOLING, f"the default override: a plain `docker compose up` merges it, "
                             f"while a deployment names its files ({others[0]})")


def _development_stack(project: Project, path: str, has_python: bool,
                       own_names: frozenset[str]) -> Role | None:
    from .devstack import (
        backing_services_stack,
        dev_network_stack,
        development_stack,
        local_images_stack,
        third_party_stack,
    )

    data = _with_extended(project, path, _compose_data(project, path))
    builds = {build.service: build for build in project_builds(project)
              if build.how == COMPOSE and build.source == path and build.dockerfile}

    def image_signal(service: str) -> str:
        build = builds.get(service)
        return _development_image(project, build.dockerfile, build.target) \
            if build is not None and build.dockerfile else ""

    why = development_stack(data, image_signal, _code_directories(project, path)) or \
        local_images_stack(data) or \
        dev_network_stack(data) or (backing_services_stack(data) if has_python else "") or (
        third_party_stack(data, own_names) if _below_root_not_deploying(path) else "")
    return Role(DEV_TOOLING, why) if why else None


def _code_directories(project: Project, compose: str) -> frozenset[str]:
    """The directories beside a Compose file that hold Python code (`src`, `app`, `backend`):
    what a bind mount of one of them puts over an image is the checkout's code."""
    base = posixpath.dirname(compose)
    prefix = f"{base}/" if base else ""
    found: frozenset[str] = project.once(f"code-directories:{base}", lambda: frozenset(
        rest.split("/", 1)[0] for path in project.python
        if path.startswith(prefix) and "/" in (rest := path[len(prefix):])))
    return found


# Path words that say a file deploys something (`deploy/prod-node/nginx/`, `ops/stack.yml`)
_DEPLOYING_WORDS = frozenset({"deploy", "deployment", "deployments", "prod", "production",
                              "ops", "infra", "infrastructure", "hosting", "swarm"})


def _below_root_not_deploying(path: str) -> bool:
    directories = path.lower().split("/")[:-1]
    words = {w for d in directories for w in re.split(r"[-_.]", d)}
    return bool(directories) and not words & _DEPLOYING_WORDS


def _own_image_names(project: Project, project_names: frozenset[str]) -> frozenset[str]:
    """Names an image of the project may carry: those its builds tag (`team/api` and `api`)
    and the project's own names and their words (`ethyca-fides`: also `fides`)."""
    names = set(project_names) | {word for name in project_names for word in name.split("-")
                                  if len(word) > 2}
    for build in project_builds(project):
        for image in (*build.images, *build.runtime_suffixes):
            names |= {image.lower(), image.rsplit("/", 1)[-1].lower()}
    return frozenset(names)


def _with_extended(project: Project, path: str, data: Any) -> Any:
    """`data` with each service laid over the services it `extends:` (in this file or another
    of the repository, as the Compose model resolves them), so a stack that extends a
    development service reads as one."""
    from .compose import extended_layers

    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict) or not any(
            isinstance(svc, dict) and "extends" in svc for svc in services.values()):
        return data
    merged: dict[Any, Any] = {}
    for name, svc in services.items():
        layers = extended_layers(project, path, name) if isinstance(svc, dict) and \
            isinstance(name, str) else []
        bases = [base for layer in layers if layer.node is not None
                 and isinstance(base := layer.node.to_python(), dict)]
        merged[name] = _laid_over(bases, svc) if bases else svc
    return {**data, "services": merged}


def _laid_over(bases: list[dict[str, Any]], svc: dict[str, Any]) -> dict[str, Any]:
    """The service's keys over its bases' (outermost first); volumes add up."""
    out: dict[str, Any] = {}
    volumes: list[Any] = []
    for layer in [*bases, svc]:
        if isinstance(layer.get("volumes"), list):
            volumes += layer["volumes"]
        out.update({k: v for k, v in layer.items() if k != "extends"})
    if volumes:
        out["volumes"] = volumes
    return out


def _layered_over(project: Project) -> dict[str, list[str]]:
    """For each Compose file every run names after another (`-f base.yml -f this.yml`), the
    first file of each run: the stacks it adds to."""
    from .compose import compose_runs, run_files

    found: dict[str, list[str]] = {}
    for path, runs in compose_runs(project).items():
        bases = [files[0] for files in (run_files(source, command) for source, command in runs)
                 if path in files and files[0] != path]
        if bases and len(bases) == len(runs):
            found[path] = sorted(set(bases))
    return found


def _compose_data(project: Project, path: str) -> Any:
    """A Compose file's first document as data, converted once per scan."""
    def convert() -> Any:
        yf = project.yaml_files.get(path)
        root = yf.documents[0].root if yf is not None and yf.documents else None
        return root.to_python() if root is not None else None

    return project.once(f"compose-data:{path}", convert)


def _is_dockerfile_name(name: str) -> bool:
    return "dockerfile" in name or name.startswith("containerfile")


def _stage_role(df: Any) -> Role | None:
    """A Dockerfile whose final stage is named for development or tests."""
    final = getattr(df, "final_stage", None)
    name = getattr(final, "name", "") or ""
    role = named_role(name)
    return Role(role, f"its final stage is named {name!r}") if role in (
        TEST_FIXTURE, DEV_TOOLING) else None


# Installing the development dependencies into the image: `pipenv install --dev` (or `sync`),
# `poetry install --with dev`, `uv sync --group dev`, `pip install -r requirements-dev.txt` (or
# the test requirements: `requirements_test.txt`).
_DEV_INSTALL = re.compile(
    r"\bpipenv\s+(?:install|sync)\b[^\n&;|]*\s--dev\b"
    r"|\b(?:poetry\s+install|uv\s+sync|pdm\s+install)\b[^\n&;|]*\s--(?:with|group|only)[= ]"
    r"(?:[\w,]+,)?dev\b"
    r"|\bpip3?\s+install\b[^\n&;|]*\s(?:-r\s*|--requirement[= ]\s*)[^\s&;|]*"
    r"(?:requirements[-_/.](?:dev|devel|development|local|tests?|testing)(?=[-_.])"
    r"|(?:dev|devel|tests?)[-_]requirements)"
    r"[^\s/]*\.txt\b"
    # the project's own development or test extras: `pip install -e ".[dev]"`, `app[tests]`
    r"|\bpip3?\s+install\b[^\n&;|]*\[(?:[\w-]+,)*(?:dev|devel|development|tests?|testing)"
    r"(?:,[\w-]+)*\]", re.IGNORECASE)


def _dev_image(df: Any) -> Role | None:
    """A Dockerfile whose final image installs the development dependencies: a developer's
    image (what the graph deploys still decides first)."""
    from .images import effective_stages

    if getattr(df, "final_stage", None) is None:
        return None
    for stage in effective_stages(df):
        for ins in stage.find("RUN"):
            command = " ".join([ins.args, *ins.heredocs])
            found = _DEV_INSTALL.search(command)
            # not an install one branch of a build argument chooses (`if [ "$editable" … ]`)
            if found and not re.search(r"\bif\b[^\n]*\bthen\b", command[:found.start()]):
                return Role(DEV_TOOLING, f"its image installs the development dependencies "
                                         f"({' '.join(found[0].split())})")
    return None


# A front end's development server (`npm run dev`, `vite dev`, `ng serve`). Python's
# development servers in an image are DOCKER005's to report, so they give no role.
_FRONT_END_DEV_SERVER = re.compile(
    r"\b(?:npm|yarn|pnpm)\s+(?:run\s+)?(?:dev|serve)\b|\bvite\s+(?:dev|serve)\b|\bng\s+serve\b"
    r"|\bnodemon\b")


def _dev_server_image(df: Any) -> Role | None:
    """A Dockerfile whose final image starts a front end's development server: a developer's
    image (what the graph deploys still decides first)."""
    from .images import image_commands

    if getattr(df, "final_stage", None) is None:
        return None
    command = " ".join(" ".join(ins.exec_form) if ins.exec_form is not None else ins.args
                       for ins in image_commands(df, None))
    found = _FRONT_END_DEV_SERVER.search(command)
    return Role(DEV_TOOLING, f"its command starts a development server ({found[0].strip()})"
                ) if found else None


def _development_image(project: Project, path: str, target: str | None) -> str:
    """Why the image the Dockerfile at `path` builds for `target` is a developer's ("" if
    nothing says so): it starts a development server, switches a development mode on in its
    environment, or installs the development dependencies. Beside the checkout mounted over
    its code, any of them makes a development stack."""
    from ..artifacts.dockerfile import Dockerfile
    from .devstack import QUOTES, development_setting
    from .images import image_files

    df = project.dockerfiles.get(path)
    if not isinstance(df, Dockerfile) or df.final_stage is None:
        return ""
    server = _development_server(project, df, target)
    if server:
        return server
    for key, value in image_files(project, df, target).env.items():
        if value is not None and development_setting(key, value):
            return f"{path} sets {key}={value.strip(QUOTES)}"
    installs = _dev_image(df)
    return f"{path}: {installs.why}" if installs else ""


def _development_server(project: Project, df: Any, target: str | None) -> str:
    """Where the image starts a development server (`runserver`, `--reload`), from its
    command or a script the command runs; "" if it does not."""
    from .devstack import development_command
    from .startup import image_start_texts

    for text, where in image_start_texts(project, df, target):
        found = development_command(text)
        if found:
            return f"{where} runs {found!r}"
    return ""


# A server or long-running daemon an image may start besides its tests
_STARTS_SERVER = re.compile(
    r"(?<![\w.-])(?:uvicorn|gunicorn|hypercorn|daphne|granian|uwsgi|waitress-serve|runserver"
    r"|celery|nginx|httpd|supervisord)(?![\w.-])")


def _test_runner_image(project: Project, df: Any) -> Role | None:
    """A Dockerfile whose image runs the test suite when it starts (its command, or a script
    the command runs: `CMD ./scripts/test.sh` running pytest) and starts no server: the tests'
    image (what the graph deploys still decides first)."""
    from .startup import image_start_texts

    if getattr(df, "final_stage", None) is None:
        return None
    texts = image_start_texts(project, df, None) + _mounted_scripts(project, df)
    if any(_STARTS_SERVER.search(text) for text, _ in texts):
        return None
    for text, where in texts:
        found = RUNS_TESTS.search(text)
        if found:
            return Role(TEST_FIXTURE, f"{where} runs {found[0]!r} and starts no server: the "
                                      "test suite's image")
    return None


def _mounted_scripts(project: Project, df: Any) -> list[tuple[str, str]]:
    """The scripts the image's command runs from its working directory when the image holds
    no copy of them (`WORKDIR /app` and `CMD /app/scripts/test.sh`, the checkout mounted at
    /app): the repository's file at that path, the checkout being mounted there."""
    from .images import image_commands, image_files

    files = image_files(project, df)
    workdir = files.workdir.rstrip("/") + "/"
    found: list[tuple[str, str]] = []
    for ins in image_commands(df, None):
        words = ins.exec_form if ins.exec_form is not None else ins.args.split()
        for word in words:
            if not word.startswith(workdir) or not word.endswith((".sh", ".py")) or \
                    files.source(word) is not None:
                continue
            path = word[len(workdir):]
            if path in project.texts:
                found.append((project.texts[path], path))
    return found


# --------------------------------------------------------------------------- the graph


def build_deployment(project: Project) -> Deployment:
    from .compose import compose_runs, named_compose_files

    readmes = _ReadmePurposes(project)
    model = Deployment(project_names=_project_names(project),
                       tool_directories=_tool_directories(project),
                       readme_roles=readmes.roles_below(),
                       vendored_directories=_vendored_directories(project),
                       sphinx_configs=frozenset(f"{root}conf.py" for root in doc_roots(project)
                                                if project.has_file(f"{root}conf.py")))
    convention: dict[str, Role | None] = {}
    documented = _readme_development_stacks(project) | _documented_purposes(project, [
        *project.dockerfiles, *(p for p in project.yaml_files if is_compose_path(p))])
    # Dockerfiles whose own words or documentation give their role
    declared_images = model.declared_images
    for path, df in project.dockerfiles.items():
        text = getattr(df, "text", "")
        role = path_role(path) or model.tool_role(path) or model.vendored_role(path) or \
            _stage_role(df)
        if role is None and (role := declared_purpose(text) or documented.get(path)):
            declared_images.add(path)
        convention[path] = role or _dev_image(df) or _dev_server_image(df) or \
            _test_runner_image(project, df) or \
            generated_header(text) or readmes.of(path) or model.readme_role(path)
    declared: set[str] = set()  # YAML whose content alone gives its role
    named = named_compose_files(project)
    # the project's own code runs outside a Compose file of datastores only
    has_python = any(path.endswith(".py") for path in project.all_files)
    own_names = _own_image_names(project, model.project_names)
    local_clusters = _local_cluster_directories(project) | _jenkins_directories(project)
    kustomizations = _kustomizations(project)
    for path, yf in project.yaml_files.items():
        # a Compose file by its name, or one a script or CI job runs with `-f`
        compose = is_compose_path(path) or path in named
        convention[path] = path_role(path) or generated_header(yf.text) or \
            model.vendored_role(path) or (
            model.tool_role(path) if compose or path in compose_runs(project) else None) or (
            (local_clusters.get(posixpath.dirname(path)) or
             documented.get(posixpath.dirname(path) + "/")) if not compose and (
                yf.kubernetes_objects() or path in kustomizations) else None)
        if convention[path] is None and (role := declared_purpose(yf.text) or (
                documented.get(path) or _development_override(project, path) or
                _development_stack(project, path, has_python, own_names) or
                _builds_only_declared(project, path, yf, convention, declared_images)
                if compose else _retired_manifest(yf)) or readmes.of(path) or
                model.readme_role(path)) is not None:
            convention[path] = role
            declared.add(path)

    links: dict[str, str] = {}  # artifact -> why it is deployed
    # artifacts something uses only to develop or test (a skaffold `dev` profile, a CI test
    # job): that use gives their role when nothing deploys them and their path says nothing
    used_by: dict[str, Role] = {}

    def counts(source: str) -> bool:
        """A reference counts when its own file is deployed or unclassified."""
        own = convention.get(source) or used_by.get(source)
        return own is None or own.role == DEPLOYED or source in links

    def mark(target: str, role: Role) -> None:
        if target:
            used_by.setdefault(target, role)

    def link(target: str, why: str) -> None:
        if target and target not in links:
            links[target] = why

    for path, why in [*_dev_container_stacks(project).items(), *_tilt_builds(project).items(),
                      *_workspace_images(project).items()]:
        mark(path, Role(DEV_TOOLING, why))  # before its builds are followed
    # a Compose file only developers' or tests' stacks pull in (`include:`, `extends:`), or
    # that every command starting it layers over such a stack (`-f dev.yml -f monitor.yml`)
    for how, found in (("only pulled in by", _compose_file_users(project)),
                       ("always started on top of", _layered_over(project))):
        for path, users in found.items():
            roles = [role for user in users if (role := convention.get(user)) is not None
                     and role.role in (DEV_TOOLING, TEST_FIXTURE)]
            if convention.get(path) is None and len(roles) == len(users):
                mark(path, Role(roles[0].role, f"{how} {users[0]} ({roles[0].role})"))
    _compose_links(project, counts, link, mark,
                   lambda source: convention.get(source) or used_by.get(source), model)
    from .compose import directory_compose_runs
    for path in sorted(set(named) | declared):  # a run outweighs what its content says
        own = convention.get(path)
        # under `dev/`, `examples/`, …: a Makefile or script that starts it is the
        # developer's convenience too, only a CI run says it ships
        _compose_run_links(project, path, link, mark,
                           ci_only=path not in named or (own is not None and not own.judged))
    for path, runs in directory_compose_runs(project).items():
        _compose_run_links(project, path, link, mark, runs=runs)
    # a Compose file under a standard name is a test fixture when test jobs only run it, one
    # of them to start its test service (`compose -f ci.yml run --rm api-tests`); users may
    # start it by hand otherwise
    for path, runs in sorted(compose_runs(project).items()):
        if path not in named and path not in declared and convention.get(path) is None and \
                any(_runs_test_service(command) for _, command in runs):
            _compose_run_links(project, path, link, mark)
    _ci_links(project, link, mark, model)
    _skaffold_links(project, counts, link, mark, model)
    # overlays reach their bases through other kustomizations: follow until nothing changes
    linked = -1
    while linked != len(links):
        linked = len(links)
        _kustomize_links(project, counts, link, model)

    for path, why in _left_out_of_kustomizations(project).items():
        mark(path, Role(EXAMPLE, why))

    if model.overlay_writes:
        from .kubernetes import project_objects

        for obj in project_objects(project):
            target = (obj.kind, obj.name)
            if target in model.overlay_writes and obj.path not in model.patches:
                model.patched_spans.setdefault(obj.path, []).append(
                    (obj.root.line, obj.root.end_line, target))
    for path in [*project.dockerfiles, *project.yaml_files]:
        if path in model.patches or (path in project.yaml_files and path not in named and
                                     not _is_deployment_yaml(path, project.yaml_files[path])):
            continue
        if path in links:
            model.roles[path] = Role(DEPLOYED, links[path])
            own = convention.get(path)
            if path in project.dockerfiles and own is not None and not own.judged and \
                    posixpath.dirname(path):
                model.deployed_dirs[posixpath.dirname(path)] = path
        else:
            model.roles[path] = convention.get(path) or used_by.get(path) or UNCLASSIFIED
    return model


# `"dockerComposeFile": ["../compose.yml", "compose.dev.yml"]` of a devcontainer.json (JSON with
# comments: read by pattern, never evaluated)
_DEV_CONTAINER_COMPOSE = re.compile(r'"dockerComposeFile"\s*:\s*(\[[^\]]*\]|"[^"]*")')


def _dev_container_stacks(project: Project) -> dict[str, str]:
    """Compose files a dev container definition starts: the editor's development
    environment (`.devcontainer/devcontainer.json`, `.devcontainer.json`)."""
    from .documentation import read_text

    found: dict[str, str] = {}
    for path in project.all_files:
        name = posixpath.basename(path)
        if name not in ("devcontainer.json", ".devcontainer.json") or (
                name == "devcontainer.json" and ".devcontainer" not in path.split("/")):
            continue
        match = _DEV_CONTAINER_COMPOSE.search(read_text(project, path))
        if match is None:
            continue
        for value in re.findall(r'"([^"]+)"', match[1]):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), value))
            if project.has_file(target):
                found.setdefault(target, f"the dev container {path} starts it")
    return found


# `image: {file: .gitpod.Dockerfile}` of a Gitpod configuration (read as text)
_GITPOD_IMAGE = re.compile(r"^image:[ \t]*\n[ \t]+file:[ \t]*['\"]?([^\s'\"#]+)", re.MULTILINE)


def _workspace_images(project: Project) -> dict[str, str]:
    """Dockerfiles a cloud development workspace builds (Gitpod's `.gitpod.yml`): the
    editor's environment, not an image that ships (what a CI job deploys still decides)."""
    from .documentation import read_text

    found: dict[str, str] = {}
    for config in (".gitpod.yml", ".gitpod.yaml"):
        if project.has_file(config):
            match = _GITPOD_IMAGE.search(read_text(project, config))
            target = posixpath.normpath(match[1]) if match else ""
            if target in project.dockerfiles:
                found[target] = f"{config} builds it for a Gitpod workspace"
    return found


# A Tiltfile's `docker_build(ref, context, dockerfile=…)`, read as text, never run
_TILT_BUILD = re.compile(r"\bdocker_build\(")
_TILT_ARGUMENT = re.compile(r"""(?:^|,)\s*(?:(\w+)\s*=\s*)?['"]([^'"]*)['"]""")


def _tilt_builds(project: Project) -> dict[str, str]:
    """Dockerfiles a Tiltfile builds: images for a developer's cluster, rebuilt on every
    change (what a CI job deploys still decides first)."""
    from .documentation import read_text

    found: dict[str, str] = {}
    for path in project.all_files:
        name = posixpath.basename(path)
        if name != "Tiltfile" and not name.endswith(".tiltfile"):
            continue
        text = read_text(project, path)
        directory = posixpath.dirname(path)
        for match in _TILT_BUILD.finditer(text):
            arguments = _call_arguments(text, match.end())
            positional = [v for k, v in arguments if not k]
            named = dict((k, v) for k, v in arguments if k)
            context = named.get("context") or (positional[1] if len(positional) > 1 else ".")
            dockerfile = named.get("dockerfile") or posixpath.join(context, "Dockerfile")
            target = posixpath.normpath(posixpath.join(directory, dockerfile))
            if project.has_file(target):
                found.setdefault(target, f"{path} builds it for a developer's cluster (Tilt)")
    return found


def _call_arguments(text: str, start: int) -> list[tuple[str, str]]:
    """(keyword or "", string value) of the literal arguments of the call whose arguments
    start at `start`, up to its closing parenthesis (nested calls skipped)."""
    depth, end = 1, start
    while end < len(text) and depth and end - start < 4000:
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    out: list[tuple[str, str]] = []
    level = 0
    piece = ""
    for char in text[start:end - 1] + ",":
        if char in "([{":
            level += 1
        elif char in ")]}":
            level -= 1
        if char == "," and level == 0:
            found = _TILT_ARGUMENT.match(piece)
            if found:
                out.append((found[1] or "", found[2]))
            piece = ""
        else:
            piece += char
    return out


def pyproject(project: Project, directory: str = "") -> dict[str, Any]:
    """The pyproject.toml of `directory` (the root by default), parsed once per scan ({}
    when absent or invalid)."""
    import tomllib

    path = posixpath.join(directory, "pyproject.toml") if directory else "pyproject.toml"

    def parse() -> dict[str, Any]:
        try:
            return tomllib.loads(project.texts.get(path, ""))
        except tomllib.TOMLDecodeError:
            return {}

    data: dict[str, Any] = project.once(f"pyproject:{path}", parse)
    return data


def _tool_directories(project: Project) -> frozenset[str]:
    """Top-level TOOL_DIRECTORIES that are not packages, and the directory of an in-tree
    build backend (pyproject.toml `[build-system] backend-path`)."""
    tops = {p.split("/", 1)[0] for p in project.all_files if "/" in p}
    found = {t for t in tops & TOOL_DIRECTORIES if not project.has_file(f"{t}/__init__.py")
             or not _imported_from_outside(project, t)}
    system = pyproject(project).get("build-system")
    paths = system.get("backend-path") if isinstance(system, dict) else None
    for path in paths if isinstance(paths, list) else ():
        top = str(path).strip("./").split("/", 1)[0]
        if top in tops:
            found.add(top)
    return frozenset(found)


# A requirement line's distribution name, at the start of the line.
_REQUIREMENT = re.compile(rf"^\s*({REQUIREMENT_NAME.pattern})", re.MULTILINE)
_REQUIREMENTS_FILE = re.compile(r"(?:^|/)[\w.-]*requirements[\w.-]*\.(?:txt|in)$")
# So many of a directory's import packages must be requirements of the project, and at least
# this share of everything Python in it, to call it vendored.
_VENDORED_MATCHES = 3
_VENDORED_SHARE = 0.25


_COPIED_PACKAGES = "copies of third-party packages the project requires"
_COPIED_REPOSITORY = ("a copy of another project's repository (its own packaging, licence "
                      "and CI configuration)")
# What only a repository's root holds: its CI and its contributors' templates, never a
# package of a monorepo (a CONTRIBUTING.md may be one's)
_REPOSITORY_FILES = re.compile(r"\.github|\.gitlab-ci\.ya?ml|\.travis\.yml|\.circleci|"
                               r"renovate\.json|pull_request_template(?:\.\w+)?",
                               re.IGNORECASE)


def _vendored_directories(project: Project) -> dict[str, str]:
    """Directories of third-party code and what each holds: packages copied in (see
    `_copied_packages`), and copies of another project's whole repository (a directory below
    the root with its own setup.py or pyproject.toml, licence, and CI configuration such as
    a `.github/` directory, as a git subtree brings in)."""
    found = dict.fromkeys(_copied_packages(project), _COPIED_PACKAGES)
    entries: dict[str, set[str]] = {}
    for path in project.all_files:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            entries.setdefault("/".join(parts[:depth]), set()).add(parts[depth])
    for directory, names in entries.items():
        lowered = {n.lower() for n in names}
        if ({"setup.py", "pyproject.toml"} & lowered and
                any(n.startswith(("license", "licence", "copying")) for n in lowered) and
                any(_REPOSITORY_FILES.fullmatch(n) for n in lowered)):
            found.setdefault(directory, _COPIED_REPOSITORY)
    return found


def _copied_packages(project: Project) -> frozenset[str]:
    """Directories a `pip install --target` filled and the repository commits (they hold
    `*.dist-info` records), and directories whose import packages are, by name, the project's
    own requirements (requirements files, pyproject dependencies): at least three, and a
    quarter of the packages and modules in the directory. Copies of third-party code shipped
    beside the project's (`lib/cherrypy/`, `lib/arrow/`), not a directory of plugin modules
    named after the libraries they wrap (`analyzers/yara_scan.py`). The repository root is
    never one, nor is a directory of the project's own distributions (a child with its own
    pyproject.toml or setup.py)."""
    # a `pip install --target` directory committed whole: its packages' `*.dist-info`
    installed = {path.rsplit("/", 2)[0] for path in project.all_files
                 if path.endswith(".dist-info/RECORD") and path.count("/") >= 2}
    wanted = {canonical_name(m) for path, text in project.texts.items()
              if _REQUIREMENTS_FILE.search(path.lower()) for m in _REQUIREMENT.findall(text)}
    table = pyproject(project).get("project")
    deps = table.get("dependencies") if isinstance(table, dict) else None
    for dep in deps if isinstance(deps, list) else ():
        match = _REQUIREMENT.match(str(dep))
        if match:
            wanted.add(canonical_name(match[1]))
    if not wanted:
        return frozenset(installed)
    packages: dict[str, set[str]] = {}  # directory -> its packages named as requirements
    children: dict[str, set[str]] = {}  # directory -> its Python packages and modules
    own: set[str] = set()  # directories of the project's own distributions
    for path in project.all_files:
        parts = path.split("/")
        if parts[-1] in ("pyproject.toml", "setup.py") and len(parts) > 2:
            own.add("/".join(parts[:-2]))
        if not path.endswith(".py") or len(parts) < 2:
            continue
        for depth in range(1, len(parts)):
            directory, child = "/".join(parts[:depth]), parts[depth]
            children.setdefault(directory, set()).add(child)
            if depth == len(parts) - 2 and parts[-1] == "__init__.py" and \
                    canonical_name(child) in wanted:
                packages.setdefault(directory, set()).add(child)
    return frozenset(installed) | frozenset(
        d for d, names in packages.items() if len(names) >= _VENDORED_MATCHES and
        d not in own and len(names) >= _VENDORED_SHARE * len(children[d]))


def _imported_from_outside(project: Project, package: str) -> bool:
    """Some module outside the top-level package, and outside tests and other tooling,
    imports it: the code uses it (a `tools/` package only the tools and the tests import is
    the maintainers'). `from .tools import x` beside a tools module of its own does not
    count."""
    from ..discover import is_guarded

    for path, facts in project.python.items():
        if path.startswith(package + "/") or path_role(path) is not None or is_guarded(
                path, include_tests=False):
            continue
        if not any(name == package or name.startswith(package + ".")
                   for name in getattr(facts, "imports", ())):
            continue
        sibling = posixpath.join(posixpath.dirname(path), package)
        if not (project.has_file(sibling + ".py") or project.has_file(sibling + "/__init__.py")):
            return True
    return False


def _project_names(project: Project) -> frozenset[str]:
    """The distribution names the project gives itself: pyproject.toml (`[project]`, Poetry),
    setup.cfg `[metadata]`, or a literal `name=` in setup.py (read, never run); and those of
    the packages whose directory builds an image."""
    from .documentation import read_text

    names = set()
    # the root's, and those of the packages that build an image beside their code
    # (`presidio-analyzer/pyproject.toml` next to `presidio-analyzer/Dockerfile`)
    directories = {""} | {posixpath.dirname(p) for p in project.dockerfiles
                          if project.has_file(posixpath.join(posixpath.dirname(p),
                                                             "pyproject.toml"))}
    for directory in sorted(directories):
        data = pyproject(project, directory)
        tool = data.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        for table in (data.get("project"), poetry):
            name = table.get("name") if isinstance(table, dict) else None
            if isinstance(name, str):
                names.add(name)
    for path, pattern in (("setup.cfg", _SETUP_CFG_NAME), ("setup.py", _SETUP_PY_NAME)):
        found = project.has_file(path) and pattern.search(read_text(project, path)[:READ_HEAD])
        if found:
            names.add(found[1])
    return frozenset(n.strip().lower().replace("_", "-") for n in names if n.strip())


_SETUP_CFG_NAME = re.compile(r"^name[ \t]*=[ \t]*([A-Za-z0-9][\w.-]*)[ \t]*$", re.MULTILINE)
_SETUP_PY_NAME = re.compile(r"\bname[ \t]*=[ \t]*['\"]([A-Za-z0-9][\w.-]*)['\"]")
READ_HEAD = 20_000  # the metadata sits at the top of setup.py / setup.cfg


def _is_deployment_yaml(path: str, yf: YamlFile) -> bool:
    """Compose files, Kubernetes manifests, kustomizations and skaffold configs."""
    name = posixpath.basename(path).lower()
    return is_compose_path(path) or name.startswith(("kustomization.", "skaffold")) or bool(
        yf.kubernetes_objects())


def _compose_links(project: Project, counts: Any, link: Any, mark: Any, role_of: Any,
                   model: Deployment) -> None:
    """Dockerfiles Compose builds: deployed when the Compose file counts; the developer's own
    when a developer's stack builds them under a name for this machine only (`local/…`:
    `docker/images/fakesentry/` of the local stack) or they start a development server,
    unless something else deploys them."""
    from ..artifacts.dockerfile import Dockerfile

    for build in project_builds(project):
        if build.how != COMPOSE:
            continue
        _add_tags(model, build)
        if build.dockerfile is None or _target_role(build) is not None:
            continue
        if counts(build.source):
            link(build.dockerfile, f"built by Compose service {build.service!r} ({build.source})")
            continue
        own = role_of(build.source)
        if own is None or own.role not in (DEV_TOOLING, TEST_FIXTURE):
            continue
        if build.images and all(image.startswith(("local/", "localhost/"))
                                for image in build.images):
            mark(build.dockerfile, Role(own.role, f"built by {build.source} only as "
                                                  f"{build.images[0]}, for this machine"))
        elif (buildpacks := _buildpack_builds(project)):
            mark(build.dockerfile, Role(own.role, f"built only by {build.source} "
                                                  f"({own.role}); the images that ship are "
                                                  f"built with buildpacks ({buildpacks})"))
        elif isinstance(df := project.dockerfiles.get(build.dockerfile), Dockerfile) and \
                df.final_stage is not None and \
                (server := _development_server(project, df, build.target)):
            mark(build.dockerfile, Role(own.role, f"built only by {build.source} "
                                                  f"({own.role}), and {server}"))
        elif (kind := _datastore_base(project, build.dockerfile)):
            mark(build.dockerfile, Role(own.role, f"built only by {build.source} "
                                                  f"({own.role}) FROM the {kind} image: that "
                                                  "stack's own database"))


def _datastore_base(project: Project, path: str) -> str | None:
    """The datastore whose official image the Dockerfile's final stage builds on
    (`FROM postgres:16` with certificates or extensions added)."""
    from ..artifacts.dockerfile import Dockerfile
    from .compose import datastore_kind
    from .images import effective_stages

    df = project.dockerfiles.get(path)
    if not isinstance(df, Dockerfile) or df.final_stage is None:
        return None
    return datastore_kind(effective_stages(df)[-1].base_image)


# A buildpack build: `pack build`, the buildpacks GitHub actions, `gcloud … --pack`
_BUILDPACK_BUILD = re.compile(r"\bpack\s+build\b|\bbuildpacks/github-actions\b|--pack\b")


def _buildpack_builds(project: Project) -> str:
    """The CI file that builds the project's images with Cloud Native Buildpacks, when no CI
    job or script builds a Dockerfile ("" otherwise): the Dockerfiles only development stacks
    build are the developers' own."""
    def find() -> str:
        if any(build.how != COMPOSE for build in project_builds(project)):
            return ""
        return next((path for path, yf in sorted(project.yaml_files.items())
                     if CI_FILES.search(path) and _BUILDPACK_BUILD.search(yf.text)), "")

    found: str = project.once("buildpack-builds", find)
    return found


# What a CI job does, read from its commands and names: it deploys, or it runs tests.
_DEPLOYS = re.compile(
    r"(?<![\w-])(?:deploy\w*|ansible-playbook|appleboy/ssh-action|"
    r"kubectl\s+(?:apply|rollout|set)|helm\s+(?:upgrade|install)|terraform\s+apply|"
    r"docker\s+stack\s+deploy|docker\s+context)(?![\w-])"
    # a copy to or a command on a remote host, as a command (not `compose up api ssh`, a
    # service of that name)
    r"|(?:^|[;&|(]|\brun:)[ \t]*(?:-[ \t]+)?(?:sudo[ \t]+)?(?:ssh|scp|rsync)(?![\w-])",
    re.IGNORECASE | re.MULTILINE)


def _compose_run_links(project: Project, path: str, link: Any, mark: Any, *,
                       ci_only: bool = False,
                       runs: list[tuple[str, str]] | None = None) -> None:
    """A Compose file under another name is deployed when something runs it, unless every
    run is in a CI job that tests (CI starts containers to test them, then throws them
    away): then it is a test fixture. With `ci_only` (a file whose own content says it is an
    example or a developer's stack) only CI runs count: a Makefile or script that starts it
    is the developer's convenience. `runs`: other runs to judge than the `-f` ones (a CI
    step that starts it from its directory)."""
    from .compose import compose_runs

    tests: list[str] = []
    for source, command in compose_runs(project).get(path, []) if runs is None else runs:
        if ci_only and not CI_FILES.search(source):
            continue
        job = _ci_job(project, source, command) if CI_FILES.search(source) else \
            _make_target(project, source, command)
        workflow = project.yaml_files.get(source)
        if ci_only and job is not None and workflow is not None and \
                _ON_PULL_REQUESTS.search(workflow.text):
            # a workflow that runs on pull requests starts the stack to test the change
            tests.append(f"{job[0]!r} of {source}" if job[0] else source)
            continue
        if job is None or not _tests_only(source, job[1], job[0]):
            how = "compose -f" if runs is None else "compose, in its directory"
            link(path, f"run by {source} ({how})")
            return
        tests.append(f"{job[0]!r} of {source}" if job[0] else source)
    if tests:
        mark(path, Role(TEST_FIXTURE, f"run only by test jobs ({tests[0]})"))


# A GitHub workflow triggered by pull requests (`on: [push, pull_request]`, `pull_request:`).
_ON_PULL_REQUESTS = re.compile(r"^on:[^\n]*\bpull_request\b|^[ \t]+-?[ \t]*pull_request:?[ \t]*$",
                               re.MULTILINE)


def _ci_job(project: Project, source: str, command: str) -> tuple[str, str] | None:
    """(name, text) of the CI job whose commands hold `command` (the whole file when its
    jobs cannot be told apart)."""
    documents = ci_documents(project).get(source) or [None]
    data = documents[0]
    if not isinstance(data, dict):
        text = project.texts.get(source)
        return ("", text) if text is not None else None
    jobs = data.get("jobs")
    wanted = " ".join(command.split())
    for name, job in (jobs if isinstance(jobs, dict) else data).items():
        text = "\n".join(str(v) for v in walk(job) if isinstance(v, str))
        if wanted in " ".join(text.replace("\\\n", " ").split()):
            return str(name), text
    return None


_MAKE_TARGET = re.compile(r"^([\w./-]+)[ \t]*:(?!=)")


def _make_target(project: Project, source: str, command: str) -> tuple[str, str] | None:
    """(target, recipe) of the Makefile target whose recipe runs `command` (None for other
    files, or a command outside any target)."""
    if posixpath.basename(source).lower() not in ("makefile", "gnumakefile"):
        return None
    wanted = " ".join(command.split())
    recipe: list[str] = []
    last = ""
    for target, line in _recipe_lines(project.texts.get(source) or ""):
        if target != last:
            recipe, last = [], target
        recipe.append(line)
        if target and wanted in " ".join(line.split()):
            return target, "\n".join(recipe)
    return None


def _recipe_lines(text: str) -> Iterator[tuple[str, str]]:
    """(target, line) of every line of a Makefile below a target's header ("" before any)."""
    target = ""
    for line in text.splitlines():
        match = _MAKE_TARGET.match(line)
        if match:
            target = match[1]
        else:
            yield target, line


def _tests_only(source: str, job: str, name: str = "") -> bool:
    """A CI job that runs tests and deploys nothing (in a workflow or job named for tests,
    with a test command, or running a Compose service named for tests)."""
    if _DEPLOYS.search(job):
        return False
    return bool(_TEST_WORKFLOW.search(posixpath.basename(source).lower()) or
                _TEST_WORKFLOW.search(name.lower()) or RUNS_TESTS.search(job) or
                _runs_test_service(job))


def _runs_test_service(text: str) -> bool:
    """`docker compose … run --rm api-tests`: a one-off container of a test service."""
    for line in text.split("\n"):
        if "compose" not in line or " run " not in line:
            continue
        words = line.split(" run ", 1)[1].split()
        service = next((w for w in words if not w.startswith("-") and "=" not in w
                        and not w.startswith("$")), "")
        if "test" in service.lower():
            return True
    return False


def _ci_links(project: Project, link: Any, mark: Any, model: Deployment) -> None:
    """Dockerfiles built by CI workflows (not those that only run tests), Makefiles and build
    scripts; a build of a test or development stage (`--target test`) ships nothing."""
    for build in project_builds(project):
        workflow = posixpath.basename(build.source).lower()
        if build.how not in (ACTION, COMMAND) or (
                build.source in project.yaml_files and CI_FILES.search(build.source) and
                _TEST_WORKFLOW.search(workflow) and not (
                    _PUBLISH_WORKFLOW.search(workflow) and _judged_path(build.dockerfile))):
            continue
        if build.check_only:
            _add_tags(model, build)  # the names still tell which Dockerfile an image is
            continue  # CI checks the Dockerfile builds: nothing ships from that
        stage = _target_role(build) or _named_local_build(build) or _test_image(build) or \
            _unpushed_local_build(project, build)
        if build.dockerfile is not None and stage is not None:
            mark(build.dockerfile, stage)
        elif build.dockerfile is not None:
            link(build.dockerfile, f"built by {build.source} ({build.how})")
        if not _add_tags(model, build) and build.how == ACTION:
            model.published.add(build.dockerfile or "")  # names read at run time


def _named_local_build(build: ImageBuild) -> Role | None:
    """A Dockerfile named for development, tests or building an artifact
    (`docker/dev.dockerfile`, `build_whl.dockerfile`) that a Makefile or script builds, not
    CI: the developer's own image, run on their machine."""
    if build.how != COMMAND or build.dockerfile is None or CI_FILES.search(build.source):
        return None
    name = posixpath.basename(build.dockerfile)
    role = named_role(name) or (DEV_TOOLING if _BUILD_WORDS.intersection(
        re.split(r"[._\-]", name.lower())) else None)
    return Role(role, f"named {name!r} and built only by {build.source}") if role in (
        TEST_FIXTURE, DEV_TOOLING) else None


_PUSH = re.compile(r"\b(?:docker|podman|buildah)\s+(?:image\s+)?push\b|--push\b")


def _unpushed_local_build(project: Project, build: ImageBuild) -> Role | None:
    """A build a Makefile target named for local use runs (`build-local`, `dev-image`) that
    tags the image only with a bare local name (`bb-css:latest`: no registry, no namespace)
    and never pushes it: an image for a developer's machine (a tool or a mock)."""
    if build.how != COMMAND or build.dockerfile is None or not build.images or \
            build.runtime_name or any("/" in name for name in build.images) or \
            posixpath.basename(build.source).lower() not in ("makefile", "gnumakefile"):
        return None
    text = project.texts.get(build.source) or ""
    if _PUSH.search(text):
        return None
    target = next((target for target, line in _recipe_lines(text.replace("\\\n", " "))
                   if target and "build" in line and build.images[0] in line), "")
    if not _LOCAL_TARGET_WORDS.intersection(re.split(r"[-_.]", target.lower())):
        return None
    return Role(DEV_TOOLING, f"{build.source} builds it in `{target}` as {build.images[0]}, a "
                             "name only this machine knows, and never pushes it")


_LOCAL_TARGET_WORDS = frozenset({"local", "dev", "develop", "development"})


def _judged_path(dockerfile: str | None) -> bool:
    """Nothing in the path says the Dockerfile is a test's or a tool's: what a workflow that
    tests and publishes pushes from it ships (`tests/perf/Dockerfile` is the test's)."""
    role = path_role(dockerfile) if dockerfile else None
    return role is None or role.judged


def _test_image(build: ImageBuild) -> Role | None:
    """A Dockerfile named for tests or development whose every image is named so too
    (`Dockerfile-web-unit-test` published as `org/web-unit-tests`): CI builds and shares the
    test suite's image, not the service's."""
    if build.dockerfile is None or not build.images:
        return None
    name = posixpath.basename(build.dockerfile)
    role = named_role(name)
    if role not in (TEST_FIXTURE, DEV_TOOLING) or not all(
            named_role(image.rsplit("/", 1)[-1]) in (TEST_FIXTURE, DEV_TOOLING)
            for image in build.images):
        return None
    return Role(role, f"named {name!r} and built by {build.source} only as "
                      f"{', '.join(sorted(build.images))}")


# Words of a Dockerfile's name that say it builds an artifact (a wheel, a bundle, an OS
# package), not a server: `build_whl.dockerfile`, `Dockerfile.builder`, `Dockerfile-deb`.
_BUILD_WORDS = frozenset({"build", "builder", "whl", "wheel", "wheels", "deb", "rpm"})


def _target_role(build: ImageBuild) -> Role | None:
    """The role of a build that stops at a stage named for tests or development
    (`docker build --target test`, Compose `build.target: dev`)."""
    role = named_role(build.target or "")
    return Role(role, f"built by {build.source} only as its {build.target!r} stage") if role in (
        TEST_FIXTURE, DEV_TOOLING) else None


def _add_tags(model: Deployment, build: ImageBuild) -> bool:
    """Record the image names a build tags (and, when known, the Dockerfile that builds
    them); True when there is one."""
    for name in build.images:
        model.built_images.add(name)
        if build.dockerfile:
            model.image_dockerfiles.setdefault(name, build.dockerfile)
    for tagged in build.tagged if build.dockerfile else ():
        model.tagged_dockerfiles.setdefault(tagged, build.dockerfile or "")
    if build.dockerfile and build.runtime_name:
        model.published.add(build.dockerfile)  # also published under a run-time name
        for suffix in build.runtime_suffixes:
            model.published_suffixes.setdefault(suffix, build.dockerfile)
        if build.repository_image:
            model.repository_images.add(build.dockerfile)
    return bool(build.images)


def _clean(path: str) -> str:
    path = path[2:] if path.startswith("./") else path
    return "" if path.startswith("..") or path.startswith("/") or "${" in path else path


def _kustomizations(project: Project) -> dict[str, dict[str, Any]]:
    """Every kustomization file's content, read once per scan."""
    cached = project.cache.get("kustomizations")
    if isinstance(cached, dict):
        return cached
    found: dict[str, dict[str, Any]] = {}
    for path, yf in project.yaml_files.items():
        if posixpath.basename(path).lower() in ("kustomization.yaml", "kustomization.yml"):
            root = yf.documents[0].root if yf.documents else None
            if isinstance(root, YMap):
                found[path] = root.to_python()
    project.cache["kustomizations"] = found
    return found


def patch_files(project: Project) -> dict[str, str]:
    """Files a kustomization lists as patches -> that kustomization (fragments of other
    objects: never objects of their own)."""
    cached = project.cache.get("kustomize-patches")
    if isinstance(cached, dict):
        return cached
    found: dict[str, str] = {}
    for path, data in sorted(_kustomizations(project).items()):
        for patch, _ in _patch_files(data):
            target = _clean(posixpath.normpath(posixpath.join(posixpath.dirname(path), patch)))
            if target in project.yaml_files:
                found.setdefault(target, path)
    project.cache["kustomize-patches"] = found
    return found


def _kustomize_links(project: Project, counts: Any, link: Any, model: Deployment) -> None:
    """Resources of kustomizations are applied; patches are fragments of their targets."""
    kustomizations = _kustomizations(project)
    model.patches.update(patch_files(project))
    for path, data in sorted(kustomizations.items()):
        directory = posixpath.dirname(path)
        judged = counts(path)
        for patch, selector in _patch_files(data):
            target = _clean(posixpath.normpath(posixpath.join(directory, patch)))
            if target in project.yaml_files and judged:
                _record_writes(model, target, project.yaml_files[target], selector,
                               _applied(kustomizations, path, set()))
        if not judged:
            continue
        for target in _resource_paths(directory, data):
            if target in project.yaml_files:
                link(target, f"applied by {path}")
            else:  # a directory: its kustomization and what that applies
                for name in ("kustomization.yaml", "kustomization.yml"):
                    nested = posixpath.join(target, name)
                    if nested in kustomizations:
                        link(nested, f"applied by {path}")


def _resource_paths(directory: str, data: dict[str, Any]) -> Iterator[str]:
    """The repository paths a kustomization in `directory` lists as resources, bases or
    components (files or directories; remote ones skipped)."""
    for key in ("resources", "bases", "components"):
        for entry in data.get(key) or ():
            if not isinstance(entry, str) or "://" in entry or entry.startswith("github.com"):
                continue
            target = _clean(posixpath.normpath(posixpath.join(directory, entry)))
            if target:
                yield target


def _left_out_of_kustomizations(project: Project) -> dict[str, str]:
    """Manifests beside those a kustomization lists, that no kustomization lists and nothing
    else names (a resource line commented out, a file kept aside): `kubectl apply -k` leaves
    them out, so they are not deployed."""
    kustomizations = _kustomizations(project)
    listed: set[str] = set(patch_files(project))
    directories: dict[str, str] = {}  # a directory of listed manifests -> the kustomization
    for path, data in sorted(kustomizations.items()):
        for target in _resource_paths(posixpath.dirname(path), data):
            if target in project.yaml_files:
                listed.add(target)
                directories.setdefault(posixpath.dirname(target), path)
    candidates = {path: kustomization for path, yf in sorted(project.yaml_files.items())
                  if (kustomization := directories.get(posixpath.dirname(path))) is not None
                  and path not in listed and path not in kustomizations
                  and yf.kubernetes_objects()}
    if not candidates or len(candidates) > _LEFT_OUT_CANDIDATES:
        return {}
    # a script, CI job or guide that applies one by name (`kubectl apply -f …`): every
    # text is searched once for all the names
    names = sorted({posixpath.basename(path) for path in candidates}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(name) for name in names))
    named_in: dict[str, set[str]] = {}
    for other, text in project.texts.items():
        if other not in kustomizations:
            for name in set(pattern.findall(text)):
                named_in.setdefault(name, set()).add(other)
    return {path: (f"beside the manifests {kustomization} lists, but not listed in it: "
                   "`kubectl apply -k` leaves it out")
            for path, kustomization in candidates.items()
            if not named_in.get(posixpath.basename(path), set()) - {path}}


# More manifests left out than this is no leftover but a layout prodready does not know
_LEFT_OUT_CANDIDATES = 200


def _patch_files(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(patch file, its `target` selector) of every patch a kustomization lists by path."""
    for key in ("patchesStrategicMerge", "patchesJson6902", "patches"):
        for entry in data.get(key) or ():
            if isinstance(entry, str) and "\n" not in entry:
                yield entry, {}
            elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
                yield entry["path"], _map(entry, "target")


def _applied(kustomizations: dict[str, dict[str, Any]], path: str, seen: set[str]
             ) -> frozenset[str]:
    """The manifest files a kustomization applies, through its bases."""
    seen.add(path)
    directory = posixpath.dirname(path)
    found: set[str] = set()
    data = kustomizations.get(path, {})
    for key in ("resources", "bases", "components"):
        for entry in data.get(key) or ():
            if not isinstance(entry, str):
                continue
            target = _clean(posixpath.normpath(posixpath.join(directory, entry)))
            nested = [posixpath.join(target, n) for n in ("kustomization.yaml",
                                                          "kustomization.yml")]
            inner = next((n for n in nested if n in kustomizations), None)
            if inner is None:
                found.add(target)
            elif inner not in seen:
                found |= _applied(kustomizations, inner, seen)
    return frozenset(found)


def _record_writes(model: Deployment, path: str, yf: YamlFile, selector: dict[str, Any],
                   applied: frozenset[str]) -> None:
    """What a patch file writes into which object: a strategic-merge fragment names its
    object itself; a JSON6902 list of operations names it in the kustomization's target."""
    for doc in yf.documents:
        data = doc.root.to_python() if doc.root is not None else None
        if isinstance(data, dict):
            kind = data.get("kind") or selector.get("kind")
            name = _map(data, "metadata").get("name") or selector.get("name")
            writes: Any = data
        elif isinstance(data, list):
            kind, name = selector.get("kind"), selector.get("name")
            writes = [_operation_value(op) for op in data if isinstance(op, dict)
                      and op.get("op") in ("add", "replace")]
        else:
            continue
        if isinstance(kind, str) and isinstance(name, str):
            model.overlay_writes.setdefault((kind, name), {})[path] = (applied, writes)


def _operation_value(op: dict[str, Any]) -> dict[str, Any]:
    """`{op: add, path: /spec/replicas, value: 3}` as the fragment it writes."""
    value: Any = op.get("value")
    for part in reversed([p for p in str(op.get("path", "")).split("/") if p]):
        value = {part.replace("~1", "/").replace("~0", "~"): value}
    return value if isinstance(value, dict) else {}


def _writes(data: Any, keys: tuple[str, ...], rule_id: str) -> bool:
    """A patch writes one of `keys` (replicas only counts when it is more than one)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key in keys:
                if key in value and value[key] is not None:
                    if rule_id != "K8S017":
                        return True
                    count = value[key]
                    if isinstance(count, int) and not isinstance(count, bool) and count > 1:
                        return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _profile_role(profile: dict[str, Any]) -> str:
    """The role of a skaffold profile named for development or tests (`dev`, `local`,
    `e2e`, …) or activated only by `skaffold dev`; "" for one that deploys (`staging`)."""
    role = named_role(str(profile.get("name") or ""))
    if role is not None:
        return role
    activations = [a for a in profile.get("activation") or () if isinstance(a, dict)]
    if activations and all(a.get("command") == "dev" for a in activations):
        return DEV_TOOLING
    return ""


def _skaffold_links(project: Project, counts: Any, link: Any, mark: Any, model: Deployment
                    ) -> None:
    """Artifacts skaffold builds and manifests it applies; those of a development or test
    profile only, such as `skaffold dev -p development`, do not ship through it."""
    judged: dict[str, bool] = {}  # decided once per file, before its own links
    for path, section, profile in skaffold_sections(project):
        if not judged.setdefault(path, counts(path)):
            continue
        directory = posixpath.dirname(path)
        role = _profile_role(section) if profile else ""
        only = Role(role, f"used only by the {section.get('name')!r} profile of "
                          f"{path} (skaffold)") if role else None
        for build in skaffold_builds(path, section):
            if build.dockerfile is not None:
                _use(link, mark, build.dockerfile, f"built by {path} (skaffold)", only)
            if only is None:
                _add_tags(model, build)
        for manifest in _skaffold_manifests(section):
            target = _clean(posixpath.normpath(posixpath.join(directory, manifest)))
            for candidate in project.yaml_files:
                if candidate == target or _glob(candidate, target):
                    _use(link, mark, candidate, f"applied by {path} (skaffold)", only)


def _use(link: Any, mark: Any, target: str, why: str, only: Role | None) -> None:
    """A link that deploys, or, from a development or test use only, a role."""
    if only is None:
        link(target, why)
    else:
        mark(target, only)


def _map(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _skaffold_manifests(section: dict[str, Any]) -> Iterator[str]:
    manifests = _map(section, "manifests")
    kubectl = _map(_map(section, "deploy"), "kubectl")
    kustomize = _map(manifests, "kustomize")
    for entry in [*(manifests.get("rawYaml") or ()), *(kubectl.get("manifests") or ())]:
        if isinstance(entry, str):
            yield entry
    for entry in kustomize.get("paths") or ():
        if isinstance(entry, str):
            yield posixpath.join(entry, "kustomization.yaml")


def _glob(path: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    return "*" in pattern and fnmatchcase(path, pattern)


# --------------------------------------------------------------------------- output


def roles_to_json(model: Deployment) -> list[dict[str, str]]:
    out = [{"path": p, "role": r.role or "unclassified", "why": r.why}
           for p, r in sorted(model.roles.items())]
    out += [{"path": p, "role": PATCH, "why": f"listed as a patch by {k}"}
            for p, k in sorted(model.patches.items())]
    return sorted(out, key=lambda e: e["path"])


def render_roles_text(model: Deployment) -> Any:
    from rich.tree import Tree

    from ..report import literal_markup

    entries = roles_to_json(model)
    tree = Tree(f"[bold]{len(entries)} artifact(s)[/bold] (Dockerfiles, manifests, Compose "
                "files) by role")
    by_role: dict[str, list[dict[str, str]]] = {}
    for entry in entries:
        by_role.setdefault(entry["role"], []).append(entry)
    order = [DEPLOYED, "unclassified", *ROLES[1:], PATCH]
    for role in sorted(by_role, key=lambda r: order.index(r) if r in order else len(order)):
        judged = " (judged)" if role in (DEPLOYED, "unclassified") else " (not judged)"
        branch = tree.add(f"[bold]{role}[/bold]{judged}: {len(by_role[role])}")
        for entry in by_role[role]:
            branch.add(f"{literal_markup(entry['path'])} [dim]— "
                       f"{literal_markup(entry['why'])}[/dim]")
    return tree


# --------------------------------------------------------------------------- who runs an image


def image_name(image: str) -> str:
    """`registry:5000/team/api:1.2` -> `team/api` (registry, tag and digest dropped)."""
    from .compose import image_repository

    return "/".join(p for p in image_repository(image) if p)


def image_runners(project: Project, dockerfile: str, *,
                  any_role: bool = False) -> tuple[list[Any], list[Any]]:
    """The Compose services and Kubernetes containers that run the image a Dockerfile builds
    (built from it, or running one of the image names the repository builds from it), in
    files the rules judge: a dev or test stack's settings say nothing about a deployment.
    `any_role` also takes files the rules do not judge (for an image only those run)."""
    key = "image-runners-any" if any_role else "image-runners"
    index = project.cache.get(key)
    if not isinstance(index, dict):  # once per scan: every Dockerfile asks
        index = _image_runner_index(project, any_role)
        project.cache[key] = index
    return index.get(dockerfile, ([], []))


def _image_runner_index(project: Project,
                        any_role: bool) -> dict[str, tuple[list[Any], list[Any]]]:
    from .compose import build_dockerfile, judged_services
    from .kubernetes import Workload, project_objects, text_of

    model = deployment_of(project)
    index: dict[str, tuple[list[Any], list[Any]]] = {}
    seen: set[tuple[str, str, str]] = set()
    for svc in judged_services(project):
        if not (any_role or model.role_of(svc.anchor_site.path).judged):
            continue
        builder = svc.built_by
        build = builder.build if builder is not None else None
        # what a build makes is named by its `image:` tag: the tag links the Dockerfile only
        # when the build's own does not resolve
        built = build_dockerfile(project, build) if build is not None else None
        target = built or (_built_from(model, svc.image) if svc.image else None)
        key = (target or "", svc.anchor_site.path, svc.name)
        if target and key not in seen:
            seen.add(key)
            index.setdefault(target, ([], []))[0].append(svc)
    if model.image_dockerfiles or model.published:
        for obj in project_objects(project):
            if isinstance(obj, Workload) and obj.long_running and (
                    any_role or model.role_of(obj.path).judged):
                for container in obj.containers():
                    runs = _built_from(model, text_of(container.node.get_value("image")))
                    if runs:
                        index.setdefault(runs, ([], []))[1].append(container)
    return index


def _built_from(model: Deployment, image: str | None) -> str | None:
    found = model.dockerfile_of_image(image_name(image)) if image else None
    return found[0] if found else None
