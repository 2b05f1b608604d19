"""Knowledge bases: KBs, data sources, documents, chunks, ingestion jobs, embedding cache.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

from podium.storage._schema import (
    chunks,
    data_sources,
    documents,
    embedding_cache,
    ingestion_jobs,
    knowledge_bases,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# These tables are created from the live schema while no release has shipped; once one has,
# a migration freezes its own DDL and later changes get a new revision.
_TABLES = [knowledge_bases, data_sources, documents, chunks, ingestion_jobs, embedding_cache]


def upgrade() -> None:
    bind = op.get_bind()
    for table in _TABLES:
        table.create(bind)
    if bind.dialect.name == "sqlite":
        # Keyword index: FTS5 with Porter stemming; `scope` narrows to one KB by posting list.
        op.execute(
            "CREATE VIRTUAL TABLE fts_chunks USING fts5("
            "text, scope, tokenize='porter unicode61 remove_diacritics 2')"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS fts_chunks")
    for table in reversed(_TABLES):
        table.drop(bind)
