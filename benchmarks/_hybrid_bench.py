"""Helpers of the retrieval benchmarks: a handle per keyword engine, a hybrid query's steps."""

from __future__ import annotations

import time
from typing import Any

from _common import percentiles

from podium.knowledge import KnowledgeBase, KnowledgeService
from podium.storage import KeywordIndex, TantivyKeywordIndex

__all__ = ["engine_handle", "hybrid_breakdown", "tantivy_build_s"]


def engine_handle(
    knowledge: KnowledgeService, kb: KnowledgeBase, index: KeywordIndex
) -> KnowledgeBase:
    """A handle on ``kb`` whose keyword search goes to ``index`` (vectors shared, loaded once)."""
    service = KnowledgeService(knowledge.db, knowledge.settings)
    service.chunk_index = index  # before get(): the handle's context captures it
    service.snapshots = knowledge.snapshots
    return service.get(kb.id)


def hybrid_breakdown(handle: KnowledgeBase, queries: list[str]) -> dict[str, Any]:
    """Each step of a hybrid top-5 timed alone (in sequence, where retrieve overlaps BM25)."""
    from podium.knowledge._retrieval import _hybrid

    retriever = handle._retriever
    steps: dict[str, list[float]] = {
        k: [] for k in ("embed", "dense", "keyword", "fusion", "materialise", "view")
    }
    for q in queries:
        with handle.context.db.connect() as conn:
            t0 = time.perf_counter()
            view = retriever._view(conn, None)
            t1 = time.perf_counter()
            qvec = handle.embedder.embed([q], "query")[0]
            t2 = time.perf_counter()
            dense = view.dense(conn, qvec, 50)
            t3 = time.perf_counter()
            keyword = view.keyword(q, 50)
            t4 = time.perf_counter()
            ranked = _hybrid(dense, keyword)[:5]
            t5 = time.perf_counter()
            retriever._materialise(conn, ranked)
            t6 = time.perf_counter()
        for name, a, b in (
            ("view", t0, t1),
            ("embed", t1, t2),
            ("dense", t2, t3),
            ("keyword", t3, t4),
            ("fusion", t4, t5),
            ("materialise", t5, t6),
        ):
            steps[name].append((b - a) * 1000)
    return {name: percentiles(v) for name, v in steps.items()}


def tantivy_build_s(knowledge: KnowledgeService) -> float:
    """Seconds to build the tantivy index from the committed FTS5 rows (or catch it up)."""
    start = time.perf_counter()
    with knowledge.db.connect() as conn:
        TantivyKeywordIndex("chunks").sync(conn)
    return round(time.perf_counter() - start, 2)
