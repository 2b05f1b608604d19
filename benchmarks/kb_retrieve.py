"""Benchmark: hybrid top-5 retrieval latency (query embedding included).

Targets (issues 3 and 15): sample KB p50 <= 10 ms and p99 <= 25 ms; synthetic 100k-chunk KB
hybrid p99 <= 30 ms (1M chunks: p99 <= 60 ms, with ``--ann --chunks 1000000``).

Queries are distinct natural-language ones (stopwords included, see ``_queries.py``): titles,
abstract sentences and visitor questions built from the catalog; no timed query repeats, and
query embeddings are never cached, so nothing is answered from a cache. The report says how
many distinct queries were used.

The 100k KB uses random unit vectors and text inserted straight into SQL (ingesting 100k real
texts through the embedder would take over an hour on 2 cores). Its chunks are 4-6 sentences
drawn at random from the sample catalog's abstracts, so term frequencies (and so the BM25 work per
query) look like real text. The query path is the real one.

With ``--engines`` (the default) the 100k KB is also searched through each SQLite keyword engine
in turn (issue 15): FTS5's ``bm25()`` and the tantivy index beside the database, keyword-only,
keyword/semantic/hybrid top-5 through ``KnowledgeBase.retrieve``, and where a hybrid query's
time goes (embedding, dense, keyword, fusion, materialise, each timed alone). Each engine gets
its own service and handle: a handle keeps the keyword index its service had when the handle
was made, so assigning ``service.chunk_index`` afterwards changes nothing (the cause of an
earlier report where "FTS5 hybrid" was cheaper than FTS5 keyword alone: both hybrid figures had
been tantivy's). Also the tantivy index's build time from the committed rows and the time a
batch of new chunks takes to become searchable in it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

import numpy as np
import sqlalchemy as sa
from _common import fresh_services, insert_chunks, load_average, percentiles, report, time_each
from _hybrid_bench import engine_handle, hybrid_breakdown, tantivy_build_s
from _queries import natural_queries

from podium.apps.event_assistant import SESSIONS_RECORD_FORMAT, catalog_path
from podium.config import Settings
from podium.knowledge import KnowledgeBase, KnowledgeService
from podium.storage import Database, KeywordIndex, SqliteFtsIndex, TantivyKeywordIndex, schema

#: Queries timed per figure (each distinct); the warm-up takes 5 more.
N_QUERIES = 300


def queries_for(settings: Settings, n: int, seed: int = 0) -> list[str]:
    """``n`` distinct natural queries plus 5 for the warm-up."""
    return natural_queries(catalog_path(settings), n + 5, seed)


def _catalog_sentences(settings: Settings) -> list[str]:
    sentences: list[str] = []
    with catalog_path(settings).open(encoding="utf-8") as f:
        for line in f:
            abstract = json.loads(line)["abstract"]
            sentences += [x.strip() + "." for x in abstract.split(". ") if x.strip()]
    return sentences


def _synthetic_kb(knowledge: KnowledgeService, n: int, seed: int = 7) -> KnowledgeBase:
    kb = knowledge.create("synthetic")
    sentences = _catalog_sentences(knowledge.settings)
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed).standard_normal((n, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    insert_chunks(
        knowledge,
        kb.id,
        (
            (
                f"synthetic://{i}",
                " ".join(rng.choices(sentences, k=rng.randint(4, 6))),
                {"level": rng.choice([100, 200, 300, 400])},
                vectors[i],
            )
            for i in range(n)
        ),
    )
    return knowledge.get(kb.id)


def _keyword_ms(knowledge: KnowledgeService, index: KeywordIndex, kb_id: str, query: str) -> None:
    with knowledge.db.connect() as conn:
        index.search(conn, [kb_id], query, 5)


def _incremental_s(knowledge: KnowledgeService, kb_id: str, rounds: int = 10) -> dict[str, float]:
    """Seconds for 100 new chunks to be committed (FTS5) and searchable in tantivy too."""
    index = TantivyKeywordIndex("chunks")
    db = knowledge.db
    with db.connect() as conn:
        top = int(conn.execute(sa.select(sa.func.max(schema.chunks.c.id))).scalar() or 0)
    commit, searchable = [], []
    for r in range(rounds):
        start = time.perf_counter()
        base = top + 1_000_000 + r * 100
        with db.begin() as conn:
            index.add(
                conn, [(base + i, kb_id, f"incremental chunk {base + i}") for i in range(100)]
            )
        commit.append(time.perf_counter() - start)
        with db.connect() as conn:
            index.sync(conn)
        searchable.append(time.perf_counter() - start)
    return {
        "sql_fts5_commit_100_s": round(statistics.median(commit), 4),
        "tantivy_searchable_100_s": round(statistics.median(searchable), 4),
    }


def _engine_comparison(
    knowledge: KnowledgeService, big: KnowledgeBase, queries: list[str]
) -> dict[str, object]:
    """FTS5 against tantivy on the same rows: build, keyword, semantic and hybrid top-5."""
    out: dict[str, object] = {"tantivy_build_s": tantivy_build_s(knowledge)}
    engines: dict[str, KeywordIndex] = {
        "fts5": SqliteFtsIndex("chunks"),
        "tantivy": TantivyKeywordIndex("chunks"),
    }
    for name, index in engines.items():
        handle = engine_handle(knowledge, big, index)
        handle.retrieve("warm up the index", 5)
        out[f"{name}_keyword_only_top5"] = percentiles(
            time_each(lambda q, ix=index: _keyword_ms(knowledge, ix, big.id, q), queries)
        )
        out[f"{name}_retrieve_keyword_top5"] = percentiles(
            time_each(lambda q, h=handle: h.retrieve(q, 5, "KEYWORD"), queries)
        )
        out[f"{name}_hybrid_top5"] = percentiles(
            time_each(lambda q, h=handle: h.retrieve(q, 5), queries)
        )
        out[f"{name}_hybrid_steps_alone"] = hybrid_breakdown(handle, queries[:100])
    out["semantic_top5"] = percentiles(time_each(lambda q: big.retrieve(q, 5, "SEMANTIC"), queries))
    out["query_embedding"] = percentiles(
        time_each(lambda q: big.embedder.embed([q], "query"), queries)
    )
    out["incremental"] = _incremental_s(knowledge, big.id)
    return out


def main(
    n_synthetic: int = 100_000, n_queries: int = N_QUERIES, engines: bool = True
) -> dict[str, object]:
    settings, _db, knowledge = fresh_services("retrieve")
    queries = queries_for(settings, n_queries)
    load_before = load_average()
    kb = knowledge.create("sessions", record_format=SESSIONS_RECORD_FORMAT)
    kb.ingest([catalog_path(settings)])
    sample = percentiles(time_each(lambda q: kb.retrieve(q, 5), queries))

    start = time.perf_counter()
    big = _synthetic_kb(knowledge, n_synthetic)
    sql_s = time.perf_counter() - start
    # The default path (PODIUM_KEYWORD_ENGINE=auto): tantivy at this size, built on first use
    # (timed here, before any query could start it in the background).
    build = tantivy_build_s(knowledge)
    warm = time.perf_counter()
    big.retrieve("warm up the index", 5)
    load_s = time.perf_counter() - warm
    default_engine = type(big.context.chunk_index.for_size(n_synthetic)).__name__
    large = percentiles(time_each(lambda q: big.retrieve(q, 5), queries))
    comparison = _engine_comparison(knowledge, big, queries) if engines else {}
    return report(
        "kb_retrieve",
        {
            "distinct_queries": len(queries),
            "load_average_before_after": [load_before, load_average()],
            "synthetic_kb_sql_and_fts5_insert_s": round(sql_s, 1),
            "synthetic_kb_snapshot_and_graph_load_s": round(load_s, 1),
            "keyword_engines": comparison,
            "sample_kb_hybrid_top5": sample,
            "synthetic_kb_chunks": n_synthetic,
            "synthetic_kb_default_engine": default_engine,
            "synthetic_kb_default_engine_build_s": build,
            "synthetic_kb_hybrid_top5": large,
            "targets": {
                "sample_p50_ms": "<= 10",
                "sample_p99_ms": "<= 25",
                "synthetic_100k_p99_ms": "<= 30",
            },
        },
    )


def ann_main(
    chunks: int, vectors: int, n_queries: int, home: str | None = None
) -> dict[str, object]:
    """``--ann``: structured corpora (see ``_ann_bench``), the exact scan beside the HNSW graph."""
    from _ann_bench import ann_kb_benchmark, ann_vectors_benchmark

    if home:  # an earlier --ann run's home: its KB, graph and keyword index as they are
        settings = Settings(home=home)
        db = Database(settings.resolved_database_url)
        knowledge = KnowledgeService(db, settings)
    else:
        _settings, _db, knowledge = fresh_services("retrieve-ann")
    data: dict[str, object] = {"load_average_before": load_average()}
    if chunks:
        data["kb"] = ann_kb_benchmark(
            knowledge, chunks, queries_for(knowledge.settings, n_queries), reuse=bool(home)
        )
        chunks = data["kb"]["chunks"]  # type: ignore[index]
    if vectors:
        data["vectors_only"] = ann_vectors_benchmark(knowledge, vectors)
    data["targets"] = {
        "hybrid_top5_100k_p99_ms": "<= 30",
        "hybrid_top5_1M_p99_ms": "<= 60",
        "recall_at_10_vs_exact": ">= 0.95",
    }
    data["distinct_queries"] = n_queries + 5
    data["load_average_after"] = load_average()
    return report(f"kb_retrieve_ann_{chunks}{'_rerun' if home else ''}", data)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=N_QUERIES, help="distinct queries timed")
    parser.add_argument(
        "--no-engines", dest="engines", action="store_false", help="skip the FTS5/tantivy runs"
    )
    parser.add_argument(
        "--ann", action="store_true", help="the ANN benchmark on structured corpora instead"
    )
    parser.add_argument(
        "--ann-vectors", type=int, default=1_000_000, help="with --ann: vectors-only size (0: skip)"
    )
    parser.add_argument(
        "--home", help="with --ann: measure the KB an earlier --ann run left in this home again"
    )
    args = parser.parse_args()
    if args.ann:
        ann_main(args.chunks, args.ann_vectors, args.queries, args.home)
    else:
        main(args.chunks, args.queries, args.engines)
