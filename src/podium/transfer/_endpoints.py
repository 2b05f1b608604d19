"""The two ends of a transfer: checked URLs, a read-only source engine, a migrated target.

A source is read in one snapshot (a SQLite read transaction, a PostgreSQL ``REPEATABLE READ``
one) and never written: it is neither migrated nor switched to WAL, so copying from a backup
file leaves that file as it was. A target is a :class:`~podium.storage.Database`, migrated to
this Podium's head before anything is written to it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc

from podium.errors import ConfigurationError, InvalidInput, NotFound, StorageError
from podium.storage import Database
from podium.storage._database import display_url

__all__ = [
    "SQLITE_MAGIC",
    "check_url",
    "open_target",
    "read_revision",
    "same_database",
    "source_connection",
    "sqlite_path",
]

logger = logging.getLogger(__name__)

#: The first 16 bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"

_EXAMPLES = "sqlite:///path/to/podium.db or postgresql+psycopg://user:password@host/dbname"


def check_url(url: str, role: str) -> sa.URL:
    """``url`` parsed, when it names a SQLite file or a PostgreSQL database through psycopg.

    Raises:
        InvalidInput: not a URL, another scheme, another PostgreSQL driver, or an in-memory
            SQLite database (nothing would be left of it after the command).
    """
    try:
        parsed = sa.make_url(url)
    except exc.ArgumentError:
        raise InvalidInput(f"{role} {url!r} is not a database URL (e.g. {_EXAMPLES})") from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise InvalidInput(f"{role} must be a SQLite file (sqlite:///path), not in-memory")
        return parsed
    if backend == "postgresql":
        if driver != "psycopg":
            raise InvalidInput(
                f"{role} {display_url(url)}: use the psycopg driver, "
                "postgresql+psycopg://… (the one Podium ships with)"
            )
        return parsed
    raise InvalidInput(
        f"{role} {display_url(url)}: unsupported database {backend!r} (use {_EXAMPLES})"
    )


def sqlite_path(url: sa.URL) -> Path:
    """The file of a SQLite URL, resolved (``~`` expanded)."""
    return Path(url.database or "").expanduser().resolve()


def same_database(a: sa.URL, b: sa.URL) -> bool:
    """Whether two checked URLs name the same database (same file; same server and name)."""
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        return sqlite_path(a) == sqlite_path(b)
    # A server is its host (or socket folder, passed as ?host=) and port; users don't matter.
    return (a.host or a.query.get("host"), a.port or 5432, a.database) == (
        b.host or b.query.get("host"),
        b.port or 5432,
        b.database,
    )


def _unreachable(role: str, url: sa.URL, error: Exception) -> StorageError:
    orig = getattr(error, "orig", None) or error
    detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return StorageError(f"cannot open the {role} database {_shown(url)}: {detail}")


def _shown(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def _sqlite_source_engine(path: Path) -> sa.Engine:
    if not path.is_file():
        raise NotFound(f"no SQLite database at {path}")
    with path.open("rb") as f:
        if f.read(16) != SQLITE_MAGIC:
            raise InvalidInput(f"{path} is not a SQLite database")
    engine = sa.create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=sa.NullPool,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Our own BEGIN (below) so every table is read in one snapshot; query_only so that a
        # bug here can never write to the database being copied.
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA query_only=ON")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def source_connection(url: sa.URL, role: str = "source") -> Iterator[sa.Connection]:
    """A read-only connection to ``url`` inside one snapshot transaction.

    Raises:
        NotFound: a SQLite source file does not exist.
        StorageError: the database cannot be reached (the message says why, without password).
    """
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_source_engine(sqlite_path(url))
    else:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        try:
            conn = engine.connect()
        except exc.DBAPIError as e:
            raise _unreachable(role, url, e) from None
        with conn:
            if url.get_backend_name() == "postgresql":
                conn = conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            with conn.begin():
                yield conn
    finally:
        engine.dispose()


def open_target(url: sa.URL, role: str = "target") -> Database:
    """The database at ``url`` (a SQLite file is created, private), migrated to head.

    Raises:
        StorageError: the database cannot be reached or migrated.
    """
    db = Database(url.render_as_string(hide_password=False))
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except exc.DBAPIError as e:
        db.dispose()
        raise _unreachable(role, url, e) from None
    try:
        db.migrate()
    except BaseException:
        db.dispose()
        raise
    return db


def read_revision(conn: sa.Connection, url: sa.URL, role: str) -> str:
    """The Alembic revision of the database behind ``conn``.

    Raises:
        ConfigurationError: it has no Podium schema (no ``alembic_version`` table).
    """
    if not sa.inspect(conn).has_table("alembic_version"):
        raise ConfigurationError(f"the {role} database {_shown(url)} has no Podium schema")
    revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    if revision is None:
        raise ConfigurationError(f"the {role} database {_shown(url)} has no schema revision")
    return str(revision)
