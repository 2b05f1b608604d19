"""Event rows as :class:`Event` values, and the columns every event read selects."""

from __future__ import annotations

from typing import Any

from .. import _tables as t
from .._models import Event

__all__ = ["EVENT_COLUMNS", "row_to_event"]

#: Every column but the search-only ones (vector, text, idempotency hash).
EVENT_COLUMNS = [c for c in t.events.c if c.name not in ("embedding", "text", "request_hash")]


def row_to_event(m: Any, include_payload: bool = True) -> Event:
    """An :class:`Event` from an ``events`` row mapping (payload optional)."""
    branch = None
    if m["branch_name"] is not None:
        branch = {"name": m["branch_name"], "rootEventId": m["branch_root_event_id"]}
    return Event(
        event_id=m["event_id"],
        memory_id=m["memory_id"],
        actor_id=m["actor_id"],
        session_id=m["session_id"],
        event_timestamp=m["event_timestamp"],
        payload=list(m["payload"]) if include_payload else [],
        branch=branch,
        metadata=dict(m["metadata"] or {}),
        pk=m["pk"],
    )
