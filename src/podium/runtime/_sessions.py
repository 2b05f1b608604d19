"""Runtime sessions: who owns each one, its worker, one invocation at a time, and its lifecycle.

* A session belongs to the actor that created it; any other actor is refused (403) and never
  reaches its worker. Ended sessions keep their owner (bounded memory), so an id cannot be taken
  over later.
* One invocation at a time: a second concurrent one gets 409 ``ConflictException`` at once.
* A session ends (and its worker exits) after ``idle_timeout_s`` without invocations, after
  ``max_lifetime_s`` in any case (even mid-invocation), or on stop.
* A worker that dies on its own is counted as a crash and replaced on the session's next
  invocation; the session itself goes on.
* At most ``max_workers`` workers are live; a session needing a new one beyond that gets 429
  ``ThrottlingException``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from podium.errors import Conflict, Forbidden, LimitExceeded, NotFound

from ._backends import Backend, Worker
from ._metrics import Metrics

logger = logging.getLogger(__name__)

__all__ = ["Session", "SessionManager"]

_MAX_TOMBSTONES = 100_000


@dataclass(kw_only=True)
class Session:
    """One runtime session."""

    session_id: str
    actor_id: str
    created_at: float
    last_used: float
    worker: Worker | None = None
    busy: bool = False
    ended: bool = False


class SessionManager:
    """Owns every session and its worker; all methods run on the gateway's event loop."""

    def __init__(
        self,
        backend: Backend,
        *,
        idle_timeout_s: float,
        max_lifetime_s: float,
        max_workers: int,
        metrics: Metrics,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.idle_timeout_s = idle_timeout_s
        self.max_lifetime_s = max_lifetime_s
        self.max_workers = max_workers
        self.metrics = metrics
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._ended_owner: OrderedDict[str, str] = OrderedDict()
        self._spawning = 0
        self._reaper: asyncio.Task[None] | None = None
        self._started = False
        self._start_lock: asyncio.Lock | None = None
        self._closing: set[asyncio.Task[None]] = set()

    # -- lifecycle of the manager ----------------------------------------------------------------

    async def start(self) -> None:
        """Load the app (start the zygote) and the reaper; idempotent."""
        if self._started:
            return
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self._started:
                return
            await self.backend.start()
            self._reaper = asyncio.create_task(self._reap_forever())
            self._started = True

    async def close(self) -> None:
        """End every session and stop the backend."""
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
            self._reaper = None
        for session in list(self._sessions.values()):
            await self._end(session, "shutdown")
        if self._started:
            await self.backend.close()
        self._started = False

    # -- sessions --------------------------------------------------------------------------------

    def get(self, session_id: str) -> Session | None:
        """The live session with this id, if any."""
        return self._sessions.get(session_id)

    def sessions(self) -> list[Session]:
        """A snapshot of the live sessions."""
        return list(self._sessions.values())

    def _owner_check(self, session_id: str, actor_id: str) -> Session | None:
        session = self._sessions.get(session_id)
        owner = session.actor_id if session is not None else self._ended_owner.get(session_id)
        if owner is not None and owner != actor_id:
            raise Forbidden(f"session {session_id} belongs to another actor")
        return session

    async def acquire(self, session_id: str, actor_id: str) -> Session:
        """The session (created if new), marked busy, with a live worker.

        Raises:
            Forbidden: another actor owns the session.
            Conflict: the session is already serving an invocation.
            LimitExceeded: a new worker is needed and ``max_workers`` are live.
        """
        await self.start()
        session = self._owner_check(session_id, actor_id)
        now = self._clock()
        created = session is None
        if session is None:
            session = Session(
                session_id=session_id, actor_id=actor_id, created_at=now, last_used=now
            )
            self._sessions[session_id] = session
            self._ended_owner.pop(session_id, None)
            self.metrics.sessions_live = len(self._sessions)
            logger.info("session_id=<%s>, actor_id=<%s> | session created", session_id, actor_id)
        if session.busy:
            raise Conflict(
                f"session {session_id} is busy with another invocation; retry when it finishes"
            )
        session.busy = True
        session.last_used = now
        try:
            await self._ensure_worker(session)
        except BaseException:
            session.busy = False
            if created and not session.ended:
                # Never served anything: forget it so it does not hold a slot or an id.
                await self._end(session, "not_started", tombstone=False)
            raise
        return session

    async def discard_worker(self, session: Session) -> None:
        """Close the session's worker after its channel was left in an unknown state."""
        worker, session.worker = session.worker, None
        self._count_workers()
        if worker is not None:
            await worker.close()

    def release(self, session: Session) -> None:
        """The invocation on ``session`` finished (in any way)."""
        session.busy = False
        session.last_used = self._clock()
        self._count_workers()

    async def stop(self, session_id: str, actor_id: str) -> None:
        """StopRuntimeSession: end the session now, even mid-invocation.

        Raises:
            NotFound: no live session with this id.
            Forbidden: another actor owns it.
        """
        session = self._owner_check(session_id, actor_id)
        if session is None:
            raise NotFound(f"no active session {session_id}")
        await self._end(session, "stopped")

    # -- workers ---------------------------------------------------------------------------------

    def _live_workers(self) -> int:
        return sum(1 for s in self._sessions.values() if s.worker is not None) + self._spawning

    def _count_workers(self) -> None:
        self.metrics.workers_live = self._live_workers()
        self.metrics.sessions_live = len(self._sessions)

    def _check_worker(self, session: Session) -> None:
        """Drop a worker that died without being asked to (a crash)."""
        worker = session.worker
        if worker is not None and not worker.alive():
            session.worker = None
            self.metrics.worker_crashes += 1
            logger.warning(
                "session_id=<%s>, pid=<%d> | session worker died; the next invocation gets a new one",
                session.session_id,
                worker.pid,
            )
            task = asyncio.get_running_loop().create_task(worker.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
            self._count_workers()

    async def _ensure_worker(self, session: Session) -> None:
        self._check_worker(session)
        if session.worker is not None:
            return
        if self._live_workers() >= self.max_workers:
            raise LimitExceeded(
                f"all {self.max_workers} session workers are in use (PODIUM_MAX_WORKERS); "
                "stop an idle session or retry later"
            )
        self._spawning += 1
        try:
            worker = await self.backend.spawn(session.session_id)
        finally:
            self._spawning -= 1
        if session.ended:
            await worker.close()
            raise NotFound(f"session {session.session_id} was stopped")
        session.worker = worker
        self.metrics.worker_starts += 1
        self._count_workers()
        logger.info("session_id=<%s>, pid=<%d> | worker started", session.session_id, worker.pid)

    async def _end(self, session: Session, reason: str, *, tombstone: bool = True) -> None:
        if self._sessions.get(session.session_id) is session:
            del self._sessions[session.session_id]
        session.ended = True
        if tombstone:
            self._ended_owner[session.session_id] = session.actor_id
            while len(self._ended_owner) > _MAX_TOMBSTONES:
                self._ended_owner.popitem(last=False)
            self.metrics.sessions_ended[reason] += 1
        worker, session.worker = session.worker, None
        self._count_workers()
        if worker is not None:
            await worker.close()
        logger.info("session_id=<%s>, reason=<%s> | session ended", session.session_id, reason)

    # -- the reaper ------------------------------------------------------------------------------

    def _tick_s(self) -> float:
        return max(0.05, min(1.0, self.idle_timeout_s / 4, self.max_lifetime_s / 4))

    async def reap(self) -> None:
        """One pass: end idle and expired sessions, notice crashed workers."""
        now = self._clock()
        for session in list(self._sessions.values()):
            if now - session.created_at >= self.max_lifetime_s:
                await self._end(session, "lifetime")
            elif not session.busy and now - session.last_used >= self.idle_timeout_s:
                await self._end(session, "idle")
            elif not session.busy:
                self._check_worker(session)

    async def _reap_forever(self) -> None:
        while True:
            await asyncio.sleep(self._tick_s())
            try:
                await self.reap()
            except Exception:
                logger.exception("session reaper failed")
