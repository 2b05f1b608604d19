"""Benchmark: hybrid top-5 retrieval latency (query embedding included).

Targets (issue 3): sample KB p50 <= 10 ms and p99 <= 25 ms; synthetic 100k-chunk KB p99 <= 30 ms.
The 100k KB uses random unit vectors and text inserted straight into SQL (ingesting 100k real
texts through the embedder would take over an hour on 2 cores). Its chunks are 4-6 sentences
drawn at random from the sample catalog's abstracts, so term frequencies (and so the BM25 work per
query) look like real text. The query path is the real one.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np
from _common import fresh_services, percentiles, report, time_calls

from podium.apps.event_assistant import SESSIONS_RECORD_FORMAT, catalog_path
from podium.config import Settings
from podium.knowledge import KnowledgeBase, KnowledgeService
from podium.storage import schema

QUERIES = [
    "hands-on workshop on securing generative AI applications",
    "kubernetes cost optimisation",
    "serverless event driven architecture for beginners",
    "vector database for retrieval augmented generation",
    "migrating a mainframe to the cloud",
    "observability with OpenTelemetry traces",
    "advanced 400-level database performance tuning",
    "IoT fleet management at the edge",
    "zero trust networking",
    "MLOps pipelines for model monitoring",
]


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
    nprng = np.random.default_rng(seed)
    db = knowledge.db
    batch = 5000
    with db.begin() as conn:
        for start in range(0, n, batch):
            size = min(batch, n - start)
            doc_rows = [
                {
                    "kb_id": kb.id,
                    "source_id": None,
                    "uri": f"synthetic://{start + i}",
                    "content_hash": "x",
                    "metadata": {"level": rng.choice([100, 200, 300, 400])},
                    "chunk_count": 1,
                    "seen_job_id": None,
                    "updated_at": 0.0,
                }
                for i in range(size)
            ]
            doc_ids = (
                conn.execute(
                    schema.documents.insert().returning(
                        schema.documents.c.id, sort_by_parameter_order=True
                    ),
                    doc_rows,
                )
                .scalars()
                .all()
            )
            vectors = nprng.standard_normal((size, 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            chunk_rows = [
                {
                    "kb_id": kb.id,
                    "document_id": doc_id,
                    "ordinal": 0,
                    "text": " ".join(rng.choices(sentences, k=rng.randint(4, 6))),
                    "token_count": 60,
                    "parent_id": None,
                    "searchable": True,
                    "metadata": doc_rows[i]["metadata"],
                    "embedding": vectors[i].tobytes(),
                }
                for i, doc_id in enumerate(doc_ids)
            ]
            ids = (
                conn.execute(
                    schema.chunks.insert().returning(
                        schema.chunks.c.id, sort_by_parameter_order=True
                    ),
                    chunk_rows,
                )
                .scalars()
                .all()
            )
            knowledge.chunk_index.add(
                conn, [(cid, kb.id, r["text"]) for cid, r in zip(ids, chunk_rows, strict=True)]
            )
        conn.execute(
            schema.knowledge_bases.update()
            .where(schema.knowledge_bases.c.id == kb.id)
            .values(version=1)
        )
    return knowledge.get(kb.id)


def main(n_synthetic: int = 100_000, n_queries: int = 300) -> dict[str, object]:
    settings, _db, knowledge = fresh_services("retrieve")
    kb = knowledge.create("sessions", record_format=SESSIONS_RECORD_FORMAT)
    kb.ingest([catalog_path(settings)])
    sample = percentiles(time_calls(lambda i: kb.retrieve(QUERIES[i % len(QUERIES)], 5), n_queries))

    start = time.perf_counter()
    big = _synthetic_kb(knowledge, n_synthetic)
    big.retrieve("warm up the index", 5)
    build_s = time.perf_counter() - start
    large = percentiles(time_calls(lambda i: big.retrieve(QUERIES[i % len(QUERIES)], 5), n_queries))
    return report(
        "kb_retrieve",
        {
            "sample_kb_hybrid_top5": sample,
            "synthetic_kb_chunks": n_synthetic,
            "synthetic_kb_build_and_load_s": round(build_s, 1),
            "synthetic_kb_hybrid_top5": large,
            "targets": {
                "sample_p50_ms": "<= 10",
                "sample_p99_ms": "<= 25",
                "synthetic_100k_p99_ms": "<= 30",
            },
        },
    )


def ann_main(chunks: int, vectors: int, n_queries: int) -> dict[str, object]:
    """``--ann``: structured corpora (see ``_ann_bench``), the exact scan beside the HNSW graph."""
    from _ann_bench import ann_kb_benchmark, ann_vectors_benchmark

    _settings, _db, knowledge = fresh_services("retrieve-ann")
    data: dict[str, object] = {}
    if chunks:
        data["kb"] = ann_kb_benchmark(knowledge, chunks, QUERIES, n_queries)
    if vectors:
        data["vectors_only"] = ann_vectors_benchmark(knowledge, vectors)
    data["targets"] = {
        "hybrid_top5_100k_p99_ms": "<= 30",
        "hybrid_top5_1M_p99_ms": "<= 60",
        "recall_at_10_vs_exact": ">= 0.95",
    }
    return report("kb_retrieve_ann", data)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--ann", action="store_true", help="the ANN benchmark on structured corpora instead"
    )
    parser.add_argument(
        "--ann-vectors", type=int, default=1_000_000, help="with --ann: vectors-only size (0: skip)"
    )
    args = parser.parse_args()
    if args.ann:
        ann_main(args.chunks, args.ann_vectors, args.queries)
    else:
        main(args.chunks, args.queries)
