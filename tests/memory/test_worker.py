"""The durable extraction worker on a real SQLite database with the bundled embedder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from podium.config import Settings
from podium.memory import _tables as t
from podium.memory import readable_record_text
from podium.memory._namespaces import reflection_namespace_template
from podium.memory._service import MemoryService
from podium.memory.extraction import ExtractionWorker
from podium.storage import Database

ACTOR = "alice"


@pytest.fixture
def service(db: Database, settings: Settings) -> MemoryService:
    return MemoryService(db, settings)


def _memory(service: MemoryService, *strategies: dict[str, Any]) -> str:
    chosen = list(strategies) or [{"type": "semantic", "name": "facts"}]
    return service.create_memory("mem", strategies=chosen).memory_id


def _say(
    service: MemoryService, memory_id: str, text: str, role: str = "USER", session: str = "s1"
) -> str:
    event = service.create_event(
        memory_id, ACTOR, session, [{"conversational": {"role": role, "content": {"text": text}}}]
    )
    return event.event_id


def _records(service: MemoryService, memory_id: str) -> list[Any]:
    records, _ = service.list_memory_records(memory_id, "/", max_results=100)
    return records


def test_turn_becomes_a_record_with_provenance(service: MemoryService) -> None:
    memory_id = _memory(service)
    worker = ExtractionWorker(service)
    event_id = _say(service, memory_id, "I'm Alice, a software engineer at TechCorp.")
    assert worker.run_until_idle(timeout=10)
    by_slot = {r.content["slot"]: r for r in _records(service, memory_id)}
    assert set(by_slot) == {"name", "role", "employer"}
    employer = by_slot["employer"]
    assert employer.text == "The user works as a software engineer at TechCorp."
    assert employer.rationale == "the user stated they work as a software engineer at TechCorp"
    assert employer.source_event_ids == [event_id]
    assert employer.namespace.endswith(f"/actors/{ACTOR}/")
    (job,) = service.list_extraction_jobs(memory_id)
    assert job.status == "COMPLETED"
    assert job.stats is not None and job.stats["added"] == 3


def test_employer_change_updates_and_keeps_history(service: MemoryService) -> None:
    memory_id = _memory(service)
    worker = ExtractionWorker(service)
    first = _say(service, memory_id, "I work for TechCorp.")
    worker.run_until_idle(timeout=10)
    second = _say(service, memory_id, "Big news: I moved to Acme")
    worker.run_until_idle(timeout=10)
    (record,) = [r for r in _records(service, memory_id) if r.content.get("slot") == "employer"]
    assert record.content["value"] == "Acme"
    assert record.content["previous"] == "TechCorp"
    assert record.source_event_ids == [first, second]
    history = service.get_memory_record_history(memory_id, record.record_id)
    assert [h.operation for h in history] == ["ADD", "UPDATE"]
    assert history[1].before is not None
    assert history[1].before["content"]["value"] == "TechCorp"
    assert "moved to Acme" in (history[1].rationale or "")


def test_repeats_are_skipped_and_negation_updates(service: MemoryService) -> None:
    memory_id = _memory(service, {"type": "user_preference", "name": "prefs"})
    worker = ExtractionWorker(service)
    _say(service, memory_id, "I love hands-on security workshops")
    _say(service, memory_id, "I love hands-on security workshops!")
    worker.run_until_idle(timeout=10)
    (record,) = _records(service, memory_id)
    assert record.content["polarity"] == "positive"
    _say(service, memory_id, "I'm no longer interested in security.")
    worker.run_until_idle(timeout=10)
    (record,) = _records(service, memory_id)
    assert record.content["polarity"] == "negative"
    # The text is AgentCore's user-preference form: JSON with context, preference, categories.
    assert readable_record_text(record.text) == "The user is not interested in security."
    ops = [h.operation for h in service.get_memory_record_history(memory_id, record.record_id)]
    assert ops == ["ADD", "UPDATE"]


def test_summary_and_episode_are_single_records_per_session(service: MemoryService) -> None:
    memory_id = _memory(
        service, {"type": "summary", "name": "sums"}, {"type": "episodic", "name": "eps"}
    )
    worker = ExtractionWorker(service)
    for session in ("s1", "s2"):
        _say(service, memory_id, "Can you find hands-on security workshops?", session=session)
        _say(service, memory_id, "SEC301: Zero trust at scale", role="ASSISTANT", session=session)
        _say(service, memory_id, "And one on IAM security please", session=session)
        _say(service, memory_id, "SEC302: IAM deep dive", role="ASSISTANT", session=session)
        # The trailing assistant turn is covered by an explicit flush (session end).
        service.flush_extraction(memory_id, ACTOR, session)
    assert worker.run_until_idle(timeout=20)
    records = _records(service, memory_id)
    summaries = [r for r in records if "summary" in r.content]
    episodes = [r for r in records if "goal" in r.content]
    reflections = [r for r in records if "reflection" in r.content]
    assert len(summaries) == 2 and len(episodes) == 2 and len(reflections) == 1
    assert [s["code"] for s in summaries[0].content["sessions"]] == ["SEC301", "SEC302"]
    assert "usually asks for hands-on security sessions" in reflections[0].text
    assert reflections[0].content["episodes"] == 2


def test_reflection_namespace_template() -> None:
    from podium.memory._models import MemoryStrategy

    strategy = MemoryStrategy(
        strategy_id="e-1",
        name="e",
        type="episodic",
        namespaces=["/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/"],
    )
    assert (
        reflection_namespace_template(strategy)
        == "/strategies/{memoryStrategyId}/actors/{actorId}/"
    )


def test_claims_are_exclusive_and_ordered_per_actor_strategy(service: MemoryService) -> None:
    memory_id = _memory(service)
    _say(service, memory_id, "I work for TechCorp.")
    _say(service, memory_id, "I moved to Acme")
    a = ExtractionWorker(service, worker_id="a")
    b = ExtractionWorker(service, worker_id="b")
    job = a.claim_job()
    assert job is not None and job.status == "RUNNING" and job.locked_by == "a"
    # The second job of the same actor+strategy must wait for the first.
    assert b.claim_job() is None
    a.process(job)
    second = b.claim_job()
    assert second is not None and second.job_id != job.job_id
    b.process(second)
    (record,) = [r for r in _records(service, memory_id) if r.content.get("slot") == "employer"]
    assert record.content["value"] == "Acme"


def test_expired_lease_is_reclaimed_and_stale_worker_cannot_commit(service: MemoryService) -> None:
    memory_id = _memory(service)
    _say(service, memory_id, "I work for TechCorp.")
    stale = ExtractionWorker(service, worker_id="stale", lease_s=0.05)
    job = stale.claim_job()
    assert job is not None
    time.sleep(0.1)
    fresh = ExtractionWorker(service, worker_id="fresh")
    retaken = fresh.claim_job()
    assert retaken is not None and retaken.job_id == job.job_id and retaken.attempts == 2
    stale.process(job)  # its lease is gone: the work is discarded
    assert _records(service, memory_id) == []
    fresh.process(retaken)
    assert len(_records(service, memory_id)) == 1
    (done,) = service.list_extraction_jobs(memory_id)
    assert done.status == "COMPLETED"


def test_background_thread_and_idle_trigger(service: MemoryService) -> None:
    memory_id = _memory(
        service,
        {
            "type": "semantic",
            "name": "facts",
            "configuration": {"triggers": {"message_count": 50, "idle_seconds": 0.2}},
        },
    )
    _say(service, memory_id, "I live in Lisbon")
    assert service.list_extraction_jobs(memory_id) == []
    worker = ExtractionWorker(service, poll_interval=0.05, idle_scan_interval=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not _records(service, memory_id) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    (record,) = _records(service, memory_id)
    assert record.content["value"] == "Lisbon"
    (job,) = service.list_extraction_jobs(memory_id)
    assert job.trigger == "idle"


_SLOW_WORKER = """
import sys, time
from podium.config import Settings
from podium.memory.extraction._extract_offline import OfflineExtractor
from podium.memory._service import MemoryService
from podium.memory.extraction import ExtractionWorker
from podium.storage import Database

