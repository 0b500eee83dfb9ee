"""Findings of per-file rules that a fact elsewhere in the project settles.

A file rule sees one file, but some of what it flags is decided in another: the base settings'
`DEBUG = True` that the production settings module sets again after `from .base import *`, or
a flask-cors call without origins, whose origins then come from the app's `CORS_ORIGINS`
setting. The engine asks here before it counts such a finding. The Python facts are read only
when one of these rules has reported, so other selections never parse Python.

Others are only information once the project is known: a request without a timeout in a Django
management command that nothing in the repository runs, which whoever types it watches.
"""

from __future__ import annotations

import posixpath
import re

from ..devconfig import is_settings_module
from ..secretcontext import PRIVATE_KEY_TYPE, in_throwaway_directory
from . import Project
from .deployment import NAME_WORDS
from .reach import unreferenced

SET_ELSEWHERE = "set-elsewhere"
# Rules about what code does when it runs: nothing, when nothing calls it.
_UNREACHED_RULES = frozenset({"PY001", "PY002", "PY006", "PY007", "PY008", "PY009", "PY011",
                              "PY012", "PY013", "PY014", "PY015"})
# A settings constant a production settings module sets again: the base value is the
# development default.
_SETTINGS_RULES = frozenset({"PY009", "PY015", "REPO001"})


def settled(project: Project, rule_id: str, path: str, line: int, message: str = "") -> str:
    """Why the finding of `rule_id` at `path:line` is decided elsewhere ("" if it is not)."""
    if rule_id in _SETTINGS_RULES and path.endswith(".py"):
        for first, last, name, overrider in _overrides(project).get(path, ()):
            if first <= line <= last:
                return f"{overrider} imports these settings and sets {name} again"
    elif rule_id == "PY006" and message.startswith("requests."):
        patcher = _requests_timeout_patched(project, path)
        if patcher:
            return (f"{patcher} gives requests a default timeout (it replaces "
                    "requests.adapters.TimeoutSauce), and importing this module runs it")
    elif rule_id == "PY010":
        facts = project.python.get(path)
        if line in getattr(facts, "cors_from_config", ()):
            origins = _configured_origins(project)
            if origins:
                return (f"{origins} sets CORS_ORIGINS, which flask-cors applies to calls "
                        "that name no origins")
    return ""


def _requests_timeout_patched(project: Project, path: str) -> str:
    """The `__init__.py` of a package above `path` that patches requests' default timeout:
    Python runs it before any module of the package."""
    directory = posixpath.dirname(path)
    while directory:
        init = f"{directory}/__init__.py"
        facts = project.python.get(init)
        if "requests-default-timeout" in getattr(facts, "evidence", ()):
            return init
        directory = posixpath.dirname(directory)
    return ""


def informational(project: Project, rule_id: str, path: str, line: int = 0,
                  message: str = "") -> str:
    """Why the finding of `rule_id` at `path:line` is only information here ("" if it is
    not)."""
    if rule_id == "PY006" and (why := hand_run(project, path)):
        return f"{why}: whoever runs it by hand sees a hang and stops it"
    if rule_id in _UNREACHED_RULES and line and (why := unreferenced(project, path, line)):
        return why
    if rule_id == "PY015" and (why := hand_run(project, path)):
        return (f"{why}: no service boots with the fallback; whoever runs it by hand sets the "
                "variable")
    if rule_id == "PY015" and (why := _set_from_secret(project, message)):
        return why
    if rule_id == "REPO001" and message.startswith(PRIVATE_KEY_TYPE) and \
            in_throwaway_directory(path) and (
                path.endswith(".py") or not _named_by_code(project, path)):
        return ("a private key in a directory named for development or tests (a key file no "
                "code of the service names): the key pair of a local instance or the test suite")
    if rule_id == "PY009" and not is_settings_module(path) and \
            _development_server(project, path):
        return ("nothing that deploys the app runs this file (its containers, Procfile and "
                "scripts start a server instead) and no guide tells users to run it: the "
                "development server a developer starts by hand")
    return ""


