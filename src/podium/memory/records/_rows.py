"""Record rows as :class:`MemoryRecord` values, and the columns every record read selects."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _tables as t
from .._models import MemoryRecord

__all__ = ["RECORD_COLUMNS", "row_to_record", "to_vector"]

#: Every column but the vector.
RECORD_COLUMNS = [c for c in t.memory_records.c if c.name != "embedding"]


def row_to_record(m: Any, score: float | None = None) -> MemoryRecord:
    """A :class:`MemoryRecord` from a ``memory_records`` row mapping."""
    return MemoryRecord(
        record_id=m["record_id"],
        memory_id=m["memory_id"],
        strategy_id=m["strategy_id"],
        namespace=m["namespace"],
        actor_id=m["actor_id"],
        session_id=m["session_id"],
        content=dict(m["content"]),
        text=m["text"],
        metadata=dict(m["metadata"] or {}),
        source_event_ids=list(m["source_event_ids"] or []),
        rationale=m["rationale"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        score=score,
        pk=m["pk"],
    )


def to_vector(embedding: np.ndarray) -> bytes:
    """The stored form of a vector (float32 bytes)."""
    return np.asarray(embedding, dtype=np.float32).reshape(-1).tobytes()
