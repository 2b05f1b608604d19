"""The tantivy keyword index beside SQLite: FTS5's answers, scopes, deletes, crashes, rebuilds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# The corpus and queries FTS5 and PostgreSQL are held to.
from test_keyword_index import CORPUS, QUERIES

from podium.storage import Database, SqliteFtsIndex, TantivyKeywordIndex, _tantivy, index_folder

pytestmark = pytest.mark.skipif(not _tantivy.tantivy_available(), reason="tantivy not installed")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite file, with this process's view of its keyword indexes forgotten."""
    _forget_process_state()
    database = Database(f"sqlite:///{tmp_path / 'podium.db'}")
    database.migrate()
    yield database
    database.dispose()
    _forget_process_state()


def _forget_process_state() -> None:
    # What a new process starts with: no open index, nothing verified, and no catch-up thread
    # of the old "process" still writing to the folder (as there is none after a real exit).
    for store in list(_tantivy._stores.values()):
        store.close()
        if store._thread is not None:
            store._thread.join(timeout=10)
    _tantivy._stores.clear()
    _tantivy._no_log.clear()


def _file(db: Database) -> Path:
    return Path(db.engine.url.database or "")


def _tantivy_search(
    db: Database, query: str, scopes: list[str], limit: int = 10
) -> list[tuple[int, float]]:
    """Tantivy's own answer, after applying every committed change (never FTS5's)."""
    index = TantivyKeywordIndex("chunks")
    with db.connect() as conn:
        assert index.sync(conn)
        store = _tantivy._store_for(conn, "chunks")
        assert store is not None
        found = store.search(conn, scopes, query, limit)
    assert found is not None, "tantivy did not answer"
    return found


def _fts_search(db: Database, query: str, scopes: list[str], limit: int = 10) -> list[int]:
    with db.connect() as conn:
        return [rid for rid, _ in SqliteFtsIndex("chunks").search(conn, scopes, query, limit)]


def _add(db: Database, items: list[tuple[int, str, str]]) -> None:
    with db.begin() as conn:
        TantivyKeywordIndex("chunks").add(conn, items)


def test_same_top_k_as_fts5(sqlite_db: Database) -> None:
    _add(sqlite_db, CORPUS)
    for query in QUERIES:
        mine = _tantivy_search(sqlite_db, query, ["kb-a"], 3)
        theirs = _fts_search(sqlite_db, query, ["kb-a"], 3)
        assert {rid for rid, _ in mine} == set(theirs), query
        assert mine[0][0] == theirs[0], query
        assert all(score > 0 for _, score in mine)
        assert [s for _, s in mine] == sorted((s for _, s in mine), reverse=True)


def test_scopes_deletes_and_stopwords(sqlite_db: Database) -> None:
    _add(sqlite_db, CORPUS)
    assert {r for r, _ in _tantivy_search(sqlite_db, "stream", ["kb-a"])} == {1, 4}
    assert [r for r, _ in _tantivy_search(sqlite_db, "cafe", ["kb-a"])] == [6]
    assert [r for r, _ in _tantivy_search(sqlite_db, "kafka", ["kb-b"])] == [5]
    assert {r for r, _ in _tantivy_search(sqlite_db, "kafka", ["kb-a", "kb-b"])} == {1, 4, 5}
    assert (
        TantivyKeywordIndex("chunks").search(sqlite_db.engine.connect(), ["kb-a"], "the", 5) == []
    )
    index = TantivyKeywordIndex("chunks")
    with sqlite_db.begin() as conn:
        index.delete(conn, [1])
        index.delete_scope(conn, "kb-b")
    assert {r for r, _ in _tantivy_search(sqlite_db, "kafka", ["kb-a", "kb-b"])} == {4}
    # A row deleted, then a new one with the same id: the new text only.
    with sqlite_db.begin() as conn:
        index.delete(conn, [4])
        index.add(conn, [(4, "kb-b", "zebra crossings")])
    assert _tantivy_search(sqlite_db, "kafka", ["kb-a", "kb-b"]) == []
    assert [r for r, _ in _tantivy_search(sqlite_db, "zebra", ["kb-b"])] == [4]


