"""Rebuild the derived keyword indexes of a database from their owner rows.

The keyword indexes (chunks, events, memory records) are derived data, so a transfer never
copies them: it fills them again here, row by row, through the same write paths that the
knowledge and memory services use when they store a row, so that a copied index is exactly
what those services would have built. SQLite's FTS5 ``'rebuild'`` cannot serve: the target's
FTS tables are new and empty, and ``'rebuild'`` reindexes a table's own content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from podium.errors import ConfigurationError
from podium.memory import _tables as mt
from podium.memory.events import event_scopes
from podium.memory.records import record_scopes
from podium.storage import Database, KeywordIndex, keyword_index, schema

__all__ = ["INDEXES", "KeywordRebuild", "rebuild_keyword_indexes"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeywordRebuild:
    """What happened to one keyword index: the rows indexed, or why it was skipped."""

    name: str
    rows: int
    skipped: str | None = None


def _batches(
    conn: sa.Connection, table: sa.Table, key: str, columns: list[str], where: Any, size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """Rows in key order, ``size`` at a time (keyset pages: the same connection inserts)."""
    last: int | None = None
    cols = [table.c[key], *(table.c[c] for c in columns)]
    while True:
        query = sa.select(*cols).where(where).order_by(table.c[key]).limit(size)
        if last is not None:
            query = query.where(table.c[key] > last)
        rows = [tuple(row) for row in conn.execute(query)]
        if not rows:
            return
        yield rows
        last = int(rows[-1][0])


def _chunks(conn: sa.Connection, index: KeywordIndex, size: int) -> int:
    # As ingestion does: searchable chunks only, scoped by their knowledge base.
    c = schema.chunks
    done = 0
    for rows in _batches(conn, c, "id", ["kb_id", "text"], c.c.searchable.is_(True), size):
        index.add(conn, [(int(r[0]), r[1], r[2]) for r in rows])
        done += len(rows)
    return done


def _events(conn: sa.Connection, _index: KeywordIndex, size: int) -> int:
    # As create_event does: events with text, under their memory, actor and session scopes.
    e = mt.events
    done = 0
    for rows in _batches(
        conn, e, "pk", ["memory_id", "actor_id", "session_id", "text"], e.c.text != "", size
    ):
        for pk, memory_id, actor_id, session_id, text in rows:
            mt.EVENTS_FTS.add(conn, int(pk), event_scopes(memory_id, actor_id, session_id), text)
        done += len(rows)
    return done


def _records(conn: sa.Connection, _index: KeywordIndex, size: int) -> int:
    # As the record store does: every record, under its memory, actor and namespace prefixes.
    r = mt.memory_records
    done = 0
    for rows in _batches(
        conn, r, "pk", ["memory_id", "actor_id", "namespace", "text"], sa.true(), size
    ):
        for pk, memory_id, actor_id, namespace, text in rows:
            scopes = record_scopes(memory_id, actor_id, namespace)
            mt.RECORDS_FTS.add(conn, int(pk), scopes, text)
        done += len(rows)
    return done


#: Each keyword index (its :func:`~podium.storage.keyword_index` name) and how it is refilled.
INDEXES: dict[str, Callable[[sa.Connection, KeywordIndex, int], int]] = {
    "chunks": _chunks,
    "events": _events,
    "records": _records,
}


def rebuild_keyword_indexes(
    db: Database, conn: sa.Connection, *, batch_size: int = 1000
) -> list[KeywordRebuild]:
    """Index every owner row again, inside the caller's write transaction on ``db``.

    The indexes must be empty (:func:`~podium.transfer._tables.clear_derived`). An index the
    backend does not offer yet (keyword search on PostgreSQL, before its implementation) is
    skipped with a warning: its search falls back as it does for rows written there.
    """
    out = []
    for name, fill in INDEXES.items():
        try:
            index = keyword_index(db, name)
        except ConfigurationError as e:
            logger.warning(
                "index=<%s>, dialect=<%s> | keyword index not rebuilt: %s", name, db.dialect, e
            )
            out.append(KeywordRebuild(name, 0, skipped=e.message))
            continue
        out.append(KeywordRebuild(name, fill(conn, index, batch_size)))
    return out
