"""Dense search on both backends: k rows under selective filters, the same order, pgvector HNSW."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from podium.config import Settings
from podium.embeddings import TestEmbedder
from podium.knowledge import KnowledgeBase, KnowledgeService
from podium.storage import Database, EmbeddingType, cosine_distance, dimension_is, schema


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A hashing embedder: vectors are what matters here, not their quality."""
    return Settings(home=tmp_path / "home", embedding_model=TestEmbedder().model_id)


def _kb(knowledge: KnowledgeService, n: int = 600) -> KnowledgeBase:
    kb = knowledge.create("vectors")
    words = ["kafka", "stream", "identity", "cluster", "dashboard", "policy", "token", "graph"]
    docs = [
        {
            "uri": f"doc-{i}",
            "text": f"{words[i % 8]} {words[(i * 3) % 8]} {words[(i * 5) % 7]} note {i}",
            "metadata": {"n": i, "rare": i % 50 == 0},
        }
        for i in range(n)
    ]
    kb.ingest_documents(docs)
    return kb


def test_selective_filter_still_returns_k_rows(knowledge: KnowledgeService) -> None:
    kb = _kb(knowledge)
    rare = {"equals": {"key": "rare", "value": True}}  # 12 of 600 rows
    for search_type in ("SEMANTIC", "HYBRID"):
        results = kb.retrieve("kafka stream", 10, search_type, filter=rare)
        assert len(results) == 10, search_type
        assert all(r.metadata["n"] % 50 == 0 for r in results)
    assert len(kb.retrieve("kafka stream", 20, "SEMANTIC", filter=rare)) == 12


def test_dense_ranking_is_the_exact_one(knowledge: KnowledgeService) -> None:
    """HNSW at this size finds the exact neighbours: the order SQLite's full scan gives."""
    kb = _kb(knowledge)
    embedder = TestEmbedder()
    with knowledge.db.connect() as conn:
        rows = conn.execute(
            sa.select(schema.chunks.c.id, schema.chunks.c.embedding).where(
                schema.chunks.c.kb_id == kb.id
            )
        ).all()
    ids = np.array([r[0] for r in rows])
    matrix = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    for query in ("identity policy", "graph token cluster"):
        scores = matrix @ embedder.embed([query], "query")[0]
        expected = [int(i) for i in ids[np.argsort(-scores, kind="stable")][:5]]
        got = [r.chunk_id for r in kb.retrieve(query, 5, "SEMANTIC")]
        # Ties may fall either way: compare the scores of the chunks found.
        by_id = dict(zip(ids.tolist(), scores.tolist(), strict=True))
        assert [round(by_id[c], 5) for c in got] == [round(by_id[c], 5) for c in expected]


def test_postgresql_uses_the_hnsw_index_and_keeps_vectors_exact(
    pg_url: str, tmp_path: Path
) -> None:
    db = Database(pg_url)
    knowledge = KnowledgeService(
        db, Settings(home=tmp_path / "h", embedding_model="podium/test-hash-48")
    )
    try:
        kb = _kb(knowledge, 200)
        c = schema.chunks
        query = np.ones(48, dtype=np.float32) / np.sqrt(48)
        distance = cosine_distance(c.c.embedding, 48, query)
        statement = (
            sa.select(c.c.id)
            .where(c.c.kb_id == kb.id, dimension_is(c.c.embedding, 48))
            .order_by(distance)
            .limit(5)
        )
        with db.begin() as conn:
            # Planner statistics, as autovacuum keeps them: without them a KB id looks selective
            # enough for the exact scan of its rows (which is also right for a small KB).
            conn.exec_driver_sql("ANALYZE chunks")
        with db.connect() as conn:
            indexes = set(
                conn.exec_driver_sql(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'chunks'"
                ).scalars()
            )
            compiled = statement.compile(dialect=conn.dialect)
            plan = "\n".join(
                r[0] for r in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
            )
            # float32 bytes in, the same bytes out (through pgvector's text form).
            blob = np.random.default_rng(3).standard_normal(48).astype(np.float32).tobytes()
            back = conn.execute(
                sa.select(sa.cast(sa.bindparam("v", blob, type_=EmbeddingType), EmbeddingType))
            ).scalar()
        assert "ix_chunks_embedding_hnsw_48" in indexes
        assert "ix_chunks_embedding_hnsw_48" in plan, plan
        assert back == blob
        assert kb.retrieve("kafka", 1, "SEMANTIC")
        # The search options were SET LOCAL: the pooled connection's next transaction has none.
        with db.connect() as conn:
            assert conn.exec_driver_sql("SHOW hnsw.iterative_scan").scalar() == "off"
    finally:
        db.dispose()
