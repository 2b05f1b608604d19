"""``podium up``: the main job — catalog, memory, dev users, then gateway + UI + dev issuer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import _context

__all__ = ["up"]


def up(
    model: Annotated[
        str | None,
        typer.Option(help="Model spec, e.g. offline, openai:gpt-4o-mini (PODIUM_MODEL)."),
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (default 8080).")] = None,
    home: Annotated[Path | None, typer.Option(help="Data directory (PODIUM_HOME).")] = None,
) -> None:
    """Ingest the sample catalog if needed and serve the assistant, web UI and dev sign-in."""
    from podium.web import up as run_up

    if home is not None:
        _context.configure(home=home)
    settings = _context.settings()
    if not settings.migrates_at_start:
        # A schema behind this Podium (PostgreSQL: run `podium migrate`) stops here, in one
        # line; on SQLite the first run's preparation migrates it.
        _context.database().dispose()
    run_up(settings, port=port, model=model, home=home, progress=True)
