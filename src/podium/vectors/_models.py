"""Vector buckets, indexes and vectors: the records, S3 Vectors' limits and the input checks."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from podium.errors import InvalidInput

from ._filter import is_primitive

__all__ = [
    "DISTANCE_METRICS",
    "LIMITS",
    "Index",
    "Limits",
    "StoredVector",
    "VectorBucket",
    "check_bucket_name",
    "check_index_name",
    "check_metadata",
    "to_float32",
]

DISTANCE_METRICS = ("cosine", "euclidean")
# S3 Vectors' naming rules: bucket names are lowercase letters, digits and hyphens; index names
# may also hold dots; both 3-63 characters, starting and ending with a letter or digit.
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


@dataclass(frozen=True)
class Limits:
    """S3 Vectors' documented limits ("Limitations and restrictions"), enforced the same way."""

    buckets: int = 10_000
    indexes_per_bucket: int = 10_000
    max_dimension: int = 4096
    put_batch: int = 500
    delete_batch: int = 500
    get_batch: int = 100
    top_k: int = 100
    metadata_bytes: int = 40 * 1024
    filterable_metadata_bytes: int = 2 * 1024
    metadata_keys: int = 50
    non_filterable_keys: int = 10
    list_vectors_page: int = 1000
    list_page: int = 500


LIMITS = Limits()


@dataclass(frozen=True, kw_only=True)
class VectorBucket:
    """A vector bucket."""

    name: str
    created_at: float
    encryption: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Index:
    """A vector index in a bucket; ``version`` moves on every write to its vectors."""

    id: int
    bucket_name: str
    name: str
    data_type: str
    dimension: int
    distance_metric: str
    non_filterable_keys: tuple[str, ...]
    encryption: dict[str, Any]
    created_at: float
    version: int = 0


@dataclass(frozen=True, kw_only=True)
class StoredVector:
    """One vector: its key, float32 data and metadata document (None when it has none)."""

    key: str
    data: np.ndarray
    metadata: dict[str, Any] | None = None


def check_bucket_name(name: str) -> str:
    """``name`` if it is a valid vector bucket name, else InvalidInput."""
    if not _BUCKET_NAME.fullmatch(name):
        raise InvalidInput(
            f"Invalid vector bucket name {name!r}: 3-63 lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    return name


def check_index_name(name: str) -> str:
    """``name`` if it is a valid vector index name, else InvalidInput."""
    if not _INDEX_NAME.fullmatch(name):
        raise InvalidInput(
            f"Invalid vector index name {name!r}: 3-63 lowercase letters, digits, hyphens and "
            "dots, starting and ending with a letter or digit"
        )
    return name


def to_float32(values: Sequence[float], index: Index, where: str) -> np.ndarray:
    """``values`` as the index's float32 vector (its dimension, finite, non-zero for cosine)."""
    if len(values) != index.dimension:
        raise InvalidInput(
            f"Invalid vector at {where}: it has {len(values)} dimensions, the index "
            f"{index.name!r} has {index.dimension}"
        )
    bad = InvalidInput(f"Invalid vector at {where}: every value must be a finite float32")
    try:
        vector = np.asarray(values, dtype=np.float64)
    except (OverflowError, TypeError, ValueError):
        raise bad from None
    if not np.all(np.isfinite(vector)) or np.any(np.abs(vector) > np.finfo(np.float32).max):
        raise bad
    out = vector.astype(np.float32)
    if index.distance_metric == "cosine" and not np.any(out):
        raise InvalidInput(
            f"Invalid vector at {where}: a zero vector has no cosine distance to anything"
        )
    return out


def _json_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def check_metadata(
    metadata: Any, non_filterable: Collection[str], where: str
) -> dict[str, Any] | None:
    """A vector's metadata checked against S3 Vectors' types and size limits.

    Filterable values are strings, numbers, booleans or lists of those (at most 2 KB in all);
    non-filterable values may be any JSON. The whole document is at most 40 KB and 50 keys.
    """
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise InvalidInput(f"Invalid metadata at {where}: expected an object")
    if len(metadata) > LIMITS.metadata_keys:
        raise InvalidInput(
            f"Invalid metadata at {where}: {len(metadata)} keys, at most "
            f"{LIMITS.metadata_keys} are allowed"
        )
    filterable: dict[str, Any] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not key:
            raise InvalidInput(f"Invalid metadata at {where}: keys must be non-empty strings")
        if key in non_filterable:
            continue
        items = value if isinstance(value, list) else [value]
        if (isinstance(value, list) and not value) or not all(is_primitive(v) for v in items):
            raise InvalidInput(
                f"Invalid metadata at {where}.{key}: filterable metadata values are strings, "
                "numbers, booleans or non-empty lists of them"
            )
        filterable[key] = value
    try:
        total = _json_size(dict(metadata))
    except (TypeError, ValueError):
        raise InvalidInput(f"Invalid metadata at {where}: not a JSON document") from None
    if total > LIMITS.metadata_bytes:
        raise InvalidInput(
            f"Invalid metadata at {where}: {total} bytes, at most {LIMITS.metadata_bytes}"
        )
    if filterable and _json_size(filterable) > LIMITS.filterable_metadata_bytes:
        raise InvalidInput(
            f"Invalid metadata at {where}: filterable metadata is over "
            f"{LIMITS.filterable_metadata_bytes} bytes (declare large keys non-filterable)"
        )
    return dict(metadata)