# PY015's messages name the variable: `SECRET_KEY falls back to …`, `settings field 'X' …`
_FALLBACK_OF = re.compile(r"^(\w+) falls back to|^settings field '(\w+)'")
# A secret a manifest or chart gives a variable: a Kubernetes `secretKeyRef`, a chart's
# `secret:` source, an ECS task definition's `valueFrom` of Secrets Manager or SSM
_FROM_SECRET = re.compile(r"secretKeyRef|\bsecret\s*:|secretsmanager|:ssm:|\bsecretName\b",
                          re.IGNORECASE)
_SECRET_WINDOW = 4  # lines after the variable's name that may say where its value comes from


def _named_by_code(project: Project, path: str) -> bool:
    """A line of the project's Python code (tests aside, comments aside) names the file
    (`os.environ.get("OPENID_PRIVATE_KEY_PATH", "local_data/jwtRS256.key")`): the service
    loads it by default."""
    from .reach import referring_texts

    name = posixpath.basename(path)

    def find() -> bool:
        return any(source.endswith(".py") and name in text and any(
            name in line and not line.lstrip().startswith("#") for line in text.splitlines())
            for source, text in referring_texts(project).items())

    found: bool = project.once(f"named-by-code:{name}", find)
    return found


def _set_from_secret(project: Project, message: str) -> str:
    found = _FALLBACK_OF.match(message)
    variable = (found[1] or found[2]) if found else ""
    where = _secret_source(project, variable) if variable else ""
    return (f"{where} gives the deployment {variable} from a secret, so the service that "
            "ships never boots with the fallback") if where else ""


def _secret_source(project: Project, variable: str) -> str:
    """The deployment file (a Kubernetes manifest, a chart's values or templates, an ECS task
    definition) that sets `variable` from a secret ("" if none does)."""
    found: str = project.once(f"secret-source:{variable}",
                              lambda: _find_secret_source(project, variable))
    return found


def _find_secret_source(project: Project, variable: str) -> str:
    from .deployment import deployment_of
    from .documentation import read_text
    from .platform import infrastructure_files, template_files

    named = re.compile(rf"(?:^|[\s\"'])(?:name\s*:\s*)?[\"']?{re.escape(variable)}[\"']?\s*:?"
                       r"\s*(?:,\s*)?$|[\"']name[\"']\s*:\s*[\"']" + re.escape(variable) + "[\"']")
    deployment = deployment_of(project)
    paths = [*project.yaml_files, *(p for p in template_files(project) if "/templates/" in p),
             *infrastructure_files(project)]
    for path in dict.fromkeys(paths):
        if not deployment.role_of(path).judged:
            continue
        text = project.yaml_files[path].text if path in project.yaml_files else read_text(
            project, path)
        if variable not in text:
            continue
        lines = text.splitlines()
        for index, line in enumerate(lines):
            if variable in line and named.search(line) and any(
                    _FROM_SECRET.search(after)
                    for after in lines[index + 1:index + 1 + _SECRET_WINDOW]):
                return path
    return ""


def hand_run(project: Project, path: str) -> str:
    """Why the Python file at `path` only runs when someone starts it by hand ("" if
    something may run it unattended): a management command or script nothing in the
    repository runs, or a module only those import. Asked once per file."""
    cache = project.cache.setdefault("hand-run", {})
    assert isinstance(cache, dict)
    if path not in cache:
        cache[path] = _hand_run(project, path)
    found: str = cache[path]
    return found


def _hand_run(project: Project, path: str) -> str:
    command = _MANAGEMENT_COMMAND.search(path)
    if command is not None:
        return "" if command[1] in _commands_run(project) else (
            "a management command nothing in the repository runs (no call_command, schedule, "
            "container or script starts it)")
    if _hand_run_script(project, path):
        return ("a script nothing in the repository imports or starts (no container, "
                "schedule, script or package entry point names it)")
    users = _only_hand_run_importers(project, path)
    if users:
        shown = ", ".join(users[:3]) + (" …" if len(users) > 3 else "")
        return (f"a module only {shown} {'imports' if len(users) == 1 else 'import'}, and "
                f"nothing in the repository runs {'it' if len(users) == 1 else 'them'}")
    return ""


