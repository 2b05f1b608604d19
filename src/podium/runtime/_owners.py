"""Who owns each runtime session id, kept in the database so that it survives a restart.

The gateway claims a session id for its actor the first time the id is used; from then on no
other actor may use it, whether the session is live, ended, or was served by an earlier
gateway process on the same database (``runtime_sessions``, migration 0003).

Blocking calls: the session manager runs them in a worker thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa

    from podium.config import Settings
    from podium.memory.extraction import QueueStats
    from podium.storage import Database

logger = logging.getLogger(__name__)

__all__ = ["OWNERSHIP_RETENTION_S", "SessionOwners"]

#: How long after its last use a session id keeps its owner. Far beyond any session's lifetime
#: (8 h by default): an id can only be reused by another actor once it has been dead this long.
OWNERSHIP_RETENTION_S = 30 * 24 * 3600.0


class SessionOwners:
    """The ``runtime_sessions`` table: session id -> actor, created and last used (epoch s)."""

    def __init__(self, settings: Settings, *, retention_s: float = OWNERSHIP_RETENTION_S) -> None:
        self._settings = settings
        self.retention_s = retention_s
        self._db: Database | None = None

    def open(self) -> None:
        """Open the database, then forget owners past the retention; idempotent.

        Its schema is migrated or checked as :meth:`Database.ensure_schema` says.
        """
        if self._db is not None:
            return
        from podium.storage import Database

        if self._settings.database_url is None:
            self._settings.ensure_home()  # the default SQLite file lives in a private home
        db = Database.from_settings(self._settings)
        db.ensure_schema(auto_migrate=self._settings.migrates_at_start)
        self._db = db
        pruned = self.prune(time.time() - self.retention_s)
        if pruned:
            logger.info("sessions=<%d> | forgot the owners of long-dead session ids", pruned)

    def database(self) -> Database:
        """The shared database (opened on first use); the session leases live there too."""
        if self._db is None:
            self.open()
        assert self._db is not None
        return self._db

    def extraction_queue(self) -> QueueStats:
        """The extraction queue of this database (the ``/metrics`` gauges); read-only."""
        from podium.memory.extraction import queue_stats

        with self.database().connect() as conn:
            return queue_stats(conn, time.time())

    def claim(self, session_id: str, actor_id: str, now: float) -> tuple[str, bool]:
        """Record ``actor_id`` as the owner unless the id has one; ``(owner, newly claimed)``."""
        db, table = self.database(), _table()
        with db.begin() as conn:
            owner = self._owner(conn, session_id)
            if owner is not None:
                return owner, False
            row = {"session_id": session_id, "actor_id": actor_id}
            db.insert_ignore(conn, table, [{**row, "created_at": now, "last_used_at": now}])
            # Another gateway on the same database may have won the race for this id.
            owner = self._owner(conn, session_id) or actor_id
        return owner, owner == actor_id

    def owner(self, session_id: str) -> str | None:
        """The owner of ``session_id``, or None if it was never claimed."""
        with self.database().connect() as conn:
            return self._owner(conn, session_id)

    @staticmethod
    def _owner(conn: sa.Connection, session_id: str) -> str | None:
        import sqlalchemy as sa

        table = _table()
        found = conn.execute(
            sa.select(table.c.actor_id).where(table.c.session_id == session_id)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def unclaim(self, session_id: str, actor_id: str) -> None:
        """Forget a claim that never served anything (the session could not start)."""
        table = _table()
        with self.database().begin() as conn:
            conn.execute(
                table.delete().where(
                    (table.c.session_id == session_id) & (table.c.actor_id == actor_id)
                )
            )

    def touch(self, used: Iterable[tuple[str, float]]) -> None:
        """Record when each ``(session id, epoch seconds)`` was last used."""
        import sqlalchemy as sa

        rows = [{"sid": sid, "at": at} for sid, at in used]
        if not rows:
            return
        table = _table()
        statement = (
            table.update()
            .where(table.c.session_id == sa.bindparam("sid"))
            .values(last_used_at=sa.bindparam("at"))
        )
        with self.database().begin() as conn:
            conn.execute(statement, rows)

    def prune(self, before: float) -> int:
        """Forget the owners of ids last used before ``before``; how many were forgotten."""
        table = _table()
        with self.database().begin() as conn:
            result = conn.execute(table.delete().where(table.c.last_used_at < before))
        return int(result.rowcount or 0)

    def close(self) -> None:
        """Release the database connections."""
        if self._db is not None:
            self._db.dispose()
            self._db = None


def _table() -> sa.Table:
    from podium.storage import schema

    return schema.runtime_sessions
