"""APP013 env-var-undocumented."""

from __future__ import annotations

import posixpath
import re

from ...artifacts.dockerfile import variables
from ...facts import Located, PythonFacts
from ...fix.edits import digest
from ...model import Edit, Fix, FixSafety
from ...project import Project
from ...project.services import Service, services_of
from ..api import RuleContext

SCOPE = "project"
EXAMPLE_FILES = (".env.example", ".env.sample", ".env.template", "env.example",
                 ".env.dist", "example.env", "sample.env")
# Set by the OS, the runtime or the platform: nobody documents these.
PLATFORM = {"HOME", "PATH", "USER", "PWD", "SHELL", "TERM", "LANG", "TZ", "TMPDIR", "HOSTNAME",
            "CI", "PYTHONPATH", "VIRTUAL_ENV", "KUBERNETES_SERVICE_HOST",
            "KUBERNETES_SERVICE_PORT", "POD_NAME", "POD_NAMESPACE", "GITHUB_ACTIONS"}
# `NAME=`, `export NAME=value`, and commented-out entries (`# NAME=`) all document NAME.
_TOOLING = re.compile(r"(?:^|/)(?:scripts|dev|tools|bin|load_?tests?|benchmarks?|e2e)/")
# `[ \t]`, never `\s`: from every line start, `\s*` ran across all following blank lines
# (quadratic: 20,000 blank lines took 30 s).
_ENV_LINE = re.compile(r"^[ \t]*(?:#[ \t]*)?(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=",
                       re.MULTILINE)


def check(project: Project, ctx: RuleContext) -> None:
    services = services_of(project)
    if not services:
        return
    # The service's own code: not shared tooling around it (dev CLIs, scripts, load tests),
    # whose variables the deployment never sets.
    files = sorted({f for svc in services for f in svc.files
                    if _own_code(svc, f) and not _TOOLING.search(f)})
    documented = _documented(project)
    example = _example_file(project, services)
    first_read: dict[str, tuple[str, Located]] = {}
    for path in files:
        facts = project.python.get(path)
        if not isinstance(facts, PythonFacts):
            continue
        for read in sorted([*facts.env_reads, *facts.settings_fields], key=lambda r: r.line):
            if read.name not in first_read:
                first_read[read.name] = (path, read)
    missing = sorted(n for n in first_read if n not in documented and n not in PLATFORM
                     and not n.startswith(("GITHUB_", "RUNNER_")))
    ctx.examine(len(first_read) - len(missing))
    target = example or ".env.example"
    if example is None and ((project.root / target).exists() or
                            project.files_named(*EXAMPLE_FILES)):
        # a .env.example git ignores (writing to it would document nothing), or several
        # example files elsewhere (which one documents this service is unclear)
        target = ""
    # One edit adding every missing name, shared by their findings: applied once, in one pass.
    in_code_order = sorted(missing, key=lambda n: (first_read[n][0], first_read[n][1].line))
    fix = _append(project, target, in_code_order) if missing and target else None
    for name in missing:
        path, read = first_read[name]
        ctx.report(path, read.line, read.column,
                   f"environment variable {name} is read here but documented nowhere (no "
                   ".env.example, compose environment or Kubernetes env lists it): whoever "
                   "deploys the service cannot know it exists",
                   snippet=name, fix=fix)


def _own_code(svc: Service, path: str) -> bool:
    """Under the service's root; without one, the app's directory and top-level modules
    (`config.py` beside the package) — not every script of a repository of samples."""
    if svc.root:
        return path.startswith(svc.root + "/")
    base = posixpath.dirname(svc.path)
    return "/" not in path or not base or path.startswith(base + "/")


def _documented(project: Project) -> set[str]:
    from ...project.compose import configs
    from ...project.kubernetes import Workload, project_objects

    names: set[str] = set()
    for path, text in project.texts.items():
        base = posixpath.basename(path)
        if base in EXAMPLE_FILES or base == ".env" or base.startswith(".env."):
            names |= set(_ENV_LINE.findall(text))
    for config in configs(project):
        for svc in config.services.values():
            names |= set(svc.environment())
    for obj in project_objects(project):
        if isinstance(obj, Workload):
            for container in obj.containers(init=True):
                for item in container.node.get_seq("env") or ():
                    name = getattr(item, "get_value", lambda _k: None)("name")
                    if isinstance(name, str):
                        names.add(name)
        data = obj.root.get_map("data") if obj.kind == "ConfigMap" else None
        if data is not None:
            names |= {str(key.value) for key, _ in data.items}
    for df in project.dockerfiles.values():
        for ins in getattr(df, "instructions", ()):
            if ins.keyword in ("ENV", "ARG"):
                names |= {name for name, _ in variables(ins.keyword, ins.args)}
    return names


def _example_file(project: Project, services: list[Service]) -> str | None:
    """The example env file to extend: at the repository root, else the one nearest a
    service's root (`server/.env.template`)."""
    for name in EXAMPLE_FILES:
        if project.has_file(name):
            return name
    roots = [s.root for s in services if s.root]
    for root in roots:
        for name in EXAMPLE_FILES:
            if project.has_file(f"{root}/{name}"):
                return f"{root}/{name}"
    # the one example file the repository has elsewhere (`docker/.env.example`)
    elsewhere = project.files_named(*EXAMPLE_FILES)
    return elsewhere[0] if len(elsewhere) == 1 else None


def _append(project: Project, target: str, names: list[str]) -> Fix | None:
    text = project.texts.get(target)
    if text is None and project.has_file(target):
        return None  # too large to have been read: not edited blind
    existing = text or ""
    separator = "" if not existing or existing.endswith("\n") else "\n"
    offset = len(existing)
    lines = "".join(f"{name}=\n" for name in names)
    edit = Edit(target, offset, offset, separator + lines, base=digest(existing))
    if text is None:
        # A new file is a new piece of documentation: which of the names a deployment sets
        # (and which the runtime or a library reads on its own) is the team's judgement.
        return Fix(FixSafety.UNSAFE, f"create {target} listing {len(names)} variable(s)",
                   (edit,))
    return Fix(FixSafety.SAFE, f"add {len(names)} variable(s) to {target}", (edit,))
