"""Storage: the SQL engine, schema, migrations, keyword and vector indexes, fusion and caching."""

from __future__ import annotations

from . import _schema as schema
from ._database import Database, display_url, storage_errors
from ._fusion import RRF_K, Normalization, convex, dbsf, mmr, rrf, rrf_scores
from ._keyword import KeywordIndex, SqliteFtsIndex, query_terms, scope_token
from ._vector_cache import VectorMatrixCache
from ._vectors import ExactVectorIndex, VectorIndex

__all__ = [
    "RRF_K",
    "Database",
    "ExactVectorIndex",
    "KeywordIndex",
    "Normalization",
    "SqliteFtsIndex",
    "VectorIndex",
    "VectorMatrixCache",
    "convex",
    "dbsf",
    "display_url",
    "mmr",
    "query_terms",
    "rrf",
    "rrf_scores",
    "schema",
    "scope_token",
    "storage_errors",
]


def keyword_index(db: Database, name: str) -> KeywordIndex:
    """The keyword index ``name`` for this database's backend."""
    if db.dialect == "sqlite":
        return SqliteFtsIndex(name)
    from podium.errors import ConfigurationError

    raise ConfigurationError(f"keyword search on {db.dialect} is not available yet")


__all__ += ["keyword_index"]
