"""Console helpers: one rich console for stdout, one for errors, and progress bars."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress

from podium._progress import progress_columns

__all__ = ["command_group", "console", "err_console", "print_json", "progress_bar"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def command_group(help: str, **kwargs: Any) -> typer.Typer:
    """A typer command group with plain-text help.

    Typer's rich help prints a ``<bool>`` type for flags, as if ``--help`` took a value; the plain
    formatter shows flags as flags.
    """
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None, **kwargs)


def print_json(data: Any) -> None:
    """Print one JSON document on stdout (machine-readable output)."""
    print(json.dumps(data, ensure_ascii=False, default=str))


@contextmanager
def progress_bar(label: str, *, enabled: bool = True) -> Iterator[Any]:
    """A progress bar on stderr; yields a ``(done, total)`` callback."""
    if not enabled:
        yield None
        return
    progress = Progress(*progress_columns(), console=err_console, transient=False)
    task = progress.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        yield update
