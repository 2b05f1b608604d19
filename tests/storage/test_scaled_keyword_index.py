"""The auto keyword engine of knowledge-base chunks: FTS5 for small scopes, tantivy for big ones."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_keyword_index import CORPUS, QUERIES
from test_tantivy_index import _run

from podium.storage import (
    Database,
    ScaledKeywordIndex,
    SqliteFtsIndex,
    TantivyKeywordIndex,
    _tantivy,
    index_folder,
    keyword_index,
)

pytestmark = pytest.mark.skipif(not _tantivy.tantivy_available(), reason="tantivy not installed")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    _tantivy._stores.clear()
    _tantivy._no_log.clear()
    database = Database(f"sqlite:///{tmp_path / 'podium.db'}")
    database.migrate()
    yield database
    database.dispose()
    _tantivy._stores.clear()
    _tantivy._no_log.clear()


def _folder(db: Database) -> Path:
    return index_folder(Path(db.engine.url.database or ""))


def test_engine_setting_picks_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PODIUM_KEYWORD_ENGINE", raising=False)
    # auto (the default): chunks scale, the memory indexes keep FTS5.
    assert type(keyword_index("sqlite", "chunks", scaled_at=10)) is ScaledKeywordIndex
    assert type(keyword_index("sqlite", "events")) is SqliteFtsIndex
    monkeypatch.setenv("PODIUM_KEYWORD_ENGINE", "fts5")
    assert type(keyword_index("sqlite", "chunks", scaled_at=10)) is SqliteFtsIndex
    monkeypatch.setenv("PODIUM_KEYWORD_ENGINE", "tantivy")
    assert type(keyword_index("sqlite", "chunks", scaled_at=10)) is TantivyKeywordIndex


def test_small_scopes_stay_on_fts5_without_any_tantivy_work(sqlite_db: Database) -> None:
    index = ScaledKeywordIndex("chunks", threshold=1000)
    with sqlite_db.begin() as conn:
        index.add(conn, CORPUS)
    assert index.for_size(999) is index.fts
    with sqlite_db.connect() as conn:
        for query in QUERIES:
            mine = index.for_size(len(CORPUS)).search(conn, ["kb-a"], query, 3)
            assert mine == SqliteFtsIndex("chunks").search(conn, ["kb-a"], query, 3)
        store = _tantivy._store_for(conn, "chunks")
    # Lazy: the writes were logged, but nothing built a tantivy index beside the database.
    assert store is not None and not store.wanted
    assert not (_folder(sqlite_db) / "chunks" / "state.json").exists()


def test_big_scopes_go_to_tantivy_and_later_writes_follow(sqlite_db: Database) -> None:
    index = ScaledKeywordIndex("chunks", threshold=3)
    with sqlite_db.begin() as conn:
        index.add(conn, CORPUS)
    big = index.for_size(len(CORPUS))
    assert big is index.tantivy
    with sqlite_db.connect() as conn:
        assert index.tantivy.sync(conn)  # the first big search would schedule this build
        store = _tantivy._store_for(conn, "chunks")
        assert store is not None
        found = store.search(conn, ["kb-a"], "kafka", 5)
    assert found is not None and {r for r, _ in found} == {1, 4}
    # A write after the index is in use: logged and applied, so tantivy never goes stale.
    with sqlite_db.begin() as conn:
        index.add(conn, [(8, "kb-a", "kafka quokka")])
    with sqlite_db.connect() as conn:
        assert index.tantivy.sync(conn)
        found = store.search(conn, ["kb-a"], "quokka", 5)
        assert found is not None and [r for r, _ in found] == [8]
        assert {r for r, _ in big.search(conn, ["kb-a"], "kafka", 5)} == {1, 4, 8}


def test_scope_filter_left_out_only_when_every_document_is_in_scope(sqlite_db: Database) -> None:
    from podium.storage._tantivy_query import SearcherView

    index = TantivyKeywordIndex("chunks")
    only_a = [(rid, "kb-a", text) for rid, scope, text in CORPUS if scope == "kb-a"]
    with sqlite_db.begin() as conn:
        index.add(conn, only_a)

    def tantivy_ids(scopes: list[str], query: str) -> list[int]:
        with sqlite_db.connect() as conn:
            assert index.sync(conn)
            store = _tantivy._store_for(conn, "chunks")
            assert store is not None
            found = store.search(conn, scopes, query, 10)
        assert found is not None
        return [r for r, _ in found]

    def covered(scopes: list[str]) -> bool:
        with sqlite_db.connect() as conn:
            store = _tantivy._store_for(conn, "chunks")
        assert store is not None and isinstance(store._view, SearcherView)
        return any(store._view._covers.values())

    assert set(tantivy_ids(["kb-a"], "kafka")) == {1, 4}
    assert covered(["kb-a"])  # one KB in the index: no filter, same hits
    with sqlite_db.begin() as conn:
        index.add(conn, [(50, "kb-b", "kafka elsewhere")])
    # Another scope arrived: the filter is back, nothing of kb-b leaks into kb-a's results.
    assert set(tantivy_ids(["kb-a"], "kafka")) == {1, 4}
    assert not covered(["kb-a"])
    assert tantivy_ids(["kb-b"], "kafka") == [50]
    # kb-a's rows deleted (their postings linger until a merge): kb-b alone is live again.
    with sqlite_db.begin() as conn:
        index.delete(conn, [rid for rid, _, _ in only_a])
    assert tantivy_ids(["kb-a"], "kafka") == []
    assert tantivy_ids(["kb-b"], "kafka") == [50]


def _log_lines(db: Database) -> list[tuple[int, str]]:
    with db.connect() as conn:
        rows = conn.exec_driver_sql("SELECT seq, name FROM fts_changes ORDER BY seq").all()
    return [(int(seq), name) for seq, name in rows]


def test_the_change_log_stays_small_while_no_index_needs_it(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_tantivy, "_PRUNE_EVERY", 10)
    index = ScaledKeywordIndex("chunks", threshold=1000)
    for start in range(0, 200, 5):  # 40 transactions of 5 rows, rows rewritten as they go
        with sqlite_db.begin() as conn:
            rows = [(start % 40 + i, "kb-a", f"kafka row {start + i}") for i in range(5)]
            index.delete(conn, [rid for rid, _, _ in rows])
            index.add(conn, rows)
    lines = _log_lines(sqlite_db)
    # 400 lines logged; those older than the last prune went, the origin line and newest stay.
    assert len(lines) < 40
    assert lines[0][1] == "*" and lines[-1][0] == 400 + 1
    assert not _folder(sqlite_db).exists()
    # The index built afterwards from the FTS5 rows holds exactly what SQL holds.
    with sqlite_db.connect() as conn:
        assert index.tantivy.sync(conn)
        store = _tantivy._store_for(conn, "chunks")
        assert store is not None
        found = store.search(conn, ["kb-a"], "kafka", 100)
        expected = index.fts.search(conn, ["kb-a"], "kafka", 100)
    assert found is not None and sorted(r for r, _ in found) == sorted(r for r, _ in expected)
    assert len(found) == 40
    # With an index in use, its lines are kept until it has applied them.
    with sqlite_db.begin() as conn:
        index.add(conn, [(500, "kb-a", "quokka")])
    assert _log_lines(sqlite_db)[-1][0] == 400 + 2


def test_the_change_log_is_kept_for_an_index_another_process_built(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_tantivy, "_PRUNE_EVERY", 1)
    index = ScaledKeywordIndex("chunks", threshold=1000)
    with sqlite_db.begin() as conn:
        index.add(conn, CORPUS)
    (_folder(sqlite_db) / "chunks").mkdir(parents=True)  # a build under way elsewhere
    before = len(_log_lines(sqlite_db))
    for rid in (90, 91):
        with sqlite_db.begin() as conn:
            index.add(conn, [(rid, "kb-a", "kafka")])
    assert len(_log_lines(sqlite_db)) == before + 2


_REWRITER = textwrap.dedent(
    """
    import sys, time
    from podium.storage import Database, ScaledKeywordIndex, _tantivy
    _tantivy._PRUNE_EVERY = 1  # prune at every transaction while no index folder exists
    db = Database(sys.argv[1])
    index = ScaledKeywordIndex("chunks", threshold=10**9)
    for n in range(0, 600, 10):  # 300 rows, each written twice: their count never changes
        rows = [((n + i) % 300, "kb-a", f"common word{n + i}") for i in range(10)]
        with db.begin() as conn:
            index.delete(conn, [rid for rid, _, _ in rows])
            index.add(conn, rows)
        print(n + 10, flush=True)
        time.sleep(0.02)  # still writing while the other process builds
    """
)


def test_a_first_build_beside_a_pruning_writer_loses_no_change(sqlite_db: Database) -> None:
    # A second process rewrites rows, pruning the log as it goes, while this one builds the
    # index (slowly: 60,000 other rows to index). A row rewritten during the build and not
    # after must still have its newest text in tantivy (counts agree: no check would notice).
    index = TantivyKeywordIndex("chunks", lazy=True)
    with sqlite_db.begin() as conn:
        index.add(conn, [(10_000 + i, "kb-b", f"filler text {i}") for i in range(60_000)])
    proc = _run(_REWRITER, sqlite_db)
    assert proc.stdout is not None
    for line in proc.stdout:
        if int(line) == 350:
            with sqlite_db.connect() as conn:
                assert index.sync(conn)  # the first build, with the writer still going
    assert proc.wait(timeout=120) == 0
    with sqlite_db.connect() as conn:
        assert index.sync(conn)
        rows = conn.exec_driver_sql("SELECT rowid, text FROM fts_chunks WHERE rowid < 300").all()
        logged = conn.exec_driver_sql("SELECT count(*) FROM fts_changes").scalar()
        store = _tantivy._store_for(conn, "chunks")
        assert store is not None
        assert len(rows) == 300
        for rid, text in rows:
            found = store.search(conn, ["kb-a"], text.split()[1], 5)
            assert found is not None and [r for r, _ in found] == [rid], text
    # 61,200 lines were logged; those before the build were pruned as they came.
    assert logged is not None and logged < 61_200
