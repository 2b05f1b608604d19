"""Keyword (BM25) search behind one interface: SQLite FTS5 here, PostgreSQL tsvector later."""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence

import sqlalchemy as sa

__all__ = ["STOPWORDS", "KeywordIndex", "SqliteFtsIndex", "query_terms"]

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

    @abstractmethod
    def add(self, conn: sa.Connection, items: Sequence[tuple[int, str, str]]) -> None:
        """Index (row id, scope, text) triples inside the caller's transaction."""

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


class SqliteFtsIndex(KeywordIndex):
    """FTS5 table ``fts_<name>`` with columns (text, scope); rowid is the owner row's id."""

    def __init__(self, name: str) -> None:
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"bad index name {name!r}")
        self.table = f"fts_{name}"

    def add(self, conn: sa.Connection, items: Sequence[tuple[int, str, str]]) -> None:
        """Index items (rowid, scope, text)."""
        if items:
            conn.exec_driver_sql(
                f"INSERT INTO {self.table}(rowid, text, scope) VALUES (?, ?, ?)",
                [(rid, text, scope_token(scope)) for rid, scope, text in items],
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
