"""``backup_database`` / ``restore_database``: consistent backups taken while events are written."""

from __future__ import annotations

import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import podium
from fixtures.transfer import EVENT_QUERY, KB_QUERY, dump, fts_rows
from podium.config import Settings
from podium.errors import Conflict, InvalidInput, NotFound, StorageError
from podium.memory import MemoryService
from podium.storage import Database
from podium.transfer import backup_database, copy_database, restore_database


@contextmanager
def writing_events(url: str, home: Path, memory_id: str) -> Iterator[list[int]]:
    """A thread creating events through the memory service until the block ends; its count."""
    written = [0]
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            # The memory service alone: it runs on PostgreSQL too (the knowledge service needs
            # PostgreSQL keyword search, which may not exist yet).
            db = Database(url)
            memory = MemoryService(db, Settings(home=home))
            try:
                while not stop.is_set():
                    memory.create_event(
                        memory_id, "writer", "live",
                        [{"conversational": {"role": "USER",
                                             "content": {"text": f"live note {written[0]}"}}}],
                    )  # fmt: skip
                    written[0] += 1
            finally:
                db.dispose()
        except BaseException as e:  # surfaced by the test below
            errors.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        while written[0] < 5 and thread.is_alive():
            stop.wait(0.01)
        yield written
    finally:
        stop.set()
        thread.join(30)
    assert not errors, errors
    assert written[0] >= 5


def _integrity(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        for name in ("fts_chunks", "fts_events", "fts_records"):
            conn.execute(f"INSERT INTO {name}({name}) VALUES ('integrity-check')")
        events = conn.execute("SELECT count(*) FROM events WHERE text != ''").fetchone()
        assert conn.execute("SELECT count(*) FROM fts_events").fetchone() == events
        # Every record the history says was added is there: the copy is of one moment.
        orphan = conn.execute(
            "SELECT count(*) FROM memory_record_history h "
            "LEFT JOIN memory_records r ON r.record_id = h.record_id "
            "WHERE h.operation = 'ADD' AND r.pk IS NULL"
        ).fetchone()
        assert orphan == (0,)


def test_sqlite_backup_while_writing_then_restore(
    source: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    src, ids = source
    out = tmp_path / "backups" / "podium-backup.db"
    with writing_events(src, tmp_path / "writer", ids["memory_id"]) as written:
        report = backup_database(src, out)
        during = written[0]
    assert report.format == "sqlite"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(out.parent.glob(".*.part"))
    _integrity(out)
    assert 0 < report.tables["events"] - 3 <= during + 1  # 3 events before the writer started
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    target = f"sqlite:///{tmp_path / 'restored' / 'podium.db'}"
    restored = restore_database(out, target)
    assert restored.ok, restored.as_json()
    assert {t.name: t.target for t in restored.tables}["events"] == report.tables["events"]
    _integrity(tmp_path / "restored" / "podium.db")
    with podium.open(tmp_path / "h", database_url=target, start_worker=False) as p:
        assert p.knowledge.get(ids["kb"]).retrieve(KB_QUERY, search_type="KEYWORD")

    with pytest.raises(Conflict, match="not empty"):
        restore_database(out, target)
    assert restore_database(out, target, force=True).ok
    with pytest.raises(Conflict, match="exists"):
        backup_database(src, out)
    assert backup_database(src, out, force=True).path == out


def test_postgres_archive_backup_while_writing_restores_anywhere(
    source: tuple[str, dict[str, str]], postgres_server: Any, tmp_path: Path
) -> None:
    src, ids = source
    pg = postgres_server.create_database(migrated=False)
    fresh = postgres_server.create_database(migrated=False)
    try:
        assert copy_database(src, pg).ok
        out = tmp_path / "pg.podium"
        with writing_events(pg, tmp_path / "writer", ids["memory_id"]):
            report = backup_database(pg, out)
        assert report.format == "archive"
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        assert report.tables["events"] > 3

        into_pg = restore_database(out, fresh)
        assert into_pg.ok and into_pg.format == "archive", into_pg.as_json()
        restored = dump(fresh)
        assert len(restored["events"]) == report.tables["events"]

        sqlite_target = tmp_path / "from-pg" / "podium.db"
        into_sqlite = restore_database(out, f"sqlite:///{sqlite_target}")
        assert into_sqlite.ok, into_sqlite.as_json()
        assert dump(f"sqlite:///{sqlite_target}") == restored
        _integrity(sqlite_target)
        assert fts_rows(f"sqlite:///{sqlite_target}")["fts_events"] == report.tables["events"]
        with podium.open(tmp_path / "h", database_url=f"sqlite:///{sqlite_target}",
                         start_worker=False) as p:  # fmt: skip
            hits = p.memory.search_events(ids["memory_id"], "alice", EVENT_QUERY)
            assert hits and "pangolins" in hits[0].text
        with pytest.raises(Conflict, match="not empty"):
            restore_database(out, fresh)
    finally:
        postgres_server.drop_database(pg)
        postgres_server.drop_database(fresh)


def test_a_sqlite_backup_restores_into_postgres(
    source: tuple[str, dict[str, str]], postgres_server: Any, tmp_path: Path
) -> None:
    src, _ = source
    out = tmp_path / "b.db"
    backup_database(src, out)
    pg = postgres_server.create_database(migrated=False)
    try:
        report = restore_database(out, pg)
        assert report.ok and report.format == "sqlite"
        assert dump(pg) == dump(src)
    finally:
        postgres_server.drop_database(pg)


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 't.db'}"
    with pytest.raises(NotFound):
        restore_database(tmp_path / "missing.db", target)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(InvalidInput, match="neither"):
        restore_database(junk, target)
    fake = tmp_path / "fake.podium"
    import zipfile

    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(InvalidInput, match="not a Podium archive"):
        restore_database(fake, target)


def test_a_damaged_archive_restores_nothing(
    source: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    import zipfile

    src, _ = source
    pg_like = tmp_path / "a.podium"
    # An archive (of a SQLite database here) to damage: one table's lines cut short.
    from podium.transfer._archive import write_archive
    from podium.transfer._copy import database_source

    with database_source(sa.make_url(src)) as s:
        write_archive(s, pg_like)
    damaged = tmp_path / "damaged.podium"
    with zipfile.ZipFile(pg_like) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "tables/events.jsonl":
                data = data.splitlines(keepends=True)[0]
            zout.writestr(item, data)
    target = tmp_path / "t.db"
    with pytest.raises(StorageError, match=r"table events gave 1 rows.*nothing was written"):
        restore_database(damaged, f"sqlite:///{target}")
    assert all(not rows for rows in dump(f"sqlite:///{target}").values())