class SlowExtractor(OfflineExtractor):
    def extract(self, *args, **kwargs):
        decisions = super().extract(*args, **kwargs)
        print("extracting", flush=True)
        time.sleep(60)
        return decisions

settings = Settings(home=sys.argv[1], database_url=sys.argv[2])
service = MemoryService(Database(settings.resolved_database_url), settings)
worker_id = sys.argv[3] or None  # None: the worker's own name (host, pid, tag)
worker = ExtractionWorker(service, SlowExtractor(), worker_id=worker_id, lease_s=float(sys.argv[4]))
worker.run_until_idle(timeout=120)
"""


def _slow_worker(
    service: MemoryService, settings: Settings, tmp_path: Path, worker_id: str, lease_s: float
) -> subprocess.Popen[str]:
    """A worker process that claimed the job and is extracting it (for a minute)."""
    script = tmp_path / "slow_worker.py"
    script.write_text(textwrap.dedent(_SLOW_WORKER))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(settings.home), service.db.url, worker_id, str(lease_s)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "extracting"
    return proc


def _kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def _job_holder(service: MemoryService) -> tuple[str, str]:
    with service.db.connect() as conn:
        row = conn.execute(
            sa.select(t.extraction_jobs.c.status, t.extraction_jobs.c.locked_by)
        ).one()
    return row[0], row[1]


def _three_records_once(service: MemoryService, memory_id: str, event_id: str) -> None:
    records = _records(service, memory_id)
    assert sorted(r.content["slot"] for r in records) == ["employer", "name", "role"]
    assert all(r.source_event_ids == [event_id] for r in records)
    (job,) = service.list_extraction_jobs(memory_id)
    assert job.status == "COMPLETED" and job.attempts == 2
    with service.db.connect() as conn:
        adds = conn.execute(
            sa.select(sa.func.count()).where(t.memory_record_history.c.operation == "ADD")
        ).scalar_one()
    assert adds == 3


def test_worker_killed_mid_job_loses_and_duplicates_nothing(
    service: MemoryService, settings: Settings, tmp_path: Path
) -> None:
    memory_id = _memory(service)
    event_id = _say(service, memory_id, "I'm Alice, a software engineer at TechCorp.")
    proc = _slow_worker(service, settings, tmp_path, "doomed", lease_s=1.0)
    try:
        assert _job_holder(service) == ("RUNNING", "doomed")
    finally:
        _kill(proc)
    assert _records(service, memory_id) == []
    survivor = ExtractionWorker(service, worker_id="survivor")
    assert survivor.run_until_idle(timeout=15)
    _three_records_once(service, memory_id, event_id)


def test_a_killed_workers_job_is_taken_over_at_once_not_after_its_lease(
    service: MemoryService, settings: Settings, tmp_path: Path
) -> None:
    # A new session waits for the actor's open jobs before it reads the profile. A job held by
    # a live worker is waited for; one whose worker on this host was killed is run at once,
    # long before its 60 s lease would have let anyone take it.
    memory_id = _memory(service)
    event_id = _say(service, memory_id, "I'm Alice, a software engineer at TechCorp.")
    proc = _slow_worker(service, settings, tmp_path, "", lease_s=60.0)
    try:
        status, holder = _job_holder(service)
        assert status == "RUNNING" and holder.startswith(f"worker@{socket.gethostname()[:80]}~")
        assert f"-{proc.pid}-" in holder
        assert not service.wait_for_actor_extraction(memory_id, ACTOR, timeout=0.5)
    finally:
        _kill(proc)
    assert service.wait_for_actor_extraction(memory_id, ACTOR, timeout=30)
    _three_records_once(service, memory_id, event_id)


def test_main_stops_on_sigterm(settings: Settings, db: Database) -> None:
    code = (
        "import logging, sys; from podium.config import Settings; "
        "from podium.memory._worker_main import main; logging.basicConfig(level=logging.INFO); "
        "sys.exit(main(Settings(home=sys.argv[1], database_url=sys.argv[2])))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(settings.home), db.url], stderr=subprocess.PIPE, text=True
    )
    try:
        # The worker logs that it started once its signal handlers are in place (a SIGTERM
        # before that would kill it outright, whatever the code under test does).
        assert proc.stderr is not None
        assert any("extraction worker started" in line for line in proc.stderr)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_waiting_for_an_actor_flushes_and_runs_every_session(service: MemoryService) -> None:
    # A new session's profile load: the trailing answers of earlier sessions are queued too
    # (no explicit flush), and the jobs run in the calling thread (no worker attached).
    memory_id = _memory(service, {"type": "summary", "name": "sums"})
    for session in ("s1", "s2"):
        _say(service, memory_id, "Any serverless workshops?", session=session)
        _say(service, memory_id, "SVS301: Lambda lab", role="ASSISTANT", session=session)
    assert service.wait_for_actor_extraction(memory_id, ACTOR, timeout=20)
    summaries = [r for r in _records(service, memory_id) if "summary" in r.content]
    assert sorted(r.session_id for r in summaries) == ["s1", "s2"]
    assert all("I suggested SVS301" in r.content["summary"] for r in summaries)
    assert service.list_extraction_jobs(memory_id, "PENDING") == []
    # Nothing left to cover: a second wait queues no job.
    before = len(service.list_extraction_jobs(memory_id))
    assert service.wait_for_actor_extraction(memory_id, ACTOR, timeout=1)
    assert len(service.list_extraction_jobs(memory_id)) == before
