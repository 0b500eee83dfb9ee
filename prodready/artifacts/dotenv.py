"""Dotenv files (`.env`, `.env.example`, Compose `env_file:`): one `NAME=value` per line, with
an optional `export`; the value without its quotes or its trailing ` # comment`."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

# `[ \t]` and a plain `(.*)`, stripped after: a lazy group before `\s*$` is quadratic on a
# line of blanks.
_LINE = re.compile(r"^[ \t]*(#[ \t]*)?(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*=(.*)$")

TEMPLATE_SUFFIXES = ("example", "sample", "template", "tmpl", "tpl", "dist", "defaults")


@dataclass(frozen=True, slots=True)
class EnvEntry:
    line: int  # 1-based
    name: str
    value: str
    commented: bool  # `# NAME=value`: documented, left unset


def env_entries(text: str, *, commented: bool = False) -> Iterator[EnvEntry]:
    """Every `NAME=value` line of a dotenv text; `commented=True` also yields the entries a
    comment holds (`# FEATURE_FLAG=1`, a variable the file documents but does not set)."""
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LINE.match(line)
        if match is None or (match[1] is not None and not commented):
            continue
        value = match[3].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        yield EnvEntry(number, match[2], value, match[1] is not None)


def is_env_file(path: str) -> bool:
    """`.env`, `.env.production`, `api/.env.local` …; not `.env.example` and friends."""
    name = posixpath.basename(path).lower()
    if name != ".env" and not name.startswith(".env."):
        return False
    # .env.single-bucket-example
    return not any(word in TEMPLATE_SUFFIXES for word in _name_words(name))


def _name_words(name: str) -> list[str]:
    """The words after `.env` in an env file's name: `.env.docker-dev` -> docker, dev."""
    return [w for part in name.split(".")[2:] for w in part.replace("_", "-").split("-")]


# Words of an env file's name that give it to the development or test setup
# (`.env.docker.dev`, `.env.testing`); not `local`: `.env.local` holds a developer's own
# real credentials.
_DEVELOPMENT_WORDS = frozenset({"dev", "develop", "development", "test", "tests", "testing",
                                "ci", "e2e"})


def is_development_env_file(path: str) -> bool:
    """An env file named for the development or test setup (`.env.dev`, `.env.docker.dev`)."""
    return is_env_file(path) and bool(_DEVELOPMENT_WORDS.intersection(
        _name_words(posixpath.basename(path).lower())))


def is_env_template(path: str) -> bool:
    """`.env.example`, `.env.sample`, `config/.env.template` …: a file copied to `.env`."""
    name = posixpath.basename(path).lower()
    return name.startswith(".env.") and not is_env_file(path)
