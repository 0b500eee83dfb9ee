"""Code nothing reaches: a function or class whose name appears nowhere else in the repository.

A finding inside code that nothing calls (a helper left behind by a refactoring, a client
class nobody instantiates, a function only its tests call) cannot hurt a deployment. The test
is deliberately plain and conservative: the name of the module-level function or class
around the finding is looked up as a whole word in the project's code, templates and
configuration files (tests excepted); one occurrence anywhere besides its own definition,
even in a comment or a string (`"app.tasks.refresh"`, `{{ user.gravatar_url }}`), counts as a
use. Decorated functions (routes, tasks, commands) always count as used: a framework calls
them; so do subclasses, which a registry or a plugin loader may find through their base (not
views: a `View`, `ViewSet` or `APIView` serves only where a urlconf or router names it), and
the functions of migrations, which their runner finds by name.
"""

from __future__ import annotations

import posixpath
import re

from ..discover import is_guarded
from . import Project
from .documentation import read_text

# Files that may name a function: code, templates, and the configurations that point at code
# (entry points, settings, schedules).
_REFERRING_SUFFIXES = (".py", ".pyi", ".html", ".htm", ".jinja", ".jinja2", ".j2", ".txt",
                       ".yaml", ".yml", ".toml", ".cfg", ".ini", ".json", ".md", ".rst", ".sh",
                       ".xml", ".js", ".ts", ".tsx", ".jsx", ".vue", ".conf")
# ... and the files that start programs: `CMD ["gunicorn", "app.wsgi:application"]`
_REFERRING_NAMES = ("dockerfile", "procfile", "makefile", "justfile")
_DEF = re.compile(r"^(?:async[ \t]+)?(def|class)[ \t]+([A-Za-z_]\w*)")
# Decorators that leave a function an ordinary one, called by name.
_PLAIN_DECORATORS = re.compile(r"@(?:staticmethod|classmethod|property|abstractmethod|"
                               r"abc\.abstractmethod|(?:functools\.)?(?:cache|lru_cache|wraps|"
                               r"cached_property)|override|typing\.override)\b")
_SUBCLASS = re.compile(r"class[ \t]+\w+[ \t]*\((?![ \t]*(?:object)?[ \t]*\))")
# `class ProxyViewSet(viewsets.ViewSet):`, `class Export(APIView):`: bases that are views
_VIEW_SUBCLASS = re.compile(r"class[ \t]+\w+[ \t]*\((?:[\w.]*(?:View|ViewSet|APIView),?[ \t]*)+\)")
_SHORTEST_NAME = 4
_FILE_LIMIT = 1_000_000


def unreferenced(project: Project, path: str, line: int) -> str:
    """Why the code at `path:line` never runs ("" if something may run it): it sits, in a
    service's code, in a module-level function or class whose name nothing else in the
    repository mentions."""
    if path not in _service_files(project) or _discovered_by_name(path):
        return ""  # a library's functions are called by its users, not by the repository
    unit = _top_level_unit(_lines(project, path), line)
    if unit is None or _mentions(project, unit[1]) > 1:
        return ""
    kind, name = unit
    what = "function" if kind == "def" else "class"
    return (f"it is in the {what} {name}, which nothing else in the repository mentions "
            "(tests aside): dead code")


def _service_files(project: Project) -> set[str]:
    def build() -> set[str]:
        from .services import services_of

        return {f for svc in services_of(project) for f in svc.files}

    found: set[str] = project.once("reach-service-files", build)
    return found


def _lines(project: Project, path: str) -> list[str]:
    """The file's lines, read once however many findings it holds."""
    cache = project.cache.setdefault("reach-lines", {})
    assert isinstance(cache, dict)
    if path not in cache:
        cache[path] = read_text(project, path).split("\n")
    lines: list[str] = cache[path]
    return lines


def _top_level_unit(lines: list[str], line: int) -> tuple[str, str] | None:
    """The module-level function or class around `line` (1-based), when a caller would have
    to name it: not a dunder, not one a decorator registers. Only the outermost unit counts:
    a framework calls methods by convention (`get_queryset`, `handle`) without naming them."""
    if not 0 < line <= len(lines):
        return None
    for index in range(line - 1, -1, -1):
        text = lines[index]
        if not text.strip() or text[0] in " \t#)]}\"'":
            continue  # inside the unit, or a line continuing a statement
        match = _DEF.match(text)
        if match is None or index == line - 1:
            return None  # module-level code, or the definition line itself
        name = match[2]
        if (name.startswith("__") and name.endswith("__")) or len(name) < _SHORTEST_NAME or \
                _registered(lines, index) or (match[1] == "class" and _SUBCLASS.match(text)
                                              and not _VIEW_SUBCLASS.match(text)):
            # a subclass may be found through its base (a registry, a plugin); a view only
            # serves where a urlconf or router names it
            return None
        return match[1], name
    return None


def _registered(lines: list[str], index: int) -> bool:
    """A decorator other than the plain ones sits above the definition (its arguments may
    run over several lines: `@router.get(\n    "/x",\n)`)."""
    for above in range(index - 1, -1, -1):
        text = lines[above]
        if not text.strip() or text[0] in " \t)]}":
            continue  # a decorator's arguments
        if not text.startswith("@"):
            return False
        if not _PLAIN_DECORATORS.match(text):
            return True
    return False


def _mentions(project: Project, name: str) -> int:
    """How often `name` occurs as a word in the repository's referring files (tests aside),
    counted up to two: one is its own definition."""
    cache = project.cache.setdefault("reach-mentions", {})
    assert isinstance(cache, dict)
    if name not in cache:
        word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        count = 0
        for text in referring_texts(project).values():
            if name in text:
                count += len(word.findall(text))
                if count > 1:
                    break
        cache[name] = count
    found: int = cache[name]
    return found


def referring_texts(project: Project) -> dict[str, str]:
    """The texts of the files that may name code (code, templates, configuration, start
    files), tests aside, by path: read once per scan."""
    texts: dict[str, str] = project.once("reach-texts", lambda: {
        path: text for path in project.all_files if _refers(path) and not _is_test(path)
        for text in [read_text(project, path)] if 0 < len(text) <= _FILE_LIMIT})
    return texts


def _discovered_by_name(path: str) -> bool:
    """Migrations and vendored code: a runner finds their functions by their names'
    pattern (`m001_initial`), or their users are elsewhere."""
    return is_guarded(path, include_tests=True) or posixpath.basename(path) == "migrations.py"


def _refers(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return name.endswith(_REFERRING_SUFFIXES) or name.startswith(_REFERRING_NAMES) or \
        name.endswith(".dockerfile")


def _is_test(path: str) -> bool:
    name = posixpath.basename(path)
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py" or (
        is_guarded(path) and not is_guarded(path, include_tests=True))
