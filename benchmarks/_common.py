"""Helpers shared by benchmark scripts: fresh homes, percentiles, JSON reports."""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from podium.config import Settings
from podium.knowledge import KnowledgeService
from podium.storage import Database, schema

RESULTS = Path(__file__).parent / "results"
CATALOG = Path(__file__).resolve().parents[1] / "data" / "catalog" / "sessions.jsonl"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def small_catalog(dst: Path, size: int) -> Path:
    """``size`` sessions of the sample catalog, evenly spread, written to ``dst``."""
    rows = CATALOG.read_text().splitlines()
    dst.write_text("\n".join(rows[:: max(1, len(rows) // size)][:size]) + "\n")
    return dst


def wait_for_ping(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Return once ``url``/ping answers 200; kill ``proc`` and raise if it never does."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise RuntimeError("gateway exited during startup")
    proc.kill()
    raise RuntimeError("gateway did not start")


def fresh_services(prefix: str) -> tuple[Settings, Database, KnowledgeService]:
    """Settings, a migrated database and the knowledge service in a new temporary home."""
    home = Path(tempfile.mkdtemp(prefix=f"podium-bench-{prefix}-"))
    settings = Settings(home=home)
    db = Database(settings.resolved_database_url)
    db.migrate()
    return settings, db, KnowledgeService(db, settings)


#: One synthetic chunk: its document URI, text, metadata and unit vector (float32).
SyntheticChunk = tuple[str, str, dict[str, Any], Any]


def _batches(rows: Iterable[SyntheticChunk], size: int) -> Iterator[list[SyntheticChunk]]:
    batch: list[SyntheticChunk] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_chunks(
    knowledge: KnowledgeService, kb_id: str, rows: Iterable[SyntheticChunk], batch: int = 5000
) -> None:
    """One document and one chunk per row, straight into SQL with its keyword-index entry.

    Ingesting 100k real texts through the embedder would take over an hour on 2 cores; the
    query path measured afterwards is the real one. The KB's version moves, so snapshots reload.
    """
    docs, chunks, kbs = schema.documents, schema.chunks, schema.knowledge_bases
    with knowledge.db.begin() as conn:
        for part in _batches(rows, batch):
            doc_ids = (
                conn.execute(
                    docs.insert().returning(docs.c.id, sort_by_parameter_order=True),
                    [
                        {
                            "kb_id": kb_id, "source_id": None, "uri": uri, "content_hash": "x",
                            "metadata": meta, "chunk_count": 1, "seen_job_id": None,
                            "updated_at": 0.0,
                        }
                        for uri, _, meta, _ in part
                    ],
                )
                .scalars()
                .all()
            )  # fmt: skip
            chunk_rows = [
                {
                    "kb_id": kb_id, "document_id": doc_id, "ordinal": 0, "text": text,
                    "token_count": 60, "parent_id": None, "searchable": True, "metadata": meta,
                    "embedding": vector.tobytes(),
                }
                for doc_id, (_, text, meta, vector) in zip(doc_ids, part, strict=True)
            ]  # fmt: skip
            ids = (
                conn.execute(
                    chunks.insert().returning(chunks.c.id, sort_by_parameter_order=True),
                    chunk_rows,
                )
                .scalars()
                .all()
            )
            knowledge.chunk_index.add(
                conn, [(cid, kb_id, r["text"]) for cid, r in zip(ids, chunk_rows, strict=True)]
            )
        conn.execute(kbs.update().where(kbs.c.id == kb_id).values(version=kbs.c.version + 1))


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99/mean of latency samples in milliseconds."""
    ordered = sorted(samples_ms)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "p50_ms": round(pct(50), 3),
        "p95_ms": round(pct(95), 3),
        "p99_ms": round(pct(99), 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
        "n": len(ordered),
    }


def time_calls(fn: Callable[[int], Any], n: int, warmup: int = 5) -> list[float]:
    """Latencies (ms) of ``fn(i)`` for i in range(n), after a warm-up."""
    for i in range(warmup):
        fn(i)
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def time_each(fn: Callable[[str], Any], queries: list[str], warmup: int = 5) -> list[float]:
    """Latencies (ms) of ``fn(q)``, each query once, after ``warmup`` other calls.

    The warm-up uses the last ``warmup`` queries and the timed calls the others, so no timed
    query repeats one seen before (nothing answered from a cache).
    """
    timed, warm = queries[: len(queries) - warmup], queries[len(queries) - warmup :]
    for q in warm:
        fn(q)
    out = []
    for q in timed:
        start = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def load_average() -> str:
    """``uptime``'s load averages (1, 5, 15 min): how busy the shared machine was."""
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """Print and save a benchmark report under benchmarks/results/."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2))
    print(json.dumps({name: data}, indent=2))
    return data
