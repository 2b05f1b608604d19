"""HYBRID fuses both rankers' real scores for every candidate, not a list minimum for misses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from podium.embeddings import TestEmbedder
from podium.knowledge import KnowledgeService
from podium.knowledge._retrieval import _both_scores, _hybrid

WORDS = [
    "kafka",
    "stream",
    "lambda",
    "cluster",
    "policy",
    "vector",
    "index",
    "search",
    "model",
    "cache",
    "queue",
    "table",
    "graph",
    "token",
    "window",
    "shard",
    "replica",
    "schema",
    "backup",
    "region",
    "latency",
    "budget",
    "alarm",
    "metric",
    "trace",
]


class _Vectors:
    """The one view method _both_scores reads: embeddings of given chunk ids."""

    def __init__(self, vectors: dict[int, np.ndarray]) -> None:
        self.vectors_by_id = vectors
        self.asked: list[list[int]] = []

    def vectors(self, conn: object, ids: Sequence[int]) -> dict[int, np.ndarray]:
        self.asked.append(list(ids))
        return {cid: self.vectors_by_id[cid] for cid in ids if cid in self.vectors_by_id}


def test_keyword_only_candidate_gets_its_real_cosine_not_the_dense_minimum() -> None:
    q = np.array([1.0, 0.0], dtype=np.float32)
    view = _Vectors({4: np.array([-0.6, 0.8], dtype=np.float32)})
    dense = {1: 0.9, 2: 0.8, 3: 0.7}
    keyword = {4: 12.0, 1: 5.0}
    both_dense, both_keyword = _both_scores(view, None, q, dense, keyword)  # type: ignore[arg-type]
    assert view.asked == [[4]]  # only the vectors of keyword-only candidates are read
    assert both_dense == {1: 0.9, 2: 0.8, 3: 0.7, 4: np.float32(-0.6)}
    # Dense-only candidates (outside the keyword top) score BM25 0, after the keyword ones.
    assert both_keyword == {4: 12.0, 1: 5.0, 2: 0.0, 3: 0.0}
    assert list(both_keyword) == [4, 1, 2, 3]
    assert dense == {1: 0.9, 2: 0.8, 3: 0.7}  # the inputs are left alone


def test_a_missing_vector_is_skipped_not_invented() -> None:
    q = np.array([1.0, 0.0], dtype=np.float32)
    dense, _ = _both_scores(_Vectors({}), None, q, {1: 0.5}, {9: 2.0})  # type: ignore[arg-type]
    assert dense == {1: 0.5}  # chunk 9 deleted meanwhile: it keeps the list minimum in fusion


def test_real_cosine_changes_the_order_a_minimum_would_give() -> None:
    # Chunk 4 leads BM25 but points away from the query. Imputing the dense list's minimum
    # (0.05) ranked it second; with its real cosine (-0.6) a chunk both rankers like passes it.
    q = np.array([1.0, 0.0], dtype=np.float32)
    view = _Vectors({4: np.array([-0.6, 0.8], dtype=np.float32)})
    dense = {1: 0.9, 2: 0.8, 3: 0.7, 5: 0.1, 6: 0.05}
    keyword = {4: 12.0, 1: 3.0, 2: 1.0, 3: 0.5}
    imputed = [cid for cid, _ in _hybrid(dense, keyword)]
    fused = _hybrid(*_both_scores(view, None, q, dense, keyword))  # type: ignore[arg-type]
    assert imputed[:3] == [1, 4, 2]
    assert [cid for cid, _ in fused][:3] == [1, 2, 4]
    assert all(0.0 < score < 1.0 for _, score in fused)


def _docs(count: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(7)
    return [
        {"uri": f"doc-{i}", "text": " ".join(rng.choice(WORDS, size=12)), "metadata": {}}
        for i in range(count)
    ]


def test_hybrid_equals_fusion_of_the_full_rankings_on_each_backend(
    knowledge: KnowledgeService,
) -> None:
    # 80 chunks and a pool of 50: some candidates are in one ranker's top 50 only.
    kb = knowledge.create(
        "fusion",
        embedding_model=TestEmbedder().model_id,  # deterministic; ranking quality not checked
        chunking={"strategy": "none"},
    )
    kb.ingest_documents(_docs(80))
    query = "kafka stream latency budget"
    semantic = kb.retrieve(query, number_of_results=100, search_type="SEMANTIC")
    keyword = kb.retrieve(query, number_of_results=100, search_type="KEYWORD")
    cosine = {r.chunk_id: r.score for r in semantic}
    bm25 = {r.chunk_id: r.score for r in keyword}
    dense_top = dict(list(cosine.items())[:50])
    keyword_top = dict(list(bm25.items())[:50])
    for cid in keyword_top:
        dense_top.setdefault(cid, cosine[cid])
    for cid in list(dense_top):
        keyword_top.setdefault(cid, 0.0)
    expected = _hybrid(dense_top, keyword_top)[:5]

    first = kb.retrieve(query, number_of_results=5, search_type="HYBRID")
    again = kb.retrieve(query, number_of_results=5, search_type="HYBRID")
    assert [r.chunk_id for r in first] == [r.chunk_id for r in again]  # deterministic
    assert [r.chunk_id for r in first] == [cid for cid, _ in expected]
    np.testing.assert_allclose([r.score for r in first], [s for _, s in expected], atol=1e-5)


def test_snapshot_metadata_is_parsed_once_per_distinct_text() -> None:
    from podium.knowledge._retrieval import _parsed

    seen: dict[str, object] = {}
    first = _parsed(seen, '{"level": 300, "topics": ["security"]}')
    assert first == {"level": 300, "topics": ["security"]}
    assert _parsed(seen, '{"level": 300, "topics": ["security"]}') is first
    assert _parsed(seen, '{"level": 200}') == {"level": 200}
    assert _parsed(seen, None) is None
    decoded = {"level": 100}  # a driver that decodes JSON itself: passed through
    assert _parsed(seen, decoded) is decoded


def test_chunks_of_one_document_keep_their_metadata_after_a_reload(tmp_path: Path) -> None:
    from podium.config import Settings
    from podium.storage import Database

    settings = Settings(home=tmp_path / "home", embedding_model=TestEmbedder().model_id)
    db = Database(settings.resolved_database_url)
    db.migrate()
    knowledge = KnowledgeService(db, settings)
    kb = knowledge.create(
        "meta", chunking={"strategy": "fixed_size", "max_tokens": 20, "overlap_percentage": 0}
    )
    long_text = " ".join(f"kafka stream word{i}" for i in range(60))
    kb.ingest_documents(
        [
            {"uri": "a", "text": long_text, "metadata": {"level": 300, "topics": ["data"]}},
            {"uri": "b", "text": "kafka basics", "metadata": {"level": 100}},
        ]
    )
    knowledge.snapshots.clear()
    hits = kb.retrieve("kafka", 10, filter={"equals": {"key": "level", "value": 300}})
    assert len(hits) > 1 and {h.source_uri for h in hits} == {"a"}
    assert all(h.metadata["topics"] == ["data"] for h in hits)
    assert {h.metadata["x-podium-chunk-id"] for h in hits} == {str(h.chunk_id) for h in hits}
    db.dispose()
