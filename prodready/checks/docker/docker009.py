"""DOCKER009 build-tools-in-final-image."""

from __future__ import annotations

import fnmatch
import re
import shlex

from ...artifacts.dockerfile import Dockerfile, variables
from ...artifacts.shell import SEPARATORS
from ...project.images import effective_stages
from ..api import RuleContext
from ._image import snippet

SCOPE = "dockerfile"
INSTALL = re.compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf)\s+(install|add)\b")
TOOLS = re.compile(r"(gcc|g\+\+|clang|make|build-essential|build-base|"
                   r"[a-z0-9.+-]+-dev(el)?)(=.*|~.*)?")
MANAGERS = ("apt-get", "apt", "apk", "yum", "dnf", "microdnf")
INSTALL_VERBS = ("install", "add")
REMOVE_VERBS = ("purge", "remove", "del", "erase")
# removes every package not marked manual: the official images' `apt-mark auto` pattern
REMOVES_ALL = re.compile(r"\bautoremove\b|\bapt-mark\s+auto\b")
_ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)=(.*)$", re.DOTALL)
_VARIABLE = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")


def check(df: Dockerfile, ctx: RuleContext) -> None:
    final = df.final_stage
    if final is None:
        return
    defined: dict[str, str] = {}
    for stage in reversed(effective_stages(df)):
        for ins in stage.instructions:
            if ins.keyword in ("ARG", "ENV"):
                defined.update({k: v for k, v in variables(ins.keyword, ins.args) if v})
    for ins in final.find("RUN"):
        text = ins.args + " " + " ".join(ins.heredocs)
        if not INSTALL.search(text):
            continue
        tools = _left_installed(text, dict(defined))
        if tools:
            ctx.report(df.path, ins.line, ins.column,
                       f"the final image installs build tools ({', '.join(tools)}); build "
                       "wheels in a builder stage and copy only the results",
                       snippet=snippet(ins))
        else:
            ctx.examine()


def _left_installed(text: str, defined: dict[str, str]) -> list[str]:
    """Build tools one RUN step installs and does not remove again before the layer is
    written: purged by name, by the variable that listed them, or as apk's `--virtual`
    group."""
    if REMOVES_ALL.search(text):
        return []
    installed: dict[str, str] = {}  # package -> the group apk's --virtual put it in
    removed: list[str] = []
    for command in SEPARATORS.split(text):
        words = _words(command.strip(), defined)
        if words and words[0] == "export":
            words = words[1:]
        assignment = _ASSIGNMENT.match(words[0]) if len(words) == 1 else None
        if assignment:  # `BUILD_PACKAGES="gcc libpq-dev"` names what a later command installs
            defined[assignment[1]] = assignment[2]
            continue
        manager = next((i for i, w in enumerate(words) if w in MANAGERS), None)
        if manager is None:
            continue
        options = [w for i, w in enumerate(words[manager + 1:], manager + 1)
                   if words[i - 1] not in ("-o", "--option")]  # `-o Dpkg::…` is no verb
        verb = next((w for w in options if not w.startswith("-")), "")
        args = words[words.index(verb, manager + 1) + 1:] if verb else []
        if verb in INSTALL_VERBS:
            group = ""
            for i, word in enumerate(words[manager + 1:], manager + 1):
                if word in ("--virtual", "-t") and i + 1 < len(words):
                    group = words[i + 1]
                elif word.startswith("--virtual="):
                    group = word.split("=", 1)[1]
            for word in args:
                if not word.startswith("-") and word != group:
                    installed.setdefault(word, group)
        elif verb in REMOVE_VERBS:
            removed.extend(w for w in args if not w.startswith("-"))
    left = set()
    for package, group in installed.items():
        match = TOOLS.fullmatch(package)
        if match is None:
            continue
        if any(fnmatch.fnmatchcase(package, r) or (group and r == group) for r in removed):
            continue
        left.add(match[1])
    return sorted(left)


def _words(command: str, defined: dict[str, str]) -> list[str]:
    expanded = _VARIABLE.sub(lambda m: defined.get(m[1], m[0]), command)
    try:
        return shlex.split(expanded)
    except ValueError:
        return expanded.split()
