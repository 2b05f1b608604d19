"""Runtime sessions: who owns each one, its worker, one invocation at a time, and its lifecycle.

* A session belongs to the actor that created it; any other actor is refused (403) and never
  reaches its worker. The owner outlives the session: with a :class:`SessionOwners` store it is
  kept in the database, so an id cannot be taken over later, not even after a restart.
* One invocation at a time: a second concurrent one gets 409 ``ConflictException`` at once.
* A session ends (and its worker exits) after ``idle_timeout_s`` without invocations, after
  ``max_lifetime_s`` in any case (even mid-invocation), on stop, or when it is evicted.
* A worker that dies on its own is counted as a crash and replaced on the session's next
  invocation; the session itself goes on.
* Quotas, so that one actor cannot take the host: at most ``max_invocations_per_actor``
  invocations of one actor in flight, at most ``max_sessions_per_actor`` live sessions per
  actor (a new one ends that actor's least recently used idle session), and at most
  ``max_workers`` live workers (a new one ends the least recently used idle session, taken
  from the actors over their fair share first). Only when every candidate is busy is the
  request refused: 429 ``ThrottlingException`` with a retry-after.
* Many gateways on one database (with :class:`SessionLeases`): each invocation takes the
  session's lease, so one gateway at a time serves it and one invocation runs cluster-wide
  (409 otherwise). A session whose lease another gateway took is ended here (``moved``), and a
  worker that missed turns made elsewhere is replaced before it serves again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from podium.errors import Conflict, Forbidden, LimitExceeded, NotFound

from ._backends import Backend, Worker
from ._leases import SessionLeases
from ._metrics import Metrics
from ._owners import SessionOwners
from ._session_leases import LeaseHolding

logger = logging.getLogger(__name__)

__all__ = ["Session", "SessionManager"]

#: Owners remembered in memory (of live and ended sessions); the store, if any, has them all.
_MAX_KNOWN_OWNERS = 100_000
#: Retry-After of a refusal because everything is busy: invocations are short, so soon.
_BUSY_RETRY_AFTER_S = 1.0


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
    #: The epoch of this gateway's lease (None before the first one, or without leases).
    lease_epoch: int | None = None
    #: The lease is marked busy in the database by the running invocation.
    lease_busy: bool = False
    #: A lease acquisition is in flight (the lease keeper leaves the session alone).
    acquiring: bool = False


class SessionManager(LeaseHolding):
    """Owns every session and its worker; all methods run on the gateway's event loop.

    Admission decisions (quotas, caps, evictions) are made without an ``await`` between the
    check and the bookkeeping, so concurrent requests cannot overshoot a limit.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        idle_timeout_s: float,
        max_lifetime_s: float,
        max_workers: int,
        metrics: Metrics,
        max_sessions_per_actor: int | None = None,
        max_invocations_per_actor: int | None = None,
        owners: SessionOwners | None = None,
        leases: SessionLeases | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.idle_timeout_s = idle_timeout_s
        self.max_lifetime_s = max_lifetime_s
        self.max_workers = max_workers
        self.max_sessions_per_actor = max_sessions_per_actor
        self.max_invocations_per_actor = max_invocations_per_actor
        self.owners = owners
        self.leases = leases
        self.metrics = metrics
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._known_owner: OrderedDict[str, str] = OrderedDict()
        self._spawning = 0
        self._reaper: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._unsettled: dict[str, int] = {}
        self._started = False
        self._start_lock: asyncio.Lock | None = None
        self._closing: set[asyncio.Task[None]] = set()

    # -- lifecycle of the manager ----------------------------------------------------------------

    async def start(self) -> None:
        """Open the owner store, load the app (start the zygote) and the reaper; idempotent."""
        if self._started:
            return
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self._started:
                return
            if self.owners is not None:
                await asyncio.to_thread(self.owners.open)
            await self.backend.start()
            self._reaper = asyncio.create_task(self._reap_forever())
            if self.leases is not None:
                self._keeper = asyncio.create_task(self._keep_leases_forever())
            self._started = True

    async def close(self) -> None:
        """End every session and stop the backend."""
        for task in (self._reaper, self._keeper):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._reaper = self._keeper = None
        ended = list(self._sessions.values())
        for session in ended:
            await self._end(session, "shutdown", record=False)
        await self._record_use(ended)
        if self.leases is not None and self._started:
            try:
                await asyncio.to_thread(self.leases.drop_all)
            except Exception as exc:  # they expire on their own after lease_s
                logger.warning("error=<%s> | could not hand back the session leases", exc)
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        if self._started:
            await self.backend.close()
        if self.owners is not None:
            self.owners.close()
        self._started = False

    # -- sessions --------------------------------------------------------------------------------

    def get(self, session_id: str) -> Session | None:
        """The live session with this id, if any."""
        return self._sessions.get(session_id)

    def sessions(self) -> list[Session]:
        """A snapshot of the live sessions."""
        return list(self._sessions.values())

    async def acquire(self, session_id: str, actor_id: str) -> Session:
        """The session (created if new), marked busy, with a live worker.

        Raises:
            Forbidden: another actor owns the session (now, earlier, or before a restart).
            Conflict: the session is already serving an invocation.
            LimitExceeded: a quota or the worker cap is reached and nothing idle can make room.
        """
        await self.start()
        claimed, was_known = False, session_id in self._known_owner
        if session_id not in self._sessions:
            # Refuse what is bound to be refused before touching the owner store.
            self._check_invocations(actor_id)
            self._room_for_session(actor_id, evict=False)
            self._room_for_worker()
            claimed = await self._claim(session_id, actor_id)
        # Other requests ran during the claim: every check below is made again, and nothing
        # between them and the bookkeeping awaits.
        session = self._sessions.get(session_id)
        created, marked = session is None, False
        evicted: tuple[Session, Worker | None] | None = None
        try:
            if session is None:
                self._check_invocations(actor_id)
                evicted = self._room_for_session(actor_id, evict=True)
                session = self._open(session_id, actor_id)
            elif session.actor_id != actor_id:
                raise Forbidden(f"session {session_id} belongs to another actor")
            elif session.busy:
                raise Conflict(
                    f"session {session_id} is busy with another invocation; retry when it finishes"
                )
            else:
                self._check_invocations(actor_id)
            # Busy before the first await: a concurrent request on this id now gets the 409.
            session.busy, marked = True, True
            session.last_used = self._clock()
            if evicted is not None:
                await self._close_ended(*evicted)
            try:
                await self._take_lease(session)
            except Conflict:
                claimed = False  # another gateway serves this id for this actor: keep it
                raise
            await self._ensure_worker(session)
        except BaseException:
            if marked and session is not None:
                await self.settle(session)
                session.busy = False
            if created:
                await self._forget_unserved(
                    session_id, actor_id, session, claimed=claimed, forget_owner=not was_known
                )
            raise
        return session

    def _open(self, session_id: str, actor_id: str) -> Session:
        now = self._clock()
        session = Session(session_id=session_id, actor_id=actor_id, created_at=now, last_used=now)
        self._sessions[session_id] = session
        self._remember(session_id, actor_id)
        self.metrics.sessions_live = len(self._sessions)
        logger.info("session_id=<%s>, actor_id=<%s> | session created", session_id, actor_id)
        return session

    async def _forget_unserved(
        self,
        session_id: str,
        actor_id: str,
        session: Session | None,
        *,
        claimed: bool,
        forget_owner: bool,
    ) -> None:
        """A new session failed to start: it holds no slot, and (if it was new) no id."""
        if session is not None:
            if self._sessions.get(session_id) is not session:
                return  # stopped meanwhile: its owner keeps the id
            await self._end(session, "not_started", tombstone=False)
            if forget_owner:
                self._known_owner.pop(session_id, None)
        if claimed and self.owners is not None:
            try:
                await asyncio.to_thread(self.owners.unclaim, session_id, actor_id)
            except Exception as exc:  # the id stays with this actor: harmless
                logger.warning("session_id=<%s>, error=<%s> | could not unclaim", session_id, exc)

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
        session = self._sessions.get(session_id)
        owner = session.actor_id if session is not None else await self._owner_of(session_id)
        if owner is not None and owner != actor_id:
            raise Forbidden(f"session {session_id} belongs to another actor")
        if session is None:
            # Served by another gateway? Its lease is marked; that gateway ends it.
            if self.leases is None or owner is None:
                raise NotFound(f"no active session {session_id}")
            if not await asyncio.to_thread(self.leases.stop_elsewhere, session_id):
                raise NotFound(f"no active session {session_id}")
            self.metrics.sessions_ended["stopped"] += 1
            return
        await self._end(session, "stopped")

    # -- owners ----------------------------------------------------------------------------------

    def _remember(self, session_id: str, actor_id: str) -> None:
        self._known_owner[session_id] = actor_id
        self._known_owner.move_to_end(session_id)
        while len(self._known_owner) > _MAX_KNOWN_OWNERS:
            self._known_owner.popitem(last=False)

    async def _owner_of(self, session_id: str) -> str | None:
        owner = self._known_owner.get(session_id)
        if owner is None and self.owners is not None:
            owner = await asyncio.to_thread(self.owners.owner, session_id)
        return owner

    async def _claim(self, session_id: str, actor_id: str) -> bool:
        """Make ``actor_id`` the owner of a new id; True if this call recorded the claim.

        Raises:
            Forbidden: another actor already owns the id.
        """
        owner, claimed = self._known_owner.get(session_id), False
        if owner is None and self.owners is not None:
            owner, claimed = await asyncio.to_thread(
                self.owners.claim, session_id, actor_id, time.time()
            )
        if owner is not None and owner != actor_id:
            self._remember(session_id, owner)
            raise Forbidden(f"session {session_id} belongs to another actor")
        return claimed

    async def _record_use(self, sessions: list[Session]) -> None:
        """Write when each session was last used to the owner store (best effort)."""
        if self.owners is None or not sessions:
            return
        now_wall, now = time.time(), self._clock()
        used = [(s.session_id, now_wall - (now - s.last_used)) for s in sessions]
        try:
            await asyncio.to_thread(self.owners.touch, used)
        except Exception as exc:  # the owner is already stored; only its age is lost
            logger.warning("error=<%s> | could not record when sessions were last used", exc)

    # -- quotas ----------------------------------------------------------------------------------

    def _check_invocations(self, actor_id: str) -> None:
        limit = self.max_invocations_per_actor
        if limit is None:
            return
        busy = sum(1 for s in self._sessions.values() if s.busy and s.actor_id == actor_id)
        if busy >= limit:
            raise LimitExceeded(
                f"{busy} invocations of this actor are in flight, the most allowed "
                "(PODIUM_MAX_INVOCATIONS_PER_ACTOR); retry when one finishes",
                retry_after_s=_BUSY_RETRY_AFTER_S,
            )

    def _room_for_session(
        self, actor_id: str, *, evict: bool
    ) -> tuple[Session, Worker | None] | None:
        """Make sure ``actor_id`` may open one more session, ending their LRU idle one if needed.

        Returns the ended session and its worker, for the caller to close. With ``evict=False``
        only check that it is possible.
        """
        limit = self.max_sessions_per_actor
        if limit is None:
            return None
        own = [s for s in self._sessions.values() if s.actor_id == actor_id]
        if len(own) < limit:
            return None
        idle = [s for s in own if not s.busy]
        if not idle:
            raise LimitExceeded(
                f"all {len(own)} sessions of this actor are busy, the most allowed "
                "(PODIUM_MAX_SESSIONS_PER_ACTOR); retry when one finishes",
                retry_after_s=_BUSY_RETRY_AFTER_S,
            )
        if not evict:
            return None
        victim = min(idle, key=lambda s: s.last_used)
        return victim, self._evict(victim, "the actor's session quota")

    def _room_for_worker(self) -> None:
        """Refuse at once if a new worker is needed but every one is busy."""
        if self._live_workers() >= self.max_workers and self._worker_victim() is None:
            raise LimitExceeded(
                f"all {self.max_workers} session workers are busy (PODIUM_MAX_WORKERS); "
                "retry later",
                retry_after_s=_BUSY_RETRY_AFTER_S,
            )

    def _worker_victim(self) -> Session | None:
        """The idle session whose worker goes first: over-share actors first, then LRU."""
        holders = Counter(s.actor_id for s in self._sessions.values() if s.worker is not None)
        idle = [s for s in self._sessions.values() if not s.busy and s.worker is not None]
        if not idle:
            return None
        share = max(1, self.max_workers // max(1, len(holders)))
        return min(idle, key=lambda s: (holders[s.actor_id] <= share, s.last_used))

    def _evict(self, session: Session, why: str) -> Worker | None:
        """End an idle session now to make room; returns its worker, for the caller to close.

        Nothing durable is lost: an app keeps what matters in memory and reloads it when the
        session id is used again (as a new session, with the same owner).
        """
        logger.info(
            "session_id=<%s>, actor_id=<%s>, why=<%s> | idle session evicted to make room",
            session.session_id,
            session.actor_id,
            why,
        )
        return self._detach(session, "evicted", tombstone=True)

    # -- workers ---------------------------------------------------------------------------------

    def _live_workers(self) -> int:
        return sum(1 for s in self._sessions.values() if s.worker is not None) + self._spawning

    def _count_workers(self) -> None:
        self.metrics.workers_live = self._live_workers()
        self.metrics.sessions_live = len(self._sessions)

    def _in_background(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

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
            self._in_background(worker.close())
            self._count_workers()

    async def _ensure_worker(self, session: Session) -> None:
        self._check_worker(session)
        if session.worker is not None:
            return
        evicted: tuple[Session, Worker | None] | None = None
        if self._live_workers() >= self.max_workers:
            self._room_for_worker()
            victim = self._worker_victim()
            assert victim is not None
            evicted = victim, self._evict(victim, "all workers in use")
        self._spawning += 1
        try:
            if evicted is not None:
                await self._close_ended(*evicted)  # the slot is ours already
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

    def _detach(self, session: Session, reason: str, *, tombstone: bool) -> Worker | None:
        """Take ``session`` out of the live set (synchronously); returns its worker to close."""
        if self._sessions.get(session.session_id) is session:
            del self._sessions[session.session_id]
        session.ended = True
        if tombstone:
            self._remember(session.session_id, session.actor_id)
            self.metrics.sessions_ended[reason] += 1
        worker, session.worker = session.worker, None
        self._count_workers()
        logger.info("session_id=<%s>, reason=<%s> | session ended", session.session_id, reason)
        return worker

    async def _close_ended(self, session: Session, worker: Worker | None) -> None:
        if worker is not None:
            await worker.close()
        await self._drop_lease(session)
        await self._record_use([session])

    async def _end(
        self, session: Session, reason: str, *, tombstone: bool = True, record: bool = True
    ) -> None:
        worker = self._detach(session, reason, tombstone=tombstone)
        if worker is not None:
            await worker.close()
        if record:  # at shutdown, close() hands every lease back at once
            await self._drop_lease(session)
        if record and tombstone:
            await self._record_use([session])

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
