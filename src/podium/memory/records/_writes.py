"""Record writes with history, in the caller's transaction.

Every ADD / UPDATE / DELETE writes a ``memory_record_history`` row with before/after and its
provenance, keeps the keyword index in step, and bumps ``memories.records_version`` so the
in-process vector matrices (:mod:`._search`) reload. The extraction worker calls these inside the
transaction that completes its job, so a job's records and its COMPLETED mark commit together.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from podium.errors import NotFound

from .. import _tables as t
from .._models import MemoryRecord
from .._namespaces import namespace_prefixes, validate_namespace
from ._rows import RECORD_COLUMNS, row_to_record, to_vector

if TYPE_CHECKING:
    from podium.storage import Database

    from .._lookup import MemoryLookup

__all__ = [
    "NewRecord",
    "RecordStore",
    "api_rationale",
    "bump_records_version",
    "delete_actor_records",
    "record_scopes",
]

_R = t.memory_records
_H = t.memory_record_history


@dataclass(frozen=True, kw_only=True)
class NewRecord:
    """A record to add: where it lives, what it says, and where it came from.

    ``text`` defaults to ``content["text"]``; ``embedding`` None embeds it at write time (pass a
    precomputed vector to keep the write transaction short). ``source_event_ids``,
    ``rationale`` and ``job_id`` are the provenance the ADD history row keeps.
    """

    memory_id: str
    namespace: str
    content: dict[str, Any]
    strategy_id: str | None = None
    actor_id: str | None = None
    session_id: str | None = None
    text: str | None = None
    embedding: np.ndarray | None = None
    metadata: dict[str, Any] | None = None
    source_event_ids: Sequence[str] = ()
    rationale: str | None = None
    job_id: str | None = None


def record_scopes(memory_id: str, actor_id: str | None, namespace: str) -> list[str]:
    """FTS scopes of a record: memory, actor, and every namespace prefix that matches it."""
    scopes = [memory_id]
    if actor_id:
        scopes.append(f"{memory_id}|{actor_id}")
    scopes += [f"{memory_id}|ns|{p}" for p in namespace_prefixes(namespace)]
    return scopes


def bump_records_version(conn: sa.Connection, memory_id: str) -> None:
    """Mark a memory's records changed, so in-process record matrices reload."""
    conn.execute(
        t.memories.update()
        .where(t.memories.c.id == memory_id)
        .values(records_version=t.memories.c.records_version + 1)
    )


def delete_actor_records(conn: sa.Connection, memory_id: str, actor_id: str) -> dict[str, int]:
    """Delete an actor's records, history and keyword rows in the caller's transaction.

    Returns the row count of each table; the keyword index is optimised by the caller.
    """
    t.RECORDS_FTS.delete_scope(conn, f"{memory_id}|{actor_id}")
    counts: dict[str, int] = {}
    for name, table in (("memory_records", _R), ("memory_record_history", _H)):
        result = conn.execute(
            table.delete().where(table.c.memory_id == memory_id, table.c.actor_id == actor_id)
        )
        counts[name] = int(result.rowcount or 0)
    bump_records_version(conn, memory_id)
    return counts


