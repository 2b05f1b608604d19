"""PostgreSQL: chunk embeddings as pgvector ``vector``, with a cosine HNSW index per dimension.

Revision ID: 0009
Revises: 0008

``chunks.embedding`` becomes an untyped ``vector`` (knowledge bases differ in dimension), its
float32 bytes converted row by row; each dimension in use gets a partial expression index
``ix_chunks_embedding_hnsw_<d>`` on ``embedding::vector(d)`` where ``vector_dims(embedding) =
d`` (later dimensions get theirs when their first knowledge base is created). Needs the
``vector`` extension on the server (``CREATE EXTENSION`` needs the right to create it).
On SQLite this revision does nothing: embeddings stay float32 ``BLOB``s scanned in memory.
"""

from __future__ import annotations

import struct

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BATCH = 1000


def _to_text(blob: bytes) -> str:
    values = struct.unpack(f"<{len(blob) // 4}f", blob)
    return "[" + ",".join(map(repr, values)) + "]"


def _to_bytes(text: str) -> bytes:
    body = text.strip()[1:-1]
    values = [float(x) for x in body.split(",")] if body else []
    return struct.pack(f"<{len(values)}f", *values)


def _convert(source: str, target: str, target_type: str, convert: object) -> None:
    """Copy ``chunks.source`` into ``chunks.target`` in batches, converting each value."""
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.text(
                f"SELECT id, CAST({source} AS {'bytea' if target_type == 'vector' else 'text'}) "
                f"FROM chunks WHERE id > :last AND {source} IS NOT NULL ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": _BATCH},
        ).all()
        if not rows:
            return
        conn.execute(
            sa.text(f"UPDATE chunks SET {target} = CAST(:v AS {target_type}) WHERE id = :id"),
            [{"id": r[0], "v": convert(r[1])} for r in rows],  # type: ignore[operator]
        )
        last = rows[-1][0]


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("ALTER TABLE chunks ADD COLUMN embedding_v vector")
    _convert("embedding", "embedding_v", "vector", lambda b: _to_text(bytes(b)))
    op.execute("ALTER TABLE chunks DROP COLUMN embedding")
    op.execute("ALTER TABLE chunks RENAME COLUMN embedding_v TO embedding")
    dimensions = conn.execute(sa.text("SELECT DISTINCT dimension FROM knowledge_bases")).scalars()
    for dim in dimensions:
        if 1 <= int(dim) <= 2000:
            op.execute(
                f"CREATE INDEX ix_chunks_embedding_hnsw_{int(dim)} ON chunks "
                f"USING hnsw ((embedding::vector({int(dim)})) vector_cosine_ops) "
                f"WHERE vector_dims(embedding) = {int(dim)}"
            )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE chunks ADD COLUMN embedding_b bytea")
    _convert("embedding", "embedding_b", "bytea", lambda t: _to_bytes(str(t)))
    # Dropping the column drops its HNSW indexes with it.
    op.execute("ALTER TABLE chunks DROP COLUMN embedding")
    op.execute("ALTER TABLE chunks RENAME COLUMN embedding_b TO embedding")
