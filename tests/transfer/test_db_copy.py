"""``copy_database``: SQLite → PostgreSQL → SQLite with every row, counter and keyword index."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import podium
from fixtures.transfer import EVENT_QUERY, KB_QUERY, RECORD_QUERY, dump, fts_rows
from podium.errors import ConfigurationError, Conflict, InvalidInput, NotFound
from podium.storage import Database
from podium.transfer import backup_database, copy_database, restore_database


def _sqlite_sequence(url: str) -> dict[str, int]:
    with sqlite3.connect(sa.make_url(url).database or "") as conn:
        return dict(conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall())


def _next_id(url: str, table: str, column: str) -> int:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text("SELECT nextval(pg_get_serial_sequence(:t, :c))"),
                    {"t": table, "c": column},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_sqlite_to_postgres_and_back_keeps_every_row(
    source: tuple[str, dict[str, str]], postgres_server: Any, tmp_path: Path
) -> None:
    src, ids = source
    pg = postgres_server.create_database(migrated=False)
    try:
        report = copy_database(src, pg, batch_size=2)  # several batches per table
        assert report.ok, report.as_json()
        counts = {t.name: t.target for t in report.tables}
        for name in ("knowledge_bases", "documents", "chunks", "events", "memory_records",
                     "memory_record_history", "access_keys", "ingestion_jobs"):  # fmt: skip
            assert counts[name] > 0, name
        assert "alembic_version" not in counts
        assert not any(name.startswith(("fts_", "kw_")) for name in counts)
        # PostgreSQL keyword search may not exist yet: then each index says it was skipped.
        assert {k.name for k in report.keyword_indexes} == {"chunks", "events", "records"}
        assert all(k.skipped or k.rows > 0 for k in report.keyword_indexes)
        original = dump(src)
        assert dump(pg) == original
        # The sequences moved past the copied ids, and past the deleted newest event too.
        assert _next_id(pg, "events", "pk") == _sqlite_sequence(src)["events"] + 1
        assert _next_id(pg, "chunks", "id") == max(r[0] for r in original["chunks"]) + 1

        back = f"sqlite:///{tmp_path / 'back' / 'podium.db'}"
        again = copy_database(pg, back)
        assert again.ok, again.as_json()
        assert dump(back) == original
        assert {k.name: k.rows for k in again.keyword_indexes} == {
            "chunks": fts_rows(src)["fts_chunks"],
            "events": fts_rows(src)["fts_events"],
            "records": fts_rows(src)["fts_records"],
        }
        assert fts_rows(back) == fts_rows(src)
        # The counter came back through PostgreSQL's sequence (one nextval above spent one).
        assert _sqlite_sequence(back)["events"] >= _sqlite_sequence(src)["events"]
    finally:
        postgres_server.drop_database(pg)

    # Keyword search finds things on the SQLite copy, through the services.
    with podium.open(tmp_path / "h2", database_url=back, start_worker=False) as p:
        kb = p.knowledge.get(ids["kb"])
        hits = kb.retrieve(KB_QUERY, search_type="KEYWORD")
        assert hits and "Zebras" in hits[0].text
        from podium.memory import _tables as mt

        with p.database.connect() as conn:
            assert mt.EVENTS_FTS.search(conn, [ids["memory_id"]], EVENT_QUERY, 5)
            assert mt.RECORDS_FTS.search(conn, [ids["memory_id"]], RECORD_QUERY, 5)
        event = p.memory.create_event(
            ids["memory_id"], "carol", "s9",
            [{"conversational": {"role": "USER", "content": {"text": "new after copy"}}}],
        )  # fmt: skip
        assert event.pk is not None and event.pk > _sqlite_sequence(src)["events"]


def test_a_target_with_rows_is_refused_unless_forced(
    source: tuple[str, dict[str, str]], pg_url: str
) -> None:
    src, _ = source
    assert copy_database(src, pg_url).ok
    before = dump(pg_url)
    with pytest.raises(Conflict, match=r"not empty.*--force"):
        copy_database(src, pg_url)
    assert dump(pg_url) == before
    forced = copy_database(src, pg_url, force=True)
    assert forced.ok
    assert dump(pg_url) == before  # replaced, not doubled


def test_sqlite_to_sqlite_with_force_rebuilds_the_keyword_indexes(
    source: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    src, _ = source
    target = f"sqlite:///{tmp_path / 't.db'}"
    assert copy_database(src, target).ok
    assert copy_database(src, target, force=True).ok
    assert fts_rows(target) == fts_rows(src)
    assert dump(target) == dump(src)
    # Byte for byte: JSON text as written (a JSON null stays apart from SQL NULL), blobs, floats.
    raw = {}
    for url in (src, target):
        with sqlite3.connect(sa.make_url(url).database or "") as conn:
            raw[url] = {
                name: conn.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall()
                for name in dump(src)
            }
    assert raw[target] == raw[src]


def test_a_source_at_another_revision_is_refused(
    source: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    src, _ = source
    path = sa.make_url(src).database or ""
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0004'")
    target = tmp_path / "t.db"
    with pytest.raises(ConfigurationError, match="revision 0004"):
        copy_database(src, f"sqlite:///{target}")
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM knowledge_bases").fetchone() == (0,)


def test_bad_urls_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 't.db'}"
    for url, error, message in (
        ("mysql://h/db", InvalidInput, "unsupported database 'mysql'"),
        ("not a url", InvalidInput, "not a database URL"),
        ("sqlite://", InvalidInput, "not in-memory"),
        ("postgresql+psycopg2://h/db", InvalidInput, "psycopg driver"),
        (f"sqlite:///{tmp_path / 'missing.db'}", NotFound, "no SQLite database"),
    ):
        with pytest.raises(error, match=message):
            copy_database(url, target)
    with pytest.raises(InvalidInput, match="same database"):
        copy_database(target, f"sqlite:///{tmp_path / '.' / 't.db'}")
    assert not (tmp_path / "t.db").exists()
    (tmp_path / "plain.db").write_bytes(b"not sqlite at all, just text")
    with pytest.raises(InvalidInput, match="not a SQLite database"):
        copy_database(f"sqlite:///{tmp_path / 'plain.db'}", target)
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE x (a)").connection.close()
    with pytest.raises(ConfigurationError, match="no Podium schema"):
        copy_database(f"sqlite:///{tmp_path / 'other.db'}", target)


def test_columns_of_the_target_backend_alone_are_left_to_the_database(
    source: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    # As a PostgreSQL-only search column would be: nullable, or generated from the row.
    src, _ = source
    target = f"sqlite:///{tmp_path / 't.db'}"
    db = Database(target)
    db.migrate()
    with db.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE chunks ADD COLUMN extra TEXT")
        conn.exec_driver_sql(
            "ALTER TABLE chunks ADD COLUMN shout TEXT GENERATED ALWAYS AS (upper(text)) VIRTUAL"
        )
    db.dispose()
    assert copy_database(src, target).ok
    with sqlite3.connect(tmp_path / "t.db") as conn:
        rows = conn.execute("SELECT extra, shout, text FROM chunks").fetchall()
    assert rows and all(e is None and s == t.upper() for e, s, t in rows)

    strict = f"sqlite:///{tmp_path / 'strict.db'}"
    db = Database(strict)
    db.migrate()
    with db.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE chunks ADD COLUMN must TEXT NOT NULL DEFAULT 'x'")
        conn.exec_driver_sql("CREATE TABLE probe (x int)")
    db.dispose()
    with pytest.raises(ConfigurationError, match=r"only in the target: \['probe'\]"):
        copy_database(src, strict)


def test_vectors_move_between_bytes_and_pgvector_columns(
    source: tuple[str, dict[str, str]], pg_url: str, tmp_path: Path
) -> None:
    # A PostgreSQL schema that keeps chunk embeddings in a pgvector column, as HNSW search needs.
    src, _ = source
    db = Database(pg_url)
    with db.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
        conn.exec_driver_sql("ALTER TABLE chunks DROP COLUMN embedding")
        conn.exec_driver_sql("ALTER TABLE chunks ADD COLUMN embedding vector(384)")
    db.dispose()
    assert copy_database(src, pg_url).ok
    engine = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT count(*) FROM chunks WHERE vector_dims(embedding) = 384"
        ).scalar_one()
    engine.dispose()
    original = dump(src)
    assert stored == sum(1 for row in original["chunks"] if row[-1] is not None) > 0

    back = f"sqlite:///{tmp_path / 'back.db'}"
    assert copy_database(pg_url, back).ok
    assert dump(back) == original  # float32 bytes, exactly
    archive = tmp_path / "pg.podium"
    backup_database(pg_url, archive)
    again = f"sqlite:///{tmp_path / 'again.db'}"
    assert restore_database(archive, again).ok
    assert dump(again) == original
