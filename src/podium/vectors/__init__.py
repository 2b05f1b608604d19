"""Vector buckets and indexes (Amazon S3 Vectors' model) with exact search, stored in SQL.

:class:`VectorStore` keeps buckets, their indexes (float32, a dimension, cosine or euclidean
distance, non-filterable metadata keys) and the vectors (key, data, metadata) in the shared
database; queries scan an in-memory snapshot of the index with numpy and apply S3 Vectors'
metadata filter language (:func:`compile_filter`) before taking the top k. The ``s3vectors``
AWS endpoint (``podium.aws``) serves it.
"""

from __future__ import annotations

from ._filter import MetadataPredicate, compile_filter
from ._models import (
    DISTANCE_METRICS,
    LIMITS,
    Index,
    Limits,
    StoredVector,
    VectorBucket,
    check_metadata,
    to_float32,
)
from ._store import QuotaExceeded, VectorStore

__all__ = [
    "DISTANCE_METRICS",
    "LIMITS",
    "Index",
    "Limits",
    "MetadataPredicate",
    "QuotaExceeded",
    "StoredVector",
    "VectorBucket",
    "VectorStore",
    "check_metadata",
    "compile_filter",
    "to_float32",
]
