"""APP013 env-var-undocumented."""

from __future__ import annotations

import json
import posixpath
import re

from ...artifacts.dockerfile import variables
from ...artifacts.dotenv import env_entries
from ...artifacts.yamldocs import is_compose_path
from ...devconfig import is_dev_settings_module
from ...discover import ENV_EXAMPLE_NAME
from ...facts import Located, PythonFacts
from ...fix.edits import digest
from ...model import Edit, Fix, FixSafety, Related
from ...project import Project
from ...project.deployment import path_role
from ...project.documentation import (
    documentation_files,
    documentation_pages,
    external_documentation,
    read_text,
)
from ...project.services import Service, services_of
from ..api import RuleContext
from ._common import is_standalone_script

SCOPE = "project"
EXAMPLE_FILES = (".env.example", ".env.sample", ".env.template", "env.example",
                 ".env.dist", "example.env", "sample.env")
# Documentation read for names when the configuration files leave some undocumented.
DOC_FILES_LIMIT = 3000
# Set by the OS, the runtime or the platform: nobody documents these.
PLATFORM = {"HOME", "PATH", "USER", "PWD", "SHELL", "TERM", "LANG", "TZ", "TMPDIR", "HOSTNAME",
            "CI", "PYTHONPATH", "VIRTUAL_ENV", "KUBERNETES_SERVICE_HOST",
            "LOGNAME", "USERNAME", "DISPLAY", "COLUMNS", "LINES", "NO_COLOR",
            "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
            "XDG_RUNTIME_DIR", "APPDATA", "LOCALAPPDATA", "USERPROFILE", "PROGRAMDATA",
            "SUDO_USER", "SUDO_UID", "SUDO_GID", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER",
            "LANGUAGE", "LC_ALL", "PATHEXT", "COMSPEC", "SYSTEMROOT", "WINDIR", "TEMP", "TMP",
            "PROCESSOR_ARCHITECTURE", "PROCESSOR_ARCHITEW6432", "PROGRAMFILES",
            "PROGRAMFILES(X86)", "COMMONPROGRAMFILES", "SYSTEMDRIVE",
            "SSH_AUTH_SOCK", "GPG_TTY", "GPG_AGENT_INFO",
            # set by CI systems and the image build, never by a deployment
            "CIRCLECI", "GITLAB_CI", "TRAVIS", "BUILDKITE", "DOCKER_BUILDKIT",
            "KUBERNETES_SERVICE_PORT", "POD_NAME", "POD_NAMESPACE", "GITHUB_ACTIONS",
            # set by the tools and runtimes themselves (`flask run`, the reloaders, the REPL,
            # Cloud Run, App Engine, Lambda, Heroku)
            "FLASK_RUN_FROM_CLI", "WERKZEUG_RUN_MAIN", "WERKZEUG_SERVER_FD", "RUN_MAIN",
            "PYTHONSTARTUP", "SERVER_SOFTWARE",
            # systemd's socket activation and readiness protocol
            "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_USEC",
            "WATCHDOG_PID", "INVOCATION_ID", "JOURNAL_STREAM",
            "K_SERVICE", "K_REVISION", "K_CONFIGURATION",
            "GAE_ENV", "GAE_APPLICATION", "GAE_SERVICE", "GAE_VERSION",
            "AWS_LAMBDA_FUNCTION_NAME", "AWS_EXECUTION_ENV", "DYNO",
            # a task's place in a parallel job (Kubernetes Indexed Jobs, Cloud Run jobs, AWS
            # Batch array jobs)
            "JOB_COMPLETION_INDEX", "CLOUD_RUN_JOB", "CLOUD_RUN_EXECUTION",
            "CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_COUNT", "CLOUD_RUN_TASK_ATTEMPT",
            "AWS_BATCH_JOB_ID", "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ATTEMPT",
            # a hosting platform's metadata of the running release (Heroku, Render, Fly,
            # Railway, Vercel)
            "HEROKU_APP_ID", "HEROKU_APP_NAME", "HEROKU_DYNO_ID",
            "HEROKU_RELEASE_CREATED_AT", "HEROKU_RELEASE_VERSION", "HEROKU_SLUG_COMMIT",
            "HEROKU_SLUG_DESCRIPTION", "RENDER", "RENDER_SERVICE_ID", "RENDER_SERVICE_NAME",
            "RENDER_SERVICE_TYPE", "RENDER_INSTANCE_ID", "RENDER_GIT_COMMIT",
            "RENDER_GIT_BRANCH", "RENDER_EXTERNAL_URL", "RENDER_EXTERNAL_HOSTNAME",
            "RENDER_CPU_COUNT", "IS_PULL_REQUEST", "FLY_APP_NAME", "FLY_ALLOC_ID",
            "FLY_MACHINE_ID", "FLY_REGION", "FLY_PUBLIC_IP", "FLY_IMAGE_REF", "PRIMARY_REGION",
            "RAILWAY_ENVIRONMENT", "RAILWAY_ENVIRONMENT_NAME", "RAILWAY_PUBLIC_DOMAIN",
            "RAILWAY_PRIVATE_DOMAIN", "RAILWAY_GIT_COMMIT_SHA", "RAILWAY_SERVICE_NAME",
            "VERCEL", "VERCEL_ENV", "VERCEL_URL", "VERCEL_GIT_COMMIT_SHA",
            # read by the cloud SDKs themselves and documented by their vendors
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL",
            "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT",
            "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET",
            # Django's own `createsuperuser --noinput` inputs, documented by Django
            "DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_EMAIL", "DJANGO_SUPERUSER_PASSWORD"}
