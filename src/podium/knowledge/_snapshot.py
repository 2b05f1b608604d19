"""A knowledge base's searchable chunks held in memory for the vector scan, and their cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from podium.storage import ExactVectorIndex, HnswVectorIndex, VectorMatrixCache

__all__ = ["Snapshot", "SnapshotCache", "new_snapshot_cache"]

#: KB snapshots a service keeps in memory (least recently used dropped first).
_SNAPSHOTS = 64


@dataclass(kw_only=True)
class Snapshot:
    """The KB's searchable chunks at one version (the SQL rows stay the one truth)."""

    ids: np.ndarray
    positions: dict[int, int]
    #: An exact scan below the ANN threshold, an HNSW graph above it (both keep the matrix).
    vectors: ExactVectorIndex | HnswVectorIndex
    #: Per row, the metadata a result shows, which is what filters and boosts see.
    metadata: list[dict[str, Any]]
    #: Filter masks over these rows, by canonical filter (an LRU; guarded by ``lock``).
    masks: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def rows(self) -> int:
        """Searchable chunks in the snapshot."""
        return int(self.ids.size)


#: KB id → its snapshot at the KB's version.
SnapshotCache = VectorMatrixCache[str, Snapshot]


def new_snapshot_cache(max_entries: int = _SNAPSHOTS) -> SnapshotCache:
    """The per-service cache of KB snapshots, keyed by KB id."""
    return VectorMatrixCache(max_entries=max_entries)
