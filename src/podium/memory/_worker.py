"""The durable extraction worker: claims jobs from ``extraction_jobs`` and applies their decisions.

Durability rules:

- **Claiming** is one atomic statement. SQLite: ``UPDATE ... WHERE id = (SELECT ...) RETURNING``
  inside ``BEGIN IMMEDIATE``; PostgreSQL: the same with ``FOR UPDATE SKIP LOCKED``. A RUNNING job
  whose lease (``locked_until``) expired is claimable again: that is how the job of a worker
  killed with ``kill -9`` gets redone.
- **Ordering**: a job is not claimed while an earlier job of the same (memory, actor, strategy)
  is pending or running under a live lease, so consolidation never races itself.
- **Exactly-once effects**: the decisions are applied through the record store in ONE
  transaction that also marks the job COMPLETED, fenced on ``locked_by`` = this worker. A crash
  mid-job leaves no partial records and a re-claimable job; a worker whose lease was taken over
  cannot commit (its transaction finds the job no longer its own and rolls back).
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from podium.errors import InvalidInput, ModelError, PodiumError

from . import _tables as t
from ._extract_offline import OfflineExtractor
from ._extractor import (
    Add,
    Decision,
    Delete,
    ExistingRecord,
    Extractor,
    Message,
    Skip,
    Update,
    base_type,
)
from ._models import Event, ExtractionJob, MemoryStrategy
from ._resources import resolve_namespace

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.embeddings import Embedder

    from ._service import MemoryService

__all__ = ["ExtractionWorker", "main", "reflection_namespace_template"]

logger = logging.getLogger(__name__)

_J = t.extraction_jobs
_E = t.events
_R = t.memory_records
_HISTORY_TYPES = ("summary", "episodic")
_MAX_HISTORY = 400


class _LeaseLost(Exception):
    """This worker no longer holds the job it is finishing."""


def reflection_namespace_template(strategy: MemoryStrategy) -> str | None:
    """The actor-level namespace template of an episodic strategy's reflections.

    ``configuration.reflection_namespace`` wins; otherwise the episode template without its
    ``sessions/{sessionId}`` part (AgentCore also requires reflections to sit above episodes).
    """
    config = strategy.configuration or {}
    explicit = config.get("reflection_namespace") or config.get("reflectionNamespace")
    if isinstance(explicit, str) and explicit:
        return explicit
    template = strategy.namespaces[0] if strategy.namespaces else ""
    if "{sessionId}" not in template:
        return None
    head = template.split("{sessionId}", 1)[0]
    head = head.removesuffix("/").removesuffix("sessions").removesuffix("/")
    return head + "/" if template.endswith("/") else head


def _messages(events: Sequence[Event]) -> list[Message]:
    out: list[Message] = []
    for event in events:
        for item in event.messages():
            text = str((item.get("content") or {}).get("text") or "")
            if text.strip():
                out.append(
                    Message(
                        event_id=event.event_id,
                        role=str(item.get("role") or "OTHER").upper(),
                        text=text,
                        timestamp=event.event_timestamp,
                        metadata=dict(event.metadata or {}),
                    )
                )
    return out


@dataclass(kw_only=True)
class _Lookup:
    """The ``existing`` callable handed to extractors: exact-namespace similar records."""

    service: MemoryService
    memory_id: str
    namespace: str
    embedder: Embedder
    vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def vector(self, text: str) -> np.ndarray:
        found = self.vectors.get(text)
        if found is None:
            found = self.embedder.embed([text], kind="document")[0]
            self.vectors[text] = found
        return found

    def __call__(
        self, text: str, k: int, namespace: str | None = None
    ) -> list[tuple[ExistingRecord, float]]:
        ns = namespace or self.namespace
        if not text:
            # "The record of this namespace" (summary, episode, reflection): no vector needed.
            return self._exact_namespace(ns, k)
        # The prefix search also returns child namespaces (episodes under a reflection
        # namespace): over-fetch, then keep exact matches only.
        hits = self.service.records.similar_records(self.memory_id, ns, self.vector(text), k * 4)
        out = [
            (_existing(record), float(score)) for record, score in hits if record.namespace == ns
        ][:k]
        if not out:
            out = self._exact_namespace(ns, k)
        return out

    def _exact_namespace(self, ns: str, k: int) -> list[tuple[ExistingRecord, float]]:
        with self.service.db.connect() as conn:
            rows = conn.execute(
                sa.select(_R.c.record_id, _R.c.text, _R.c.content, _R.c.source_event_ids)
                .where(_R.c.memory_id == self.memory_id, _R.c.namespace == ns)
                .order_by(_R.c.updated_at.desc())
                .limit(k)
            ).all()
        return [
            (
                ExistingRecord(
                    record_id=r[0],
                    text=r[1],
                    content=dict(r[2] or {}),
                    namespace=ns,
                    source_event_ids=tuple(r[3] or ()),
                ),
                0.0,
            )
            for r in rows
        ]


def _existing(record: Any) -> ExistingRecord:
    return ExistingRecord(
        record_id=record.record_id,
        text=record.text,
        content=dict(record.content or {}),
        namespace=record.namespace,
        source_event_ids=tuple(record.source_event_ids or ()),
    )


class ExtractionWorker:
    """Claims and runs long-term extraction jobs, in a background thread or the caller's.

    ``extractor`` defaults to the offline extractor. ``lease_s`` is how long a claimed job stays
    owned before another worker may take it over.
    """

    def __init__(
        self,
        service: MemoryService,
        extractor: Extractor | None = None,
        worker_id: str | None = None,
        poll_interval: float = 0.2,
        lease_s: float = 60.0,
        idle_scan_interval: float = 1.0,
    ) -> None:
        self.service = service
        self.extractor: Extractor = extractor or OfflineExtractor()
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self.poll_interval = poll_interval
        self.lease_s = lease_s
        self.idle_scan_interval = idle_scan_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_idle_scan = 0.0

    # ------------------------------------------------------------------ claiming
    def claim_job(
        self,
        *,
        memory_id: str | None = None,
        actor_id: str | None = None,
        session_id: str | None = None,
        now: float | None = None,
    ) -> ExtractionJob | None:
        """Atomically take the oldest claimable job (optionally of one memory/actor/session)."""
        now = time.time() if now is None else now
        db = self.service.db
        other = _J.alias("other")
        blocked = sa.exists().where(
            other.c.memory_id == _J.c.memory_id,
            other.c.actor_id == _J.c.actor_id,
            other.c.strategy_id == _J.c.strategy_id,
            other.c.id != _J.c.id,
            sa.or_(
                sa.and_(other.c.status == "RUNNING", other.c.locked_until >= now),
                sa.and_(other.c.status == "PENDING", other.c.created_at < _J.c.created_at),
            ),
        )
        claimable = sa.or_(
            sa.and_(_J.c.status == "PENDING", _J.c.run_after <= now),
            sa.and_(
                _J.c.status == "RUNNING",
                _J.c.locked_until < now,
                _J.c.attempts < _J.c.max_attempts,
            ),
        )
        conds: list[sa.ColumnElement[bool]] = [claimable, ~blocked]
        if memory_id is not None:
            conds.append(_J.c.memory_id == memory_id)
        if actor_id is not None:
            conds.append(_J.c.actor_id == actor_id)
        if session_id is not None:
            conds.append(_J.c.session_id == session_id)
        pick = sa.select(_J.c.id).where(*conds).order_by(_J.c.created_at, _J.c.id).limit(1)
        if db.dialect == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        stmt = (
            _J.update()
            .where(_J.c.id == pick.scalar_subquery())
            .values(
                status="RUNNING",
                locked_by=self.worker_id,
                locked_until=now + self.lease_s,
                attempts=_J.c.attempts + 1,
                updated_at=now,
            )
            .returning(*_J.c)
        )
        with db.begin() as conn:
            self._fail_exhausted(conn, now)
            row = conn.execute(stmt).first()
        if row is None:
            return None
        job = ExtractionJob.from_row(row)
        logger.debug("job_id=<%s>, attempt=<%d> | claimed", job.job_id, job.attempts)
        return job

    @staticmethod
    def _fail_exhausted(conn: sa.Connection, now: float) -> None:
        """Jobs whose workers died ``max_attempts`` times are FAILED, not retried forever."""
        conn.execute(
            _J.update()
            .where(
                _J.c.status == "RUNNING",
                _J.c.locked_until < now,
                _J.c.attempts >= _J.c.max_attempts,
            )
            .values(
                status="FAILED",
                error="the worker running this job stopped before finishing, too many times",
                locked_by=None,
                locked_until=None,
                updated_at=now,
            )
        )

    # ------------------------------------------------------------------ running
    def run_once(
        self,
        *,
        memory_id: str | None = None,
        actor_id: str | None = None,
        session_id: str | None = None,
    ) -> bool:
        """Claim and process one job; False when there was nothing to claim."""
        job = self.claim_job(memory_id=memory_id, actor_id=actor_id, session_id=session_id)
        if job is None:
            return False
        self.process(job)
        return True

    def process(self, job: ExtractionJob) -> None:
        """Run one claimed job to COMPLETED, back to PENDING (transient error) or FAILED."""
        started = time.perf_counter()
        try:
            stats = self._execute(job)
        except _LeaseLost:
            logger.warning("job_id=<%s> | lease lost before commit, work discarded", job.job_id)
            return
        except ModelError as e:
            # The extractor already retried the model; a re-drive is an explicit decision.
            self._fail(job, str(e), retry=False)
            return
        except InvalidInput as e:
            self._fail(job, str(e), retry=False)
            return
        except Exception as e:
            message = e.message if isinstance(e, PodiumError) else f"{e.__class__.__name__}: {e}"
            logger.exception("job_id=<%s> | extraction failed", job.job_id)
            self._fail(job, message, retry=True)
            return
        logger.info(
            "job_id=<%s>, added=<%d>, updated=<%d>, deleted=<%d>, ms=<%d> | job completed",
            job.job_id,
            stats["added"],
            stats["updated"],
            stats["deleted"],
            int((time.perf_counter() - started) * 1000),
        )

    def _fail(self, job: ExtractionJob, error: str, *, retry: bool) -> None:
        now = time.time()
        again = retry and job.attempts < job.max_attempts
        values: dict[str, Any] = {
            "status": "PENDING" if again else "FAILED",
            "error": error[:4000],
            "locked_by": None,
            "locked_until": None,
            "updated_at": now,
        }
        if again:
            values["run_after"] = now + min(60.0, 0.5 * 2**job.attempts)
        with self.service.db.begin() as conn:
            conn.execute(
                _J.update()
                .where(_J.c.id == job.job_id, _J.c.locked_by == self.worker_id)
                .values(**values)
            )
        logger.warning(
            "job_id=<%s>, status=<%s> | extraction job failed", job.job_id, values["status"]
        )

    def _history(self, job: ExtractionJob) -> list[Message]:
        with self.service.db.connect() as conn:
            rows = conn.execute(
                sa.select(_E.c.pk)
                .where(
                    _E.c.memory_id == job.memory_id,
                    _E.c.actor_id == job.actor_id,
                    _E.c.session_id == job.session_id,
                    _E.c.pk < job.from_event_pk,
                    _E.c.extract.is_(True),
                )
                .order_by(_E.c.pk.desc())
                .limit(_MAX_HISTORY)
            ).all()
        if not rows:
            return []
        earlier = dataclasses.replace(
            job, from_event_pk=min(r[0] for r in rows), to_event_pk=job.from_event_pk - 1
        )
        return _messages(self.service.events_in_range(earlier))

    def _strategy_view(
        self, job: ExtractionJob, strategy: MemoryStrategy
    ) -> tuple[dict[str, Any], str]:
        template = strategy.namespaces[0]
        namespace = resolve_namespace(template, job.actor_id, job.session_id, strategy.strategy_id)
        view: dict[str, Any] = {
            "strategy_id": strategy.strategy_id,
            "name": strategy.name,
            "type": strategy.type,
            "configuration": dict(strategy.configuration or {}),
            "namespace": namespace,
            "actor_id": job.actor_id,
            "session_id": job.session_id,
        }
        if base_type(view) == "episodic":
            reflection = reflection_namespace_template(strategy)
            if reflection:
                view["reflection_namespace"] = resolve_namespace(
                    reflection, job.actor_id, job.session_id, strategy.strategy_id
                )
        return view, namespace

    def _execute(self, job: ExtractionJob) -> dict[str, int]:
        service = self.service
        memory = service.get_memory(job.memory_id)
        strategy = memory.strategy(job.strategy_id)
        stats = {"added": 0, "updated": 0, "deleted": 0, "skipped": 0, "messages": 0}
        decisions: list[Decision] = []
        lookup: _Lookup | None = None
        namespace = ""
        if strategy is not None:
            view, namespace = self._strategy_view(job, strategy)
            messages = _messages(service.events_in_range(job))
            stats["messages"] = len(messages)
            if messages:
                history = self._history(job) if base_type(view) in _HISTORY_TYPES else []
                embedder = service.memory_embedder(job.memory_id)
                lookup = _Lookup(
                    service=service, memory_id=job.memory_id, namespace=namespace, embedder=embedder
                )
                decisions = self.extractor.extract(view, messages, lookup, history=history)
        vectors = self._vectors(decisions, lookup)
        with service.db.begin() as conn:
            done = conn.execute(
                _J.update()
                .where(
                    _J.c.id == job.job_id,
                    _J.c.status == "RUNNING",
                    _J.c.locked_by == self.worker_id,
                )
                .values(
                    status="COMPLETED",
                    locked_by=None,
                    locked_until=None,
                    error=None,
                    updated_at=time.time(),
                )
            )
            if done.rowcount != 1:
                raise _LeaseLost(job.job_id)
            for decision in decisions:
                self._apply(conn, job, namespace, decision, vectors, stats)
            conn.execute(_J.update().where(_J.c.id == job.job_id).values(stats=dict(stats)))
        return stats

    @staticmethod
    def _vectors(decisions: Sequence[Decision], lookup: _Lookup | None) -> Mapping[str, np.ndarray]:
        if lookup is None:
            return {}
        texts = [d.text for d in decisions if isinstance(d, Add | Update)]
        missing = list(dict.fromkeys(x for x in texts if x not in lookup.vectors))
        if missing:
            for text, vector in zip(
                missing, lookup.embedder.embed(missing, kind="document"), strict=True
            ):
                lookup.vectors[text] = vector
        return lookup.vectors

    def _apply(
        self,
        conn: sa.Connection,
        job: ExtractionJob,
        namespace: str,
        decision: Decision,
        vectors: Mapping[str, np.ndarray],
        stats: dict[str, int],
    ) -> None:
        records = self.service.records
        if isinstance(decision, Skip):
            stats["skipped"] += 1
            return
        if isinstance(decision, Add):
            content = {**decision.content, "text": decision.text}
            records.add_record(
                conn,
                job.memory_id,
                job.actor_id,
                job.session_id,
                job.strategy_id,
                decision.namespace or namespace,
                content,
                decision.text,
                vectors.get(decision.text),
                {"extractedBy": type(self.extractor).__name__},
                list(decision.source_event_ids),
                decision.rationale,
                job.job_id,
            )
            stats["added"] += 1
            return
        current = records.get_record(conn, decision.record_id)
        if (
            current is None
            or current.memory_id != job.memory_id
            or current.actor_id != job.actor_id
        ):
            # Deleted meanwhile, or not this actor's: never touch it.
            stats["skipped"] += 1
            return
        if isinstance(decision, Update):
            content = {**decision.content, "text": decision.text}
            records.update_record(
                conn,
                decision.record_id,
                content,
                decision.text,
                vectors.get(decision.text),
                list(decision.source_event_ids),
                decision.rationale,
                job.job_id,
            )
            stats["updated"] += 1
        elif isinstance(decision, Delete):
            records.delete_record(
                conn,
                decision.record_id,
                decision.rationale,
                list(decision.source_event_ids),
                job.job_id,
            )
            stats["deleted"] += 1

    # ------------------------------------------------------------------ loops
    def _pending(self, memory_id: str | None, actor_id: str | None, session_id: str | None) -> int:
        conds: list[sa.ColumnElement[bool]] = [_J.c.status.in_(("PENDING", "RUNNING"))]
        if memory_id is not None:
            conds.append(_J.c.memory_id == memory_id)
        if actor_id is not None:
            conds.append(_J.c.actor_id == actor_id)
        if session_id is not None:
            conds.append(_J.c.session_id == session_id)
        with self.service.db.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).where(*conds)).scalar_one())

    def run_until_idle(
        self,
        timeout: float = 10.0,
        *,
        memory_id: str | None = None,
        actor_id: str | None = None,
        session_id: str | None = None,
    ) -> bool:
        """Process claimable jobs in the calling thread until none of the filter remains.

        True when no PENDING/RUNNING job matching the filter is left, False on timeout (e.g.
        a job held by another live worker, or scheduled for a later retry).
        """
        deadline = time.monotonic() + timeout
        while True:
            if self.run_once(memory_id=memory_id, actor_id=actor_id, session_id=session_id):
                continue
            if self._pending(memory_id, actor_id, session_id) == 0:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(self.poll_interval, max(0.0, deadline - time.monotonic())))

    def tick(self) -> bool:
        """One background step: idle-trigger scan (rate-limited), one job, else embed events."""
        now = time.time()
        if now - self._last_idle_scan >= self.idle_scan_interval:
            self._last_idle_scan = now
            enqueued = self.service.enqueue_idle_jobs(now)
            if enqueued:
                logger.debug("jobs=<%d> | idle triggers fired", enqueued)
        if self.run_once():
            return True
        return self._embed_some() > 0

    def _embed_some(self) -> int:
        with self.service.db.connect() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    sa.select(_E.c.memory_id).where(_E.c.embedding.is_(None)).distinct().limit(8)
                )
            ]
        return sum(self.service.embed_pending_events(mid, limit=64) for mid in ids)

    def serve(self, stop: threading.Event | None = None) -> None:
        """Loop until ``stop`` (or :meth:`stop`) is set; errors are logged and the loop goes on."""
        stop = stop or self._stop
        logger.info("worker_id=<%s> | extraction worker started", self.worker_id)
        while not stop.is_set() and not self._stop.is_set():
            try:
                busy = self.tick()
            except Exception:
                logger.exception("worker_id=<%s> | worker step failed", self.worker_id)
                busy = False
            if not busy:
                stop.wait(self.poll_interval)
        logger.info("worker_id=<%s> | extraction worker stopped", self.worker_id)

    def start(self) -> None:
        """Run :meth:`serve` in a daemon thread (embedded mode)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.serve, name="podium-memory-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the background thread after its current job."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def main(settings: Settings, *, extractor: Extractor | None = None) -> int:
    """``podium memory worker``: run until SIGTERM/SIGINT, then finish the current job and exit 0."""
    from podium.storage import Database

    from ._service import MemoryService

    db = Database(settings.resolved_database_url)
    db.migrate()
    service = MemoryService(db, settings)
    worker = ExtractionWorker(service, extractor)
    stop = threading.Event()

    def _handle(signum: int, _frame: object) -> None:
        logger.info("signal=<%d> | stopping extraction worker", signum)
        stop.set()

    previous = {s: signal.signal(s, _handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.serve(stop)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        db.dispose()
    return 0
