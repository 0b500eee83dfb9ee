"""Dockerfiles as stages of instructions with exact line ranges.

Handles parser directives (`# syntax=`, `# escape=`), line continuations (with comments and
blank lines inside them), heredocs (`<<EOF`, `<<-EOF`, quoted delimiters, several per line),
JSON exec form, and ARG defaults declared before the first FROM substituted into FROM.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from .source import split_lines

# The value is stripped afterwards: `\s*(.+?)\s*$` is quadratic in a run of blanks.
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=(.*)$")
_HEREDOC = re.compile(r"<<(-?)(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")
_FLAG = re.compile(r"--([a-z][a-z-]*)(?:=(\"[^\"]*\"|\S*))?")
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_HEREDOC_KEYWORDS = {"RUN", "COPY", "ADD"}


class DockerfileError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(slots=True)
class Instruction:
    keyword: str
    args: str
    line: int
    end_line: int
    column: int
    flags: dict[str, str] = field(default_factory=dict)
    exec_form: list[str] | None = None
    heredocs: list[str] = field(default_factory=list)
    raw: str = ""

    def copy_words(self) -> list[str]:
        """COPY/ADD: the sources, then the destination (the JSON form's items, or the shell
        form's words without `--flags`)."""
        if self.exec_form is not None:
            return self.exec_form
        return [w for w in self.args.split() if not w.startswith("--")]


@dataclass(slots=True)
class Stage:
    index: int
    name: str | None
    base_image: str
    base_raw: str
    line: int
    instructions: list[Instruction] = field(default_factory=list)
    platform: str | None = None

    def find(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass(slots=True)
class Dockerfile:
    path: str
    stages: list[Stage]
    global_args: dict[str, str | None]
    escape: str
    instructions: list[Instruction]
    text: str = ""  # the source, for fixes that compute edit offsets

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_names(self) -> set[str]:
        return {s.name for s in self.stages if s.name}


def parse_dockerfile(path: str, text: str) -> Dockerfile:
    lines = split_lines(text)
    escape = _directives(lines)
    instructions = list(_instructions(lines, escape))
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            stages.append(_stage(ins, len(stages), global_args))
        elif not stages:
            if ins.keyword == "ARG":
                for name, default in variables("ARG", ins.args):
                    global_args[name] = default
            # anything else before FROM is an error for Docker, but we keep going
        else:
            stages[-1].instructions.append(ins)
    if instructions and not stages:
        raise DockerfileError("no FROM instruction", instructions[0].line)
    return Dockerfile(path, stages, global_args, escape, instructions, text)


def _directives(lines: list[str]) -> str:
    escape = "\\"
    for line in lines:
        match = _DIRECTIVE.match(line.strip())
        value = match[2].strip() if match else ""
        if not match or not value:
            break
        if match[1].lower() == "escape":
            if value not in ("\\", "`"):
                raise DockerfileError(f"invalid escape directive {value!r}", 1)
            escape = value
    return escape


def _instructions(lines: list[str], escape: str):
    i = 0
    n = len(lines)
    while i < n:
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        column = len(lines[i]) - len(lines[i].lstrip()) + 1
        parts = []
        raw = [lines[i]]
        current = lines[i]
        while True:
            body = current.rstrip()
            if body.endswith(escape):
                parts.append(body[:-1])
                i += 1
                # skip comment and blank lines inside a continuation
                while i < n and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                    raw.append(lines[i])
                    i += 1
                if i >= n:
                    break
                current = lines[i]
                raw.append(current)
                continue
            parts.append(body)
            break
        logical = " ".join(p.strip() for p in parts).strip()
        keyword, _, args = logical.partition(" ")
        keyword = keyword.upper()
        args = args.strip()
        heredocs: list[str] = []
        if keyword in _HEREDOC_KEYWORDS or (keyword == "ONBUILD" and "<<" in args):
            for match in _HEREDOC.finditer(args):
                strip_tabs, delimiter = match[1] == "-", match[3]
                body_lines = []
                i += 1
                while i < n and (lines[i].lstrip("\t") if strip_tabs else lines[i]) != delimiter:
                    body_lines.append(lines[i].lstrip("\t") if strip_tabs else lines[i])
                    raw.append(lines[i])
                    i += 1
                if i >= n:
                    raise DockerfileError(f"heredoc <<{delimiter} is never closed", start + 1)
                raw.append(lines[i])
                heredocs.append("\n".join(body_lines))
        flags, rest = _flags(args)
        yield Instruction(
            keyword=keyword, args=args, line=start + 1, end_line=i + 1, column=column,
            flags=flags, exec_form=_exec_form(rest), heredocs=heredocs, raw="\n".join(raw),
        )
        i += 1


def _flags(args: str) -> tuple[dict[str, str], str]:
    flags: dict[str, str] = {}
    pos = 0  # (an index, not repeated slicing: thousands of flags stay linear)
    while args.startswith("--", pos):
        match = _FLAG.match(args, pos)
        if not match:
            break
        flags[match[1]] = (match[2] or "").strip('"')
        pos = match.end()
        while pos < len(args) and args[pos].isspace():
            pos += 1
    return flags, args[pos:]


def _exec_form(rest: str) -> list[str] | None:
    if not rest.startswith("["):
        return None
    try:
        value = json.loads(rest)
    except ValueError:
        return None  # Docker falls back to shell form for invalid JSON
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def variables(keyword: str, args: str) -> list[tuple[str, str | None]]:
    """(name, value) of an ENV or ARG instruction; None for an ARG without a default."""
    try:
        tokens = shlex.split(args)
    except ValueError:  # unbalanced quotes: Docker rejects them; read the words as they are
        tokens = args.split()
    if keyword == "ENV" and tokens and "=" not in tokens[0]:
        return [(tokens[0], " ".join(tokens[1:]))]  # legacy `ENV KEY value`
    return [(t.split("=", 1)[0], t.split("=", 1)[1] if "=" in t else None) for t in tokens]


def substitute(value: str, variables: dict[str, str | None]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match[1] or match[3]
        known = variables.get(name)
        if known:
            return known
        return match[2] if match[2] is not None else ""

    return _VAR.sub(repl, value)


def _stage(ins: Instruction, index: int, global_args: dict[str, str | None]) -> Stage:
    flags, rest = _flags(ins.args)
    tokens = rest.split()
    if not tokens:
        raise DockerfileError("FROM without an image", ins.line)
    base_raw = tokens[0]
    name = tokens[2].lower() if len(tokens) >= 3 and tokens[1].lower() == "as" else None
    return Stage(index=index, name=name, base_image=substitute(base_raw, global_args),
                 base_raw=base_raw, line=ins.line, platform=flags.get("platform"))


def image_reference(image: str) -> tuple[str, str | None, str | None]:
    """(name, tag, digest) of an image reference such as `registry:5000/app:1.2@sha256:…`."""
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    last = image.rsplit("/", 1)[-1]
    tag = None
    if ":" in last:
        image, tag = image.rsplit(":", 1)
    return image, tag, digest
