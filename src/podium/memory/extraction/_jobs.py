"""Extraction job operations: list, re-drive, flush, idle triggers and waiting for a session."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from podium.errors import InvalidInput, NotFound
from podium.storage._holders import holder_name

from .._models import JOB_STATUSES, ExtractionJob
from .._validation import validate_actor_id, validate_session_id
from . import _queue
from ._worker import ExtractionWorker

if TYPE_CHECKING:
    from podium.storage import Database

    from .._lookup import MemoryLookup
    from ._host import WorkerHost

__all__ = ["ExtractionJobs"]

_POLL_S = 0.02


class ExtractionJobs:
    """Extraction job operations over ``db``.

    ``worker`` may be set to an in-process extraction worker; :meth:`wait_for_extraction` then
    drives it (``worker.run_until_idle(...)``). Without one, it runs the session's jobs inline
    with a worker of its own (the offline extractor).
    """

    db: Database
    lookup: MemoryLookup
    worker: ExtractionWorker | None

    def list_extraction_jobs(
        self, memory_id: str, status: str | None = None
    ) -> list[ExtractionJob]:
        """A memory's extraction jobs, oldest first, optionally of one status."""
        if status is not None and status not in JOB_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(JOB_STATUSES)}")
        with self.db.connect() as conn:
            self.lookup.load(conn, memory_id)
            return _queue.list_jobs(conn, memory_id, status)

    def start_extraction_job(self, memory_id: str, job_id: str) -> ExtractionJob:
        """Re-drive a FAILED job: back to PENDING with its attempts reset."""
        now = time.time()
        with self.db.begin() as conn:
            job = _queue.get_job(conn, memory_id, job_id)
            if job is None:
                self.lookup.load(conn, memory_id)
                raise NotFound(f"extraction job {job_id!r} not found")
            if job.status != "FAILED":
                raise InvalidInput(f"extraction job {job_id!r} is {job.status}, not FAILED")
            return _queue.requeue(conn, job_id, now)

    def flush_extraction(self, memory_id: str, actor_id: str, session_id: str) -> list[str]:
        """Queue ``manual`` jobs for a session's events not yet covered by any job."""
        validate_actor_id(actor_id)
        validate_session_id(session_id)
        now = time.time()
        with self.db.begin() as conn:
            memory = self.lookup.load(conn, memory_id)
            return _queue.flush_session(conn, memory, actor_id, session_id, "manual", now)

    def enqueue_idle_jobs(self, now: float | None = None) -> int:
        """Fire ``idle_seconds`` triggers across memories; returns the number of jobs queued."""
        now = time.time() if now is None else now
        with self.db.begin() as conn:
            memories = [self.lookup.load(conn, mid) for mid in self.lookup.memory_ids(conn)]
            return _queue.enqueue_idle(conn, memories, now)

    def _open_jobs(self, memory_id: str, actor_id: str, session_id: str | None) -> int:
        with self.db.connect() as conn:
            return _queue.count_open(
                conn, memory_id=memory_id, actor_id=actor_id, session_id=session_id
            )

    def wait_for_extraction(
        self, memory_id: str, actor_id: str, session_id: str, timeout: float = 10.0
    ) -> bool:
        """Wait until the session has no PENDING/RUNNING jobs; False if ``timeout`` passed first.

        The session's claimable jobs run in the calling thread: on the attached ``worker``, or,
        when none is attached, on a worker made for this call with the offline extractor (attach
        ``ExtractionWorker(service, extractor)`` to choose another). A job another live worker
        holds, or one scheduled for a later retry, is waited for until ``timeout``.
        """
        validate_actor_id(actor_id)
        validate_session_id(session_id)
        return self._wait(memory_id, actor_id, session_id, timeout)

    def wait_for_actor_extraction(
        self, memory_id: str, actor_id: str, timeout: float = 5.0, *, flush: bool = True
    ) -> bool:
        """Wait until none of the actor's sessions has PENDING/RUNNING jobs (False on timeout).

        What a new session calls before it reads the actor's profile: the turn that just ended
        in another session (an introduction) has its records by then. With ``flush``, events no
        job covers yet are queued first (``manual`` jobs): the last answer of a session comes
        after the user message that triggered its job, and a summary should say what it
        suggested. Claimable jobs run in the calling thread, as in :meth:`wait_for_extraction`.
        """
        validate_actor_id(actor_id)
        if flush:
            now = time.time()
            with self.db.begin() as conn:
                memory = self.lookup.load(conn, memory_id)
                for session_id in _queue.sessions_with_uncovered_events(conn, memory_id, actor_id):
                    _queue.flush_session(conn, memory, actor_id, session_id, "manual", now)
        return self._wait(memory_id, actor_id, None, timeout)

    def _wait(self, memory_id: str, actor_id: str, session_id: str | None, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if self._open_jobs(memory_id, actor_id, session_id) == 0:
            return True
        worker = self.worker
        if worker is None:
            # The only class mixing this in, MemoryService, is the WorkerHost a worker runs on.
            worker = ExtractionWorker(cast("WorkerHost", self), worker_id=_inline_worker_id())
        worker.run_until_idle(
            timeout=timeout, memory_id=memory_id, actor_id=actor_id, session_id=session_id
        )
        while True:
            if self._open_jobs(memory_id, actor_id, session_id) == 0:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)


def _inline_worker_id() -> str:
    return holder_name("inline")