class RecordStore:
    """Record writes (in the caller's transaction, with history) and the record read by id."""

    def __init__(self, db: Database, lookup: MemoryLookup) -> None:
        self.db = db
        self.lookup = lookup

    def _embed(self, conn: sa.Connection, memory_id: str, texts: Sequence[str]) -> np.ndarray:
        memory = self.lookup.load(conn, memory_id)
        return self.lookup.embedder(memory.embedding_model).embed(list(texts), kind="document")

    @staticmethod
    def _history(
        conn: sa.Connection,
        record: MemoryRecord,
        operation: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        source_event_ids: Sequence[str],
        rationale: str | None,
        job_id: str | None,
        now: float,
    ) -> None:
        conn.execute(
            _H.insert().values(
                memory_id=record.memory_id,
                actor_id=record.actor_id,
                record_id=record.record_id,
                operation=operation,
                before=before,
                after=after,
                source_event_ids=list(source_event_ids),
                rationale=rationale,
                job_id=job_id,
                created_at=now,
            )
        )

    def get_record(self, conn: sa.Connection, record_id: str) -> MemoryRecord | None:
        """The record ``record_id`` read on ``conn`` (None if absent)."""
        row = conn.execute(sa.select(*RECORD_COLUMNS).where(_R.c.record_id == record_id)).first()
        return row_to_record(row._mapping) if row else None

    def add_record(self, conn: sa.Connection, new: NewRecord) -> str:
        """Insert a record plus its ADD history row and FTS row; returns the new record id."""
        validate_namespace(new.namespace)
        content = new.content
        text = new.text if new.text is not None else str(content.get("text", ""))
        embedding = new.embedding
        if embedding is None:
            embedding = self._embed(conn, new.memory_id, [text])[0]
        now = time.time()
        record = MemoryRecord(
            # 40 characters: the shortest memoryRecordId AgentCore's model (and botocore) accepts.
            record_id=f"mem-{uuid.uuid4()}",
            memory_id=new.memory_id,
            strategy_id=new.strategy_id,
            namespace=new.namespace,
            actor_id=new.actor_id,
            session_id=new.session_id,
            content=dict(content),
            text=text,
            metadata=dict(new.metadata or {}),
            source_event_ids=list(new.source_event_ids),
            rationale=new.rationale,
            created_at=now,
            updated_at=now,
        )
        pk: int = conn.execute(  # type: ignore[index]
            _R.insert().values(
                record_id=record.record_id,
                memory_id=record.memory_id,
                strategy_id=record.strategy_id,
                namespace=record.namespace,
                actor_id=record.actor_id,
                session_id=record.session_id,
                content=record.content,
                text=text,
                embedding=to_vector(embedding),
                metadata=record.metadata,
                source_event_ids=record.source_event_ids,
                rationale=record.rationale,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        t.RECORDS_FTS.add(
            conn, pk, record_scopes(record.memory_id, record.actor_id, record.namespace), text
        )
        self._history(
            conn,
            record,
            "ADD",
            None,
            record.snapshot(),
            new.source_event_ids,
            new.rationale,
            new.job_id,
            now,
        )
        bump_records_version(conn, record.memory_id)
        return record.record_id

    def update_record(
        self,
        conn: sa.Connection,
        record_id: str,
        content: dict[str, Any],
        *,
        text: str | None = None,
        embedding: np.ndarray | None = None,
        source_event_ids: Sequence[str] = (),
        rationale: str | None = None,
        job_id: str | None = None,
        namespace: str | None = None,
        metadata: dict[str, Any] | None = None,
        strategy_id: str | None = None,
    ) -> None:
        """Replace a record's content (and optionally namespace/metadata) with an UPDATE history row.

        ``text`` and ``embedding`` default as for :class:`NewRecord`; the new
        ``source_event_ids`` join the record's earlier ones; a ``rationale`` of None keeps the
        record's current one.
        """
        current = self.get_record(conn, record_id)
        if current is None:
            raise NotFound(f"memory record {record_id!r} not found")
        text = text if text is not None else str(content.get("text", ""))
        if embedding is None:
            embedding = self._embed(conn, current.memory_id, [text])[0]
        before = current.snapshot()
        current.content = dict(content)
        current.text = text
        current.namespace = namespace or current.namespace
        current.metadata = dict(metadata) if metadata is not None else current.metadata
        current.strategy_id = strategy_id or current.strategy_id
        # Provenance accumulates: the record now rests on both the old and the new events.
        current.source_event_ids = list(
            dict.fromkeys([*current.source_event_ids, *source_event_ids])
        )
        current.rationale = rationale if rationale is not None else current.rationale
        current.updated_at = time.time()
        conn.execute(
            _R.update()
            .where(_R.c.pk == current.pk)
            .values(
                content=current.content,
                text=text,
                namespace=current.namespace,
                metadata=current.metadata,
                strategy_id=current.strategy_id,
                embedding=to_vector(embedding),
                source_event_ids=current.source_event_ids,
                rationale=current.rationale,
                updated_at=current.updated_at,
            )
        )
        t.RECORDS_FTS.delete(conn, [current.pk])
        t.RECORDS_FTS.add(
            conn,
            current.pk,
            record_scopes(current.memory_id, current.actor_id, current.namespace),
            text,
        )
        self._history(
            conn,
            current,
            "UPDATE",
            before,
            current.snapshot(),
            source_event_ids,
            rationale,
            job_id,
            current.updated_at,
        )
        bump_records_version(conn, current.memory_id)

    def delete_record(
        self,
        conn: sa.Connection,
        record_id: str,
        *,
        rationale: str | None = None,
        source_event_ids: Sequence[str] = (),
        job_id: str | None = None,
    ) -> None:
        """Delete a record and its FTS row, writing a DELETE history row with this provenance."""
        current = self.get_record(conn, record_id)
        if current is None:
            raise NotFound(f"memory record {record_id!r} not found")
        conn.execute(_R.delete().where(_R.c.pk == current.pk))
        t.RECORDS_FTS.delete(conn, [current.pk])
        self._history(
            conn,
            current,
            "DELETE",
            current.snapshot(),
            None,
            source_event_ids,
            rationale,
            job_id,
            time.time(),
        )
        bump_records_version(conn, current.memory_id)


def api_rationale(operation: str) -> str:
    """The rationale history keeps for a write made through a public API call."""
    return f"written through the {operation} API"
