"""The ANN half of ``kb_retrieve.py --ann``: structured corpora, exact scan vs the HNSW graph.

Vectors with structure: the sample catalog's 600 abstracts are embedded once with the KB's
model; each synthetic chunk is 4-6 sentences of one abstract (plus one of another) and its vector
is that abstract's embedding mixed with a little of the other's and some noise, renormalised.
Chunks so form topics around real embeddings, and real query embeddings land among them (random
unit vectors would be adversarial for HNSW and unlike any embedding model's output).

* ``kb``: a KB of ``chunks`` chunks inserted straight into SQL (text + vectors + keyword index),
  queried through ``KnowledgeBase.retrieve`` on the exact path (threshold above the KB's size)
  and on the HNSW path: semantic and hybrid top-5 latency, query embedding included.
* ``vectors``: ``vectors`` vectors only (no SQL): the exact BLAS scan vs the persisted graph.

Both report recall@10 of the graph against the exact scan, the graph's build time and the time
to bring it up to date after a small write (the incremental update, file rewrite included).
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import insert_chunks, load_average, percentiles, time_calls, time_each
from _hybrid_bench import engine_handle, hybrid_breakdown, tantivy_build_s

from podium.apps.event_assistant import catalog_path
from podium.knowledge import KnowledgeBase, KnowledgeService
from podium.storage import (
    ExactVectorIndex,
    HnswVectorIndex,
    KeywordIndex,
    SqliteFtsIndex,
    TantivyKeywordIndex,
    vector_index,
)

__all__ = ["ann_kb_benchmark", "ann_vectors_benchmark"]

#: Queries for recall (their embeddings are computed, not cached), besides the timed ones.
RECALL_QUERIES = 200


class Corpus:
    """Abstracts, their sentences and embeddings: the seeds of synthetic chunks."""

    def __init__(self, knowledge: KnowledgeService, model_id: str) -> None:
        with catalog_path(knowledge.settings).open(encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        self.sentences = [
            [x.strip() + "." for x in r["abstract"].split(". ") if x.strip()] for r in rows
        ]
        self.titles = [r["title"] for r in rows]
        start = time.perf_counter()
        embedder = knowledge.embedder(model_id)
        self.centres = np.asarray(
            embedder.embed([r["abstract"] for r in rows], "document"), dtype=np.float32
        )
        self.embed_s = time.perf_counter() - start
        self.embedder = embedder

    def vectors(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, main topic per vector): mostly one abstract, a little of another, noise."""
        t = len(self.centres)
        main = rng.integers(0, t, n)
        other = rng.integers(0, t, n)
        dim = self.centres.shape[1]
        out = np.empty((n, dim), dtype=np.float32)
        for s in range(0, n, 50_000):
            e = min(n, s + 50_000)
            x = self.centres[main[s:e]] + 0.3 * self.centres[other[s:e]]
            x += rng.standard_normal((e - s, dim)).astype(np.float32) * (0.5 / np.sqrt(dim))
            out[s:e] = x / np.linalg.norm(x, axis=1, keepdims=True)
        return out, np.stack([main, other], axis=1)

    def text(self, topics: np.ndarray, rng: random.Random) -> str:
        main, other = int(topics[0]), int(topics[1])
        parts = rng.choices(self.sentences[main], k=rng.randint(3, 5))
        return " ".join([*parts, rng.choice(self.sentences[other])])

    def queries(self, count: int, rng: random.Random) -> list[str]:
        """Natural queries: a title's words, or a sentence of an abstract."""
        out = []
        for i in range(count):
            t = rng.randrange(len(self.titles))
            out.append(self.titles[t] if i % 2 else rng.choice(self.sentences[t]))
        return out


def _insert(
    knowledge: KnowledgeService, kb: KnowledgeBase, corpus: Corpus, n: int, seed: int
) -> None:
    rng = random.Random(seed)
    vectors, topics = corpus.vectors(n, np.random.default_rng(seed))
    insert_chunks(
        knowledge,
        kb.id,
        (
            (
                f"synthetic://{seed}/{i}",
                corpus.text(topics[i], rng),
                {"level": i % 4 * 100 + 100},
                vectors[i],
            )
            for i in range(n)
        ),
    )


def _recall(ann: Any, exact: ExactVectorIndex, qvecs: np.ndarray, mask: Any = None) -> float:
    hits = wanted = 0
    for q in qvecs:
        want = set(exact.search(q, 10, mask)[0].tolist())
        hits += len(want & set(ann.search(q, 10, mask)[0].tolist()))
        wanted += len(want)
    return round(hits / max(1, wanted), 4)


