"""SQLite keyword change log: what the derived tantivy indexes beside the database must apply.

Every write to a keyword index appends here in the writer's own transaction, so the log is
exactly as durable as the rows it describes; a tantivy index records the last ``seq`` it applied
and replays the rest (after a crash, from another process). The ``'*'`` row with ``op = 3``
holds a random token naming this database, so an index folder left from another database file
is rebuilt rather than trusted. PostgreSQL keeps its own index and has no such table.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # One log for every index, without a secondary index (each write pays one B-tree insert):
    # readers ask for max(seq), and for an index's lines above a seq, both rowid range scans.
    # op: 0 a row (re-read from the FTS5 content), 1 a whole scope removed, 2 purge (rebuild),
    # 3 the database's origin token (never pruned).
    op.execute(
        "CREATE TABLE fts_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
        "op INTEGER NOT NULL, row_id INTEGER, scope TEXT)"
    )
    op.execute(
        "INSERT INTO fts_changes(name, op, scope) VALUES ('*', 3, lower(hex(randomblob(16))))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS fts_changes")
