"""Storage: the SQL engine, schema, migrations, keyword index and vector index."""

from __future__ import annotations

from . import _schema as schema
from ._database import Database, storage_errors
from ._keyword import KeywordIndex, SqliteFtsIndex, query_terms, scope_token
from ._vectors import ExactVectorIndex, VectorIndex

__all__ = [
    "Database",
    "ExactVectorIndex",
    "KeywordIndex",
    "SqliteFtsIndex",
    "VectorIndex",
    "query_terms",
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