def _development_server(project: Project, path: str) -> bool:
    """`path` starts a server in debug or reload mode (`uvicorn.run(…, reload=True)` under
    `__main__`), while what deploys the project's services starts them otherwise and never
    names this file, and no page but the developers' tells users to run it
    (`python run.py`)."""
    from .deployment import deployment_of
    from .documentation import documentation_pages
    from .profile import CONTRIBUTOR_PAGE
    from .services import services_of

    name = posixpath.basename(path)
    module = getattr(project.python.get(path), "module", "")
    deployment = deployment_of(project)
    commands = [runner.command for svc in services_of(project) for runner in svc.runners
                if runner.source != "python" and deployment.role_of(runner.path).judged]
    # run as a program: by its file name, or by its module after `-m`; `module:app` only
    # imports it, and its `__main__` block does not run
    runs = re.compile(rf"(?<![\w-]){re.escape(name)}\b" + (
        rf"|-m\s+{re.escape(module)}(?![\w.])" if module else ""))
    scripts = _runner_scripts(project)
    if not commands or any(runs.search(text) for text in [*commands, *scripts]):
        return False
    told = re.compile(rf"(?:python3?\s+|\./)(?:[\w./-]*/)?{re.escape(name)}\b")
    return not any(told.search(text) for page, text in documentation_pages(project)
                   if not CONTRIBUTOR_PAGE.search(page))


def _hand_run_script(project: Project, path: str) -> bool:
    """A program outside any package (a `__main__` block in a directory without
    `__init__.py`, or a file name no import can spell), or one in a package that starts with
    a `#!` line, that serves no app, that no module imports and that nothing which starts
    processes names. A package's module with a `__main__` block and no `#!` is library code
    with a manual harness: a registry may load it by name."""
    facts = project.python.get(path)
    module = getattr(facts, "module", "")
    stem = posixpath.basename(path).removesuffix(".py")
    directory = posixpath.dirname(path)
    in_package = bool(directory) and project.has_file(f"{directory}/__init__.py")
    if facts is None or getattr(facts, "apps", None) or getattr(facts, "worker_loops", None) \
            or not (not stem.isidentifier() or (getattr(facts, "is_entry_point", False)
                                                and (not in_package or _shebang(project, path)))) \
            or stem in ("manage", "wsgi", "asgi"):
        return False
    if stem == "__main__":  # `python -m package`: the package is what is named
        module = module.removesuffix(".__main__")
    # imports spell a module from whichever root is on the path (`lib/export.py` is
    # `lib.export` or `export`): any of its dotted spellings, whole or ending one, counts
    spellings = {module, path.removesuffix(".py").replace("/", ".")} - {""}
    if any(m == s or m.endswith("." + s) or s.endswith("." + m)
           for m in _imported_modules(project) for s in spellings):
        return False
    # its file name, or its module from whichever root (`bugbug_http.worker:main` names
    # `http_service/bugbug_http/worker.py`)
    parts = module.split(".") if module else []
    named = {posixpath.basename(path)} | {".".join(parts[i:]) for i in range(len(parts) - 1)}
    return not any(name and name in text for text in _starter_texts(project) for name in named)


# Modules a framework loads by their name (Django's apps, Celery's task discovery): no
# import says who uses them.
_LOADED_BY_NAME = frozenset({"models", "views", "admin", "apps", "urls", "tasks", "signals",
                             "receivers", "handlers", "serializers", "forms", "api",
                             "settings", "wsgi", "asgi", "conftest", "__init__", "__main__"})


def _only_hand_run_importers(project: Project, path: str) -> list[str]:
    """What imports the module at `path`, when every importer outside the tests is a
    management command or script nothing in the repository runs ([] otherwise, and when
    nothing imports it: code loaded by name and dead code are not told apart)."""
    facts = project.python.get(path)
    module = getattr(facts, "module", "")
    if not module or posixpath.basename(path).removesuffix(".py") in _LOADED_BY_NAME:
        return []
    parts = module.split(".")
    # the module as an import spells it from whichever root is on the path
    spellings = {".".join(parts[i:]) for i in range(len(parts) - 1)} or {module}
    index = _importers(project)
    importers = sorted({other for spelling in spellings for other in index.get(spelling, ())}
                       - {path})
    for other in importers:
        command = _MANAGEMENT_COMMAND.search(other)
        if command is not None and command[1] in _commands_run(project):
            return []
        if command is None and not _hand_run_script(project, other):
            return []
    return importers