def _search_ms(index: Any, qvecs: np.ndarray, k: int = 5, mask: Any = None) -> dict[str, float]:
    return percentiles(time_calls(lambda i: index.search(qvecs[i % len(qvecs)], k, mask), 300))


def ann_kb_benchmark(
    knowledge: KnowledgeService, chunks: int, queries: list[str], *, reuse: bool = False
) -> dict[str, Any]:
    """Semantic and hybrid top-5 on a structured ``chunks``-chunk KB: exact path vs HNSW path.

    On the HNSW path hybrid is timed through each keyword engine (FTS5, tantivy), each with its
    own handle, and step by step; FTS5 gets fewer queries past 300k chunks (seconds each).
    ``reuse``: the home already holds the KB (an earlier run's, graph and indexes persisted):
    the HNSW path's query figures, the update path and recall are measured again.
    """
    settings = knowledge.settings
    corpus = Corpus(knowledge, settings.embedding_model)
    out: dict[str, Any] = {}
    if reuse:
        kb = knowledge.get("structured")
        chunks = kb.info.chunk_count
        out.update({"chunks": chunks, "reused_home": str(settings.home)})
    else:
        start = time.perf_counter()
        kb = knowledge.create("structured")
        _insert(knowledge, kb, corpus, chunks, seed=11)
        out.update(
            {
                "chunks": chunks,
                "sql_and_fts5_insert_s": round(time.perf_counter() - start, 1),
                "load_average_after_insert": load_average(),
                # Before any query: a big KB's first keyword search would start this meanwhile.
                "tantivy_build_s": tantivy_build_s(knowledge),
            }
        )
        out["exact"] = _exact_path(knowledge, kb, chunks, queries)
    service = KnowledgeService(
        knowledge.db, settings.model_copy(update={"vector_ann_threshold": 1})
    )
    handle = service.get(kb.id)
    start = time.perf_counter()
    handle.retrieve("warm up the index", 5)
    hnsw: dict[str, Any] = {
        "first_query_s (snapshot load, graph build)": round(time.perf_counter() - start, 1),
        "load_average": load_average(),
        "semantic_top5": percentiles(
            time_each(lambda q, h=handle: h.retrieve(q, 5, "SEMANTIC"), queries)
        ),
        "query_embedding": percentiles(
            time_each(lambda q: corpus.embedder.embed([q], "query"), queries)
        ),
    }
    big = chunks > 300_000  # FTS5 takes seconds a query there: fewer of them
    engines: dict[str, tuple[KeywordIndex, list[str], int]] = {
        "tantivy": (TantivyKeywordIndex("chunks"), queries, 60),
        "fts5": (SqliteFtsIndex("chunks"), queries[:35] if big else queries, 10 if big else 60),
    }
    for name, (index, qs, steps) in engines.items():
        engine = engine_handle(service, kb, index)
        engine.retrieve("warm up the engine", 5)
        hnsw[f"{name}_hybrid_top5"] = percentiles(
            time_each(lambda q, h=engine: h.retrieve(q, 5), qs)
        )
        hnsw[f"{name}_hybrid_steps_alone"] = hybrid_breakdown(engine, qs[:steps])
    hnsw["default_engine"] = type(handle.context.chunk_index.for_size(chunks)).__name__
    hnsw["load_average_after"] = load_average()
    out["hnsw"] = hnsw
    # A rerun measures the update path too (it adds its 100-chunk batches to the KB).
    # Fresh document URIs on a rerun: its seeds follow the KB's current size.
    first = 100 if not reuse else 1_000 + chunks
    hnsw.update(_kb_updates(service, kb, handle, corpus, rounds=1 if big else 3, seed=first))
    with knowledge.db.connect() as conn:
        snap = handle._retriever.snapshot(conn)  # type: ignore[attr-defined]
    qvecs = np.asarray(
        corpus.embedder.embed(corpus.queries(RECALL_QUERIES, random.Random(5)), "query"),
        dtype=np.float32,
    )
    exact = ExactVectorIndex(snap.vectors.matrix)
    level = np.array([m["level"] == 400 for m in snap.metadata])
    out["recall_at_10_vs_exact"] = _recall(snap.vectors, exact, qvecs)
    out["recall_at_10_vs_exact_filtered_25pct"] = _recall(snap.vectors, exact, qvecs, level)
    out["graph_file_mb"] = _graph_mb(knowledge, kb)
    return out


