"""Record reads by id and by namespace, history, single-record deletes, and an actor's own records.

An actor's own records are those under a namespace of the actor (a strategy template naming
``{actorId}``, cut before ``{sessionId}``) whose ``actor_id`` is the actor's. A record without an
actor (written by a batch API without ``actorId``) is nobody's: the namespace alone never makes
a record an actor's, since a namespace is only a string a writer chose. Someone else's record is
answered like a missing one, so record ids cannot be probed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.errors import InvalidInput, NotFound

from .. import _tables as t
from .._models import MemoryRecord, MemoryStrategy, RecordHistoryEntry
from .._namespaces import (
    actor_prefixes,
    exact_namespaces,
    namespace_clause,
    namespace_matches,
    validate_namespace,
)
from .._sql import metadata_clauses
from .._validation import (
    decode_token,
    encode_token,
    validate_actor_id,
    validate_max_results,
    validate_record_id,
)
from ._rows import RECORD_COLUMNS, row_to_record
from ._writes import api_rationale

if TYPE_CHECKING:
    from podium.storage import Database

    from .._lookup import MemoryLookup
    from ._writes import RecordStore

__all__ = ["RecordReads"]

logger = logging.getLogger(__name__)

_R = t.memory_records
_H = t.memory_record_history
_PAGE = 100
_MAX_RECORD_ID = 128


def _owned(record: MemoryRecord, actor_id: str, prefixes: list[tuple[MemoryStrategy, str]]) -> bool:
    if record.actor_id != actor_id:
        return False
    return any(namespace_matches(prefix, record.namespace) for _, prefix in prefixes)


class RecordReads:
    """Record read operations (and single-record deletes) over ``db``."""

    db: Database
    lookup: MemoryLookup
    records: RecordStore

    def list_memory_records(
        self,
        memory_id: str,
        namespace: str,
        strategy_id: str | None = None,
        max_results: int = 20,
        next_token: str | None = None,
        *,
        actor_id: str | None = None,
        exact: bool = False,
        metadata_filters: list[dict[str, Any]] | None = None,
    ) -> tuple[list[MemoryRecord], str | None]:
        """A page of records under a namespace prefix (newest first) and the next token.

        Reading on behalf of an actor, pass ``actor_id``: only records whose ``actor_id`` is
        that actor come back (not those of other actors under the prefix, nor actorless ones).
        ``exact`` reads the namespace itself, not its children (a trailing '/' is
        insignificant); ``metadata_filters`` are AgentCore's EQUALS_TO / EXISTS / NOT_EXISTS.
        """
        validate_namespace(namespace)
        filters = metadata_clauses(_R.c.metadata, metadata_filters)
        validate_max_results(max_results)
        if actor_id is not None:
            validate_actor_id(actor_id)
        with self.db.connect() as conn:
            self.lookup.load(conn, memory_id)
            conds = [
                _R.c.memory_id == memory_id,
                _R.c.namespace.in_(exact_namespaces(namespace))
                if exact
                else namespace_clause(_R.c.namespace, namespace, conn.dialect.name),
                *filters,
            ]
            if strategy_id is not None:
                conds.append(_R.c.strategy_id == strategy_id)
            if actor_id is not None:
                conds.append(_R.c.actor_id == actor_id)
            if next_token is not None:
                (after,) = decode_token(next_token, 1)
                conds.append(_R.c.pk < after)
            rows = conn.execute(
                sa.select(*RECORD_COLUMNS)
                .where(*conds)
                .order_by(_R.c.pk.desc())
                .limit(max_results + 1)
            ).all()
        records = [row_to_record(r._mapping) for r in rows[:max_results]]
        token = encode_token([records[-1].pk]) if len(rows) > max_results else None
        return records, token

    def records_in_namespace(
        self, memory_id: str, namespace: str, limit: int
    ) -> list[MemoryRecord]:
        """Up to ``limit`` records of exactly ``namespace`` (no prefix match), last updated first.

        What extraction reads as "the record of this namespace" (a summary, an episode).
        """
        with self.db.connect() as conn:
            rows = conn.execute(
                sa.select(*RECORD_COLUMNS)
                .where(_R.c.memory_id == memory_id, _R.c.namespace == namespace)
                .order_by(_R.c.updated_at.desc())
                .limit(limit)
            ).all()
        return [row_to_record(r._mapping) for r in rows]

    def get_memory_record(self, memory_id: str, record_id: str) -> MemoryRecord:
        """One record of a memory; NotFound if absent."""
        validate_record_id(record_id)
        with self.db.connect() as conn:
            record = self.records.get_record(conn, record_id)
            if record is None or record.memory_id != memory_id:
                self.lookup.load(conn, memory_id)
                raise NotFound(f"memory record {record_id!r} not found")
            return record

    def delete_memory_record(self, memory_id: str, record_id: str) -> None:
        """Delete one record (a DELETE history row keeps its last state)."""
        validate_record_id(record_id)
        with self.db.begin() as conn:
            record = self.records.get_record(conn, record_id)
            if record is None or record.memory_id != memory_id:
                self.lookup.load(conn, memory_id)
                raise NotFound(f"memory record {record_id!r} not found")
            self.records.delete_record(
                conn, record_id, rationale=api_rationale("delete_memory_record")
            )

    def get_memory_record_history(self, memory_id: str, record_id: str) -> list[RecordHistoryEntry]:
        """ADD/UPDATE/DELETE entries of a record, oldest first, with provenance."""
        validate_record_id(record_id)
        with self.db.connect() as conn:
            self.lookup.load(conn, memory_id)
            rows = conn.execute(
                sa.select(_H)
                .where(_H.c.memory_id == memory_id, _H.c.record_id == record_id)
                .order_by(_H.c.pk)
            ).all()
        if not rows:
            raise NotFound(f"no history for memory record {record_id!r}")
        return [
            RecordHistoryEntry(
                memory_id=m["memory_id"],
                record_id=m["record_id"],
                actor_id=m["actor_id"],
                operation=m["operation"],
                before=m["before"],
                after=m["after"],
                source_event_ids=list(m["source_event_ids"] or []),
                rationale=m["rationale"],
                job_id=m["job_id"],
                created_at=m["created_at"],
            )
            for m in (r._mapping for r in rows)
        ]

    def list_actor_records(
        self, memory_id: str, actor_id: str, limit: int = 500
    ) -> list[MemoryRecord]:
        """The actor's own records across the memory's strategies, last updated first.

        Reading stops once ``limit`` records are found (it reads whole pages of 100, so a few
        more may come back).
        """
        memory = self.lookup.get(memory_id)
        prefixes = actor_prefixes(memory.strategies, actor_id)
        found: dict[str, MemoryRecord] = {}
        for strategy, prefix in prefixes:
            token: str | None = None
            while len(found) < limit:
                page, token = self.list_memory_records(
                    memory_id,
                    prefix,
                    strategy.strategy_id,
                    max_results=_PAGE,
                    next_token=token,
                    actor_id=actor_id,
                )
                for record in page:
                    if _owned(record, actor_id, prefixes):
                        found[record.record_id] = record
                if token is None:
                    break
        return sorted(found.values(), key=lambda r: r.updated_at, reverse=True)

    def delete_actor_record(self, memory_id: str, actor_id: str, record_id: str) -> None:
        """Delete one of the actor's own records; NotFound for a missing one or anybody else's."""
        missing = NotFound(f"memory record {record_id!r} not found")
        if not isinstance(record_id, str) or not record_id or len(record_id) > _MAX_RECORD_ID:
            raise missing
        try:
            record = self.get_memory_record(memory_id, record_id)
        except (NotFound, InvalidInput):
            raise missing from None
        memory = self.lookup.get(memory_id)
        if not _owned(record, actor_id, actor_prefixes(memory.strategies, actor_id)):
            raise missing
        self.delete_memory_record(memory_id, record_id)
        logger.info("record_id=<%s> | memory record deleted by its actor", record_id)
