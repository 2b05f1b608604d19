"""Session leases: which gateway process serves each live session, kept in the shared database.

Any number of gateways may run on one database. A session is served by one of them at a time:
the gateway holding its lease (``runtime_session_leases``, migration 0010). An invocation that
reaches another gateway *re-homes* the session there: that gateway takes the lease and starts
its own worker, whose agent reloads the conversation from memory (see ``docs/runtime.md``).

* **Acquire** (every invocation): a compare-and-set on the lease row. It succeeds when this
  gateway already holds the lease, when the lease is idle, or when it expired (its holder
  died); it fails with 409 while another live gateway runs an invocation of the session.
* ``epoch`` changes whenever the session changes hands (a fresh random value for a new row,
  plus one on each take-over), so a gateway whose lease came back to it after a detour knows
  that its old worker missed turns.
* The holder **renews** all its leases every third of ``lease_s``; a gateway killed with
  ``kill -9`` stops renewing, and its sessions move on after at most ``lease_s``.
* **Release** at the end of each invocation (the lease stays, idle); **drop** when the session
  ends here.

Blocking calls: the session manager runs them in a worker thread.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from podium.errors import Conflict
from podium.storage._holders import dead_here, holder_name

if TYPE_CHECKING:
    import sqlalchemy as sa

    from podium.storage import Database

logger = logging.getLogger(__name__)

__all__ = ["STOPPED", "SessionLeases", "gateway_instance_id"]

#: The holder of a lease whose session was stopped through another gateway than its own.
STOPPED = ""
#: Ids per ``IN (...)`` list: far below every backend's bound-parameter limit.
_CHUNK = 500
#: An expired lease is deleted this many lease lengths after it expired (its holder is gone).
_PRUNE_AFTER_LEASES = 2.0


def gateway_instance_id() -> str:
    """A name for this gateway process, unique in the cluster: host, pid and a random tag.

    A gateway killed mid-invocation leaves its lease busy until it expires; one restarted on
    the same machine (an embedded ``podium up``) sees the holder is gone (:func:`dead_here`)
    and takes the session at once instead of refusing it for up to ``lease_s``.
    """
    return holder_name()


class SessionLeases:
    """The ``runtime_session_leases`` rows of one gateway (``holder``).

    Args:
        database: the shared database (called on first use; the owner store's).
        lease_s: how long a lease outlives its last renewal (``PODIUM_SESSION_LEASE_S``).
        holder: this gateway's instance id (default: :func:`gateway_instance_id`).
        clock: wall-clock seconds; leases are compared across processes and machines.
    """

    def __init__(
        self,
        database: Callable[[], Database],
        *,
        lease_s: float,
        holder: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._database = database
        self.lease_s = lease_s
        self.holder = holder or gateway_instance_id()
        self._clock = clock

    @property
    def renew_every_s(self) -> float:
        """How often the holder renews: three renewals fit in one lease."""
        return max(0.1, min(10.0, self.lease_s / 3))

    def acquire(self, session_id: str) -> int:
        """Take the lease for one invocation (busy until :meth:`release`); returns its epoch.

        Raises:
            Conflict: another live gateway is running an invocation of this session.
        """
        db, table = self._database(), _table()
        now = self._clock()
        expires = now + self.lease_s
        with db.begin() as conn:
            row = self._row(conn, session_id)
            if row is None:
                epoch = secrets.randbelow(2**31 - 1) + 1
                values = {"holder": self.holder, "epoch": epoch, "busy": True}
                if _insert_new(db, conn, table, {"session_id": session_id, **values}, expires):
                    return epoch
                row = self._row(conn, session_id)  # another gateway inserted it just now
                if row is None:
                    raise _busy(session_id)
            holder, epoch, busy, expires_at = row
            if holder != self.holder and busy and expires_at >= now and not dead_here(holder):
                raise _busy(session_id)
            new_epoch = epoch if holder == self.holder else epoch + 1
            # Compare-and-set: if another gateway changed the row since it was read, this
            # updates nothing and the invocation is refused like any concurrent one.
            result = conn.execute(
                table.update()
                .where(
                    (table.c.session_id == session_id)
                    & (table.c.holder == holder)
                    & (table.c.epoch == epoch)
                )
                .values(holder=self.holder, epoch=new_epoch, busy=True, expires_at=expires)
            )
            if not result.rowcount:
                raise _busy(session_id)
        if holder != self.holder:
            logger.info(
                "session_id=<%s>, previous=<%s>, expired=<%s> | session re-homed to this gateway",
                session_id,
                holder or "stopped",
                expires_at < now,
            )
        return int(new_epoch)

    def release(self, session_id: str, epoch: int) -> bool:
        """The invocation ended: the lease goes idle. False if it was no longer this gateway's."""
        table = _table()
        with self._database().begin() as conn:
            result = conn.execute(
                table.update()
                .where(
                    (table.c.session_id == session_id)
                    & (table.c.holder == self.holder)
                    & (table.c.epoch == epoch)
                )
                .values(busy=False, expires_at=self._clock() + self.lease_s)
            )
        return bool(result.rowcount)

    def drop(self, session_ids: Iterable[str]) -> None:
        """The sessions ended here: delete their leases (those still held by this gateway)."""
        table = _table()
        ids = list(session_ids)
        with self._database().begin() as conn:
            for start in range(0, len(ids), _CHUNK):
                conn.execute(
                    table.delete().where(
                        table.c.session_id.in_(ids[start : start + _CHUNK])
                        & (table.c.holder == self.holder)
                    )
                )

    def drop_all(self) -> None:
        """This gateway stops: delete every lease it holds."""
        table = _table()
        with self._database().begin() as conn:
            conn.execute(table.delete().where(table.c.holder == self.holder))

    def renew(self, unsettled: Mapping[str, int] | None = None) -> None:
        """Extend every lease this gateway holds, release ``unsettled`` ones, prune dead ones.

        ``unsettled`` maps session ids to epochs whose release failed earlier (the database
        was unreachable): without this they would stay busy for as long as this gateway lives.
        """
        table = _table()
        now = self._clock()
        with self._database().begin() as conn:
            conn.execute(
                table.update()
                .where(table.c.holder == self.holder)
                .values(expires_at=now + self.lease_s)
            )
            for session_id, epoch in (unsettled or {}).items():
                conn.execute(
                    table.update()
                    .where(
                        (table.c.session_id == session_id)
                        & (table.c.holder == self.holder)
                        & (table.c.epoch == epoch)
                    )
                    .values(busy=False)
                )
            conn.execute(
                table.delete().where(table.c.expires_at < now - _PRUNE_AFTER_LEASES * self.lease_s)
            )

    def holders(self, session_ids: Iterable[str]) -> dict[str, tuple[str, int]]:
        """``session id -> (holder, epoch)`` of those that have a lease."""
        import sqlalchemy as sa

        table = _table()
        ids = list(session_ids)
        found: dict[str, tuple[str, int]] = {}
        with self._database().connect() as conn:
            for start in range(0, len(ids), _CHUNK):
                rows = conn.execute(
                    sa.select(table.c.session_id, table.c.holder, table.c.epoch).where(
                        table.c.session_id.in_(ids[start : start + _CHUNK])
                    )
                )
                found.update({str(r[0]): (str(r[1]), int(r[2])) for r in rows})
        return found

    def stop_elsewhere(self, session_id: str) -> bool:
        """Mark a session that another live gateway serves as stopped; False if none does.

        Its holder notices at its next renewal and ends the session there.
        """
        table = _table()
        with self._database().begin() as conn:
            result = conn.execute(
                table.update()
                .where(
                    (table.c.session_id == session_id)
                    & (table.c.holder != self.holder)
                    & (table.c.holder != STOPPED)
                    & (table.c.expires_at >= self._clock())
                )
                .values(holder=STOPPED, epoch=table.c.epoch + 1, busy=False)
            )
        return bool(result.rowcount)

    def _row(self, conn: sa.Connection, session_id: str) -> tuple[str, int, bool, float] | None:
        import sqlalchemy as sa

        table = _table()
        query = sa.select(table.c.holder, table.c.epoch, table.c.busy, table.c.expires_at).where(
            table.c.session_id == session_id
        )
        if conn.dialect.name == "postgresql":
            # Lock the row for the rest of the acquiring transaction: a concurrent acquire (this
            # process's writes run side by side on PostgreSQL) then reads it only once this one
            # has committed, and sees it busy.
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            return None
        return str(row[0]), int(row[1]), bool(row[2]), float(row[3])


def _busy(session_id: str) -> Conflict:
    # The same refusal as a concurrent invocation on one gateway (409 ConflictException).
    return Conflict(f"session {session_id} is busy with another invocation; retry when it finishes")


def _insert_new(
    db: Database, conn: sa.Connection, table: sa.Table, row: dict[str, object], expires: float
) -> bool:
    """Insert the lease row unless one exists (a concurrent gateway's); True if inserted."""
    statement: sa.Executable
    if db.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(table).values(**row, expires_at=expires).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table).values(**row, expires_at=expires).on_conflict_do_nothing()
    # RETURNING, not rowcount: the driver reports -1 for an INSERT ... ON CONFLICT DO NOTHING
    # through SQLAlchemy here whether or not it inserted (psycopg 3.3, SQLAlchemy 2.1), which let
    # two gateways both think they had created the lease.
    return conn.execute(statement.returning(table.c.session_id)).first() is not None


def _table() -> sa.Table:
    from podium.storage import schema

    return schema.runtime_session_leases
