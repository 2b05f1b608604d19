"""Benchmark: cold ingestion of the sample catalog vs the bare embedder, and a no-change re-sync.

Targets (issue 3): cold <= 30 s, ratio to bare embedder throughput >= 0.85, re-sync <= 2 s.
"""

from __future__ import annotations

import time

from _common import fresh_services, report

from podium.apps.event_assistant import SESSIONS_RECORD_FORMAT, catalog_path
from podium.embeddings import OnnxMiniLMEmbedder


def main() -> dict[str, object]:
    settings, db, knowledge = fresh_services("ingest")
    path = catalog_path(settings)
    kb = knowledge.create("sessions", record_format=SESSIONS_RECORD_FORMAT)

    start = time.perf_counter()
    job = kb.ingest([path])
    cold_s = time.perf_counter() - start
    chunks = job.stats.chunks_written

    with db.connect() as conn:
        texts = [
            t
            for (t,) in conn.exec_driver_sql("SELECT text FROM chunks WHERE searchable ORDER BY id")
        ]
    bare = OnnxMiniLMEmbedder(
        threads=settings.embedding_threads, batch_size=settings.embedding_batch_size
    )
    bare.embed(texts[:8])  # load the model outside the timing, as the KB's embedder already was
    start = time.perf_counter()
    bare.embed(texts)
    bare_s = time.perf_counter() - start

    start = time.perf_counter()
    resync = kb.ingest([path])
    resync_s = time.perf_counter() - start
    assert resync.stats.unchanged == job.stats.new and resync.stats.chunks_written == 0

    return report(
        "kb_ingest",
        {
            "documents": job.stats.new,
            "chunks": chunks,
            "cold_wall_s": round(cold_s, 2),
            "ingest_chunks_per_s": round(chunks / cold_s, 1),
            "bare_embedder_chunks_per_s": round(len(texts) / bare_s, 1),
            "ratio_to_bare_embedder": round((chunks / cold_s) / (len(texts) / bare_s), 3),
            "resync_no_change_s": round(resync_s, 3),
            "targets": {
                "cold_wall_s": "<= 30",
                "ratio_to_bare_embedder": ">= 0.85",
                "resync_no_change_s": "<= 2",
            },
        },
    )


if __name__ == "__main__":
    main()
