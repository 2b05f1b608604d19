"""Record search: cosine neighbours (for consolidation) and hybrid retrieval under a namespace.

Dense retrieval scans an in-process matrix per (memory, namespace prefix), reloaded when
``memories.records_version`` (bumped by every record write, in the writer's transaction) moves.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from podium.errors import InvalidInput
from podium.storage import VectorMatrixCache, rrf_scores

from .. import _tables as t
from .._models import MemoryRecord
from .._namespaces import (
    exact_namespace_prefix,
    exact_namespaces,
    namespace_clause,
    validate_namespace,
)
from .._sql import metadata_clauses
from .._validation import MAX_QUERY_CHARS, validate_actor_id
from ._rows import RECORD_COLUMNS, row_to_record

if TYPE_CHECKING:
    from podium.storage import Database

    from .._lookup import MemoryLookup

__all__ = ["RecordSearch"]

_QUERY_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="podium-embed")
_R = t.memory_records
_CACHE_ENTRIES = 32
_CACHE_ROWS = 250_000


@dataclass(kw_only=True)
class _Matrix:
    pks: np.ndarray
    strategy_ids: np.ndarray
    actor_ids: np.ndarray
    matrix: np.ndarray


class RecordSearch:
    """Record search operations over ``db``, with the per-process vector matrix cache.

    The class that mixes this in calls :meth:`_init_record_search` from its ``__init__``.
    """

    db: Database
    lookup: MemoryLookup
    _matrices: VectorMatrixCache[tuple[str, str], _Matrix]

    def _init_record_search(self) -> None:
        self._matrices = VectorMatrixCache(
            max_entries=_CACHE_ENTRIES, max_rows=_CACHE_ROWS, rows=lambda m: int(m.pks.size)
        )

    # ------------------------------------------------------- vector matrix
    def _load_matrix(
        self, conn: sa.Connection, memory_id: str, prefix: str, version: int
    ) -> _Matrix:
        rows = conn.execute(
            sa.select(_R.c.pk, _R.c.strategy_id, _R.c.embedding, _R.c.actor_id)
            .where(
                _R.c.memory_id == memory_id,
                namespace_clause(_R.c.namespace, prefix, conn.dialect.name),
            )
            .order_by(_R.c.pk)
        ).all()
        vectors = [np.frombuffer(r[2], dtype=np.float32) for r in rows if r[2] is not None]
        dim = vectors[0].shape[0] if vectors else 0
        matrix = np.zeros((len(rows), dim), dtype=np.float32)
        for i, r in enumerate(rows):
            if r[2] is not None and dim:
                matrix[i] = np.frombuffer(r[2], dtype=np.float32)
        return _Matrix(
            pks=np.array([r[0] for r in rows], dtype=np.int64),
            strategy_ids=np.array([r[1] or "" for r in rows], dtype=object),
            actor_ids=np.array([r[3] for r in rows], dtype=object),
            matrix=matrix,
        )

    def _matrix(self, conn: sa.Connection, memory_id: str, prefix: str, version: int) -> _Matrix:
        return self._matrices.get(
            (memory_id, prefix),
            version,
            lambda: self._load_matrix(conn, memory_id, prefix, version),
        )

    def forget_cache(self, memory_id: str) -> None:
        """Drop cached matrices of a memory (after deletes that bypass the version counter)."""
        self._matrices.forget(lambda key: key[0] == memory_id)

    def _memory_state(self, conn: sa.Connection, memory_id: str) -> tuple[str, int]:
        row = conn.execute(
            sa.select(t.memories.c.embedding_model, t.memories.c.records_version).where(
                t.memories.c.id == memory_id
            )
        ).first()
        if row is None:
            self.lookup.load(conn, memory_id)  # raises NotFound with a checked id
        assert row is not None
        return row[0], int(row[1])

    # ------------------------------------------------------------- search
    def similar_records(
        self,
        memory_id: str,
        namespace: str,
        embedding_or_text: np.ndarray | str,
        top_k: int,
        conn: sa.Connection | None = None,
    ) -> list[tuple[MemoryRecord, float]]:
        """Records under the namespace prefix, most similar (cosine) first, with their scores.

        Pass ``conn`` (your write transaction) to see your own uncommitted writes; that path
        does not use the cache.
        """
        validate_namespace(namespace)
        if conn is not None:
            return self._similar(conn, memory_id, namespace, embedding_or_text, top_k, cached=False)
        with self.db.connect() as read:
            return self._similar(read, memory_id, namespace, embedding_or_text, top_k, cached=True)

    def _similar(
        self,
        conn: sa.Connection,
        memory_id: str,
        namespace: str,
        embedding_or_text: np.ndarray | str,
        top_k: int,
        *,
        cached: bool,
    ) -> list[tuple[MemoryRecord, float]]:
        model_id, version = self._memory_state(conn, memory_id)
        entry = (
            self._matrix(conn, memory_id, namespace, version)
            if cached
            else self._load_matrix(conn, memory_id, namespace, version)
        )
        if entry.pks.size == 0 or top_k <= 0:
            return []
        if isinstance(embedding_or_text, str):
            query = self.lookup.embedder(model_id).embed([embedding_or_text], kind="query")[0]
        else:
            query = np.asarray(embedding_or_text, dtype=np.float32).reshape(-1)
        scores = entry.matrix @ query
        order = np.argsort(-scores, kind="stable")[:top_k]
        pks = [int(entry.pks[i]) for i in order]
        rows = {
            r._mapping["pk"]: r._mapping
            for r in conn.execute(sa.select(*RECORD_COLUMNS).where(_R.c.pk.in_(pks)))
        }
        return [
            (row_to_record(rows[int(entry.pks[i])]), float(scores[i]))
            for i in order
            if int(entry.pks[i]) in rows
        ]

    def retrieve_memory_records(
        self,
        memory_id: str,
        namespace: str,
        search_query: str,
        top_k: int = 5,
        strategy_id: str | None = None,
        metadata_filters: list[dict[str, Any]] | None = None,
        *,
        actor_id: str | None = None,
        exact: bool = False,
        query_vector: np.ndarray | None = None,
    ) -> list[MemoryRecord]:
        """Hybrid search of records under a namespace prefix ('/' boundary, no wildcards).

        BM25 and cosine rankings fused by RRF; each record carries its score. Searching on
        behalf of an actor, pass ``actor_id``: only records whose ``actor_id`` is that actor
        are ranked (not other actors' records under the prefix, nor actorless ones).
        ``exact`` searches the namespace itself, not its children (a trailing '/' is
        insignificant). ``query_vector`` is the query's embedding when the caller already has
        it (same model as the memory's), so it is not computed twice.
        """
        validate_namespace(namespace)
        if actor_id is not None:
            validate_actor_id(actor_id)
        if not isinstance(search_query, str) or not search_query.strip():
            raise InvalidInput("searchQuery must be a non-empty string")
        if len(search_query) > MAX_QUERY_CHARS:
            raise InvalidInput(f"searchQuery is longer than {MAX_QUERY_CHARS} characters")
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= 100:
            raise InvalidInput(f"topK must be an integer in 1..100 (got {top_k!r})")
        if strategy_id is not None and not isinstance(strategy_id, str):
            raise InvalidInput("memoryStrategyId must be a string")
        filters = metadata_clauses(_R.c.metadata, metadata_filters)
        if exact:
            filters.append(_R.c.namespace.in_(exact_namespaces(namespace)))
            namespace = exact_namespace_prefix(namespace)
        pool = max(50, top_k * 5)
        with self.db.connect() as conn:
            model_id, version = self._memory_state(conn, memory_id)
            entry = self._matrix(conn, memory_id, namespace, version)
            if entry.pks.size == 0:
                return []
            mask: np.ndarray | None = None
            if strategy_id is not None:
                mask = entry.strategy_ids == strategy_id
            if actor_id is not None:
                mine = entry.actor_ids == actor_id
                mask = mine if mask is None else mask & mine
            if filters:
                allowed = np.fromiter(
                    conn.execute(
                        sa.select(_R.c.pk).where(
                            _R.c.memory_id == memory_id,
                            namespace_clause(_R.c.namespace, namespace, conn.dialect.name),
                            *filters,
                        )
                    ).scalars(),
                    dtype=np.int64,
                )
                in_filter = np.isin(entry.pks, allowed)
                mask = in_filter if mask is None else mask & in_filter
            allowed_pks = set(entry.pks[mask].tolist()) if mask is not None else None
            # Embed the query in a helper thread while SQLite runs BM25 here (both release the
            # GIL), so the two costs overlap instead of adding up.
            embedding = (
                _QUERY_POOL.submit(self.lookup.embedder(model_id).embed, [search_query], "query")
                if entry.matrix.shape[1] and query_vector is None
                else None
            )
            keyword_pool = pool if allowed_pks is None else pool * 4
            keyword = [
                pk
                for pk, _ in t.RECORDS_FTS.search(
                    conn, [f"{memory_id}|ns|{namespace}"], search_query, keyword_pool
                )
                if allowed_pks is None or pk in allowed_pks
            ][:pool]
            dense: list[int] = []
            query = embedding.result()[0] if embedding is not None else query_vector
            if query is not None and entry.matrix.shape[1]:
                query = np.asarray(query, dtype=np.float32).reshape(-1)
                scores = entry.matrix @ query
                if mask is not None:
                    scores = np.where(mask, scores, -np.inf)
                k = min(pool, entry.pks.size)
                top = np.argpartition(-scores, k - 1)[:k]
                top = top[np.argsort(-scores[top], kind="stable")]
                dense = [int(entry.pks[i]) for i in top if np.isfinite(scores[i])]
            fused = rrf_scores([keyword, dense])
            best = sorted(fused, key=lambda pk: -fused[pk])[:top_k]
            if not best:
                return []
            rows = {
                r._mapping["pk"]: r._mapping
                for r in conn.execute(sa.select(*RECORD_COLUMNS).where(_R.c.pk.in_(best)))
            }
        return [row_to_record(rows[pk], round(fused[pk], 6)) for pk in best if pk in rows]
