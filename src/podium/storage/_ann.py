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

import contextlib
import math
from typing import Any

import numpy as np

from ._vectors import VectorIndex, top_k

__all__ = [
    "EXACT_SUBSET",
    "SUBSET_FACTOR",
    "HnswVectorIndex",
    "expansion_search",
    "new_hnsw",
    "usearch_index",
]

#: A filter keeping at most ``max(EXACT_SUBSET, SUBSET_FACTOR * fetch)`` rows is answered by an
#: exact scan of just those rows, where ``fetch`` is the over-fetch the graph would need: gathering
#: and scoring a row costs about what visiting a graph node does, and the scan is always exact.
EXACT_SUBSET = 1_000
SUBSET_FACTOR = 4
#: HNSW parameters. On 100k structured 384-d vectors (benchmarks/_ann_bench.py: topics around
#: real MiniLM embeddings, real queries) recall@10 was 0.83 / 0.90 / 0.96 at expansion_search
#: 64 / 128 / 256 (0.15 / 0.23 / 0.35 ms a query); connectivity 32 gained 0.02 for a slower build
#: and 2.5x the query time. At 1M the same graph needs more effort: 0.82 / 0.87 / 0.93 / 0.97
#: at 512 / 1024 / 2048 / 4096 (2.1 / 3.1 / 6.0 / 12.1 ms). So the effort grows with the size:
#: ``rows / 240``, at least 512 and at most 8192 (4166 at 1M), still cheap next to the embedding.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 512
EXPANSION_SEARCH_MAX = 8192
#: Stored precision: f16 keeps recall@10 ≈ 0.999 (i8 measured 0.86-0.87) at half float32's memory.
DTYPE = "f16"


def usearch_index() -> Any:
    """The ``usearch.index`` module (ImportError when usearch is not installed).

    onnxruntime 1.32 segfaults when it is imported after usearch 2.26's extension (the other order
    is fine), and the embedder imports it lazily, often after a first query has loaded usearch:
    so onnxruntime, when installed, is imported first.
    """
    with contextlib.suppress(ImportError):
        import onnxruntime  # noqa: F401
    from usearch import index

    return index


def expansion_search(rows: int) -> int:
    """The HNSW search effort for a graph of ``rows`` (recall@10 ≈ 0.97-0.98 measured)."""
    return max(EXPANSION_SEARCH, min(EXPANSION_SEARCH_MAX, rows // 240))


def new_hnsw(ndim: int) -> Any:
    """An empty HNSW graph for unit vectors of ``ndim`` (inner product)."""
    return usearch_index().Index(
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
        graph.expansion_search = expansion_search(self.size)  # not kept in the file

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
        fetch = k if mask is None else math.ceil(k * self.size / allowed * 2)
        if mask is not None and allowed <= max(EXACT_SUBSET, SUBSET_FACTOR * fetch):
            rows = np.flatnonzero(mask)
            pos, scores = top_k(self.matrix[rows] @ q, k)
            return rows[pos].astype(np.int64), scores
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
