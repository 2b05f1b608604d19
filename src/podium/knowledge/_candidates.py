"""Where retrieval's candidates come from: an in-memory snapshot, or SQL with pgvector.

Both views answer the same questions for :class:`~podium.knowledge._retrieval.Retriever`: the
dense top-k, the keyword top-k (each after the metadata filter), and the metadata and vectors
of given chunks (for boosts and MMR).

* :class:`SnapshotView` (SQLite): an exact scan over the KB's vectors held in memory, with the
  filter as a cached boolean mask over the snapshot's rows.
* :class:`SqlView` (PostgreSQL): nothing held in memory. Dense search is pgvector HNSW (cosine)
  over ``chunks.embedding`` with the filter compiled to SQL
  (:func:`~podium.knowledge.filters.filter_to_sql`); keyword candidates are filtered by the same
  SQL. The top k is taken in the inner ``ORDER BY distance LIMIT k`` (a window over the
  distance would scan the whole table) with ``hnsw.iterative_scan = relaxed_order`` set for
  the transaction, so a filtered query still returns k rows; rows are sorted by distance again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from podium.storage import cosine_distance, dimension_is, schema, set_search_options

from .filters import filter_to_sql

if TYPE_CHECKING:
    from ._context import KnowledgeContext
    from ._snapshot import Snapshot
    from .filters import Filter

__all__ = ["SnapshotView", "SqlView", "result_metadata"]

#: Metadata keys every result carries, filterable like the document's own keys.
SOURCE_URI_KEY = "x-podium-source-uri"
CHUNK_ID_KEY = "x-podium-chunk-id"


def result_metadata(metadata: dict[str, Any] | None, uri: str, chunk_id: int) -> dict[str, Any]:
    """A chunk's metadata as results show it, and as filters and boosts see it: the same keys."""
    meta = dict(metadata or {})
    meta[SOURCE_URI_KEY] = uri
    meta[CHUNK_ID_KEY] = str(chunk_id)
    return meta


class SnapshotView:
    """Candidates from the KB's in-memory snapshot, optionally restricted by a row mask."""

    def __init__(self, context: KnowledgeContext, snap: Snapshot, mask: np.ndarray | None) -> None:
        self.context = context
        self.snap = snap
        self.mask = mask

    def dense(self, conn: sa.Connection, qvec: np.ndarray, k: int) -> dict[int, float]:
        """The ``k`` nearest chunks (best first) by inner product."""
        pos, scores = self.snap.vectors.search(qvec, k, self.mask)
        return {int(self.snap.ids[p]): float(s) for p, s in zip(pos, scores, strict=True)}

    def keyword(self, query: str, pool: int) -> dict[int, float]:
        """BM25 candidates (rank order) that pass the filter mask, on their own connection."""
        limit = pool if self.mask is None else pool * 8
        out: dict[int, float] = {}
        ctx = self.context
        index = ctx.chunk_index.for_size(self.snap.rows)  # tantivy for a big KB (auto engine)
        with ctx.db.connect() as conn:
            for cid, score in index.search(conn, [ctx.kb_id], query, limit):
                p = self.snap.positions.get(cid)
                if p is None or (self.mask is not None and not self.mask[p]):
                    continue
                out[cid] = score
                if len(out) >= pool:
                    break
        return out

    def metadata(self, conn: sa.Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Result metadata of ``ids``."""
        return {cid: self.snap.metadata[self.snap.positions[cid]] for cid in ids}

    def vectors(self, conn: sa.Connection, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """Embeddings of ``ids``."""
        return {cid: self.snap.vectors.matrix[self.snap.positions[cid]] for cid in ids}


class SqlView:
    """Candidates straight from SQL: pgvector HNSW and the keyword index, filters in SQL."""

    def __init__(self, context: KnowledgeContext, flt: Filter | None) -> None:
        self.context = context
        self.filter = flt

    def _filtered(self, query: sa.Select[Any]) -> sa.Select[Any]:
        """``query`` over chunks, restricted to the rows the filter accepts (if any)."""
        if self.filter is None:
            return query
        c, d = schema.chunks, schema.documents
        # The metadata filters see: the chunk's own keys plus the source URI and chunk id.
        extra = sa.func.jsonb_build_object(
            SOURCE_URI_KEY, d.c.uri, CHUNK_ID_KEY, sa.cast(c.c.id, sa.Text)
        )
        meta = sa.cast(c.c.metadata, JSONB).op("||", return_type=JSONB)(extra)
        return query.join(d, d.c.id == c.c.document_id).where(
            filter_to_sql(self.filter, meta, "postgresql")
        )

    def dense(self, conn: sa.Connection, qvec: np.ndarray, k: int) -> dict[int, float]:
        """The ``k`` nearest chunks (best first) by cosine similarity, through HNSW."""
        c = schema.chunks
        dim = self.context.info.dimension
        distance = cosine_distance(c.c.embedding, dim, qvec)
        query = self._filtered(
            sa.select(c.c.id, distance.label("distance")).where(
                c.c.kb_id == self.context.kb_id,
                c.c.searchable.is_(True),
                dimension_is(c.c.embedding, dim),
            )
        )
        set_search_options(conn, k)
        rows = conn.execute(query.order_by(distance).limit(k)).all()
        # relaxed_order may return rows slightly out of order; a zero vector's distance is NaN.
        scored = [(int(cid), 1.0 - float(d) if not math.isnan(d) else 0.0) for cid, d in rows]
        scored.sort(key=lambda item: (-item[1], item[0]))
        return dict(scored)

    def keyword(self, query: str, pool: int) -> dict[int, float]:
        """BM25 candidates (rank order) that pass the filter, on their own connection."""
        ctx = self.context
        limit = pool if self.filter is None else pool * 8
        with ctx.db.connect() as conn:
            found = ctx.chunk_index.search(conn, [ctx.kb_id], query, limit)
            if self.filter is not None and found:
                c = schema.chunks
                keep = set(
                    conn.execute(
                        self._filtered(
                            sa.select(c.c.id).where(c.c.id.in_([cid for cid, _ in found]))
                        )
                    ).scalars()
                )
                found = [(cid, score) for cid, score in found if cid in keep]
        return dict(found[:pool])

    def metadata(self, conn: sa.Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Result metadata of ``ids``."""
        c, d = schema.chunks, schema.documents
        rows = conn.execute(
            sa.select(c.c.id, c.c.metadata, d.c.uri)
            .join(d, d.c.id == c.c.document_id)
            .where(c.c.id.in_(list(ids)))
        )
        return {int(r[0]): result_metadata(r[1], r[2], int(r[0])) for r in rows}

    def vectors(self, conn: sa.Connection, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """Embeddings of ``ids``."""
        c = schema.chunks
        rows = conn.execute(sa.select(c.c.id, c.c.embedding).where(c.c.id.in_(list(ids))))
        return {int(r[0]): np.frombuffer(r[1], dtype=np.float32) for r in rows}
