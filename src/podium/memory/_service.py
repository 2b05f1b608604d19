"""MemoryService: the AgentCore Memory-shaped facade over resources, events, records and jobs."""

from __future__ import annotations

import inspect
import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from podium.errors import InvalidInput, NotFound

from . import _tables as t
from ._events import EventStore
from ._models import (
    JOB_STATUSES,
    ActorSummary,
    Event,
    EventHit,
    ExtractionJob,
    Memory,
    MemoryRecord,
    RecordHistoryEntry,
    SessionSummary,
)
from ._records import RecordStore
from ._resources import MemoryResources
from ._validation import validate_actor_id, validate_session_id

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.embeddings import Embedder
    from podium.storage import Database

__all__ = ["MemoryService"]

logger = logging.getLogger(__name__)

_POLL_S = 0.02


class MemoryService:
    """Short-term events and long-term records over one database (AgentCore Memory operations).

    ``worker`` may be set to an in-process extraction worker; :meth:`wait_for_extraction` then
    drives it (``worker.run_until_idle(timeout=...)``) instead of only polling the queue.
    """

    def __init__(self, db: Database, settings: Settings) -> None:
        import podium.memory._tables  # noqa: F401  (registers the tables in the shared metadata)

        self.db = db
        self.settings = settings
        self.resources = MemoryResources(db, settings)
        self.events = EventStore(db, self.resources)
        self.records = RecordStore(db, self.resources)
        self.worker: Any = None

    # ------------------------------------------------------------ resources
    def create_memory(
        self,
        name: str,
        description: str = "",
        event_expiry_days: int = 90,
        strategies: list[dict[str, Any]] | None = None,
        embedding_model: str | None = None,
    ) -> Memory:
        """Create a memory (event expiry 3..365 days; strategies in AgentCore or Podium form)."""
        return self.resources.create(
            name, description, event_expiry_days, strategies, embedding_model
        )

    def get_memory(self, memory_id: str) -> Memory:
        """One memory; NotFound if absent."""
        return self.resources.get(memory_id)

    def list_memories(self) -> list[Memory]:
        """Every memory, oldest first."""
        return self.resources.list()

    def update_memory(
        self,
        memory_id: str,
        description: str | None = None,
        event_expiry_days: int | None = None,
        add_strategies: list[dict[str, Any]] | None = None,
        modify_strategies: list[dict[str, Any]] | None = None,
        delete_strategy_ids: list[str] | None = None,
    ) -> Memory:
        """Change description/expiry; add, modify or delete strategies."""
        return self.resources.update(
            memory_id,
            description,
            event_expiry_days,
            add_strategies,
            modify_strategies,
            delete_strategy_ids,
        )

    def delete_memory(self, memory_id: str) -> None:
        """Delete a memory and everything in it (events, records, history, jobs, FTS rows)."""
        self.resources.delete(memory_id)
        self.records.forget_cache(memory_id)

    def embedder(self, model_id: str) -> Embedder:
        """The embedder for ``model_id`` (shared per process)."""
        return self.resources.embedder(model_id)

    def memory_embedder(self, memory_id: str) -> Embedder:
        """The embedder a memory's vectors are made with."""
        return self.resources.embedder(self.get_memory(memory_id).embedding_model)

    # --------------------------------------------------------------- events
    def create_event(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        payload: list[dict[str, Any]],
        event_timestamp: float | datetime | None = None,
        branch: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        client_token: str | None = None,
        extraction: str = "auto",
        wait_for_extraction: bool = False,
        timeout: float = 10.0,
    ) -> Event:
        """Store an event; with ``wait_for_extraction`` also wait for the jobs it queued."""
        event = self.events.create_event(
            memory_id,
            actor_id,
            session_id,
            payload,
            event_timestamp,
            branch,
            metadata,
            client_token,
            extraction,
        )
        if wait_for_extraction:
            self.wait_for_extraction(memory_id, actor_id, session_id, timeout=timeout)
        return event

    def get_event(self, memory_id: str, actor_id: str, session_id: str, event_id: str) -> Event:
        """One event; NotFound outside this (actor, session)."""
        return self.events.get_event(memory_id, actor_id, session_id, event_id)

    def delete_event(self, memory_id: str, actor_id: str, session_id: str, event_id: str) -> None:
        """Delete one event and its keyword-index row."""
        self.events.delete_event(memory_id, actor_id, session_id, event_id)

    def list_events(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        include_payloads: bool = True,
        branch: dict[str, Any] | None = None,
        metadata_filters: list[dict[str, Any]] | None = None,
        max_results: int = 20,
        next_token: str | None = None,
    ) -> tuple[list[Event], str | None]:
        """A page of a session's events (oldest first) and the token of the next page."""
        return self.events.list_events(
            memory_id,
            actor_id,
            session_id,
            include_payloads,
            branch,
            metadata_filters,
            max_results,
            next_token,
        )

    def get_last_k_turns(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        k: int,
        branch: dict[str, Any] | str | None = None,
    ) -> list[list[dict[str, Any]]]:
        """The last ``k`` turns (USER message + the replies after it), oldest first."""
        return self.events.get_last_k_turns(memory_id, actor_id, session_id, k, branch)

    def list_sessions(self, memory_id: str, actor_id: str) -> list[SessionSummary]:
        """An actor's sessions, most recent first."""
        return self.events.list_sessions(memory_id, actor_id)

    def list_actors(self, memory_id: str) -> list[ActorSummary]:
        """Actors with events in a memory, most recent first."""
        return self.events.list_actors(memory_id)

    def sweep_expired_events(self, now: float | None = None) -> int:
        """Delete expired events (all memories); returns the count."""
        return self.events.sweep_expired_events(now)

    def search_events(
        self,
        memory_id: str,
        actor_id: str,
        query: str,
        top_k: int = 10,
        session_id: str | None = None,
    ) -> list[EventHit]:
        """Hybrid search over an actor's raw messages ("which session did we talk about X?")."""
        return self.events.search_events(memory_id, actor_id, query, top_k, session_id)

    def embed_pending_events(self, memory_id: str, limit: int = 256) -> int:
        """Fill up to ``limit`` missing event vectors; returns how many were embedded."""
        return self.events.embed_pending_events(memory_id, limit)

    def events_in_range(self, job: ExtractionJob) -> list[Event]:
        """The extractable events a job covers, oldest first."""
        return self.events.events_in_range(job)

    # -------------------------------------------------------------- records
    def retrieve_memory_records(
        self,
        memory_id: str,
        namespace: str,
        search_query: str,
        top_k: int = 5,
        strategy_id: str | None = None,
        metadata_filters: list[dict[str, Any]] | None = None,
    ) -> list[MemoryRecord]:
        """Hybrid search of records under a namespace prefix ('/' boundary, no wildcards)."""
        return self.records.retrieve_memory_records(
            memory_id, namespace, search_query, top_k, strategy_id, metadata_filters
        )

    def list_memory_records(
        self,
        memory_id: str,
        namespace: str,
        strategy_id: str | None = None,
        max_results: int = 20,
        next_token: str | None = None,
    ) -> tuple[list[MemoryRecord], str | None]:
        """A page of records under a namespace prefix (newest first) and the next token."""
        return self.records.list_memory_records(
            memory_id, namespace, strategy_id, max_results, next_token
        )

    def get_memory_record(self, memory_id: str, record_id: str) -> MemoryRecord:
        """One record."""
        return self.records.get_memory_record(memory_id, record_id)

    def delete_memory_record(self, memory_id: str, record_id: str) -> None:
        """Delete one record (history keeps a DELETE entry)."""
        self.records.delete_memory_record(memory_id, record_id)

    def batch_create_memory_records(
        self, memory_id: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Create up to 100 records with per-item success/failure."""
        return self.records.batch_create_memory_records(memory_id, records)

    def batch_update_memory_records(
        self, memory_id: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Update up to 100 records with per-item success/failure."""
        return self.records.batch_update_memory_records(memory_id, records)

    def batch_delete_memory_records(
        self, memory_id: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Delete up to 100 records with per-item success/failure."""
        return self.records.batch_delete_memory_records(memory_id, records)

    def get_memory_record_history(self, memory_id: str, record_id: str) -> list[RecordHistoryEntry]:
        """ADD/UPDATE/DELETE entries of a record, oldest first, with provenance."""
        return self.records.get_memory_record_history(memory_id, record_id)

    # ------------------------------------------------------------------ jobs
    def list_extraction_jobs(
        self, memory_id: str, status: str | None = None
    ) -> list[ExtractionJob]:
        """A memory's extraction jobs, oldest first, optionally of one status."""
        if status is not None and status not in JOB_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(JOB_STATUSES)}")
        with self.db.connect() as conn:
            self.resources.load(conn, memory_id)
            query = sa.select(t.extraction_jobs).where(t.extraction_jobs.c.memory_id == memory_id)
            if status is not None:
                query = query.where(t.extraction_jobs.c.status == status)
            rows = conn.execute(
                query.order_by(t.extraction_jobs.c.created_at, t.extraction_jobs.c.id)
            )
            return [ExtractionJob.from_row(r) for r in rows]

    def start_extraction_job(self, memory_id: str, job_id: str) -> ExtractionJob:
        """Re-drive a FAILED job: back to PENDING with its attempts reset."""
        j = t.extraction_jobs
        now = time.time()
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(j).where(j.c.id == job_id, j.c.memory_id == memory_id)
            ).first()
            if row is None:
                self.resources.load(conn, memory_id)
                raise NotFound(f"extraction job {job_id!r} not found")
            if row._mapping["status"] != "FAILED":
                raise InvalidInput(
                    f"extraction job {job_id!r} is {row._mapping['status']}, not FAILED"
                )
            conn.execute(
                j.update()
                .where(j.c.id == job_id)
                .values(
                    status="PENDING",
                    attempts=0,
                    error=None,
                    locked_by=None,
                    locked_until=None,
                    run_after=now,
                    updated_at=now,
                )
            )
            return ExtractionJob.from_row(conn.execute(sa.select(j).where(j.c.id == job_id)).one())

    def flush_extraction(self, memory_id: str, actor_id: str, session_id: str) -> list[str]:
        """Queue ``manual`` jobs for a session's events not yet covered by any job."""
        return self.events.flush_extraction(memory_id, actor_id, session_id)

    def enqueue_idle_jobs(self, now: float | None = None) -> int:
        """Fire ``idle_seconds`` triggers across memories; returns the number of jobs queued."""
        return self.events.enqueue_idle_jobs(now)

    def _open_jobs(self, memory_id: str, actor_id: str, session_id: str) -> int:
        j = t.extraction_jobs
        with self.db.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(
                        j.c.memory_id == memory_id,
                        j.c.actor_id == actor_id,
                        j.c.session_id == session_id,
                        j.c.status.in_(("PENDING", "RUNNING")),
                    )
                ).scalar_one()
            )

    def wait_for_extraction(
        self, memory_id: str, actor_id: str, session_id: str, timeout: float = 10.0
    ) -> bool:
        """Wait until the session has no PENDING/RUNNING jobs; False if ``timeout`` passed first."""
        validate_actor_id(actor_id)
        validate_session_id(session_id)
        deadline = time.monotonic() + timeout
        run_until_idle = getattr(self.worker, "run_until_idle", None)
        if callable(run_until_idle):
            scope = {"memory_id": memory_id, "actor_id": actor_id, "session_id": session_id}
            accepted = inspect.signature(run_until_idle).parameters
            run_until_idle(timeout=timeout, **{k: v for k, v in scope.items() if k in accepted})
        while True:
            if self._open_jobs(memory_id, actor_id, session_id) == 0:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)

    # -------------------------------------------------------------- privacy
    def delete_actor(self, memory_id: str, actor_id: str) -> dict[str, int]:
        """Forget an actor: events, records, history, jobs, cursors and keyword rows, atomically.

        The keyword indexes are optimised afterwards so the actor's terms leave the FTS
        segments too, and SQLite's secure_delete zeroes the freed pages.
        """
        validate_actor_id(actor_id)
        scope = f"{memory_id}|{actor_id}"
        counts: dict[str, int] = {}
        with self.db.begin() as conn:
            self.resources.load(conn, memory_id)
            secure = conn.dialect.name == "sqlite"
            if secure:
                conn.exec_driver_sql("PRAGMA secure_delete=ON")
            try:
                t.EVENTS_FTS.delete_scope(conn, scope)
                t.RECORDS_FTS.delete_scope(conn, scope)
                for name, table in (
                    ("events", t.events),
                    ("memory_records", t.memory_records),
                    ("memory_record_history", t.memory_record_history),
                    ("extraction_jobs", t.extraction_jobs),
                    ("extraction_cursors", t.extraction_cursors),
                ):
                    result = conn.execute(
                        table.delete().where(
                            table.c.memory_id == memory_id, table.c.actor_id == actor_id
                        )
                    )
                    counts[name] = int(result.rowcount or 0)
                # In-process record matrices of this memory must not serve the deleted rows.
                conn.execute(
                    t.memories.update()
                    .where(t.memories.c.id == memory_id)
                    .values(records_version=t.memories.c.records_version + 1)
                )
                t.EVENTS_FTS.optimize(conn)
                t.RECORDS_FTS.optimize(conn)
            finally:
                if secure:
                    conn.exec_driver_sql("PRAGMA secure_delete=OFF")
        self.records.forget_cache(memory_id)
        logger.info("memory_id=<%s> | actor forgotten", memory_id)
        return counts

    def vector_of(self, text: str, memory_id: str) -> np.ndarray:
        """A document vector of ``text`` with the memory's model (helper for record writers)."""
        return self.memory_embedder(memory_id).embed([text], kind="document")[0]
