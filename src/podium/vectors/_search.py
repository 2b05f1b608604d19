"""Exact nearest-neighbour search over one index's vectors, held in memory per index version.

The SQL rows stay the one truth: a snapshot (keys, float32 matrix, metadata) is built from them
and cached in a :class:`~podium.storage.VectorMatrixCache` under the index's id, valid while
the index's version is the one it was built at. A query scans every row with numpy (one
matrix-vector product), applies the metadata filter first, so ``k`` results come back whenever
``k`` vectors match, and reports S3 Vectors' distances: ``1 - cosine similarity`` for cosine
indexes, the L2 distance for euclidean ones.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from podium.storage import VectorMatrixCache

from ._filter import compile_filter

__all__ = ["IndexSnapshot", "SnapshotCache", "new_snapshot_cache", "search"]

_SNAPSHOTS = 64
_SNAPSHOT_ROWS = 2_000_000
_MASKS = 32


@dataclass(kw_only=True)
class IndexSnapshot:
    """An index's vectors at one version."""

    keys: list[str]
    #: The vectors as stored (float32, one row per key).
    matrix: np.ndarray
    metadata: list[dict[str, Any]]
    metric: str
    #: Cosine: the rows scaled to unit length; euclidean: the squared row norms.
    unit: np.ndarray | None = None
    squared_norms: np.ndarray | None = None
    masks: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def rows(self) -> int:
        """Vectors in the snapshot."""
        return len(self.keys)

    @classmethod
    def build(
        cls, keys: list[str], matrix: np.ndarray, metadata: list[dict[str, Any]], metric: str
    ) -> IndexSnapshot:
        """A snapshot with the per-metric precomputation done once."""
        snapshot = cls(keys=keys, matrix=matrix, metadata=metadata, metric=metric)
        if metric == "cosine":
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            snapshot.unit = (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
        else:
            snapshot.squared_norms = np.einsum("ij,ij->i", matrix, matrix, dtype=np.float64)
        return snapshot

    def mask(self, document: Any, non_filterable: tuple[str, ...]) -> np.ndarray:
        """Rows whose metadata matches the filter ``document`` (cached per canonical filter)."""
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
        with self.lock:
            found = self.masks.get(canonical)
            if found is not None:
                self.masks.move_to_end(canonical)
                return found
        predicate = compile_filter(document, non_filterable=non_filterable)
        mask = np.fromiter((predicate(md) for md in self.metadata), dtype=bool, count=self.rows)
        with self.lock:
            self.masks[canonical] = mask
            while len(self.masks) > _MASKS:
                self.masks.popitem(last=False)
        return mask


#: Index id -> its snapshot at the index's version.
SnapshotCache = VectorMatrixCache[int, IndexSnapshot]


def new_snapshot_cache(
    max_entries: int = _SNAPSHOTS, max_rows: int = _SNAPSHOT_ROWS
) -> SnapshotCache:
    """A cache of index snapshots, bounded by entries and by rows over all of them."""
    return VectorMatrixCache(max_entries=max_entries, max_rows=max_rows, rows=lambda s: s.rows)


def _exact_distances(snapshot: IndexSnapshot, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Distances of ``rows`` to ``query``, recomputed in float64 (exact for the k returned)."""
    picked = snapshot.matrix[rows].astype(np.float64)
    q = query.astype(np.float64)
    if snapshot.metric == "cosine":
        norms = np.linalg.norm(picked, axis=1) * np.linalg.norm(q)
        return 1.0 - (picked @ q) / np.where(norms == 0, 1.0, norms)
    return np.sqrt(np.maximum(((picked - q) ** 2).sum(axis=1), 0.0))


def search(
    snapshot: IndexSnapshot,
    query: np.ndarray,
    k: int,
    *,
    mask: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """The ``k`` nearest rows to ``query`` (only rows where ``mask`` holds): (row, distance).

    Nearest first; equal distances in key order, so results are deterministic.
    """
    if snapshot.rows == 0 or k <= 0:
        return []
    if snapshot.metric == "cosine":
        assert snapshot.unit is not None
        unit_query = query / max(float(np.linalg.norm(query)), 1e-30)
        score = 1.0 - snapshot.unit @ unit_query.astype(np.float32)
    else:
        assert snapshot.squared_norms is not None
        # |x - q|^2 = |x|^2 - 2 x.q + |q|^2, to rank without an (n, d) temporary.
        dots = snapshot.matrix @ query.astype(np.float32)
        score = snapshot.squared_norms - 2.0 * dots + float(query.astype(np.float64) @ query)
    score = np.asarray(score, dtype=np.float64)
    if mask is not None:
        score = np.where(mask, score, np.inf)
        k = min(k, int(mask.sum()))
        if k == 0:
            return []
    k = min(k, snapshot.rows)
    top = np.argpartition(score, k - 1)[:k] if k < snapshot.rows else np.arange(snapshot.rows)
    distances = _exact_distances(snapshot, top, query)
    order = sorted(range(len(top)), key=lambda i: (distances[i], snapshot.keys[top[i]]))
    return [(int(top[i]), float(distances[i])) for i in order]
