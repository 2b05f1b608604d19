"""Migrations 0008-0009 on PostgreSQL: keyword tables, and embeddings converted both ways."""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from podium.storage import Database
from podium.storage._database import _MIGRATIONS


def _alembic(db: Database, verb: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, verb)(config, revision)


def test_embeddings_survive_0009_up_and_down(postgres_server: Any) -> None:
    url = postgres_server.create_database(migrated=False)
    db = Database(url)
    vector = np.random.default_rng(1).standard_normal(8).astype(np.float32)
    try:
        _alembic(db, "upgrade", "0008")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO knowledge_bases VALUES ('kb', 'k', '', 'm', 8, '{}', NULL, 0, 0, 0)"
            )
            conn.exec_driver_sql(
                "INSERT INTO documents (id, kb_id, uri, content_hash, metadata, chunk_count, "
                "updated_at) VALUES (1, 'kb', 'u', 'h', '{}', 1, 0)"
            )
            conn.execute(
                sa.text(
                    "INSERT INTO chunks (id, kb_id, document_id, ordinal, text, token_count, "
                    "searchable, metadata, embedding) VALUES (1, 'kb', 1, 0, 't', 1, true, '{}', :e)"
                ),
                {"e": vector.tobytes()},
            )
        _alembic(db, "upgrade", "head")
        with db.engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT embedding::text FROM chunks").scalar()
            indexes = set(
                conn.exec_driver_sql(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'chunks'"
                ).scalars()
            )
        assert np.array_equal(np.array(stored[1:-1].split(","), dtype=np.float32), vector)
        assert "ix_chunks_embedding_hnsw_8" in indexes
        _alembic(db, "downgrade", "0008")
        with db.engine.connect() as conn:
            back = conn.exec_driver_sql("SELECT embedding FROM chunks").scalar()
        assert bytes(back) == vector.tobytes()
        _alembic(db, "downgrade", "0007")
        with db.engine.connect() as conn:
            left = conn.exec_driver_sql("SELECT to_regclass('fts_chunks') IS NULL").scalar()
        assert left is True
    finally:
        db.dispose()
        postgres_server.drop_database(url)
