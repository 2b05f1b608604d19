"""FTS5 keyword indexes stay readable however often they are optimised, and heal when not.

SQLite only (its own database fixture): FTS5 segment structure has no PostgreSQL counterpart.

Found by the soak: SQLite before 3.43 adds a level to an FTS5 structure on every 'optimize'
that follows a write, and reads more than 2,000 levels as corrupt. Forget-me optimises the
memory indexes, so ~1,300 of them made ``fts_events`` unreadable for every later chat turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from podium.config import Settings
from podium.memory import MemoryService
from podium.storage import Database
from podium.storage._keyword import SqliteFtsIndex, structure_levels


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'fts.db'}")
    db.migrate()
    yield db
    db.dispose()


def _count(db: Database, table: str, term: str) -> int:
    with db.connect() as conn:
        return conn.exec_driver_sql(
            f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (f'text:"{term}"',)
        ).scalar_one()


def test_optimize_after_every_write_keeps_the_structure_bounded(database: Database) -> None:
    index = SqliteFtsIndex("chunks")
    for n in range(1_400):  # the unguarded optimize breaks the table after ~1,300
        with database.begin() as conn:
            index.add(conn, [(n + 1, "kb", f"quokka session {n}")])
            index.optimize(conn)
    with database.connect() as conn:
        assert structure_levels(conn, index.table) <= 65
        assert len(index.search(conn, ["kb"], "quokka", 2_000)) == 1_400


def test_forget_me_many_times_keeps_the_event_index_readable(
    database: Database, settings: Settings
) -> None:
    service = MemoryService(database, settings)
    memory = service.create_memory("soak")
    msg = {"conversational": {"role": "USER", "content": {"text": "wombat keynote"}}}
    for n in range(100):
        # Enough writes between forget-mes that FTS5's automerge fills a second level.
        for _ in range(6):
            service.create_event(memory.memory_id, "keeper", "s", [msg])
        service.create_event(memory.memory_id, f"visitor{n}", "s", [msg])
        service.delete_actor(memory.memory_id, f"visitor{n}")
    with database.connect() as conn:
        # Unguarded, each forget-me here adds two levels once automerge has run (~140).
        assert structure_levels(conn, "fts_events") <= 65
    assert _count(database, "fts_events", "wombat") == 600


def _corrupt_with_raw_optimize(db: Database, table: str) -> int:
    """Drive the SQLite bug directly until the table cannot be read."""
    for n in range(5_000):
        with db.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO {table}(rowid, text, scope) VALUES (?, ?, 'skb')",
                (n + 1, f"pangolin row {n}"),
            )
            conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        try:
            _count(db, table, "pangolin")
        except Exception:
            return n + 1
    pytest.fail("the FTS5 structure never became unreadable")


def test_migrate_rebuilds_an_unreadable_index_from_its_rows(database: Database) -> None:
    rows = _corrupt_with_raw_optimize(database, "fts_chunks")
    with pytest.raises(Exception, match=r"vtable constructor failed|malformed"):
        _count(database, "fts_chunks", "pangolin")
    database.migrate()  # every process migrates at start, so a restart heals the index
    assert _count(database, "fts_chunks", "pangolin") == rows
    with database.connect() as conn:
        assert structure_levels(conn, "fts_chunks") == 1
        # FTS5's own check raises on a corrupt index.
        conn.exec_driver_sql("INSERT INTO fts_chunks(fts_chunks) VALUES ('integrity-check')")
    # Healthy indexes are left alone.
    with database.connect() as conn:
        before = conn.exec_driver_sql("SELECT block FROM fts_chunks_data WHERE id = 10").scalar()
    database.migrate()
    with database.connect() as conn:
        after = conn.exec_driver_sql("SELECT block FROM fts_chunks_data WHERE id = 10").scalar()
    assert before == after
