"""MemoryService: the AgentCore Memory-shaped API over memories, events, records and jobs.

Each noun's operations are written once, in the module of that noun, and the service inherits
them:

- :class:`~._memories.MemoryResources` - create/get/list/update/delete a memory;
- :class:`~.events.EventWrites`, :class:`~.events.EventReads`, :class:`~.events.EventSearch`;
- :class:`~.records.RecordReads`, :class:`~.records.RecordSearch`, :class:`~.records.RecordBatch`;
- :class:`~.extraction.ExtractionJobs` - list, re-drive, flush and wait for extraction jobs;
- :class:`~._recall.MemoryRecall` - recall: the turns that answer a question, events and records
  fused.

What spans nouns lives here: deleting a memory or an actor.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from . import _tables as t
from ._lookup import MemoryLookup
from ._memories import MemoryResources
from ._recall import MemoryRecall
from ._validation import validate_actor_id
from .events import EventReads, EventSearch, EventWrites, delete_actor_events
from .extraction import ExtractionJobs, ExtractionWorker, _queue
from .records import RecordBatch, RecordReads, RecordSearch, RecordStore, delete_actor_records

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.storage import Database

__all__ = ["MemoryService"]

logger = logging.getLogger(__name__)


class MemoryService(
    MemoryResources,
    EventWrites,
    EventReads,
    EventSearch,
    RecordReads,
    RecordSearch,
    RecordBatch,
    ExtractionJobs,
    MemoryRecall,
):
    """Short-term events and long-term records over one database (AgentCore Memory operations).

    ``worker`` may be set to an in-process :class:`~.extraction.ExtractionWorker`;
    :meth:`wait_for_extraction` then drives it instead of only polling the queue.
    ``records`` writes records in the caller's transaction (what extraction workers use).
    """

    def __init__(self, db: Database, settings: Settings) -> None:
        import podium.memory._tables  # noqa: F401  (registers the tables in the shared metadata)

        self.db = db
        self.settings = settings
        self.lookup = MemoryLookup(db, settings)
        self.records = RecordStore(db, self.lookup)
        self.worker: ExtractionWorker | None = None
        self._init_record_search()
        self._init_recall()

    def delete_memory(self, memory_id: str) -> None:
        """Delete a memory and everything in it (events, records, history, jobs, FTS rows)."""
        super().delete_memory(memory_id)
        self.forget_cache(memory_id)
        self.forget_turns(memory_id)

    def delete_actor(self, memory_id: str, actor_id: str) -> dict[str, int]:
        """Forget an actor: events, records, history, jobs, cursors and keyword rows, atomically.

        The keyword indexes are optimised afterwards so the actor's terms leave the FTS
        segments too, and SQLite's secure_delete zeroes the freed pages. Returns the number of
        rows deleted per table.
        """
        validate_actor_id(actor_id)
        counts: dict[str, int] = {}
        with self.db.begin() as conn:
            self.lookup.load(conn, memory_id)
            secure = conn.dialect.name == "sqlite"
            if secure:
                conn.exec_driver_sql("PRAGMA secure_delete=ON")
            try:
                counts["events"] = delete_actor_events(conn, memory_id, actor_id)
                # Bumps records_version: in-process record matrices must not serve the rows.
                counts.update(delete_actor_records(conn, memory_id, actor_id))
                counts.update(_queue.delete_actor_rows(conn, memory_id, actor_id))
                t.EVENTS_FTS.optimize(conn)
                t.RECORDS_FTS.optimize(conn)
            finally:
                if secure:
                    conn.exec_driver_sql("PRAGMA secure_delete=OFF")
        self.forget_cache(memory_id)
        self.forget_turns(memory_id)
        logger.info("memory_id=<%s> | actor forgotten", memory_id)
        return counts
