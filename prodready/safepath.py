"""Keep the scanned tree off `sys.path`: nothing a repository contains may be imported.

`python -m prodready` puts the current directory first on `sys.path`, so a `yaml.py` or
`typer.py` (even a `pathlib.py`) at the root of the repository being scanned would be
imported instead of the library. This module runs before anything else loads, so it imports
only what the interpreter has already loaded at start-up (`os`, `sys`).
"""

import os
import sys

# The directory prodready loads from (a development checkout may be the current directory).
_PACKAGE_HOME = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def _resolved(entry: str) -> str:
    return os.path.realpath(entry or os.curdir)


def drop_untrusted_paths(*roots: str) -> None:
    """Remove `roots` ("." for the current directory) from `sys.path`, unless prodready
    itself loads from there. Entries below them stay: a virtualenv inside the repository
    holds the real libraries."""
    untrusted = {_resolved(root) for root in roots} - {_PACKAGE_HOME}
    sys.path[:] = [entry for entry in sys.path if _resolved(entry) not in untrusted]
