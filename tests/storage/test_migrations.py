"""The frozen migrations create exactly the schema the code declares, and nothing imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import podium.memory._tables  # noqa: F401  (registers the memory tables in the shared metadata)
from podium.storage import Database
from podium.storage._schema import metadata

VERSIONS = Path(__file__).parents[2] / "src" / "podium" / "storage" / "migrations" / "versions"


def test_migrated_schema_matches_the_declared_tables(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    db.migrate()
    with db.engine.connect() as conn:
        # FTS5 virtual tables (and their shadow tables) are raw DDL, not declared tables.
        context = MigrationContext.configure(
            conn,
            opts={"include_name": lambda name, kind, _parent: not str(name).startswith("fts_")},
        )
        diffs = compare_metadata(context, metadata)
        tables = set(sa.inspect(conn).get_table_names())
    db.dispose()
    assert diffs == []
    assert {"fts_chunks", "fts_events", "fts_records"} <= tables


def test_migrations_do_not_import_live_tables() -> None:
    for path in sorted(VERSIONS.glob("*.py")):
        tree = ast.parse(path.read_text())
        imported = [
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ] + [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
        assert not [m for m in imported if m.startswith("podium")], path.name
