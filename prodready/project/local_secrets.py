"""Where the project's own workflow puts secret files inside the checkout.

A `.env` is made there when a template is copied to it, when Compose reads it (`env_file:`, or
a `${VAR}` the Compose file requires), or when the code loads it (python-dotenv,
python-decouple). Private keys land there when Compose mounts a certificate or key directory
of the checkout (`./certbot/conf:/etc/letsencrypt`), or when a script writes a key to a
relative path (`openssl req … -keyout certs/key.pem`). A file the repository commits is left
out (ignoring cannot untrack it, and a committed `.env` of defaults is deliberate), unless it
is a `.env` holding secrets: once it is untracked, only a pattern keeps it out; so is a
mounted directory whose keys the repository commits (the maintainers chose to track them).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ..artifacts.dotenv import is_development_env_file, is_env_file, is_env_template
from ..secretcontext import env_file_secrets
from ..secretnames import is_client_credential, is_secret_name
from . import Project
from .builds import BUILD_SCRIPT_NAMES, CI_FILES
from .compose import configs
from .deployment import deployment_of

ENV = ".env"
KEY = "key"

# Directory names that hold certificates and private keys, on either side of a mount.
_KEY_DIRS = frozenset({"cert", "certs", "certbot", "letsencrypt", "ssl", "sslcerts", "tls",
                       "key", "keys", "private", "secrets", ".secrets"})
_KEY_SUFFIXES = (".pem", ".key")
# Commands that write a private key, and the option that names the file.
_KEY_WRITES = re.compile(
    r"(?:(?<!\S)-keyout|(?<!\S)-key-file|\bopenssl\s+(?:genrsa|genpkey|ecparam)\b[^\n]*?\s-out|"
    r"\bssh-keygen\b[^\n]*?\s-f)[ \t=]+['\"]?([^\s'\";|&)]*[./][^\s'\";|&)]*)")
# `${VAR}` or `${VAR:?message}`: a value Compose must be given, from the shell or `.env`.
_REQUIRED_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:\}|:?\?)")
_DOTENV_LOADERS = ("dotenv", "decouple")


@dataclass(frozen=True, slots=True)
class LocalSecret:
    kind: str  # ENV or KEY
    path: str  # a file that would hold it (a sample file inside a mounted directory)
    source: str  # the file that puts it there
    line: int
    why: str
    # Other places of the same file, any of which the project may use: python-dotenv reads
    # `.env` from the working directory or the first parent of the module that has one.
    places: tuple[str, ...] = ()


def local_secrets(project: Project) -> list[LocalSecret]:
    return project.once("local-secrets", lambda: _local_secrets(project))


def _local_secrets(project: Project) -> list[LocalSecret]:
    # a tracked env file named for development holds the development stack's values, kept
    # in the repository on purpose: ignoring it would change nothing and is not wanted
    tracked_secrets = [path for path in project.all_files if is_env_file(path) and
                       not is_development_env_file(path) and
                       env_file_secrets(project.texts.get(path) or "", path)]
    found = [*_env_files(project, tracked_secrets), *_compose_keys(project),
             *_script_keys(project)]
    return [s for s in found if not s.path.startswith("../") and (
        not project.has_file(s.path) or s.path in tracked_secrets)]


def _first_required_secret(text: str) -> int:
    """The line of the first variable a Compose file requires (`${NAME}`, no default, not in
    a comment) whose name is a secret's or a credential-carrying URL's (`DATABASE_URL`); 0
    when none is."""
    for number, line in enumerate(text.splitlines(), 1):
        if "${" in line and not line.lstrip().startswith("#") and any(
                is_secret_name(name, None) or is_client_credential(name)
                for name in _REQUIRED_VARIABLE.findall(line)):
            return number
    return 0


def _env_files(project: Project, tracked_secrets: list[str]) -> list[LocalSecret]:
    out = [LocalSecret(ENV, path, path, 1, f"{path} holds secrets and is tracked")
           for path in tracked_secrets]
    for path in project.all_files:
        if is_env_template(path):
            out.append(LocalSecret(ENV, _join(posixpath.dirname(path), ".env"), path, 1,
                                   f"{path} is copied to .env"))
    for path, yf in project.compose_files().items():
        # a secret among them: a `.env` of data paths and ports holds nothing to leak
        line = _first_required_secret(yf.text)
        if line and not path.startswith(".github/"):
            out.append(LocalSecret(ENV, _join(posixpath.dirname(path), ".env"), path, line,
                                   f"{path} requires variables that Compose reads from .env"))
    for config in configs(project):
        for svc in config.services.values():
            for env_file, site in svc.env_files():
                if is_env_file(env_file):
                    out.append(LocalSecret(ENV, env_file, site.path, site.line,
                                           f"{site.path} reads {env_file} (`env_file:`)"))
    deployment = deployment_of(project)
    for path, facts in project.python.items():
        imports = getattr(facts, "imports", ())
        if not deployment.role_of(path).judged:
            continue  # vendored, example or test code loading .env is not the project's
        if any(name.split(".", 1)[0] in _DOTENV_LOADERS for name in imports):
            # the files it names (`find_dotenv(filename=".environment")`), else `.env`
            named = sorted({posixpath.basename(name) for name in
                            getattr(facts, "dotenv_files", ()) if posixpath.basename(name)})
            for name in named or [".env"]:
                out.append(LocalSecret(ENV, name, path, 1, f"{path} loads {name}",
                                       places=_parent_env_files(path, name)))
    return out


def _parent_env_files(module: str, name: str) -> tuple[str, ...]:
    """`name` in the module's directory and each directory above it, below the root."""
    places = []
    directory = posixpath.dirname(module)
    while directory:
        places.append(_join(directory, name))
        directory = posixpath.dirname(directory)
    return tuple(places)


