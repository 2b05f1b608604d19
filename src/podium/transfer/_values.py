"""Values stored differently by the two backends: embedding vectors.

SQLite keeps a vector as float32 bytes (a ``LargeBinary`` column); PostgreSQL may keep it in a
pgvector ``vector`` / ``halfvec`` column. A transfer moves every vector as float32 bytes and
turns it into the target column's form on the way in, so a copy works whichever form each side
uses, and a Podium archive stores vectors like any other binary value.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa

__all__ = ["from_vectors", "is_vector", "register_postgres_types", "to_vectors"]

_VECTOR_TYPES = ("VECTOR", "HALFVEC")


def register_postgres_types() -> None:
    """Let reflection read pgvector's column types (instead of ``NullType`` and a warning)."""
    with contextlib.suppress(ImportError):
        import pgvector.sqlalchemy  # noqa: F401  (importing registers the types)


def is_vector(column: sa.Column[Any]) -> bool:
    """Whether ``column`` is a pgvector column."""
    return type(column.type).__name__ in _VECTOR_TYPES


def _as_bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    array = value.to_numpy() if hasattr(value, "to_numpy") else value
    return np.asarray(array, dtype=np.float32).reshape(-1).tobytes()


def from_vectors(rows: list[dict[str, Any]], names: Sequence[str]) -> None:
    """Turn the pgvector values of columns ``names`` into float32 bytes, in place."""
    for row in rows:
        for name in names:
            row[name] = _as_bytes(row[name])


def to_vectors(rows: list[dict[str, Any]], names: Sequence[str]) -> list[dict[str, Any]]:
    """Rows with the float32 bytes of columns ``names`` as arrays for pgvector columns."""
    if not names:
        return rows
    out = []
    for row in rows:
        row = dict(row)
        for name in names:
            value = row[name]
            if value is not None:
                row[name] = np.frombuffer(bytes(value), dtype=np.float32)
        out.append(row)
    return out