def _importers(project: Project) -> dict[str, set[str]]:
    """Module (or imported name) -> the files outside the tests that import it: `from a.b
    import c` counts for `a.b.c` and `a.b`."""
    def find() -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for path, facts in project.python.items():
            if getattr(facts, "test_code", False) or _name_role(path) is not None:
                continue
            for name in getattr(facts, "module_imports", ()):
                found.setdefault(name, set()).add(path)
                found.setdefault(name.rsplit(".", 1)[0], set()).add(path)
        return found

    result: dict[str, set[str]] = project.once("module-importers", find)
    return result


def _shebang(project: Project, path: str) -> bool:
    """The file starts with `#!`: it is meant to be run as a program, even inside a package
    (`socorro/schemas/validate_raw_crash.py`)."""
    from .documentation import read_text

    return read_text(project, path).startswith("#!")


def _imported_modules(project: Project) -> set[str]:
    """Every module an import of the project names (and the packages above it)."""
    def find() -> set[str]:
        found: set[str] = set()
        for facts in project.python.values():
            for name in getattr(facts, "imports", ()):
                parts = name.split(".")
                found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        return found

    result: set[str] = project.once("imported-modules", find)
    return result


# Files that start the project's programs: Makefiles, task runners, packaging entry points.
_STARTER_FILES = re.compile(r"(?:^|/)(?:Makefile|justfile|Taskfile\.ya?ml|tox\.ini|"
                            r"pyproject\.toml|setup\.cfg|setup\.py|noxfile\.py|"
                            r"[^/]+\.(?:service|timer|conf|ini|cfg))$", re.IGNORECASE)


def _starter_texts(project: Project) -> list[str]:
    """What starts processes: manifests, Compose files, CI, Dockerfiles, scripts, crontabs,
    Procfiles, Makefiles, unit files and packaging entry points."""
    texts: list[str] = project.once("starter-texts", lambda: [
        *_runner_texts(project), *_texts_of(project, _STARTER_FILES, with_artifacts=False)])
    return texts


def _runner_texts(project: Project) -> list[str]:
    """Manifests, Compose files, CI, Dockerfiles, scripts, crontabs and Procfiles."""
    texts: list[str] = project.once("runner-texts",
                                    lambda: _texts_of(project, _RUNNER_FILES))
    return texts


def _runner_scripts(project: Project) -> list[str]:
    """Scripts, crontabs and Procfiles (not the manifests and Dockerfiles), read once."""
    texts: list[str] = project.once(
        "runner-scripts", lambda: _texts_of(project, _RUNNER_FILES, with_artifacts=False))
    return texts


def _texts_of(project: Project, names: re.Pattern[str], *, with_artifacts: bool = True
              ) -> list[str]:
    """The YAML files and Dockerfiles the scan read (`with_artifacts`), and the first
    RUNNER_FILES_READ other files whose paths `names` matches."""
    from .documentation import read_text

    texts = [yf.text for yf in project.yaml_files.values()] if with_artifacts else []
    texts += [getattr(df, "text", "") for df in project.dockerfiles.values()
              ] if with_artifacts else []
    found = [p for p in project.all_files if names.search(p)]
    return [_NOT_STARTING.sub("", text) for text in
            texts + [read_text(project, p) for p in found[:RUNNER_FILES_READ]]]


# Lines that start nothing: comments (`# docker run img sfcli.py -s …`: how a user may run
# it by hand) and a linter's per-file settings (`sfcli.py:DAR` in setup.cfg)
_NOT_STARTING = re.compile(r"^[ \t]*#[^\n]*$|^[ \t]*[\w./*-]+\.py[ \t]*:[ \t]*[A-Z][A-Z0-9]*"
                           r"(?:[ \t,]+[A-Z][A-Z0-9]*)*[ \t]*$", re.MULTILINE)