def _exact_path(
    knowledge: KnowledgeService, kb: KnowledgeBase, chunks: int, queries: list[str]
) -> dict[str, Any]:
    """Semantic top-5 through the exact scan (its own service and snapshot, dropped after)."""
    service = KnowledgeService(
        knowledge.db, knowledge.settings.model_copy(update={"vector_ann_threshold": chunks + 1})
    )
    handle = service.get(kb.id)
    start = time.perf_counter()
    handle.retrieve("warm up the index", 5)
    out = {
        "first_query_s (snapshot load)": round(time.perf_counter() - start, 1),
        "semantic_top5": percentiles(
            time_each(lambda q, h=handle: h.retrieve(q, 5, "SEMANTIC"), queries)
        ),
    }
    service.snapshots.clear()
    return out


def _kb_updates(
    knowledge: KnowledgeService,
    kb: KnowledgeBase,
    handle: KnowledgeBase,
    corpus: Corpus,
    rounds: int = 3,
    seed: int = 100,
) -> dict[str, Any]:
    """First query after adding 100 chunks: snapshot reload + incremental graph update."""
    reload_times, update_times = [], []
    for round_ in range(rounds):
        knowledge.snapshots.clear()  # a reload with the graph already up to date
        start = time.perf_counter()
        handle.retrieve("after a restart", 5)
        reload_times.append(time.perf_counter() - start)
        _insert(knowledge, kb, corpus, 100, seed=seed + round_)
        start = time.perf_counter()
        handle.retrieve("after a write", 5)
        update_times.append(time.perf_counter() - start)
    return {
        "reload_with_graph_up_to_date_s": round(float(np.median(reload_times)), 2),
        "first_query_after_adding_100_chunks_s": round(float(np.median(update_times)), 2),
    }


def _graph_mb(knowledge: KnowledgeService, kb: KnowledgeBase) -> float | None:
    from podium.storage import ann_path

    path = ann_path(knowledge.db.url, f"kb-{kb.id}")
    return round(path.stat().st_size / 2**20, 1) if path and path.exists() else None


def ann_vectors_benchmark(knowledge: KnowledgeService, n: int) -> dict[str, Any]:
    """``n`` structured vectors without SQL: exact scan vs the persisted graph (and its upkeep)."""
    corpus = Corpus(knowledge, knowledge.settings.embedding_model)
    rng = np.random.default_rng(23)
    start = time.perf_counter()
    matrix, _ = corpus.vectors(n, rng)
    gen_s = time.perf_counter() - start
    ids = np.arange(1, n + 1, dtype=np.int64)
    texts = corpus.queries(RECALL_QUERIES, random.Random(7))
    start = time.perf_counter()
    qvecs = np.asarray(corpus.embedder.embed(texts, "query"), dtype=np.float32)
    embed_ms = (time.perf_counter() - start) / len(texts) * 1000
    exact = ExactVectorIndex(matrix)
    out: dict[str, Any] = {"vectors": n, "generate_s": round(gen_s, 1)}
    out["query_embedding_mean_ms"] = round(embed_ms, 2)
    out["exact_top5"] = _search_ms(exact, qvecs)
    with tempfile.TemporaryDirectory(prefix="podium-bench-ann-") as tmp:
        path = Path(tmp) / "vectors.usearch"
        start = time.perf_counter()
        ann = vector_index(matrix, ids, path=path, threshold=1)
        out["graph_build_and_save_s"] = round(time.perf_counter() - start, 1)
        assert isinstance(ann, HnswVectorIndex)
        out["graph_file_mb"] = round(path.stat().st_size / 2**20, 1)
        start = time.perf_counter()
        ann = vector_index(matrix, ids, path=path, threshold=1)  # unchanged: mapped as is
        out["graph_reopen_s"] = round(time.perf_counter() - start, 2)
        out["hnsw_top5"] = _search_ms(ann, qvecs)
        level = np.arange(n) % 4 == 0
        out["hnsw_top5_filtered_25pct"] = _search_ms(ann, qvecs, mask=level)
        out["recall_at_10_vs_exact"] = _recall(ann, exact, qvecs)
        out["recall_at_10_vs_exact_filtered_25pct"] = _recall(ann, exact, qvecs, level)
        # Incremental update: 1000 rows deleted, 1000 added (reconcile + file rewrite).
        extra, _ = corpus.vectors(1000, rng)
        matrix2 = np.concatenate([matrix[1000:], extra])
        ids2 = np.concatenate([ids[1000:], np.arange(n + 1, n + 1001, dtype=np.int64)])
        start = time.perf_counter()
        vector_index(matrix2, ids2, path=path, threshold=1)
        out["update_1000_added_1000_deleted_s"] = round(time.perf_counter() - start, 1)
    return out
