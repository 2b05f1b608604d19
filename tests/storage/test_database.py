"""The SQL engine: error translation at the storage boundary."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import exc

from podium.config import Settings
from podium.errors import ConfigurationError, Conflict, StorageError
from podium.knowledge import KnowledgeService
from podium.storage import Database, storage_errors


def test_forgetting_migrate_says_what_to_run(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    settings.ensure_home()
    db = Database(settings.resolved_database_url)
    try:
        knowledge = KnowledgeService(db, settings)
        with pytest.raises(ConfigurationError, match=r"Database\.migrate\(\)") as info:
            knowledge.list()
        message = info.value.message
        assert "no Podium schema" in message and "knowledge_bases" in message
        assert str(tmp_path / "home") in message  # names the database
        db.migrate()
        assert knowledge.list() == []
    finally:
        db.dispose()


class _UndefinedTable(Exception):
    """Stands in for psycopg's UndefinedTable: only the SQLSTATE matters."""

    sqlstate = "42P01"


def test_postgresql_undefined_table_is_translated_and_hides_the_password() -> None:
    url = "postgresql+psycopg://podium:s3cret@db.internal/podium"
    with pytest.raises(ConfigurationError, match="migrate") as info, storage_errors(url):
        raise exc.ProgrammingError("SELECT 1", {}, _UndefinedTable('relation "x" does not exist'))
    assert "s3cret" not in info.value.message
    assert "db.internal/podium" in info.value.message


def test_other_errors_keep_their_translation(db: Database) -> None:
    with pytest.raises(StorageError, match="syntax error"), db.connect() as conn:
        conn.execute(sa.text("SELEC 1"))
    with db.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
    with pytest.raises(Conflict, match=r"(?i)unique"), db.begin() as conn:
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))


def test_a_database_error_names_the_fault_but_not_the_sql_or_its_parameters(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from podium.errors import StorageError
    from podium.storage import storage_errors

    db = Database(f"sqlite:///{tmp_path / 'e.db'}")
    try:
        with pytest.raises(StorageError) as raised, storage_errors(), db.engine.connect() as conn:
            conn.execute(
                sa.text("SELECT secret_column FROM sqlite_master WHERE name = :v"),
                {"v": "private text"},
            )
    finally:
        db.dispose()
    message = raised.value.message
    assert "no such column" in message
    assert "private text" not in message and "SELECT" not in message