_MANAGEMENT_COMMAND = re.compile(r"(?:^|/)management/commands/([\w-]+)\.py$")
# `python manage.py sync_feeds`, `django-admin sync_feeds`, `./manage.py "sync_feeds"`
# and a manifest's `command: [python, manage.py, sync_feeds]`
_MANAGE_RUN = re.compile(r"(?:manage\.py|django-admin)[\"']?[\s,\-\"']+([\w-]+)")
# What deploys or schedules commands: scripts, crontabs and Procfiles (Makefiles and task
# runners are the developers' shortcuts); YAML and Dockerfiles are read from the scan
_RUNNER_FILES = re.compile(r"(?:^|/)(?:Procfile|[^/]*cron[^/]*|[^/]+\.sh)$", re.IGNORECASE)
RUNNER_FILES_READ = 300


def _commands_run(project: Project) -> set[str]:
    """Management commands something in the repository runs: code calling `call_command`,
    manifests, Compose files, CI, Dockerfiles, scripts and crontabs naming them after
    `manage.py`, or naming one of the project's commands at all (a scheduler's input,
    `{"command": "import_people"}`), and infrastructure code that schedules them."""
    def find() -> set[str]:
        names: set[str] = set()
        for facts in project.python.values():
            names |= getattr(facts, "commands_called", set())
        defined = {m[1] for path in project.python if (m := _MANAGEMENT_COMMAND.search(path))}
        for text in [*_runner_texts(project), *_infrastructure_code(project)]:
            if "manage" in text or "django-admin" in text:
                names |= set(_MANAGE_RUN.findall(text))
            names |= {name for name in defined - names if name in text and re.search(
                rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)}
        return names

    found: set[str] = project.once("management-commands-run", find)
    return found


def _infrastructure_code(project: Project) -> list[str]:
    """The programs of the repository's infrastructure code (AWS CDK, Pulumi: `cdk_stacks/…`),
    whose schedules start commands."""
    from .documentation import read_text
    from .platform import infrastructure_files, is_infrastructure_code

    return [read_text(project, path) for path in infrastructure_files(project)
            if is_infrastructure_code(path)]


def _overrides(project: Project) -> dict[str, list[tuple[int, int, str, str]]]:
    found: dict[str, list[tuple[int, int, str, str]]] = project.once(
        "settings-overrides", lambda: _build_overrides(project))
    return found


def _configured_origins(project: Project) -> str:
    """The settings module that gives CORS_ORIGINS an explicit list (no `*`)."""
    def find() -> str:
        for path, facts in project.python.items():
            if any(name == "CORS_ORIGINS" for _, _, name in getattr(facts, "constants", ())) \
                    and "CORS_ORIGINS" not in getattr(facts, "wildcards", ()):
                return path
        return ""
    found: str = project.once("cors-origins-setting", find)
    return found


def _build_overrides(project: Project) -> dict[str, list[tuple[int, int, str, str]]]:
    """Settings constants that a production settings module sets again after importing them
    all (`from .base import *`); development and test settings modules do not count."""
    found: dict[str, list[tuple[int, int, str, str]]] = {}
    by_module = {getattr(f, "module", ""): path for path, f in project.python.items()
                 if getattr(f, "constants", None)}
    for path, facts in project.python.items():
        overrides = getattr(facts, "star_overrides", None)
        if not overrides or _name_role(path) is not None:
            continue
        for module, names in overrides.items():
            base = by_module.get(module)
            if base is None or base == path:
                continue
            found.setdefault(base, []).extend(
                (first, last, name, path) for first, last, name
                in project.python[base].constants  # type: ignore[attr-defined]
                if name in names)
    return found


def _name_role(path: str) -> str | None:
    """The role a file's own name gives it (`dev.py`, `settings_test.py`)."""
    stem = posixpath.basename(path).rsplit(".", 1)[0].lower()
    return next((NAME_WORDS[w] for w in re.split(r"[._\-]", stem) if w in NAME_WORDS), None)
