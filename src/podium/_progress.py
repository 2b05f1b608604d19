"""The columns of every progress bar Podium draws (CLI ingestion, ``podium up``, evaluations).

One set, so each bar shows the same things: what is done of how many, the rate, the time
elapsed and the time left.
"""

from __future__ import annotations

from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["progress_columns"]


class _RateColumn(ProgressColumn):
    """Items per second over rich's recent window (blank until it knows)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "", style="progress.data.speed")


def progress_columns(description: str = "[bold]{task.description}") -> list[Any]:
    """Rich columns: description, bar, done/total, items per second, elapsed, time left."""
    return [
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    ]
