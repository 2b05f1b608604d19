"""PostgreSQL keyword indexes: a tsvector table with GIN per index (SQLite has FTS5 already).

Revision ID: 0008
Revises: 0007

On PostgreSQL, ``fts_chunks``, ``fts_events`` and ``fts_records`` are plain tables (row id,
scope tokens, token count, tsvector), each with a GIN index on the tsvector and one on the
scope tokens, and a text search configuration ``podium`` that stems like SQLite's FTS5 Porter
tokenizer (Snowball English) and keeps stopwords in documents, as FTS5 does (queries drop them).
On SQLite this revision does nothing: migration 0001/0002 made the FTS5 tables.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The DDL is frozen here (not imported from the live code), so this revision creates the same
# schema whatever the code later becomes; schema changes get a new revision.
_INDEXES = ("chunks", "events", "records")
_WORD_TOKENS = (
    "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, "
    "hword_numpart"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Snowball English without a stopword list: documents keep every word (FTS5 keeps them too,
    # and its BM25 counts them in a row's length).
    op.execute(
        "CREATE TEXT SEARCH DICTIONARY podium_stem (TEMPLATE = snowball, Language = english)"
    )
    op.execute("CREATE TEXT SEARCH CONFIGURATION podium (COPY = simple)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION podium ALTER MAPPING FOR {_WORD_TOKENS} WITH podium_stem"
    )
    for name in _INDEXES:
        op.execute(
            f"CREATE TABLE fts_{name} ("
            "rid bigint PRIMARY KEY, "
            "scopes text[] NOT NULL, "
            "len integer NOT NULL, "
            "tsv tsvector NOT NULL)"
        )
        # No pending list (fastupdate off): every search would otherwise read the unsorted
        # list of recent inserts (up to 4 MB), and the planner costs GIN scans as if it would.
        op.execute(
            f"CREATE INDEX ix_fts_{name}_tsv ON fts_{name} USING gin (tsv) WITH (fastupdate = off)"
        )
        op.execute(
            f"CREATE INDEX ix_fts_{name}_scopes ON fts_{name} "
            "USING gin (scopes) WITH (fastupdate = off)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in _INDEXES:
        op.execute(f"DROP TABLE IF EXISTS fts_{name}")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS podium")
    op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS podium_stem")
