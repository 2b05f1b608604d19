"""Approximate nearest neighbours: a usearch HNSW graph over a snapshot's vectors.

:class:`HnswVectorIndex` answers like :class:`~podium.storage.ExactVectorIndex` (positions into
the snapshot's rows and their cosine scores) but walks an HNSW graph instead of scanning every
row. The graph's keys are the SQL row ids; the snapshot keeps its float32 matrix, so the k found
are re-scored exactly (the graph stores float16) and a filter that keeps few rows is answered by
an exact scan of just those rows.

A filter that keeps many rows is answered from the graph by over-fetching: ask for
``k * rows / allowed * 2`` neighbours, drop the ones the filter refuses, and ask again with four
times as many until ``k`` pass or the whole index has been asked for (then scan exactly). So a
filtered query never returns fewer than ``k`` results when ``k`` rows pass the filter.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._vectors import VectorIndex, top_k

__all__ = ["EXACT_SUBSET", "HnswVectorIndex", "new_hnsw"]

#: A filter keeping at most this many rows is answered by an exact scan of those rows (a scan of
#: 20k rows costs about what an over-fetching graph walk does, and is always exact).
EXACT_SUBSET = 20_000
#: HNSW parameters. connectivity 16 / expansion_add 128 / expansion_search 64 measured recall@10
#: 0.998-1.0 on clustered 384-d vectors (benchmarks/kb_retrieve.py --ann reports it again).
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 64
#: Stored precision: f16 keeps recall@10 ≈ 0.999 (i8 measured 0.86-0.87) at half float32's memory.
DTYPE = "f16"


def new_hnsw(ndim: int) -> Any:
    """An empty HNSW graph for unit vectors of ``ndim`` (inner product)."""
    from usearch.index import Index

    return Index(
        ndim=ndim,
        metric="ip",
        dtype=DTYPE,
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


class HnswVectorIndex(VectorIndex):
    """Top-k over a snapshot's rows through an HNSW graph keyed by the rows' (sorted) ids."""

    def __init__(self, matrix: np.ndarray, ids: np.ndarray, graph: Any) -> None:
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.ids = np.asarray(ids, dtype=np.int64)
        self.graph = graph

    @property
    def size(self) -> int:
        """Rows in the snapshot (the graph holds the same keys)."""
        return int(self.ids.size)

    def search(
        self, query: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k positions and cosine scores, only where ``mask`` is True (if given)."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        allowed = self.size if mask is None else int(mask.sum())
        k = min(k, allowed)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if mask is not None and allowed <= EXACT_SUBSET:
            rows = np.flatnonzero(mask)
            pos, scores = top_k(self.matrix[rows] @ q, k)
            return rows[pos].astype(np.int64), scores
        fetch = k if mask is None else math.ceil(k * self.size / allowed * 2)
        while True:
            fetch = min(fetch, self.size)
            found = self._positions(q, fetch)
            if mask is not None:
                found = found[mask[found]]
            if found.size >= k or fetch >= self.size:
                break
            fetch *= 4
        if found.size < k:  # the graph lost some rows it should reach: answer exactly
            scores = self.matrix @ q
            if mask is not None:
                scores = np.where(mask, scores, -np.inf)
            return top_k(scores, k)
        exact = self.matrix[found] @ q
        pos, scores = top_k(exact, k)
        return found[pos].astype(np.int64), scores

    def _positions(self, q: np.ndarray, count: int) -> np.ndarray:
        """Snapshot positions of the graph's ``count`` nearest keys (unknown keys dropped)."""
        matches = self.graph.search(q, count, threads=1)
        keys = np.asarray(matches.keys, dtype=np.int64)
        pos = np.searchsorted(self.ids, keys)
        pos = np.minimum(pos, self.size - 1)
        return pos[self.ids[pos] == keys]