# Set by CI systems (GitHub Actions, CircleCI, Travis, Buildkite, GitLab's `CI_*`), and
# OpenTelemetry's SDK configuration (`OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_ENDPOINT`), named
# and documented by its specification.
PLATFORM_PREFIXES = ("GITHUB_", "RUNNER_", "OTEL_", "CIRCLE_", "TRAVIS_", "BUILDKITE_", "CI_")
# The interpreter's own variables (`PYTHONIOENCODING`, `PYTHONUNBUFFERED`, `PYTHONHASHSEED`),
# documented by Python; not a project's `PYTHON_VERSION`.
_INTERPRETER = re.compile(r"PYTHON[A-Z0-9]+")
# `NAME=`, `export NAME=value`, and commented-out entries (`# NAME=`) all document NAME.
# Compose and Helm values also document in comments (`# - NAME=value`, `# NAME: value`).
# `[ \t]`, never `\s`: from every line start, `\s*` ran across all following blank lines
# (quadratic: 20,000 blank lines took 30 s).
_COMMENTED = re.compile(r"^[ \t]*#[ \t]*-?[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*[:=]", re.MULTILINE)
_COMMENTED_ENV = re.compile(r"^[ \t]*#[ \t]*-?[ \t]*name:[ \t]*['\"]?([A-Za-z_][A-Za-z0-9_]*)",
                            re.MULTILINE)
