"""Memory: memories, events, records, record history, extraction jobs and cursors.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The DDL is frozen here (not imported from the live tables), so this revision creates the same
# schema whatever the code later becomes; schema changes get a new revision.
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TABLES = (
    "memories",
    "events",
    "memory_records",
    "memory_record_history",
    "extraction_jobs",
    "extraction_cursors",
)

_FTS = ("fts_events", "fts_records")


def upgrade() -> None:
    op.create_table(
        "memories",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("event_expiry_days", sa.Integer(), nullable=False),
        sa.Column("strategies", _JSON, nullable=False),
        sa.Column("embedding_model", sa.String(length=200), nullable=False),
        sa.Column("records_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "events",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("memory_id", sa.String(length=120), nullable=False),
        sa.Column("actor_id", sa.String(length=255), nullable=False),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("branch_name", sa.String(length=100), nullable=True),
        sa.Column("branch_root_event_id", sa.String(length=64), nullable=True),
        sa.Column("event_timestamp", sa.Float(), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("metadata", _JSON, nullable=False),
        sa.Column("client_token", sa.String(length=256), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("user_messages", sa.Integer(), nullable=False),
        sa.Column("extract", sa.Boolean(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["memory_id"], ["memories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("memory_id", "client_token", name="uq_events_client_token"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_expires", "events", ["expires_at"], unique=False)
    op.create_index(
        "ix_events_session",
        "events",
        ["memory_id", "actor_id", "session_id", "event_timestamp", "pk"],
        unique=False,
    )
    op.create_index(
        "ix_events_unembedded",
        "events",
        ["memory_id", "pk"],
        unique=False,
        sqlite_where=sa.text("embedding IS NULL"),
        postgresql_where=sa.text("embedding IS NULL"),
    )
    op.create_table(
        "memory_records",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("memory_id", sa.String(length=120), nullable=False),
        sa.Column("strategy_id", sa.String(length=120), nullable=True),
        sa.Column("namespace", sa.String(length=1024), nullable=False),
        sa.Column("actor_id", sa.String(length=255), nullable=True),
        sa.Column("session_id", sa.String(length=100), nullable=True),
        sa.Column("content", _JSON, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("metadata", _JSON, nullable=False),
        sa.Column("source_event_ids", _JSON, nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["memory_id"], ["memories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("record_id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_memory_records_actor", "memory_records", ["memory_id", "actor_id"], unique=False
    )
    op.create_index(
        "ix_memory_records_namespace", "memory_records", ["memory_id", "namespace"], unique=False
    )
    op.create_table(
        "memory_record_history",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("memory_id", sa.String(length=120), nullable=False),
        sa.Column("actor_id", sa.String(length=255), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column("before", _JSON, nullable=True),
        sa.Column("after", _JSON, nullable=True),
        sa.Column("source_event_ids", _JSON, nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["memory_id"], ["memories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index(
        "ix_memory_record_history_actor",
        "memory_record_history",
        ["memory_id", "actor_id"],
        unique=False,
    )
    op.create_index(
        "ix_memory_record_history_record",
        "memory_record_history",
        ["memory_id", "record_id"],
        unique=False,
    )
    op.create_table(
        "extraction_jobs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("memory_id", sa.String(length=120), nullable=False),
        sa.Column("actor_id", sa.String(length=255), nullable=False),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("strategy_id", sa.String(length=120), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("from_event_pk", sa.Integer(), nullable=False),
        sa.Column("to_event_pk", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("stats", _JSON, nullable=True),
        sa.Column("locked_by", sa.String(length=120), nullable=True),
        sa.Column("locked_until", sa.Float(), nullable=True),
        sa.Column("run_after", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["memory_id"], ["memories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_extraction_jobs_session",
        "extraction_jobs",
        ["memory_id", "actor_id", "session_id"],
        unique=False,
    )
    op.create_index(
        "ix_extraction_jobs_status", "extraction_jobs", ["status", "run_after"], unique=False
    )
    op.create_table(
        "extraction_cursors",
        sa.Column("memory_id", sa.String(length=120), nullable=False),
        sa.Column("actor_id", sa.String(length=255), nullable=False),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("strategy_id", sa.String(length=120), nullable=False),
        sa.Column("last_event_pk", sa.Integer(), nullable=False),
        sa.Column("user_messages_since", sa.Integer(), nullable=False),
        sa.Column("events_since", sa.Integer(), nullable=False),
        sa.Column("last_event_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["memory_id"], ["memories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("memory_id", "actor_id", "session_id", "strategy_id"),
    )
    op.create_index(
        "ix_extraction_cursors_pending",
        "extraction_cursors",
        ["events_since", "last_event_at"],
        unique=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        # Keyword indexes like fts_chunks: Porter stemming; `scope` holds one or more scope
        # tokens (memory, actor, session or namespace prefixes) so a filter is a posting list.
        for name in _FTS:
            op.execute(
                f"CREATE VIRTUAL TABLE {name} USING fts5("
                "text, scope, tokenize='porter unicode61 remove_diacritics 2')"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _FTS:
            op.execute(f"DROP TABLE IF EXISTS {name}")
    for name in reversed(_TABLES):
        op.drop_table(name)
