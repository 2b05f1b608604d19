"""``/metrics`` reports the extraction queue of the shared database: depth, running and lag."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fixtures.runtime import Gateway
from podium.memory import MemoryService
from podium.memory import _tables as memory_tables
from podium.memory.extraction import QueueStats, queue_stats
from podium.memory.extraction._queue import job_row
from podium.storage import Database

EMBEDDER = "podium/test-hash-64"


def _msg(role: str, text: str) -> dict[str, Any]:
    return {"conversational": {"role": role, "content": {"text": text}}}


def _memory_row(memory_id: str) -> dict[str, Any]:
    return {
        "id": memory_id,
        "name": memory_id,
        "description": "",
        "event_expiry_days": 90,
        "strategies": [],
        "embedding_model": EMBEDDER,
        "records_version": 0,
        "created_at": 0.0,
        "updated_at": 0.0,
    }


def _gauge(text: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} missing from /metrics"
    return float(found.group(1))


def test_metrics_report_extraction_queue_depth_and_lag(
    make_gateway: Callable[..., Gateway],
) -> None:
    gateway = make_gateway(embedding_model=EMBEDDER)
    empty = gateway.metrics()
    assert _gauge(empty, "podium_extraction_jobs_pending") == 0
    assert _gauge(empty, "podium_extraction_lag_seconds") == 0
    assert "# TYPE podium_extraction_lag_seconds gauge" in empty

    db = Database(gateway.settings.resolved_database_url)
    try:
        service = MemoryService(db, gateway.settings)
        memory = service.create_memory("queue", strategies=[{"type": "semantic", "name": "facts"}])
        service.create_event(memory.memory_id, "alice", "s" * 40, [_msg("USER", "I like jazz")])
        service.create_event(memory.memory_id, "bob", "t" * 40, [_msg("USER", "I like rock")])
        time.sleep(0.3)
        with db.connect() as conn:
            stats = queue_stats(conn, time.time())
        assert (stats.pending, stats.running) == (2, 0)
        assert stats.oldest_pending_age_s >= 0.3

        text = gateway.metrics()
        assert _gauge(text, "podium_extraction_jobs_pending") == 2
        assert _gauge(text, "podium_extraction_jobs_running") == 0
        assert _gauge(text, "podium_extraction_lag_seconds") >= 0.3

        # A claimed job is running, not pending; the lag follows the oldest one still waiting.
        from podium.memory.extraction._queue import claim

        with db.begin() as conn:
            assert claim(conn, worker_id="worker-test", lease_s=60.0, now=time.time())
        text = gateway.metrics()
        assert _gauge(text, "podium_extraction_jobs_pending") == 1
        assert _gauge(text, "podium_extraction_jobs_running") == 1
    finally:
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_queue_stats_counts_open_jobs_and_the_oldest_wait(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        request.getfixturevalue("pg_url")
        if backend == "postgresql"
        else f"sqlite:///{tmp_path / 'q.db'}"
    )
    db = Database(url)
    try:
        db.migrate()
        with db.begin() as conn:
            conn.execute(memory_tables.memories.insert(), [_memory_row("mem-q")])
            rows = [
                job_row("mem-q", "alice", "s" * 40, "st-1", "manual", 1, 1, 100.0),
                job_row("mem-q", "bob", "t" * 40, "st-1", "manual", 1, 1, 130.0),
                {
                    **job_row("mem-q", "carol", "u" * 40, "st-1", "manual", 1, 1, 50.0),
                    "status": "COMPLETED",
                },
            ]
            conn.execute(memory_tables.extraction_jobs.insert(), rows)
        with db.connect() as conn:
            stats = queue_stats(conn, now=160.0)
        assert stats == QueueStats(pending=2, running=0, oldest_pending_age_s=60.0)
    finally:
        db.dispose()
