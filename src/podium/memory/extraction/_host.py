"""What the extraction worker needs from the memory service, as a protocol.

:class:`~podium.memory.MemoryService` satisfies it; naming the needs here keeps the extraction
package free of an import of the service (which imports extraction).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import sqlalchemy as sa

    from podium.embeddings import Embedder
    from podium.storage import Database

    from .._models import Event, ExtractionJob, Memory, MemoryRecord
    from ..records import RecordStore

__all__ = ["WorkerHost"]


class WorkerHost(Protocol):
    """The memory operations an :class:`~podium.memory.extraction.ExtractionWorker` runs on."""

    @property
    def db(self) -> Database:
        """The database the jobs, events and records live in."""
        ...

    @property
    def records(self) -> RecordStore:
        """Record writes in the caller's transaction."""
        ...

    def get_memory(self, memory_id: str) -> Memory:
        """One memory; NotFound if absent."""
        ...

    def memory_embedder(self, memory_id: str) -> Embedder:
        """The embedder a memory's vectors are made with."""
        ...

    def events_in_range(self, job: ExtractionJob) -> list[Event]:
        """The extractable events a job covers, oldest first."""
        ...

    def events_before(self, job: ExtractionJob, limit: int) -> list[Event]:
        """Up to ``limit`` extractable events of the job's session before its range."""
        ...

    def similar_records(
        self,
        memory_id: str,
        namespace: str,
        embedding_or_text: np.ndarray | str,
        top_k: int,
        conn: sa.Connection | None = None,
    ) -> list[tuple[MemoryRecord, float]]:
        """Records under the namespace prefix, most similar first."""
        ...

    def records_in_namespace(
        self, memory_id: str, namespace: str, limit: int
    ) -> list[MemoryRecord]:
        """Records of exactly ``namespace``, last updated first."""
        ...

    def enqueue_idle_jobs(self, now: float | None = None) -> int:
        """Fire ``idle_seconds`` triggers; the number of jobs queued."""
        ...

    def backfill_event_embeddings(self, max_memories: int = 8, limit: int = 64) -> int:
        """Embed missing event vectors; how many were embedded."""
        ...
