"""What every command shares: exit codes, rule-list options, loading the configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def load(path: Path, config_file: Path | None, **overrides: Any) -> tuple[Any, Any]:
    if not path.exists():
        raise fail(f"path does not exist: {path}")
    if not path.is_dir():
        raise fail(f"not a directory: {path}")
    try:
        return load_config(path, config_file, overrides)
    except ConfigError as exc:
        raise fail(str(exc)) from None
