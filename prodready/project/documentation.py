"""The project's own documentation: READMEs and the documentation trees it declares.

Rules read it for what the configuration leaves unsaid (a documented variable, the install
instructions of a self-hosted product). These files are not parsed by the scan; they are read
on demand, bounded in size.
"""

from __future__ import annotations

import posixpath
import re

from . import Project

DOC_SUFFIXES = (".md", ".rst")
DOC_DIRS = ("docs", "doc", "documentation")
RELEASE_NOTES = ("changelog", "changes", "history", "news", "release", "upgrad")
CHANGE_LOGS = ("changelog", "changes", "history", "news", "release-notes", "release_notes")
# inside a documentation tree, plain-text, MDX and AsciiDoc sources are documentation too
DOC_TREE_SUFFIXES = (*DOC_SUFFIXES, ".txt", ".adoc", ".mdx")
# example configuration files (`settings.conf.example`) document names as well
EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist")
READ_LIMIT = 1_000_000  # bytes per file
_DOCS_DIR = re.compile(r"^docs_dir:[ \t]*['\"]?([^'\"\s#]+)", re.MULTILINE)


def documentation_files(project: Project, *, examples: bool = False) -> list[str]:
    """READMEs and the files of documentation trees (plus example config files when
    `examples`), in the project's file order."""
    roots = doc_roots(project)
    return [p for p in project.all_files if is_doc(p, roots, examples=examples)]


DOC_PAGES_READ = 500  # pages read for what the documentation tells users and says of files


def documentation_pages(project: Project) -> list[tuple[str, str]]:
    """(path, text) of the first DOC_PAGES_READ documentation pages, read once per scan:
    the deployment model and the profile both read them."""
    # not changelogs: they say what a change did to files and settings as they were then
    # ("fix Dockerfile used for development"), not what each is for now
    pages: list[tuple[str, str]] = project.once("documentation-pages", lambda: [
        (path, read_text(project, path))
        for path in [p for p in documentation_files(project)
                     if not posixpath.basename(p).lower().startswith(CHANGE_LOGS)
                     ][:DOC_PAGES_READ]])
    return pages


def doc_roots(project: Project) -> tuple[str, ...]:
    """Directories the project declares as documentation: a Sphinx source tree (where its
    `conf.py` is) and an MkDocs `docs_dir`, beside `docs/`, `doc/` and `documentation/`."""
    cached = project.cache.get("doc-roots")
    if isinstance(cached, tuple):
        return cached
    roots: set[str] = set()
    for path in project.files_named("conf.py"):
        text = read_text(project, path)
        if "sphinx" in text or "html_theme" in text:
            roots.add(posixpath.dirname(path))
    for path in project.files_named("mkdocs.yml", "mkdocs.yaml"):
        found = _DOCS_DIR.search(read_text(project, path))
        joined = posixpath.join(posixpath.dirname(path), found[1] if found else "docs")
        roots.add(posixpath.normpath(joined))
    result = tuple(sorted(r + "/" for r in roots if r not in ("", ".")))
    project.cache["doc-roots"] = result
    return result


def in_doc_tree(path: str, roots: tuple[str, ...]) -> bool:
    """Under a declared documentation root or a `docs/`, `doc/` or `documentation/`
    directory."""
    return path.startswith(roots) or any(part in DOC_DIRS for part in path.lower().split("/")[:-1])


def root_readmes(project: Project) -> list[str]:
    """The READMEs at the repository's root, whatever their case and extension."""
    return [name for name in project.all_files
            if "/" not in name and name.lower().startswith("readme")]


def is_doc(path: str, roots: tuple[str, ...] = (), *, examples: bool = False) -> bool:
    base = posixpath.basename(path).lower()
    if base.endswith(EXAMPLE_SUFFIXES):
        return examples
    if in_doc_tree(path, roots):
        return base.endswith(DOC_TREE_SUFFIXES)
    # READMEs anywhere; at the top, every page (INSTALL.md, GUIDE.md, CONTRIBUTING.md) but
    # release notes, which announce a change rather than document its use
    return base.endswith(DOC_SUFFIXES) and (base.startswith("readme") or (
        "/" not in path and not base.startswith(RELEASE_NOTES)))


def read_text(project: Project, path: str) -> str:
    """The file's text (kept by the scan, else read from disk); "" for a symlink, a file over
    READ_LIMIT, or one that cannot be read."""
    kept = project.texts.get(path)
    if kept is not None:
        return kept
    target = project.root / path
    try:
        if target.is_symlink() or target.stat().st_size > READ_LIMIT:
            return ""
        return target.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# A documentation site's address: `docs.acme.io`, `acme.readthedocs.io`, a GitHub wiki,
# `acme.github.io/docs`, `acme.io/docs/…`
_DOC_SITE = re.compile(
    r"https?://(?:(?:docs?|wiki)\.[\w.-]+|[\w.-]+\.(?:readthedocs\.io|gitbook\.io)"
    r"|github\.com/[\w.-]+/[\w.-]+/wiki|[\w.-]+/(?:[\w.-]+/)?(?:docs?|wiki|documentation))"
    r"(?=[/\s)\]>\"'#?]|$)[^\s)\]>\"']*", re.IGNORECASE)
_SUBMODULE = re.compile(r"^\s*path\s*=\s*(\S+)\s*$[^\[]*?^\s*url\s*=\s*(\S+)",
                        re.MULTILINE | re.IGNORECASE)
_TITLE = re.compile(r"^#\s*([A-Za-z][\w.-]*)|^([A-Za-z][\w.-]*)\s*\n[=#*-]{3,}", re.MULTILINE)


def external_documentation(project: Project) -> str:
    """Where the project keeps its documentation when not in this repository ("" if it is
    here or nowhere known): a documentation submodule (empty in a plain checkout), or, with
    no documentation tree here, a documentation site named after the project that the root
    README links to (`https://docs.acme.io`, the repository's GitHub wiki)."""
    def find() -> str:
        if project.has_file(".gitmodules"):
            for path, url in _SUBMODULE.findall(read_text(project, ".gitmodules")):
                if path.strip("/").split("/")[-1].lower() in (*DOC_DIRS, "wiki"):
                    return url
        roots = doc_roots(project)
        if any(in_doc_tree(path, roots) for path in project.all_files
               if path.endswith(DOC_TREE_SUFFIXES)):
            return ""
        readmes = root_readmes(project)
        text = read_text(project, readmes[0]) if readmes else ""
        names = _own_names(project, text)
        return next((url.rstrip(".,;:") for url in _DOC_SITE.findall(text)
                     if any(name in _squashed(url) for name in names)), "")

    found: str = project.once("external-documentation", find)
    return found


def _own_names(project: Project, readme: str) -> set[str]:
    """The project's names, squashed (`private-gpt` -> `privategpt`, and its first word):
    its distributions', and its README title's first word when a top-level directory bears
    it (a demo of another project is titled after that project)."""
    from .deployment import deployment_of

    names = set()
    for name in deployment_of(project).project_names:
        names |= {_squashed(name), _squashed(re.split(r"[-_.]", name)[0])}
    title = _TITLE.search(readme[:5000])
    word = _squashed(title[1] or title[2]) if title else ""
    if word and any(_squashed(path.split("/", 1)[0]) == word
                    for path in project.all_files if "/" in path):
        names.add(word)
    return {n for n in names if len(n) >= 4}


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())
