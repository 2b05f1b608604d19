"""The session manager's cluster side: taking, releasing and keeping session leases.

:class:`LeaseHolding` is mixed into :class:`~podium.runtime._sessions.SessionManager`; with a
:class:`~podium.runtime._leases.SessionLeases` store, each invocation holds its session's lease
in the shared database, so that any number of gateways can serve one database's sessions.
Without one (``leases=None``) every method here does nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ._leases import STOPPED, SessionLeases

if TYPE_CHECKING:
    from ._sessions import Session

logger = logging.getLogger(__name__)

__all__ = ["LeaseHolding"]


class LeaseHolding:
    """Lease bookkeeping of a session manager (runs on the gateway's event loop)."""

    leases: SessionLeases | None
    _sessions: dict[str, Session]
    #: Leases whose release failed (session id -> epoch); the keeper retries them.
    _unsettled: dict[str, int]

    async def discard_worker(self, session: Session) -> None:
        """Close the session's worker (the manager's)."""
        raise NotImplementedError

    async def _end(
        self, session: Session, reason: str, *, tombstone: bool = True, record: bool = True
    ) -> None:
        raise NotImplementedError

    async def _take_lease(self, session: Session) -> None:
        """Take the session's lease for this invocation; replace a worker that missed turns.

        Raises:
            Conflict: another gateway is running an invocation of this session.
        """
        if self.leases is None:
            return
        # ``acquiring`` stays set until the new epoch is recorded: the lease keeper, running
        # meanwhile, must not read the old epoch, see the lease held at another, and end the
        # session this invocation is about to use (a 502 under load, seen on PostgreSQL).
        session.acquiring = True
        try:
            epoch = await asyncio.to_thread(self.leases.acquire, session.session_id)
            session.lease_busy = True
            stale = epoch != session.lease_epoch and session.worker is not None
            session.lease_epoch = epoch
            if stale:
                # The session was served by another gateway since this worker's last turn: its
                # in-memory conversation is stale. A new worker reloads it from memory.
                logger.info(
                    "session_id=<%s> | served elsewhere meanwhile; replacing its stale worker",
                    session.session_id,
                )
                await self.discard_worker(session)
        finally:
            session.acquiring = False

    async def settle(self, session: Session) -> None:
        """Mark the session's lease idle again (before the client sees the answer end).

        Idempotent. A lease that moved meanwhile (this gateway stalled past ``lease_s``)
        means the worker here may be stale: it is dropped.
        """
        if self.leases is None or not session.lease_busy or session.lease_epoch is None:
            return
        session.lease_busy = False
        sid, epoch = session.session_id, session.lease_epoch
        try:
            kept = await asyncio.to_thread(self.leases.release, sid, epoch)
        except Exception as exc:
            self._unsettled[sid] = epoch
            logger.warning("session_id=<%s>, error=<%s> | lease release failed", sid, exc)
            return
        if not kept:
            logger.warning("session_id=<%s> | lease was taken over mid-invocation", sid)
            await self.discard_worker(session)

    async def _drop_lease(self, session: Session) -> None:
        """The session ended here: its lease (if still this gateway's) is deleted."""
        if self.leases is None or session.lease_epoch is None:
            return
        self._unsettled.pop(session.session_id, None)
        try:
            await asyncio.to_thread(self.leases.drop, [session.session_id])
        except Exception as exc:  # it expires on its own after lease_s
            logger.warning(
                "session_id=<%s>, error=<%s> | lease not dropped", session.session_id, exc
            )

    # -- the lease keeper ------------------------------------------------------------------------

    async def keep_leases(self) -> None:
        """One pass: renew this gateway's leases, then end the sessions another gateway took."""
        leases = self.leases
        if leases is None:
            return
        unsettled = dict(self._unsettled)
        await asyncio.to_thread(leases.renew, unsettled)
        for sid, epoch in unsettled.items():
            if self._unsettled.get(sid) == epoch:
                del self._unsettled[sid]
        held = {
            s.session_id: s.lease_epoch
            for s in self._sessions.values()
            if s.lease_epoch is not None and not s.acquiring
        }
        if not held:
            return
        found = await asyncio.to_thread(leases.holders, held)
        for sid, epoch in held.items():
            row = found.get(sid)
            if row == (leases.holder, epoch):
                continue
            session = self._sessions.get(sid)
            if (
                session is None
                or session.acquiring
                or session.lease_busy  # an invocation here holds it; ``settle`` decides
                or session.lease_epoch != epoch
            ):
                continue  # changed while the leases were read: the next pass decides
            # Another gateway serves it now (or it was stopped there): serving it here too
            # would answer from a stale conversation.
            await self._end(session, "stopped" if row and row[0] == STOPPED else "moved")

    async def _keep_leases_forever(self) -> None:
        assert self.leases is not None
        while True:
            await asyncio.sleep(self.leases.renew_every_s)
            try:
                await self.keep_leases()
            except Exception:
                logger.exception("session lease renewal failed")
