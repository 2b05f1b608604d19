"""The durable extraction worker: claims jobs from the queue and runs them.

Durability rules:

- **Claiming** is one atomic statement (:func:`._queue.claim`). SQLite: ``UPDATE ... WHERE
  id = (SELECT ...) RETURNING`` inside ``BEGIN IMMEDIATE``; PostgreSQL: the same with ``FOR
  UPDATE SKIP LOCKED``. A RUNNING job whose lease (``locked_until``) expired is claimable again:
  that is how the job of a worker killed with ``kill -9`` gets redone.
- **Ordering**: a job is not claimed while an earlier job of the same (memory, actor, strategy)
  is pending or running under a live lease, so consolidation never races itself.
- **Exactly-once effects**: a job's records and its COMPLETED mark commit in one transaction
  fenced on ``locked_by`` (:mod:`._execute`).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from typing import TYPE_CHECKING

from podium.errors import InvalidInput, ModelError, PodiumError
from podium.storage._holders import holder_name
from podium.telemetry import bind_ids, span

from .._models import ExtractionJob
from . import _queue
from ._execute import LeaseLost, execute_job
from ._extract_offline import OfflineExtractor

if TYPE_CHECKING:
    from ._extractor import Extractor
    from ._host import WorkerHost

__all__ = ["ExtractionWorker"]

logger = logging.getLogger(__name__)


class ExtractionWorker:
    """Claims and runs long-term extraction jobs, in a background thread or the caller's.

    ``service`` is the :class:`~podium.memory.MemoryService` the jobs belong to. ``extractor``
    defaults to the offline extractor. ``lease_s`` is how long a claimed job stays owned before
    another worker may take it over.
    """

    def __init__(
        self,
        service: WorkerHost,
        extractor: Extractor | None = None,
        worker_id: str | None = None,
        poll_interval: float = 0.2,
        lease_s: float = 60.0,
        idle_scan_interval: float = 1.0,
    ) -> None:
        self.service = service
        self.extractor: Extractor = extractor or OfflineExtractor()
        self.worker_id = worker_id or holder_name("worker")
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
        with self.service.db.begin() as conn:
            _queue.release_dead_holders(
                conn, now, memory_id=memory_id, actor_id=actor_id, session_id=session_id
            )
            _queue.fail_exhausted(conn, now)
            job = _queue.claim(
                conn,
                worker_id=self.worker_id,
                lease_s=self.lease_s,
                now=now,
                memory_id=memory_id,
                actor_id=actor_id,
                session_id=session_id,
            )
        if job is not None:
            logger.debug("job_id=<%s>, attempt=<%d> | claimed", job.job_id, job.attempts)
        return job

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
        """Run one claimed job to COMPLETED, back to PENDING (transient error) or FAILED.

        Traced as a ``podium.extraction.job`` span with the job's session and actor (its own
        trace, or a child of the caller's span when a caller waits for extraction).
        """
        # A copy: the job's ids must not replace those of a caller that runs jobs in its thread.
        contextvars.copy_context().run(self._traced, job)

    def _traced(self, job: ExtractionJob) -> None:
        bind_ids(session_id=job.session_id, actor_id=job.actor_id)
        with span("podium.extraction.job"):
            self._process(job)

    def _process(self, job: ExtractionJob) -> None:
        started = time.perf_counter()
        try:
            stats = execute_job(self.service, self.extractor, self.worker_id, job)
        except LeaseLost:
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
        with self.service.db.begin() as conn:
            status = _queue.give_back(
                conn, job, self.worker_id, error, retry=retry, now=time.time()
            )
        logger.warning("job_id=<%s>, status=<%s> | extraction job failed", job.job_id, status)

    # ------------------------------------------------------------------ loops
    def _pending(self, memory_id: str | None, actor_id: str | None, session_id: str | None) -> int:
        with self.service.db.connect() as conn:
            return _queue.count_open(
                conn, memory_id=memory_id, actor_id=actor_id, session_id=session_id
            )

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
        return self.service.backfill_event_embeddings(max_memories=8, limit=64) > 0

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
