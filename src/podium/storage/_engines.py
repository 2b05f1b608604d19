"""One SQLAlchemy engine per PostgreSQL database and process, with a bounded, PgBouncer-safe pool.

Every :class:`~podium.storage.Database` opened on the same PostgreSQL URL in one process (the
services, the gateway's session owners, the dev issuer, the CLI's helpers) shares one engine and
so one pool: the server sees at most ``pool_size + max_overflow`` connections from a process,
however many objects use the database. Engines are keyed by process id as well, so a forked
child never reuses the parent's sockets.

PgBouncer in transaction mode hands each transaction to any server connection, so nothing may
outlive a transaction on the server side:

- psycopg 3 prepares a statement on the server after it ran 5 times on a connection; that is
  off (``prepare_threshold=None``) unless :attr:`PoolOptions.prepare_threshold` is set;
- psycopg's ``executemany`` pipelines its statements through libpq; a cursor that runs them one
  by one is used unless :attr:`PoolOptions.pipeline` is on.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from podium.config import Settings

__all__ = ["PoolOptions", "acquire_engine", "open_engines", "release_engine"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class PoolOptions:
    """How a PostgreSQL engine pools its connections (``PODIUM_DB_*`` settings)."""

    pool_size: int = 5
    max_overflow: int = 5
    timeout_s: float = 30.0
    recycle_s: float = 1800.0
    prepare_threshold: int | None = None
    pipeline: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> PoolOptions:
        """The options the ``db_*`` fields of ``settings`` say."""
        return cls(
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            timeout_s=settings.db_pool_timeout_s,
            recycle_s=settings.db_pool_recycle_s,
            prepare_threshold=settings.db_prepare_threshold,
            pipeline=settings.db_pipeline,
        )


_LOCK = threading.Lock()
# (pid, url) -> [engine, handles]: the handles are the Database objects using the engine.
_ENGINES: dict[tuple[int, str], list[Any]] = {}


def _serial_cursor_class() -> type:
    """A psycopg cursor whose ``executemany`` sends one statement at a time (no pipeline)."""
    import psycopg

    class SerialCursor(psycopg.Cursor[Any]):
        """``executemany`` without libpq pipeline mode (which some poolers mishandle)."""

        def executemany(
            self, query: Any, params_seq: Iterable[Any], *, returning: bool = False
        ) -> None:
            if returning:
                # Results of every statement are kept only by psycopg's own implementation.
                super().executemany(query, params_seq, returning=returning)
                return
            total = 0
            for params in params_seq:
                self.execute(query, params)
                total += max(self.rowcount, 0)
            # DB-API: rowcount of an executemany is the sum over its statements.
            self._rowcount = total

    return SerialCursor


def _postgres_engine(url: str, options: PoolOptions) -> sa.Engine:
    connect_args: dict[str, Any] = {"prepare_threshold": options.prepare_threshold}
    if not options.pipeline:
        connect_args["cursor_factory"] = _serial_cursor_class()
    return sa.create_engine(
        url,
        poolclass=sa.QueuePool,
        pool_size=options.pool_size,
        max_overflow=options.max_overflow,
        pool_timeout=options.timeout_s,
        pool_recycle=options.recycle_s,
        # A connection the server (or PgBouncer, or a failover) closed is replaced, not
        # handed out: one cheap round trip at checkout.
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def acquire_engine(url: str, options: PoolOptions | None = None) -> sa.Engine:
    """The engine of this process for the PostgreSQL ``url``, created on first use.

    ``options`` apply when the engine is created; later callers share it as it is.
    """
    key = (os.getpid(), url)
    with _LOCK:
        entry = _ENGINES.get(key)
        if entry is None:
            engine = _postgres_engine(url, options or PoolOptions())
            entry = _ENGINES[key] = [engine, 0]
            logger.debug(
                "pool_size=<%d>, max_overflow=<%d> | opened a PostgreSQL engine",
                engine.pool.size(),  # type: ignore[attr-defined]
                (options or PoolOptions()).max_overflow,
            )
        entry[1] += 1
        return entry[0]  # type: ignore[no-any-return]


def release_engine(url: str, engine: sa.Engine) -> None:
    """One user of ``engine`` is done; the last one closes its pooled connections."""
    key = (os.getpid(), url)
    with _LOCK:
        entry = _ENGINES.get(key)
        if entry is None or entry[0] is not engine:
            engine.dispose()
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _ENGINES[key]
    engine.dispose()


def open_engines() -> Mapping[str, int]:
    """URL -> number of users, for this process's shared engines (diagnostics and tests)."""
    pid = os.getpid()
    with _LOCK:
        return {url: entry[1] for (p, url), entry in _ENGINES.items() if p == pid}
