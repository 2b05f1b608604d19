"""The suite's PostgreSQL: the server starts, the migrations run on it, pgvector is there."""

from __future__ import annotations

import sqlalchemy as sa

from podium.storage import Database


def test_migrated_database_is_at_head_with_pgvector(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        assert db.dialect == "postgresql"
        db.migrate()  # idempotent on a database already at head
        with db.connect() as conn:
            head = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            available = conn.exec_driver_sql(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"
            ).scalar()
            tables = {
                r[0]
                for r in conn.execute(
                    sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
            }
        assert head is not None
        assert available == 1
        assert {"chunks", "events", "memory_records", "access_keys"} <= tables
    finally:
        db.dispose()


def test_each_test_gets_its_own_database(postgres_server: object, pg_url: str) -> None:
    other = postgres_server.create_database()  # type: ignore[attr-defined]
    try:
        assert other != pg_url
        first, second = Database(pg_url), Database(other)
        with first.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE probe (x int)")
        with second.connect() as conn:
            found = conn.exec_driver_sql("SELECT to_regclass('probe') IS NOT NULL").scalar()
        assert found is False
        first.dispose()
        second.dispose()
    finally:
        postgres_server.drop_database(other)  # type: ignore[attr-defined]
