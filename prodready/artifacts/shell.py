"""Shell command lines read as text, never run: the simple commands a line chains."""

from __future__ import annotations

import re

# What separates the commands of a line: `&&`, `||`, `;`, a pipe, a new line
SEPARATORS = re.compile(r"&&|\|\||[;\n|]")
# A shell handed the script that follows (`sh -c`, `/bin/bash -ec`)
_SHELL_C = re.compile(r"\s*(?:/(?:usr/)?bin/)?(?:ba|a|da)?sh\s+(?:-\w+\s+)*-\w*c\s+")


def simple_commands(line: str) -> list[list[str]]:
    """The words of each command the line runs, the script of a leading `sh -c` unwrapped
    (`sh -c "until nc -z db 5432; do sleep 2; done"` -> until nc …, do sleep 2, done)."""
    shell = _SHELL_C.match(line)
    if shell:
        line = line[shell.end():].strip().strip("'\"")
    return [step.split() for step in SEPARATORS.split(line) if step.strip()]
