"""The keyword index on both backends: same words, same BM25, scopes, deletes, bounded work."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from podium.storage import Database, keyword_index
from podium.storage._pg_keyword import _candidate_lexemes, _candidate_queries, fold

CORPUS = [
    (1, "kb-a", "Kafka streams feed real-time dashboards with exactly-once processing."),
    (2, "kb-a", "Dashboards for Kubernetes clusters: pods, nodes and network policies."),
    (3, "kb-a", "A gentle introduction to identity and access management."),
    (4, "kb-a", "Streaming analytics with Kafka topics, consumers and partitions."),
    (5, "kb-b", "Kafka in another knowledge base entirely."),
    (6, "kb-a", "Café culture: the barista's guide to espresso."),
    (7, "kb-a", "Network policies for zero trust, and network segmentation at scale."),
]
QUERIES = [
    "kafka dashboards",
    "What is the best way to secure a Kubernetes network?",
    "streaming kafka topics",
    "cafe espresso",
    "identity",
]


def _indexed(db: Database) -> None:
    index = keyword_index(db, "chunks")
    with db.begin() as conn:
        index.add(conn, CORPUS)


def _search(
    db: Database, query: str, scopes: list[str], limit: int = 10
) -> list[tuple[int, float]]:
    with db.connect() as conn:
        return keyword_index(db, "chunks").search(conn, scopes, query, limit)


def test_search_ranks_scopes_and_deletes(db: Database) -> None:
    _indexed(db)
    found = [rid for rid, _ in _search(db, "kafka dashboards", ["kb-a"])]
    assert found[0] == 1 and set(found) == {1, 2, 4}
    # Stemming (streams/streaming), diacritics (café), and only the scopes asked for.
    assert {rid for rid, _ in _search(db, "stream", ["kb-a"])} == {1, 4}
    assert [rid for rid, _ in _search(db, "cafe", ["kb-a"])] == [6]
    assert [rid for rid, _ in _search(db, "kafka", ["kb-b"])] == [5]
    assert {rid for rid, _ in _search(db, "kafka", ["kb-a", "kb-b"])} == {1, 4, 5}
    # A query of stopwords only, or with no scope, finds nothing.
    assert _search(db, "what is the", ["kb-a"]) == []
    assert _search(db, "kafka", []) == []
    index = keyword_index(db, "chunks")
    with db.begin() as conn:
        index.delete(conn, [1])
        index.delete_scope(conn, "kb-b")
        index.optimize(conn)
    assert {rid for rid, _ in _search(db, "kafka", ["kb-a", "kb-b"])} == {4}


def test_rows_under_several_scopes(db: Database) -> None:
    index = keyword_index(db, "events")
    with db.begin() as conn:
        index.add_scoped(conn, [(10, ["m", "m|alice"], "alice likes jazz")])
        index.add_scoped(conn, [(11, ["m", "m|bob"], "bob likes jazz too")])
    with db.connect() as conn:
        assert {r for r, _ in index.search(conn, ["m"], "jazz", 10)} == {10, 11}
        assert [r for r, _ in index.search(conn, ["m|alice"], "jazz", 10)] == [10]
    with db.begin() as conn:
        index.delete_scope(conn, "m|bob")
    with db.connect() as conn:
        assert [r for r, _ in index.search(conn, ["m"], "jazz", 10)] == [10]


def test_postgresql_scores_equal_sqlite_bm25(tmp_path: Path, pg_url: str) -> None:
    lite, pg = Database(f"sqlite:///{tmp_path / 'k.db'}"), Database(pg_url)
    lite.migrate()
    try:
        for db in (lite, pg):
            _indexed(db)
        for query in QUERIES:
            a, b = _search(lite, query, ["kb-a"]), _search(pg, query, ["kb-a"])
            assert [r for r, _ in a] == [r for r, _ in b], query
            for (_, x), (_, y) in zip(a, b, strict=True):
                assert math.isclose(x, y, rel_tol=1e-6), (query, x, y)
    finally:
        lite.dispose()
        pg.dispose()


def test_candidates_are_the_rarest_lexemes_within_the_pool() -> None:
    frequencies = {"common": 9000, "rare": 3, "mid": 400, "other": 1200}
    assert _candidate_lexemes(frequencies, 2000) == ["rare", "mid", "other"]
    assert _candidate_lexemes(frequencies, 100) == ["rare"]
    # The rarest is always a candidate, even when it alone exceeds the pool.
    assert _candidate_lexemes({"w": 5000}, 100) == ["w"]
    # Only common words: rows with the two rarest first (AND), then the rarest one's (OR).
    assert _candidate_queries({"cost": 9000, "cloud": 4000, "data": 6000}, 100) == [
        "'cloud' & 'data'",
        "'cloud'",
    ]
    assert _candidate_queries(frequencies, 2000) == ["'rare' | 'mid' | 'other'"]


def test_bounded_pool_still_ranks_the_rare_match_first(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("the candidate pool is the PostgreSQL index's")
    import podium.storage._pg_keyword as pk

    monkeypatch.setattr(pk, "_MIN_POOL", 5)
    monkeypatch.setattr(pk, "_MAX_POOL", 5)
    rows = [(i, "kb", f"patients were studied in cohort {i}") for i in range(1, 60)]
    rows.append((100, "kb", "patients with zebrafish mutations were studied"))
    with db.begin() as conn:
        keyword_index(db, "chunks").add(conn, rows)
    # Only the rarest word's rows are candidates (the common words' 59 rows would overflow the
    # pool), and they are scored on every query word.
    found = _search(db, "zebrafish patients studied", ["kb"], limit=10)
    assert [rid for rid, _ in found] == [100]
    assert found[0][1] > max(score for _, score in _search(db, "zebrafish", ["kb"]))


def test_fold_removes_diacritics() -> None:
    assert fold("Café Ångström") == "cafe angstrom"


def test_large_table_takes_common_frequencies_from_planner_statistics(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import podium.storage._pg_keyword as pk

    db = Database(pg_url)
    try:
        rows = [(i, "kb", f"patients were studied in cohort {i}") for i in range(1, 200)]
        rows.append((500, "kb", "patients with zebrafish mutations were studied"))
        index = keyword_index(db, "chunks")
        with db.begin() as conn:
            index.add(conn, rows)
            conn.exec_driver_sql("ANALYZE fts_chunks")
        # As if the table were large: estimates instead of counts, "patient" is common.
        monkeypatch.setattr(pk, "_EXACT_ROWS", 50)
        monkeypatch.setattr(pk, "_DF_CAP", 10)
        with db.connect() as conn:
            assert isinstance(index, pk.PostgresKeywordIndex)
            n_rows, _, exact = index._stats(conn)
            frequencies = index._frequencies(conn, ["patient", "zebrafish"], exact)
            found = index.search(conn, ["kb"], "zebrafish patients", 5)
        assert (n_rows, exact) == (200, False)
        assert frequencies["zebrafish"] == 1 and 150 <= frequencies["patient"] <= 250
        assert found[0][0] == 500
    finally:
        db.dispose()
