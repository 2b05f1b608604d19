"""Storage: the SQL engine, schema, migrations, keyword and vector indexes, fusion and caching."""

from __future__ import annotations

import sqlalchemy as sa

from . import _schema as schema
from ._ann import HnswVectorIndex
from ._ann_store import ANN_THRESHOLD, ann_path, remove_ann, vector_index
from ._database import Database, display_url, storage_errors
from ._fusion import RRF_K, Normalization, convex, dbsf, mmr, rrf, rrf_scores
from ._keyword import KeywordIndex, SqliteFtsIndex, query_terms, scope_token
from ._keyword_scaled import ScaledKeywordIndex
from ._pg_keyword import PostgresKeywordIndex
from ._pgvector import (
    EmbeddingType,
    cosine_distance,
    dimension_is,
    ensure_hnsw_index,
    set_search_options,
)
from ._tantivy import TantivyKeywordIndex, index_folder, tantivy_available
from ._vector_cache import VectorMatrixCache
from ._vectors import ExactVectorIndex, VectorIndex

__all__ = [
    "ANN_THRESHOLD",
    "RRF_K",
    "Database",
    "EmbeddingType",
    "ExactVectorIndex",
    "HnswVectorIndex",
    "KeywordIndex",
    "Normalization",
    "PostgresKeywordIndex",
    "ScaledKeywordIndex",
    "SqliteFtsIndex",
    "TantivyKeywordIndex",
    "VectorIndex",
    "VectorMatrixCache",
    "ann_path",
    "convex",
    "cosine_distance",
    "dbsf",
    "dimension_is",
    "display_url",
    "ensure_hnsw_index",
    "index_folder",
    "mmr",
    "query_terms",
    "remove_ann",
    "rrf",
    "rrf_scores",
    "schema",
    "scope_token",
    "set_search_options",
    "storage_errors",
    "tantivy_available",
    "vector_index",
]


def keyword_index(
    db: Database | sa.Connection | str, name: str, *, scaled_at: int | None = None
) -> KeywordIndex:
    """The keyword index ``name`` for the backend of ``db`` (a database, connection or dialect).

    ``scaled_at`` (knowledge-base chunks): on SQLite under the ``auto`` engine with tantivy
    installed, a :class:`ScaledKeywordIndex` whose scopes of that many rows or more are
    searched through tantivy; other indexes keep FTS5 under ``auto``.
    """
    if isinstance(db, str):
        dialect = db
    elif isinstance(db, Database):
        dialect = db.dialect
    else:
        dialect = db.dialect.name
    if dialect == "sqlite":
        engine = sqlite_keyword_engine()
        if engine == "tantivy":
            return TantivyKeywordIndex(name)
        if engine == "auto" and scaled_at is not None:
            return ScaledKeywordIndex(name, scaled_at)
        return SqliteFtsIndex(name)
    if dialect == "postgresql":
        return PostgresKeywordIndex(name)
    from podium.errors import ConfigurationError

    raise ConfigurationError(f"keyword search on {dialect} is not available")


def sqlite_keyword_engine() -> str:
    """The keyword engine SQLite databases use here: ``auto``, ``tantivy`` or ``fts5``.

    :attr:`podium.config.Settings.keyword_engine`, and ``fts5`` when tantivy is not installed.
    """
    from podium.config import process_settings

    engine = process_settings().keyword_engine
    return engine if engine in ("tantivy", "auto") and tantivy_available() else "fts5"


__all__ += ["keyword_index", "sqlite_keyword_engine"]
