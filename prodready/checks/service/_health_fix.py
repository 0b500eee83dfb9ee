"""APP001's fix: a health module rendered from a template and registered on the app."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ...facts import PythonFacts
from ...model import Codemod, Edit, Fix, FixSafety
from ...project import Project
from ...project.services import Service
from ...resources import TEMPLATES_DIR

TEMPLATE_OF = {"fastapi": "health_fastapi.py.j2", "flask": "health_flask.py.j2"}
REGISTER = {"fastapi": ("from {module} import router as health_router",
                        "{app}.include_router(health_router)"),
            "flask": ("from {module} import blueprint as health_blueprint",
                      "{app}.register_blueprint(health_blueprint)")}


@dataclass(frozen=True)
class _Engine:
    module: str
    name: str
    is_async: bool


def health_fix(project: Project, svc: Service) -> Fix | None:
    facts = project.python.get(svc.path)
    if svc.kind not in TEMPLATE_OF or not isinstance(facts, PythonFacts):
        return None
    app = next((a for a in facts.apps if a.line == svc.line), None)
    if app is None or app.column != 1:
        return None  # created inside a factory function: where to register is a judgement call
    directory = posixpath.dirname(svc.path)
    target = posixpath.join(directory, "health.py") if directory else "health.py"
    if project.has_file(target):
        return None
    package = project.has_file(posixpath.join(directory, "__init__.py")) if directory else False
    prefix = _import_prefix(facts, directory, package)
    module = f"{prefix}health"
    engine = _engine(project, svc, directory, prefix)
    if svc.owned_resources and engine is None and any(
            kind == "database" for kind, _, _, _ in svc.owned_resources):
        return None  # a database we cannot import from here: a readiness that ignores it is wrong
    import jinja2  # only when a fix is offered: most scans never render the template

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
                             keep_trailing_newline=True, trim_blocks=False, autoescape=False)
    source = env.get_template(TEMPLATE_OF[svc.kind]).render(
        service=svc.name, engine=engine).rstrip() + "\n"
    import_line, register_line = (line.format(module=module, app=app.var)
                                  for line in REGISTER[svc.kind])
    return Fix(
        FixSafety.UNSAFE,
        f"add {target} with /health/live and /health/ready and register it on {app.var}",
        edits=(Edit(target, 0, 0, source),),
        codemods=(Codemod(svc.path, "register-router", app.line, 0,
                          f"{import_line}\n{register_line}"),),
    )


def _import_prefix(facts: PythonFacts, directory: str, package: bool) -> str:
    """How the app module's own package is imported: `orders.` when it writes
    `from orders.db import …`, `.` for a package using relative imports, `` for a script."""
    parts = directory.split("/") if directory else []
    for i in range(len(parts)):
        candidate = ".".join(parts[i:])
        if any(name.startswith(candidate + ".") for name in facts.imports):
            return candidate + "."
    return "." if package else ""


def _engine(project: Project, svc: Service, directory: str, prefix: str) -> _Engine | None:
    for kind, var, path, _ in svc.owned_resources:
        if kind != "database" or "." in var:
            continue
        facts = project.python.get(path)
        if not isinstance(facts, PythonFacts):
            continue
        is_async = any(i.endswith("create_async_engine") for i in facts.imports)
        if path == svc.path:
            return None  # the app module itself: importing it from health.py would be circular
        if posixpath.dirname(path) == directory or (
                prefix and directory and path.startswith(directory + "/")):
            below = path[len(directory) + 1:-3] if directory else path[:-3]
            return _Engine(prefix + below.replace("/", "."), var, is_async)
    return None