def test_writer_sees_its_uncommitted_rows_and_readers_never_stale(sqlite_db: Database) -> None:
    _add(sqlite_db, CORPUS)
    _tantivy_search(sqlite_db, "kafka", ["kb-a"])
    index = TantivyKeywordIndex("chunks")
    with sqlite_db.begin() as conn:
        index.add(conn, [(8, "kb-a", "okapi migrations")])
        assert [r for r, _ in index.search(conn, ["kb-a"], "okapi", 5)] == [8]
    # Committed but not applied yet: FTS5 answers, so the row is found all the same.
    with sqlite_db.connect() as conn:
        assert [r for r, _ in index.search(conn, ["kb-a"], "okapi", 5)] == [8]
    assert [r for r, _ in _tantivy_search(sqlite_db, "okapi", ["kb-a"])] == [8]


def test_background_catch_up_after_commit(sqlite_db: Database) -> None:
    _add(sqlite_db, CORPUS)
    index = TantivyKeywordIndex("chunks")
    deadline = time.monotonic() + 10
    while True:
        with sqlite_db.connect() as conn:
            store = _tantivy._store_for(conn, "chunks")
            assert store is not None
            found = store.search(conn, ["kb-a"], "kafka", 5)
        if found is not None or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert found is not None and {r for r, _ in found} == {1, 4}
    with sqlite_db.connect() as conn:
        assert {r for r, _ in index.search(conn, ["kb-a"], "kafka", 5)} == {1, 4}


def test_folder_deleted_is_rebuilt(sqlite_db: Database) -> None:
    _add(sqlite_db, CORPUS)
    _tantivy_search(sqlite_db, "kafka", ["kb-a"])
    folder = index_folder(_file(sqlite_db))
    assert folder.stat().st_mode & 0o777 == 0o700
    import shutil

    shutil.rmtree(folder)
    _forget_process_state()
    assert {r for r, _ in _tantivy_search(sqlite_db, "kafka", ["kb-a"])} == {1, 4}
    assert (folder / "chunks" / "index" / "meta.json").exists()


def test_index_of_another_database_or_version_is_rebuilt(sqlite_db: Database) -> None:
    _add(sqlite_db, CORPUS)
    _tantivy_search(sqlite_db, "kafka", ["kb-a"])
    state = index_folder(_file(sqlite_db)) / "chunks" / "state.json"
    state.write_text(state.read_text().replace('"version": 1', '"version": 0'))
    with sqlite_db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM fts_chunks WHERE rowid = 4")  # behind the log's back
    _forget_process_state()
    assert {r for r, _ in _tantivy_search(sqlite_db, "kafka", ["kb-a"])} == {1}


def test_count_mismatch_at_open_rebuilds(sqlite_db: Database) -> None:
    _add(sqlite_db, CORPUS)
    _tantivy_search(sqlite_db, "kafka", ["kb-a"])
    with sqlite_db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM fts_chunks WHERE rowid = 4")
    _forget_process_state()
    assert {r for r, _ in _tantivy_search(sqlite_db, "kafka", ["kb-a"])} == {1}


def test_optimize_removes_deleted_terms_from_disk(sqlite_db: Database) -> None:
    _add(sqlite_db, [*CORPUS, (9, "kb-a", "xylophonist secrets")])
    _tantivy_search(sqlite_db, "kafka", ["kb-a"])
    index = TantivyKeywordIndex("chunks")
    with sqlite_db.begin() as conn:
        index.delete(conn, [9])
        index.optimize(conn)
    assert _tantivy_search(sqlite_db, "xylophonist", ["kb-a"]) == []
    files = (index_folder(_file(sqlite_db)) / "chunks" / "index").iterdir()
    assert not any(b"xylophon" in f.read_bytes() for f in files if f.is_file())


_INGEST = textwrap.dedent(
    """
    import sys
    from podium.storage import Database, TantivyKeywordIndex
    db = Database(sys.argv[1])
    index = TantivyKeywordIndex("chunks")
    n = 0
    while True:
        with db.begin() as conn:
            index.add(conn, [(n + i, "kb", f"common word{n + i} text") for i in range(50)])
        n += 50
        print(n, flush=True)
        if n % 500 == 0:
            with db.connect() as conn:
                index.sync(conn)
    """
)


