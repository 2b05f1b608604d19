"""Keyword (BM25) search behind one interface: SQLite FTS5 here, PostgreSQL in ``_pg_keyword``."""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Sequence

import sqlalchemy as sa

__all__ = [
    "STOPWORDS",
    "KeywordIndex",
    "SqliteFtsIndex",
    "query_terms",
    "repair_fts_tables",
    "word_tokens",
]

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_MAX_TERMS = 48

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "about",
        "should",
    ]
)


def word_tokens(text: str) -> list[str]:
    """The words of ``text`` as keyword search splits it (runs of letters and digits)."""
    return _WORD.findall(text)


def query_terms(text: str) -> list[str]:
    """Lower-cased search terms of ``text`` without stopwords, first occurrence order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if word not in STOPWORDS and word not in seen:
            seen[word] = None
    return list(seen)[:_MAX_TERMS]


def scope_token(scope: str) -> str:
    """A single FTS token standing for ``scope`` (any string), so a scope filter is one posting list."""
    return "s" + hashlib.sha1(scope.encode("utf-8")).hexdigest()[:20]


class KeywordIndex(ABC):
    """A BM25 index over (row id, scope, text). Scores are higher-is-better."""

    def add(self, conn: sa.Connection, items: Sequence[tuple[int, str, str]]) -> None:
        """Index (row id, scope, text) triples inside the caller's transaction."""
        self.add_scoped(conn, [(rid, (scope,), text) for rid, scope, text in items])

    @abstractmethod
    def add_scoped(
        self, conn: sa.Connection, items: Sequence[tuple[int, Sequence[str], str]]
    ) -> None:
        """Index (row id, scopes, text) triples: a search in any one of the scopes finds the row."""

    @abstractmethod
    def delete(self, conn: sa.Connection, row_ids: Sequence[int]) -> None:
        """Remove rows inside the caller's transaction."""

    @abstractmethod
    def delete_scope(self, conn: sa.Connection, scope: str) -> None:
        """Remove every row of one scope."""

    @abstractmethod
    def search(
        self, conn: sa.Connection, scopes: Sequence[str], query: str, limit: int
    ) -> list[tuple[int, float]]:
        """Best ``limit`` (row id, score) pairs in any of ``scopes`` for ``query``."""

    @abstractmethod
    def optimize(self, conn: sa.Connection) -> None:
        """Make deleted rows' terms leave the index (privacy deletes)."""

    def for_size(self, rows: int) -> KeywordIndex:
        """The index that searches a scope of ``rows`` rows best (this one, unless it scales)."""
        return self


