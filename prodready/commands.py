"""What every command shares: exit codes, rule-list options, loading the configuration."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO

import typer

from .config import ConfigError, load_config

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def split_ids(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip().upper() for value in values for v in value.split(",") if v.strip()]


INCLUDE_HELP = ("Also report (outside the score) findings in artifacts that do not ship: "
                "examples, fixtures, dev, docs, generated (comma-separated).")


def split_names(values: list[str] | None) -> list[str] | None:
    """`--include examples,fixtures` (repeatable) as a list; None when not given."""
    if not values:
        return None
    return [v.strip().lower() for value in values for v in value.split(",") if v.strip()]


def fail(message: str) -> typer.Exit:
    typer.echo(f"prodready: error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def internal_error(exc: BaseException) -> typer.Exit:
    """A failure of prodready itself: one line (no traceback) and exit 2, never exit 1,
    which would read as "findings"."""
    detail = " ".join(str(exc).split())
    return fail(f"internal error: {type(exc).__name__}: {detail}" if detail
                else f"internal error: {type(exc).__name__}")


def use_color(choice: str, stream: TextIO) -> bool:
    """--color: always, never, or auto, which follows NO_COLOR, FORCE_COLOR and TERM=dumb
    (https://no-color.org, https://force-color.org), then whether `stream` is a terminal."""
    choice = choice.strip().lower()
    if choice not in ("auto", "always", "never"):
        raise fail(f"--color must be auto, always or never, not {choice!r}")
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def load(path: Path, config_file: Path | None, scan_root: Path | None = None,
         **overrides: Any) -> tuple[Any, Any]:
    if not path.exists():
        raise fail(f"path does not exist: {path}")
    if not path.is_dir():
        raise fail(f"not a directory: {path}")
    try:
        return load_config(path, config_file, overrides, scan_root=scan_root)
    except ConfigError as exc:
        raise fail(str(exc)) from None
