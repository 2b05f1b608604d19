"""Processes check the schema revision at start; only ``podium migrate`` (or SQLite) migrates.

Issue 14: on PostgreSQL every gateway and worker refuses a schema behind this Podium, naming
the revision it found, the one it needs and what to run, instead of migrating at start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from podium.config import Settings
from podium.errors import ConfigurationError
from podium.storage import Database
from podium.storage._database import head_revision


def test_the_head_is_the_newest_shipped_revision() -> None:
    versions = Path(__file__).parents[2] / "src" / "podium" / "storage" / "migrations" / "versions"
    newest = max(path.name.split("_", 1)[0] for path in versions.glob("*.py"))
    assert head_revision() == newest


def test_an_empty_database_is_refused_with_what_to_run(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    assert db.schema_revision() is None
    with pytest.raises(ConfigurationError) as caught:
        db.check_schema()
    message = caught.value.message
    assert "database schema is at none" in message
    assert f"this Podium needs {head_revision()}" in message
    assert "run `podium migrate`" in message
    assert db.schema_revision() is None  # checking changed nothing
    db.dispose()


def test_an_older_revision_is_refused_and_migrate_brings_it_to_head(tmp_path: Path) -> None:
    from alembic import command

    from podium.storage._database import _alembic_config

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    config = _alembic_config()
    with db.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        conn.commit()
    assert db.schema_revision() == "0003"
    with pytest.raises(ConfigurationError, match=rf"schema is at 0003 .*needs {head_revision()}"):
        db.ensure_schema(auto_migrate=False)
    db.ensure_schema(auto_migrate=True)
    assert db.schema_revision() == head_revision()
    db.check_schema()
    db.dispose()


def test_a_revision_from_a_newer_podium_is_refused(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'new.db'}")
    db.migrate()
    with db.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0999'"))
    with pytest.raises(ConfigurationError, match="a newer Podium migrated it"):
        db.check_schema()
    db.dispose()


def test_processes_migrate_at_start_on_sqlite_only_by_default(tmp_path: Path) -> None:
    assert Settings(home=tmp_path).migrates_at_start
    pg = "postgresql+psycopg://u:p@db/podium"
    assert not Settings(home=tmp_path, database_url=pg).migrates_at_start
    assert Settings(home=tmp_path, database_url=pg, auto_migrate=True).migrates_at_start
    assert not Settings(home=tmp_path, auto_migrate=False).migrates_at_start
    env = Settings(home=tmp_path, auto_migrate=False).to_env()
    assert env["PODIUM_AUTO_MIGRATE"] == "false"
    assert "PODIUM_AUTO_MIGRATE" not in Settings(home=tmp_path).to_env()


def test_on_postgresql_opening_refuses_an_empty_database(
    postgres_server: Any, tmp_path: Path
) -> None:
    import podium
    from podium.runtime._owners import SessionOwners

    url = postgres_server.create_database(migrated=False)
    settings = Settings(home=tmp_path / "home", database_url=url)
    try:
        with pytest.raises(ConfigurationError, match="run `podium migrate`"):
            podium.open(database_url=url, start_worker=False)
        with pytest.raises(ConfigurationError, match="database schema is at none"):
            SessionOwners(settings).open()  # what a gateway does at start
        db = Database(url)
        assert db.schema_revision() is None  # refused, and nothing was created
        # PODIUM_AUTO_MIGRATE=true (development) migrates at start, as SQLite does.
        SessionOwners(settings.replace(auto_migrate=True)).open()
        assert db.schema_revision() == head_revision()
        SessionOwners(settings).open()
        db.dispose()
    finally:
        postgres_server.drop_database(url)