class SqliteFtsIndex(KeywordIndex):
    """FTS5 table ``fts_<name>`` with columns (text, scope); rowid is the owner row's id."""

    def __init__(self, name: str) -> None:
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"bad index name {name!r}")
        self.table = f"fts_{name}"

    def add_scoped(
        self, conn: sa.Connection, items: Sequence[tuple[int, Sequence[str], str]]
    ) -> None:
        """Index items (rowid, scopes, text): the scope column holds one token per scope."""
        if items:
            conn.exec_driver_sql(
                f"INSERT INTO {self.table}(rowid, text, scope) VALUES (?, ?, ?)",
                [
                    (rid, text, " ".join(scope_token(s) for s in scopes))
                    for rid, scopes, text in items
                ],
            )

    def delete(self, conn: sa.Connection, row_ids: Sequence[int]) -> None:
        """Remove rows by id."""
        if row_ids:
            conn.exec_driver_sql(
                f"DELETE FROM {self.table} WHERE rowid = ?", [(rid,) for rid in row_ids]
            )

    def delete_scope(self, conn: sa.Connection, scope: str) -> None:
        """Remove every row in ``scope``."""
        conn.exec_driver_sql(
            f"DELETE FROM {self.table} WHERE {self.table} MATCH ?",
            (f'scope:"{scope_token(scope)}"',),
        )

    def optimize(self, conn: sa.Connection) -> None:
        """Merge every segment into one, so deleted rows' terms leave the index (privacy deletes).

        SQLite before 3.43 adds a level to the FTS5 structure on every ``optimize`` (and
        ``merge`` with a negative argument) that follows a write, and reads a structure of more
        than 2,000 levels as corrupt: about 1,300 forget-me calls in a row made ``fts_events``
        unreadable ("vtable constructor failed"). So once the structure has grown past
        :data:`_MAX_LEVELS`, the index is rebuilt from the table's own content instead, which
        purges the deleted terms as well and starts again from one level.
        """
        conn.exec_driver_sql(f"INSERT INTO {self.table}({self.table}) VALUES ('optimize')")
        if structure_levels(conn, self.table) > _MAX_LEVELS:
            conn.exec_driver_sql(f"INSERT INTO {self.table}({self.table}) VALUES ('rebuild')")

    def search(
        self, conn: sa.Connection, scopes: Sequence[str], query: str, limit: int
    ) -> list[tuple[int, float]]:
        """BM25 search; the text column is weighted 1 and the scope column 0."""
        terms = query_terms(query)
        if not terms or not scopes:
            return []
        text_q = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
        scope_q = " OR ".join(f'"{scope_token(s)}"' for s in scopes)
        match = f"scope:({scope_q}) AND text:({text_q})"
        rows = conn.exec_driver_sql(
            f"SELECT rowid, bm25({self.table}, 1.0, 0.0) AS r FROM {self.table} "
            f"WHERE {self.table} MATCH ? ORDER BY r LIMIT ?",
            (match, int(limit)),
        )
        # FTS5's bm25() is negative (lower is better); flip it so higher is better.
        return [(int(rid), -float(r)) for rid, r in rows]


#: FTS5 structure levels beyond which :meth:`SqliteFtsIndex.optimize` rebuilds (FTS5's own
#: merges never need more than a handful; its corruption check trips above 2,000).
_MAX_LEVELS = 64


def structure_levels(conn: sa.Connection, table: str) -> int:
    """The level count in an FTS5 table's structure record (0 when it has none yet)."""
    row = conn.exec_driver_sql(f"SELECT block FROM {table}_data WHERE id = 10").first()
    if row is None or len(row[0]) < 5:
        return 0
    # A 4-byte cookie, then the level count as an SQLite varint (7 bits a byte, big-endian).
    value = 0
    for byte in row[0][4:13]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value


def repair_fts_tables(conn: sa.Connection) -> list[str]:
    """Rebuild every FTS5 index that SQLite can no longer read; returns the tables repaired.

    The indexes are derived data: an FTS5 table with its own content keeps each row's text in
    ``<table>_content``, so an unreadable index (a corrupt structure record, as the bug that
    :meth:`SqliteFtsIndex.optimize` works around leaves behind) is reset to an empty structure
    and rebuilt from that content. Reading the table is the probe, so a healthy database costs
    one indexed lookup per table. Runs inside the caller's write transaction.
    """
    if conn.dialect.name != "sqlite":
        return []
    names = [
        name
        for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5(%'"
        )
    ]
    repaired = []
    for name in names:
        try:
            conn.exec_driver_sql(f"SELECT rowid FROM {name} WHERE {name} MATCH 'probe' LIMIT 1")
            continue
        except sa.exc.DatabaseError as e:
            if not isinstance(e.orig, sqlite3.DatabaseError) or (
                e.orig.sqlite_errorcode & 0xFF != sqlite3.SQLITE_CORRUPT
            ):
                raise
        logger.warning("table=<%s> | keyword index unreadable, rebuilding it from its rows", name)
        # An empty structure (cookie 0, no levels, no segments, write counter 0) and no
        # averages: what FTS5 writes for a new table, then its rows indexed again.
        conn.exec_driver_sql(f"DELETE FROM {name}_data")
        conn.exec_driver_sql(f"DELETE FROM {name}_idx")
        conn.exec_driver_sql(
            f"INSERT INTO {name}_data(id, block) VALUES (1, X''), (10, X'00000000000000')"
        )
        conn.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('rebuild')")
        repaired.append(name)
    return repaired