def _run(script: str, db: Database) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    return subprocess.Popen(
        [sys.executable, "-c", script, str(db.url)], stdout=subprocess.PIPE, text=True, env=env
    )


def test_kill_9_during_ingestion_then_reopen(sqlite_db: Database) -> None:
    proc = _run(_INGEST, sqlite_db)
    assert proc.stdout is not None
    for line in proc.stdout:
        if int(line) >= 1500:
            break
    time.sleep(0.3)  # into a later batch, a catch-up, or the background thread's commit
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _forget_process_state()
    with sqlite_db.connect() as conn:
        committed = {r for (r,) in conn.exec_driver_sql("SELECT rowid FROM fts_chunks")}
    assert len(committed) >= 1500
    found = _tantivy_search(sqlite_db, "common text", ["kb"], limit=len(committed) + 100)
    assert {r for r, _ in found} == committed


_OTHER_WRITER = textwrap.dedent(
    """
    import sys
    from podium.storage import Database, TantivyKeywordIndex
    db = Database(sys.argv[1])
    index = TantivyKeywordIndex("chunks")
    with db.begin() as conn:
        index.add(conn, [(100, "kb-a", "quokka from another process")])
    with db.connect() as conn:
        index.sync(conn)
    """
)


def test_search_follows_another_process_commits(sqlite_db: Database) -> None:
    _add(sqlite_db, CORPUS)
    _tantivy_search(sqlite_db, "kafka", ["kb-a"])
    proc = _run(_OTHER_WRITER, sqlite_db)
    assert proc.wait(timeout=60) == 0
    with sqlite_db.connect() as conn:
        store = _tantivy._store_for(conn, "chunks")
        assert store is not None
        # No catch-up of its own: it reloads the searcher the other process committed.
        found = store.search(conn, ["kb-a"], "quokka", 5)
    assert found is not None and [r for r, _ in found] == [100]


def test_fts5_setting_and_in_memory_database(monkeypatch: pytest.MonkeyPatch) -> None:
    from podium.storage import keyword_index, sqlite_keyword_engine

    monkeypatch.setenv("PODIUM_KEYWORD_ENGINE", "fts5")
    assert sqlite_keyword_engine() == "fts5"
    assert type(keyword_index("sqlite", "chunks")) is SqliteFtsIndex
    monkeypatch.setenv("PODIUM_KEYWORD_ENGINE", "tantivy")
    assert type(keyword_index("sqlite", "chunks")) is TantivyKeywordIndex
    memory = Database("sqlite://")
    memory.migrate()
    index = TantivyKeywordIndex("chunks")
    with memory.begin() as conn:
        index.add(conn, CORPUS)
    with memory.connect() as conn:
        assert not index.sync(conn)
        assert {r for r, _ in index.search(conn, ["kb-a"], "kafka", 5)} == {1, 4}
    memory.dispose()


def test_folder_deleted_under_a_running_process(sqlite_db: Database) -> None:
    _add(sqlite_db, CORPUS)
    _tantivy_search(sqlite_db, "kafka", ["kb-a"])
    import shutil

    shutil.rmtree(index_folder(_file(sqlite_db)))
    _add(sqlite_db, [(8, "kb-a", "kafka again")])
    index = TantivyKeywordIndex("chunks")
    with sqlite_db.connect() as conn:
        # Behind, and its files gone: FTS5 answers.
        assert {r for r, _ in index.search(conn, ["kb-a"], "kafka", 5)} == {1, 4, 8}
    assert {r for r, _ in _tantivy_search(sqlite_db, "kafka", ["kb-a"])} == {1, 4, 8}


def test_sync_inside_the_writing_transaction_is_refused(sqlite_db: Database) -> None:
    index = TantivyKeywordIndex("chunks")
    with sqlite_db.begin() as conn:
        index.add(conn, CORPUS)
        assert not index.sync(conn)
