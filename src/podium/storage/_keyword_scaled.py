"""Keyword search that scales with the scope searched: FTS5 for small ones, tantivy for big ones.

FTS5's ``bm25()`` scores every row a query matches: about 1 ms a query over a few thousand
chunks, 30-100 ms over 100k and seconds over 1M, while tantivy's block-max WAND stays at a few
milliseconds. Below the threshold FTS5 answers exactly as it always did (same scores, same
ranking, nothing beside the database file); at or above it the tantivy index answers.

Writes go through :class:`~podium.storage.TantivyKeywordIndex` in its lazy mode: FTS5 in the
caller's transaction plus a line in ``fts_changes``, and no tantivy work until a search of a
big scope (in any process) has built the index; from then on it is kept in step after every
commit, as with ``PODIUM_KEYWORD_ENGINE=tantivy``. So a database that only ever holds small
knowledge bases never gets a tantivy folder, and one that grows past the threshold gets it
built from its FTS5 rows on the first such search (FTS5 answers meanwhile).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from ._keyword import KeywordIndex
from ._tantivy import TantivyKeywordIndex

__all__ = ["ScaledKeywordIndex"]


class ScaledKeywordIndex(KeywordIndex):
    """FTS5 for scopes under ``threshold`` rows, tantivy (FTS5 beneath it) from there on."""

    def __init__(self, name: str, threshold: int) -> None:
        self.tantivy = TantivyKeywordIndex(name, lazy=True)
        self.fts = self.tantivy.fts
        self.threshold = threshold

    def add_scoped(
        self, conn: sa.Connection, items: Sequence[tuple[int, Sequence[str], str]]
    ) -> None:
        """Index items in FTS5 and log them for tantivy, in the caller's transaction."""
        self.tantivy.add_scoped(conn, items)

    def delete(self, conn: sa.Connection, row_ids: Sequence[int]) -> None:
        """Remove rows by id."""
        self.tantivy.delete(conn, row_ids)

    def delete_scope(self, conn: sa.Connection, scope: str) -> None:
        """Remove every row in ``scope``."""
        self.tantivy.delete_scope(conn, scope)

    def optimize(self, conn: sa.Connection) -> None:
        """Purge deleted rows' terms from FTS5 now and from tantivy at its next catch-up."""
        self.tantivy.optimize(conn)

    def search(
        self, conn: sa.Connection, scopes: Sequence[str], query: str, limit: int
    ) -> list[tuple[int, float]]:
        """FTS5's answer (the size of the scopes unknown); :meth:`for_size` picks tantivy."""
        return self.fts.search(conn, scopes, query, limit)

    def for_size(self, rows: int) -> KeywordIndex:
        """Tantivy for a scope of ``threshold`` rows or more, FTS5 below."""
        return self.tantivy if rows >= self.threshold else self.fts
