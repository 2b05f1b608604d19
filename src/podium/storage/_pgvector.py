"""pgvector on PostgreSQL: the embedding column type and per-dimension HNSW indexes.

Scheme (migration 0009): ``chunks.embedding`` is an untyped ``vector`` column on PostgreSQL
(``bytea`` of float32 on SQLite), so knowledge bases of any dimension share one table. HNSW needs
a fixed dimension, so each dimension in use gets its own *partial expression* index::

    CREATE INDEX ix_chunks_embedding_hnsw_384 ON chunks
        USING hnsw ((embedding::vector(384)) vector_cosine_ops)
        WHERE vector_dims(embedding) = 384

made by :func:`ensure_hnsw_index` when a knowledge base of a new dimension is created (and by
the migration for the dimensions already there). A query uses it by repeating the expression
and the predicate (:func:`cosine_distance`, :func:`dimension_is`); the knowledge base's own
rows are a filter on top, which ``hnsw.iterative_scan`` (:func:`set_search_options`) keeps
from returning fewer than k rows.

On both backends the column's Python value is the same: float32 bytes (little-endian). The
type converts to and from pgvector's text form on PostgreSQL, so code that reads or writes
embeddings never asks which backend it is on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.types import UserDefinedType

__all__ = [
    "EmbeddingType",
    "PgVector",
    "cosine_distance",
    "dimension_is",
    "ensure_hnsw_index",
    "hnsw_index_name",
    "set_search_options",
    "vector_literal",
]

#: Candidates HNSW keeps per search at least (pgvector's default is 40).
_MIN_EF_SEARCH = 100
_MAX_EF_SEARCH = 1000


def vector_literal(value: bytes | np.ndarray) -> str:
    """Pgvector's text form of float32 bytes or an array (exact: float32 round-trips)."""
    array = (
        np.frombuffer(value, dtype=np.float32)
        if isinstance(value, bytes | bytearray | memoryview)
        else np.asarray(value, dtype=np.float32)
    )
    return "[" + ",".join(map(repr, array.astype(np.float64).tolist())) + "]"


class PgVector(UserDefinedType[bytes]):
    """PostgreSQL's untyped ``vector``, carrying float32 bytes on the Python side."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        """The column's SQL type."""
        return "vector"

    def bind_processor(self, dialect: sa.Dialect) -> Any:
        """Bytes to pgvector text."""

        def process(value: Any) -> str | None:
            return None if value is None else vector_literal(value)

        return process

    def result_processor(self, dialect: sa.Dialect, coltype: Any) -> Any:
        """Pgvector text to float32 bytes."""

        def process(value: Any) -> bytes | None:
            if value is None:
                return None
            text = value if isinstance(value, str) else value.decode()
            body = text.strip()[1:-1]
            return np.array(body.split(",") if body else [], dtype=np.float32).tobytes()

        return process


#: An embedding column: float32 bytes in ``bytea`` on SQLite, a ``vector`` on PostgreSQL.
EmbeddingType = sa.LargeBinary().with_variant(PgVector(), "postgresql")


def hnsw_index_name(table: str, dimension: int) -> str:
    """The name of ``table``'s HNSW index for vectors of ``dimension``."""
    return f"ix_{table}_embedding_hnsw_{int(dimension)}"


def ensure_hnsw_index(conn: sa.Connection, table: str, dimension: int) -> None:
    """Create ``table``'s cosine HNSW index for ``dimension`` unless it exists (PostgreSQL).

    Runs in the caller's transaction; an advisory lock on the name makes concurrent creators
    (two processes creating knowledge bases of a new dimension) take turns instead of failing.
    """
    if conn.dialect.name != "postgresql":
        return
    dim = int(dimension)
    if not 1 <= dim <= 2000:
        # HNSW indexes vectors of up to 2,000 dimensions; larger ones are scanned exactly.
        return
    name = hnsw_index_name(table, dim)
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
        f"USING hnsw ((embedding::vector({dim})) vector_cosine_ops) "
        f"WHERE vector_dims(embedding) = {dim}"
    )


def dimension_is(column: sa.ColumnElement[Any], dimension: int) -> sa.ColumnElement[bool]:
    """The partial index's predicate: rows whose vector has ``dimension`` components."""
    return sa.func.vector_dims(column) == sa.literal_column(str(int(dimension)))


def cosine_distance(
    column: sa.ColumnElement[Any], dimension: int, query: np.ndarray
) -> sa.ColumnElement[float]:
    """``column::vector(d) <=> query``: the expression the HNSW index of ``dimension`` orders by."""
    typed = _TypedVector(int(dimension))
    q = sa.cast(sa.bindparam(None, vector_literal(query), type_=sa.Text), typed)
    return sa.cast(column, typed).op("<=>", return_type=sa.Float)(q)


class _TypedVector(UserDefinedType[str]):
    """``vector(d)`` as a cast target."""

    cache_ok = True

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def get_col_spec(self, **kw: Any) -> str:
        return f"vector({self.dim})"


def set_search_options(conn: sa.Connection, k: int) -> None:
    """HNSW options for this transaction: iterative scans, and a candidate list for ``k`` rows.

    ``relaxed_order`` lets a filtered query (one knowledge base's rows, a metadata filter) keep
    scanning the graph until it has ``k`` rows instead of returning fewer (pgvector #259); the
    rows may then come slightly out of order, so callers sort by distance again.
    ``SET LOCAL`` ends with the transaction, and so never leaks to other users of a pooled
    connection.
    """
    ef = min(max(2 * int(k), _MIN_EF_SEARCH), _MAX_EF_SEARCH)
    # set_config(..., true) is SET LOCAL; both in one round trip.
    conn.execute(
        sa.text(
            "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), "
            "set_config('hnsw.ef_search', :ef, true)"
        ),
        {"ef": str(ef)},
    )
