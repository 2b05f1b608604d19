"""Reading memory rows: the load every operation starts with, cached, and each memory's embedder.

The short-lived cache serves the event write path.

Every noun of memory (events, records, extraction) depends on this module; the memory resource
operations themselves (create, update, delete) live in :mod:`._memories`.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.embeddings import get_embedder
from podium.errors import NotFound

from . import _tables as t
from ._models import Memory, MemoryStrategy
from ._validation import validate_memory_id

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.embeddings import Embedder
    from podium.storage import Database

__all__ = ["MemoryLookup", "row_to_memory"]

_CACHE_TTL_S = 2.0


def row_to_memory(row: Any) -> Memory:
    """A :class:`Memory` from a ``memories`` row."""
    m = row._mapping
    return Memory(
        memory_id=m["id"],
        name=m["name"],
        description=m["description"],
        event_expiry_days=m["event_expiry_days"],
        strategies=[MemoryStrategy.from_dict(s) for s in m["strategies"] or []],
        embedding_model=m["embedding_model"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


class MemoryLookup:
    """Loads ``memories`` rows and hands out the embedder each memory uses."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._lock = threading.Lock()
        self._embedders: dict[str, Embedder] = {}
        self._cached: dict[str, tuple[float, Memory]] = {}

    def embedder(self, model_id: str) -> Embedder:
        """The process-wide embedder for ``model_id``.

        Not wrapped in the shared embedding cache: memory text is personal data, and a cache
        keyed by text hash would outlive ``delete_actor``.
        """
        with self._lock:
            found = self._embedders.get(model_id)
        if found is None:
            found = get_embedder(model_id, self.settings)
            with self._lock:
                self._embedders[model_id] = found
        return found

    def load(self, conn: sa.Connection, memory_id: str) -> Memory:
        """The memory ``memory_id`` read on ``conn``; NotFound if absent."""
        row = conn.execute(sa.select(t.memories).where(t.memories.c.id == memory_id)).first()
        if row is None:
            validate_memory_id(memory_id)
            raise NotFound(f"memory {memory_id!r} not found")
        return row_to_memory(row)

    def load_cached(self, conn: sa.Connection, memory_id: str) -> Memory:
        """Like :meth:`load`, served from a short-lived in-process cache (the event write path).

        Changes made by this process invalidate it at once; another process's strategy edits
        are seen within ``_CACHE_TTL_S``. Event rows reference the memory by foreign key, so a
        memory deleted meanwhile still cannot receive events.
        """
        now = time.monotonic()
        with self._lock:
            hit = self._cached.get(memory_id)
        if hit is not None and now - hit[0] < _CACHE_TTL_S:
            return hit[1]
        memory = self.load(conn, memory_id)
        with self._lock:
            self._cached[memory_id] = (now, memory)
        return memory

    def invalidate(self, memory_id: str) -> None:
        """Forget the cached copy of a memory."""
        with self._lock:
            self._cached.pop(memory_id, None)

    def get(self, memory_id: str) -> Memory:
        """One memory, read on a connection of its own."""
        with self.db.connect() as conn:
            return self.load(conn, memory_id)

    def memory_ids(self, conn: sa.Connection) -> list[str]:
        """The id of every memory."""
        return list(conn.execute(sa.select(t.memories.c.id)).scalars())
