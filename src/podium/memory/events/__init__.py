"""Short-term memory: events, branches, pagination, turns, sessions, expiry and event search.

Each module holds one job's operations; :class:`~podium.memory.MemoryService` inherits them.
"""

from __future__ import annotations

from ._reads import EventReads
from ._search import EventSearch
from ._writes import EventWrites, delete_actor_events, event_scopes

__all__ = ["EventReads", "EventSearch", "EventWrites", "delete_actor_events", "event_scopes"]