_NAME_TOKEN = re.compile(r"\b[A-Z][A-Z0-9_]{2,}\b")
# A settings schema naming each setting's variable (`environment_variable: APP_DEBUG`).
_SCHEMA_ENV = re.compile(r"^[ \t]*-?[ \t]*[\"']?(?:environment_variable|env_var|envvar|env_name)"
                         r"[\"']?[ \t]*:[ \t]*[\"']?([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
_TOOLING = re.compile(r"(?:^|/)(?:scripts|dev|tools|bin|load_?tests?|benchmarks?|e2e|"
                      r"tests?_\w+|\w+_tests?)/|(?:^|/)(?:tests?_\w+|\w+_tests?|conftest)\.py$")
# A switch the test suite flips (`TESTING_SHUTDOWN_AFTER_LOAD`, `MOCK_TELEMETRY`, `IS_TEST`):
# a deployment never sets it.
_TEST_SWITCH = re.compile(r"(?:^|_)(?:TESTS?|TESTING|MOCK|MOCKED)(?:_|$)", re.IGNORECASE)
# The development environment: a dev container, the editor's launch configurations and the
# test runner's configuration set the variables developers use (like `.env-dev`).
_DEV_ENVIRONMENT = re.compile(r"(?:^|/)(?:\.devcontainer/.+|\.vscode/[^/]+\.json|pytest\.ini|"
                              r"tox\.ini|setup\.cfg|pyproject\.toml)$")
DEV_ENVIRONMENT_FILES_READ = 100
# A documented family: `PAPERLESS_AI_*`, `APP_DB_<NAME>`, or "`PRETALX_SITE_CSP`,
# `PRETALX_SITE_CSP_SCRIPT` etc." (the last name's prefix). Two segments at least, so a
# product's own prefix (`APP_*`) never documents every variable at once.
_FAMILY = re.compile(r"\b([A-Z][A-Z0-9]*_[A-Z0-9]+(?:_[A-Z0-9]+)*_)(?:\*|<[^>\n]{1,30}>|"
                     r"\{[^}\n]{1,30}\})")
_ETC = re.compile(r"\b([A-Z][A-Z0-9]*_[A-Z0-9]+(?:_[A-Z0-9]+)*)_[A-Z0-9]+\W{0,3}[ \t]*"
                  r"(?:etc\b|\.\.\.|…)")


def check(project: Project, ctx: RuleContext) -> None:
    services = services_of(project)
    if not services:
        return
    # The service's own code: not shared tooling around it (dev CLIs, scripts, load tests),
    # whose variables the deployment never sets.
    entries = {svc.path for svc in services}
    files = sorted({f for svc in services for f in svc.files
                    if _own_code(svc, f) and not _TOOLING.search(f)
                    and not is_standalone_script(f, entries)})
    documented = _documented(project)
    example = _example_file(project, services)
    first_read: dict[str, tuple[str, Located]] = {}
    # set by another module of the project (wsgi.py's setdefault, a launcher exporting a
    # variable for the code it starts); a write beside the read is a fallback for an input
    writers: dict[str, set[str]] = {}
    for facts in project.python.values():
        if isinstance(facts, PythonFacts):
            for name in facts.env_writes:
                writers.setdefault(name, set()).add(facts.path)
    for path in files:
        facts = project.python.get(path)
        if not isinstance(facts, PythonFacts) or is_dev_settings_module(path):
            continue
        for read in sorted([*facts.env_reads, *facts.settings_fields], key=lambda r: r.line):
            if read.name not in first_read:
                first_read[read.name] = (path, read)
    if project.files_named("Procfile"):
        # a buildpack platform (Heroku, Dokku, Scalingo) runs it and sets the port to bind
        documented = documented | {"PORT"}
    # pydantic settings match variables regardless of case (`granian_trusted_hosts` is set
    # by `ENV GRANIAN_TRUSTED_HOSTS=…`)
    documented = documented | {name.upper() for name in documented}
    missing = sorted(n for n in first_read if n.upper() not in documented
                     and n.upper() not in PLATFORM
                     and not n.startswith(PLATFORM_PREFIXES) and not _INTERPRETER.fullmatch(n)
                     and not _TEST_SWITCH.search(n)
                     and not writers.get(n, set()) - {first_read[n][0]})
    if missing:  # only then is prose worth reading
        in_docs, families = _documented_in_docs(project)
        missing = [n for n in missing if n not in in_docs and not n.startswith(families)
                   and not _variant_of_documented(n, documented | in_docs)]
        if missing:
            # both spellings read: the other one, documented, is the same setting
            known = (documented | in_docs) & set(first_read)
            unprefixed = {s for d in known for s in _unprefixed(d)}
            missing = [n for n in missing if not (n in unprefixed or set(_unprefixed(n)) & known)]
    ctx.examine(len(first_read) - len(missing))
    target = example or ".env.example"
    if example is None and ((project.root / target).exists() or
                            project.files_named(*EXAMPLE_FILES) or any(
                                ENV_EXAMPLE_NAME.fullmatch(posixpath.basename(p).lower())
                                for p in project.all_files)):
        # a .env.example git ignores (writing to it would document nothing), or several
        # example files elsewhere (which one documents this service is unclear)
        target = ""
    # One edit adding every missing name, shared by their findings: applied once, in one pass.
    in_code_order = sorted(missing, key=lambda n: (first_read[n][0], first_read[n][1].line))
    fix = _append(project, target, in_code_order) if missing and target else None
    by_file: dict[str, list[str]] = {}
    for name in in_code_order:  # one finding per file, at its first undocumented read
        by_file.setdefault(first_read[name][0], []).append(name)
    for path, names in by_file.items():
        first = first_read[names[0]][1]
        related = tuple(Related(path, first_read[n][1].line, first_read[n][1].column,
                                f"{n} is read here") for n in names)
        listed = ", ".join(names)
        facts = project.python.get(path)
        tuned = isinstance(facts, PythonFacts) and set(names) <= facts.env_tuned
        elsewhere = external_documentation(project)
        ctx.report(path, first.line, first.column,
                   f"{len(names)} environment variable(s) read in this file are documented "
                   f"nowhere (no .env.example, docs, compose or Kubernetes env lists them): "
                   f"{listed}; whoever deploys the service cannot know they exist",
                   snippet=listed, fix=fix, related=related,
                   informational="each has a numeric or on/off default in the code: a "
                                 "tuning value or switch the service works without" if tuned
                   else (
                                     "the project keeps its documentation outside this "
                                     f"repository ({elsewhere}), where they may be listed"
                                     if elsewhere else ""))


def _own_code(svc: Service, path: str) -> bool:
    """Under the service's root; without one, the directories of the app and of the apps
    merged into it, and top-level modules (`config.py` beside the package) — not every
    script of a repository of samples."""
    if svc.root:
        return path.startswith(svc.root + "/")
    bases = {posixpath.dirname(p) for p in (svc.path, *svc.merged_paths)}
    return "/" not in path or "" in bases or any(path.startswith(b + "/") for b in bases)


_NUMBERED = re.compile(r"_\d+$")


def _unprefixed(name: str) -> list[str]:
    """The name without its leading segments, two segments at least: `MOBSF_ANALYZER_ID` ->
    `ANALYZER_ID`. A product's prefixed variable and its unprefixed alias, both read, are one
    setting (`ANALYZER_IDENTIFIER` read before the documented `MOBSF_ANALYZER_IDENTIFIER`)."""
    parts = name.split("_")
    return ["_".join(parts[i:]) for i in range(1, len(parts) - 1) if all(parts[i:])]


def _variant_of_documented(name: str, documented: set[str]) -> bool:
    """The numbered or singular/plural form of a documented variable (`REPLICA_URL_0` of
    `REPLICA_URLS`, `ADMIN_USERS` of `ADMIN_USER`) is the same setting spelled another way."""
    base = _NUMBERED.sub("", name)
    forms = {base, base + "S", base.removesuffix("S")} - {name}
    return bool(forms & documented)


def _editor_launch_configs(project: Project) -> list[str]:
    """`.vscode/*.json`: discovery skips the editor's folder, so its files are listed here."""
    folder = project.root / ".vscode"
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(f".vscode/{p.name}" for p in folder.glob("*.json") if p.is_file())


def _documented(project: Project) -> set[str]:
    from ...project.compose import configs
    from ...project.kubernetes import Workload, project_objects

    names: set[str] = set()
    for path, text in project.texts.items():
        base = posixpath.basename(path)
        if base in EXAMPLE_FILES or base.startswith((".env.", ".env-", ".env_")) or \
                base.endswith(".env") or ENV_EXAMPLE_NAME.fullmatch(base.lower()):
            names |= {e.name for e in env_entries(text, commented=True)}
    env_files: set[str] = set()
    for config in configs(project):
        for svc in config.services.values():
            names |= set(svc.environment())
            env_files |= {path for path, _ in svc.env_files()}
    for env_file in sorted(p for p in env_files if project.has_file(p)):  # `env_file:` entries
        names |= {e.name for e in env_entries(read_text(project, env_file), commented=True)}
    for path, yf in project.yaml_files.items():
        base = posixpath.basename(path).lower()
        if is_compose_path(path):
            names |= set(_COMMENTED.findall(yf.text))  # `# - FEATURE_FLAG=1`
        elif base.startswith("values") and base.endswith((".yaml", ".yml")):
            names |= set(_NAME_TOKEN.findall(yf.text))  # Helm values: env maps and lists
        elif yf.kubernetes_objects():
            names |= set(_COMMENTED_ENV.findall(yf.text))  # `# - name: FEATURE_FLAG`
        elif "env" in yf.text:  # a settings schema the docs are rendered from
            names |= set(_SCHEMA_ENV.findall(yf.text))
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
    for path in _environment_definitions(project):
        names |= set(_NAME_TOKEN.findall(read_text(project, path)))
    names |= _app_manifest_env(project)
    for facts in project.python.values():  # a module's docstring and its options' help
        names |= getattr(facts, "documented_names", set())
    dev_files = [p for p in project.all_files if _DEV_ENVIRONMENT.search(p)]
    dev_files += _editor_launch_configs(project)
    for path in dev_files[:DEV_ENVIRONMENT_FILES_READ]:
        names |= set(_NAME_TOKEN.findall(read_text(project, path)))
    return names


# Infrastructure code that sets a deployment's environment: Terraform (an ECS task's or a
# platform service's `environment`), and the templates of a Helm chart, which the scan does
# not parse (`- name: REDIS_HOST` in `templates/_env.tpl`).
_TERRAFORM = (".tf", ".tfvars", ".tf.json")
IAC_FILES_READ = 300


def _environment_definitions(project: Project) -> list[str]:
    charts = {posixpath.dirname(p) for p in project.files_named("Chart.yaml", "Chart.yml")}
    found = [p for p in project.all_files if p.endswith(_TERRAFORM) or (
        p.endswith((".tpl", ".yaml", ".yml")) and any(
            p.startswith(f"{chart}/templates/" if chart else "templates/") for chart in charts))]
    return found[:IAC_FILES_READ]


def _app_manifest_env(project: Project) -> set[str]:
    """The `env` keys of a Heroku `app.json` at the root: each declared for whoever deploys
    the app, usually with a description."""
    if not project.has_file("app.json"):
        return set()
    try:
        manifest = json.loads(read_text(project, "app.json"))
    except ValueError:
        return set()
    env = manifest.get("env") if isinstance(manifest, dict) else None
    return {str(name) for name in env} if isinstance(env, dict) else set()


def _documented_in_docs(project: Project) -> tuple[set[str], tuple[str, ...]]:
    """Names mentioned in the documentation (a documentation tree, READMEs) or in example
    config files (`*.example`, `*.sample`, `settings.conf.example`), and the prefixes of the
    families it documents: files the scan does not parse, read here only when the
    configuration leaves names undocumented."""
    cached = project.cache.get("env-docs")
    if isinstance(cached, tuple):
        return cached
    names: set[str] = set()
    families: set[str] = set()
    candidates = documentation_files(project, examples=True)[:DOC_FILES_LIMIT]
    already = dict(documentation_pages(project))  # the pages the deployment model read
    for path in candidates:
        text = already.get(path)
        if text is None:
            text = read_text(project, path)
        names |= set(_NAME_TOKEN.findall(text))
        families |= set(_FAMILY.findall(text))
        families |= {prefix + "_" for prefix in _ETC.findall(text)}
        names |= _read_by_included_code(project, path, text)
    found = (names, tuple(sorted(families)))
    project.cache["env-docs"] = found
    return found


# A page that shows a source file (reStructuredText and MyST `literalinclude`, MkDocs
# snippets): the variables that file reads, and the comments beside them, are on the page.
_INCLUDED = re.compile(r"(?:literalinclude|include)(?:::|\})[ \t]*([^\s`]+\.py)\b"
                       r"|--8<--[ \t]*[\"']([^\"'\n]+\.py)")


def _read_by_included_code(project: Project, doc: str, text: str) -> set[str]:
    names: set[str] = set()
    for match in _INCLUDED.finditer(text):
        shown = match.group(1) or match.group(2)
        # relative to the page (Sphinx) or to the repository (MkDocs snippets, `/` paths)
        for path in (posixpath.normpath(posixpath.join(posixpath.dirname(doc), shown)),
                     posixpath.normpath(shown.lstrip("/"))):
            facts = project.python.get(path)
            if isinstance(facts, PythonFacts):
                names |= {r.name for r in [*facts.env_reads, *facts.settings_fields]}
                break
    return names


def _example_file(project: Project, services: list[Service]) -> str | None:
    """The example env file to extend: at the repository root, else the one nearest a
    service's root (`server/.env.template`)."""
    for name in EXAMPLE_FILES:
        if project.has_file(name):
            return name
    # one under a name of its own at the root (`dotenv-sample`)
    named = [p for p in project.all_files if "/" not in p and ENV_EXAMPLE_NAME.fullmatch(
        p.lower())]
    if len(named) == 1:
        return named[0]
    roots = [s.root for s in services if s.root]
    for root in roots:
        for name in EXAMPLE_FILES:
            if project.has_file(f"{root}/{name}"):
                return f"{root}/{name}"
    # the one example file the repository has elsewhere (`docker/.env.example`), unless its
    # directory holds code of its own (it documents that component: `agent/sandbox/`, a
    # front end's `apps/e2e/`) or its path gives it a role (tests, examples)
    elsewhere = project.files_named(*EXAMPLE_FILES)
    if len(elsewhere) != 1 or path_role(elsewhere[0]) is not None:
        return None
    directory = posixpath.dirname(elsewhere[0])
    if directory and any(p.startswith(directory + "/") and p.endswith(_CODE_SUFFIXES)
                         for p in project.all_files):
        return None
    return elsewhere[0]


_CODE_SUFFIXES = (".py", ".js", ".mjs", ".ts", ".tsx", ".jsx", ".go", ".rb", ".java", ".rs",
                  "package.json")


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
