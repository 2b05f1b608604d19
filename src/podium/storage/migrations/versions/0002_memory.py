"""Memory: memories, events, records, record history, extraction jobs and cursors.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from podium.memory._tables import ALL_TABLES

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Created from the live schema while no release has shipped (see 0001).
_FTS = ("fts_events", "fts_records")


def upgrade() -> None:
    bind = op.get_bind()
    for table in ALL_TABLES:
        table.create(bind)
    if bind.dialect.name == "sqlite":
        # Keyword indexes like fts_chunks: Porter stemming; `scope` holds one or more scope
        # tokens (memory, actor, session or namespace prefixes) so a filter is a posting list.
        for name in _FTS:
            op.execute(
                f"CREATE VIRTUAL TABLE {name} USING fts5("
                "text, scope, tokenize='porter unicode61 remove_diacritics 2')"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in _FTS:
            op.execute(f"DROP TABLE IF EXISTS {name}")
    for table in reversed(ALL_TABLES):
        table.drop(bind)
