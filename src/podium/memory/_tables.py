"""SQL tables of the memory service, registered in the shared :data:`podium.storage.schema.metadata`.

Same conventions as the knowledge tables: float epoch timestamps, ``JSONType`` for JSON.
``events`` and ``memory_records`` use ``sqlite_autoincrement`` so an integer ``pk`` is never
reused: it doubles as the FTS5 rowid and as a monotonic cursor for extraction jobs.
Created by migration ``0002_memory``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from podium.storage import KeywordIndex, keyword_index
from podium.storage._schema import JSONType, metadata

__all__ = [
    "ALL_TABLES",
    "EVENTS_FTS",
    "RECORDS_FTS",
    "FtsTable",
    "events",
    "extraction_cursors",
    "extraction_jobs",
    "memories",
    "memory_record_history",
    "memory_records",
]

memories = sa.Table(
    "memories",
    metadata,
    sa.Column("id", sa.String(120), primary_key=True),
    sa.Column("name", sa.String(48), nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("event_expiry_days", sa.Integer, nullable=False, default=90),
    # List of normalised strategy dicts (see podium.memory._resources.normalize_strategy).
    sa.Column("strategies", JSONType, nullable=False),
    sa.Column("embedding_model", sa.String(200), nullable=False),
    # Bumped by every record write: in-process record vector caches reload when it moves.
    sa.Column("records_version", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "memory_id",
        sa.String(120),
        sa.ForeignKey("memories.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("actor_id", sa.String(255), nullable=False),
    sa.Column("session_id", sa.String(100), nullable=False),
    sa.Column("branch_name", sa.String(100), nullable=True),
    sa.Column("branch_root_event_id", sa.String(64), nullable=True),
    sa.Column("event_timestamp", sa.Float, nullable=False),
    # List of normalised items: {"conversational": {"role", "content": {"text"}}} | {"blob": ...}.
    sa.Column("payload", JSONType, nullable=False),
    # Flat {key: string value}; the API shows {key: {"stringValue": value}}.
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("client_token", sa.String(256), nullable=True),
    # Hash of the normalised request, so a retried client_token can be told from a clash.
    sa.Column("request_hash", sa.String(64), nullable=True),
    # "ROLE: text" lines of the conversational items: what keyword and vector search see.
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("user_messages", sa.Integer, nullable=False, default=0),
    # False for extraction="skip": stored and searchable, never extracted.
    sa.Column("extract", sa.Boolean, nullable=False, default=True),
    # float32 vector filled later by embed_pending_events (keeps create_event fast).
    sa.Column("embedding", sa.LargeBinary, nullable=True),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("memory_id", "client_token", name="uq_events_client_token"),
    sqlite_autoincrement=True,
)
sa.Index(
    "ix_events_session",
    events.c.memory_id,
    events.c.actor_id,
    events.c.session_id,
    events.c.event_timestamp,
    events.c.pk,
)
sa.Index("ix_events_expires", events.c.expires_at)
sa.Index(
    "ix_events_unembedded",
    events.c.memory_id,
    events.c.pk,
    sqlite_where=events.c.embedding.is_(None),
    postgresql_where=events.c.embedding.is_(None),
)

memory_records = sa.Table(
    "memory_records",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("record_id", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "memory_id",
        sa.String(120),
        sa.ForeignKey("memories.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("strategy_id", sa.String(120), nullable=True),
    sa.Column("namespace", sa.String(1024), nullable=False),
    # The actor the record is about: isolation and "forget me" key on it.
    sa.Column("actor_id", sa.String(255), nullable=True),
    sa.Column("session_id", sa.String(100), nullable=True),
    # {"text": ...} plus structured fields (preference, context, categories, ...).
    sa.Column("content", JSONType, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("embedding", sa.LargeBinary, nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("source_event_ids", JSONType, nullable=False),
    # Provenance: why the record exists ("the user said they work at TechCorp").
    sa.Column("rationale", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sqlite_autoincrement=True,
)
sa.Index("ix_memory_records_namespace", memory_records.c.memory_id, memory_records.c.namespace)
sa.Index("ix_memory_records_actor", memory_records.c.memory_id, memory_records.c.actor_id)

memory_record_history = sa.Table(
    "memory_record_history",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "memory_id",
        sa.String(120),
        sa.ForeignKey("memories.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("actor_id", sa.String(255), nullable=True),
    sa.Column("record_id", sa.String(64), nullable=False),
    sa.Column("operation", sa.String(10), nullable=False),  # ADD | UPDATE | DELETE
    sa.Column("before", JSONType, nullable=True),
    sa.Column("after", JSONType, nullable=True),
    sa.Column("source_event_ids", JSONType, nullable=False),
    sa.Column("rationale", sa.Text, nullable=True),
    sa.Column("job_id", sa.String(64), nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)
sa.Index(
    "ix_memory_record_history_record",
    memory_record_history.c.memory_id,
    memory_record_history.c.record_id,
)
sa.Index(
    "ix_memory_record_history_actor",
    memory_record_history.c.memory_id,
    memory_record_history.c.actor_id,
)

extraction_jobs = sa.Table(
    "extraction_jobs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column(
        "memory_id",
        sa.String(120),
        sa.ForeignKey("memories.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("actor_id", sa.String(255), nullable=False),
    sa.Column("session_id", sa.String(100), nullable=False),
    sa.Column("strategy_id", sa.String(120), nullable=False),
    sa.Column("trigger", sa.String(20), nullable=False),  # message_count | idle | manual
    sa.Column("status", sa.String(20), nullable=False),  # PENDING | RUNNING | COMPLETED | FAILED
    # Inclusive range of events.pk to process, restricted to this (actor, session).
    sa.Column("from_event_pk", sa.Integer, nullable=False),
    sa.Column("to_event_pk", sa.Integer, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("max_attempts", sa.Integer, nullable=False, default=3),
    sa.Column("error", sa.Text, nullable=True),
    # Free-form result counters written by the worker (added/updated/deleted...).
    sa.Column("stats", JSONType, nullable=True),
    sa.Column("locked_by", sa.String(120), nullable=True),
    sa.Column("locked_until", sa.Float, nullable=True),
    sa.Column("run_after", sa.Float, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
sa.Index("ix_extraction_jobs_status", extraction_jobs.c.status, extraction_jobs.c.run_after)
sa.Index(
    "ix_extraction_jobs_session",
    extraction_jobs.c.memory_id,
    extraction_jobs.c.actor_id,
    extraction_jobs.c.session_id,
)

extraction_cursors = sa.Table(
    "extraction_cursors",
    metadata,
    sa.Column(
        "memory_id",
        sa.String(120),
        sa.ForeignKey("memories.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("actor_id", sa.String(255), primary_key=True),
    sa.Column("session_id", sa.String(100), primary_key=True),
    sa.Column("strategy_id", sa.String(120), primary_key=True),
    # Highest events.pk already covered by an enqueued job (0: none yet).
    sa.Column("last_event_pk", sa.Integer, nullable=False, default=0),
    # USER messages seen since that job; the message_count trigger fires when it reaches N.
    sa.Column("user_messages_since", sa.Integer, nullable=False, default=0),
    # Events (of any role) since that job; >0 means there is something for an idle trigger.
    sa.Column("events_since", sa.Integer, nullable=False, default=0),
    sa.Column("last_event_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
sa.Index(
    "ix_extraction_cursors_pending",
    extraction_cursors.c.events_since,
    extraction_cursors.c.last_event_at,
)

#: Creation order (parents first).
ALL_TABLES = [
    memories,
    events,
    memory_records,
    memory_record_history,
    extraction_jobs,
    extraction_cursors,
]


class FtsTable:
    """Rows of ``fts_events`` / ``fts_records``: one text, several scope tokens per row.

    A row carries one token per scope it belongs to (memory, actor, session, namespace prefix),
    so :meth:`search` with any one of them is a single posting-list filter. The index is the
    connection's backend's (:func:`podium.storage.keyword_index`): FTS5 on SQLite, a tsvector
    table on PostgreSQL.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.table = f"fts_{name}"
        self._indexes: dict[str, KeywordIndex] = {}

    def index(self, conn: sa.Connection) -> KeywordIndex:
        """The keyword index for ``conn``'s backend."""
        dialect = conn.dialect.name
        found = self._indexes.get(dialect)
        if found is None:
            found = self._indexes[dialect] = keyword_index(dialect, self.name)
        return found

    def add(self, conn: sa.Connection, rowid: int, scopes: Sequence[str], text: str) -> None:
        """Index one row under every scope in ``scopes``."""
        self.index(conn).add_scoped(conn, [(rowid, scopes, text)])

    def delete(self, conn: sa.Connection, rowids: Sequence[int]) -> None:
        """Remove rows by rowid."""
        self.index(conn).delete(conn, rowids)

    def delete_scope(self, conn: sa.Connection, scope: str) -> None:
        """Remove every row carrying ``scope``."""
        self.index(conn).delete_scope(conn, scope)

    def optimize(self, conn: sa.Connection) -> None:
        """Merge segments so deleted rows' terms are gone from the index (privacy deletes)."""
        self.index(conn).optimize(conn)

    def search(
        self, conn: sa.Connection, scopes: Sequence[str], query: str, limit: int
    ) -> list[tuple[int, float]]:
        """BM25 (rowid, score) pairs, higher is better."""
        return self.index(conn).search(conn, scopes, query, limit)


EVENTS_FTS = FtsTable("events")
RECORDS_FTS = FtsTable("records")