def _compose_keys(project: Project) -> list[LocalSecret]:
    out = []
    for config in configs(project):
        for svc in config.services.values():
            for host, target, site in svc.bind_mounts():
                if not (_names_keys(host) or _names_keys(target)):
                    continue
                if _commits_keys(project, host):
                    continue  # the maintainers track the keys there (a self-signed dev pair)
                if host.endswith(_KEY_SUFFIXES):
                    samples, shown = [host], host
                else:
                    samples = [_join(host, "privkey" + suffix) for suffix in _KEY_SUFFIXES]
                    shown = host + "/"
                why = f"{site.path} mounts {shown} at {target}"
                out += [LocalSecret(KEY, s, site.path, site.line, why) for s in samples]
    return out


def _script_keys(project: Project) -> list[LocalSecret]:
    out = []
    for path, text in project.texts.items():
        name = posixpath.basename(path).lower()
        if not (name in BUILD_SCRIPT_NAMES or name.endswith(".sh")) or \
                path.startswith(".github/") or CI_FILES.search(path):
            continue  # CI runners are thrown away
        for match in _KEY_WRITES.finditer(text):
            target = match[1]
            if target.startswith(("/", "~", "$", "-")) or "$" in target:
                continue  # outside the checkout, or chosen at run time
            line = text.count("\n", 0, match.start()) + 1
            out.append(LocalSecret(KEY, _join(posixpath.dirname(path), target), path, line,
                                   f"{path} writes the key {target}"))
    return out


# Files that keep an empty directory in git, for keys generated into it later.
_PLACEHOLDERS = (".gitkeep", ".keep", ".gitignore", "readme")


def _commits_keys(project: Project, directory: str) -> bool:
    """The repository tracks the keys in the mounted directory: key files, or files of any
    name (a TUF key named by its id); not only a `.gitkeep` that keeps the directory."""
    if directory.endswith(_KEY_SUFFIXES):
        return False  # a single key file: committed ones are never asked about
    prefix = _join(directory, "") + "/"
    return any(path.startswith(prefix) and not posixpath.basename(path).lower().startswith(
        _PLACEHOLDERS) for path in project.all_files)


def _names_keys(path: str) -> bool:
    parts = [p.lower() for p in path.split("/") if p]
    return any(p in _KEY_DIRS for p in parts) or path.lower().endswith(_KEY_SUFFIXES)


def _join(directory: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(directory, name)).removeprefix("./")
