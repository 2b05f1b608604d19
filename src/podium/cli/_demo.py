"""``podium demo``: ingest the sample catalog if needed and answer a sample query."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from . import _context
from ._output import console, progress_bar

__all__ = ["demo"]

_SAMPLE_QUERY = "hands-on workshop on securing generative AI applications"


def demo(
    query: Annotated[
        str, typer.Argument(help="Question to ask the sessions knowledge base.")
    ] = _SAMPLE_QUERY,
) -> None:
    """Ingest the sample event catalog (first run) and run a sample query against it."""
    from podium.apps.event_assistant import ensure_sessions_kb

    settings = _context.settings()
    console.print(f"Podium home: {settings.home}")
    with progress_bar("ingesting sample catalog") as progress:
        kb, job = ensure_sessions_kb(_context.knowledge(), settings, progress)
    s = job.stats
    console.print(
        f"sessions KB: {kb.info.document_count or s.new} sessions "
        f"(new {s.new}, modified {s.modified}, unchanged {s.unchanged}, deleted {s.deleted}, failed {s.failed})"
    )
    console.print(f"\n[bold]Q:[/] {escape(query)}\n")
    answer = kb.retrieve_and_generate(query, number_of_results=5)
    for rank, ref in enumerate(kb.retrieve(query, 5), start=1):
        m = ref.metadata
        console.print(
            f"{rank}. [bold]{escape(str(m.get('code')))}[/] "
            + escape(
                f"{m.get('title')} — {m.get('day')} {m.get('start')}, "
                f"{m.get('type')}, level {m.get('level')}, {m.get('room')}"
            )
        )
    console.print(f"\n[bold]Answer (extractive, offline):[/] {escape(answer.output)}")
