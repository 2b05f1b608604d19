"""The auto keyword engine of knowledge-base chunks: FTS5 for small scopes, tantivy for big ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_keyword_index import CORPUS, QUERIES

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
