"""The SQL engine: connection setup, transactions, error translation and migrations."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event, exc

from podium.errors import ConfigurationError, Conflict, StorageError

from ._blas import limit_blas_threads
from ._engines import PoolOptions, acquire_engine, release_engine
from ._keyword import repair_fts_tables

if TYPE_CHECKING:
    from podium.config import Settings

__all__ = ["Database", "display_url", "head_revision", "storage_errors"]

logger = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"
# Alembic's ``context`` and ``op`` are module-level proxies: two threads migrating at once (the
# gateway and ``podium up``'s preparation) would run on each other's context.
_MIGRATE_LOCK = threading.Lock()
# Any constant: the PostgreSQL advisory lock that lets one migrator run at a time cluster-wide
# (two `podium migrate` jobs at once, a retried Kubernetes Job).
_MIGRATE_ADVISORY_LOCK = 0x706F6469756D  # "podium"


#: PostgreSQL's SQLSTATE for ``undefined_table``.
_UNDEFINED_TABLE = "42P01"


def _missing_table(error: exc.DBAPIError) -> bool:
    """Whether the driver says a table does not exist (SQLite text, PostgreSQL SQLSTATE)."""
    orig = error.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state == _UNDEFINED_TABLE or "no such table" in str(orig)


def display_url(url: str) -> str:
    """``url`` as it may be shown in messages and logs: without its password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "<unparsable database URL>"


@contextmanager
def storage_errors(url: str | None = None) -> Iterator[None]:
    """Translate SQLAlchemy errors into Podium's typed errors at the storage boundary.

    A missing table means the database was never migrated (or by an older Podium): that is a
    :class:`ConfigurationError` saying what to run, naming the database ``url`` when given.
    """
    try:
        yield
    except exc.IntegrityError as e:
        raise Conflict(f"conflicts with existing data: {e.orig}") from e
    except exc.DBAPIError as e:
        if _missing_table(e):
            where = f"the database at {display_url(url)}" if url else "the database"
            raise ConfigurationError(
                f"{where} has no Podium schema, or an older one ({e.orig}): run "
                "`podium migrate` (or call Database.migrate()) on it before using it; "
                "on SQLite the podium commands, `podium up` included, migrate by themselves"
            ) from e
        # The driver's own message only: str(e) would carry the SQL and its parameters (message
        # text, ids) into an error that may reach a client.
        raise StorageError(f"database error: {e.orig.__class__.__name__}: {e.orig}") from e
    except exc.SQLAlchemyError as e:
        raise StorageError(f"database error: {e.__class__.__name__}") from e


def _create_private_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by its owner only.

    SQLite gives the ``-wal`` and ``-shm`` files the database file's permissions, so the
    conversations and records it holds are 0600 at rest. An existing file is tightened too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # Never open an existing database file here: closing any descriptor of a file drops every
    # POSIX lock this process holds on it, so SQLite connections already open on it (a second
    # Database on the same file, as the gateway's session owners next to the services) would
    # lose their locks, and another process could then delete the WAL under them.
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


class Database:
    """One SQL database (SQLite file or PostgreSQL) shared by the knowledge and memory services.

    SQLite runs in WAL mode with foreign keys on and a busy timeout; write transactions take
    the write lock up front (``BEGIN IMMEDIATE``) so concurrent writers queue instead of failing.

    On PostgreSQL every Database of one URL in a process shares one engine with a bounded pool
    (``pool``, see :mod:`podium.storage._engines`): no server-side prepared statements, no
    pipeline mode, a pre-ping at checkout. :meth:`dispose` releases this object's share.
    """

    def __init__(
        self, url: str, *, busy_timeout_ms: int = 30_000, pool: PoolOptions | None = None
    ) -> None:
        self.url = url
        self._shared = False
        kwargs: dict[str, Any] = {"future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
            if url not in ("sqlite://", "sqlite:///:memory:"):
                _create_private_file(Path(sa.make_url(url).database or ""))
        if url.startswith("postgresql"):
            self.engine = acquire_engine(url, pool)
            self._shared = True
        else:
            self.engine = sa.create_engine(url, **kwargs)
        self.dialect = self.engine.dialect.name
        if self.dialect == "sqlite":
            self._configure_sqlite(busy_timeout_ms)
        # Query-time vector products run single-threaded (see storage/_blas.py): once a process.
        limit_blas_threads()

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database ``settings`` name, pooled as its ``db_*`` fields say."""
        return cls(settings.resolved_database_url, pool=PoolOptions.from_settings(settings))

    def _configure_sqlite(self, busy_timeout_ms: int) -> None:
        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's implicit BEGIN is off).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint every ~16 MB of WAL instead of SQLite's 4 MB default: with many small
            # write transactions the default checkpoints so often that it halves create_event
            # throughput (measured 1,545/s vs 2,175/s, p99 13 ms vs 1 ms).
            cur.execute("PRAGMA wal_autocheckpoint=4000")
            cur.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            write = conn.get_execution_options().get("podium_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        """A connection for reads (its implicit transaction is rolled back at the end)."""
        with storage_errors(self.url), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A write transaction: committed on success, rolled back on any error.

        On SQLite one write transaction runs at a time in a process (and none while this process
        migrates). On PostgreSQL they run side by side, up to the pool's bound: the server
        orders them with row locks, as it does for other processes, and concurrent commits
        share WAL flushes.
        """
        lock = _MIGRATE_LOCK if self.dialect != "postgresql" else contextlib.nullcontext()
        with lock, storage_errors(self.url), self.engine.connect() as raw:
            conn = raw.execution_options(podium_write=True)
            with conn.begin():
                yield conn

    def insert_ignore(
        self, conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]
    ) -> None:
        """Insert rows, silently skipping primary/unique key duplicates."""
        if not rows:
            return
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            conn.execute(pg_insert(table).on_conflict_do_nothing(), list(rows))
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            conn.execute(sqlite_insert(table).on_conflict_do_nothing(), list(rows))

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent).

        Also rebuilds any keyword index SQLite can no longer read (:func:`repair_fts_tables`).
        On PostgreSQL an advisory lock makes concurrent migrators (in other processes) run one
        after the other; the later ones find the schema at head.
        """
        from alembic import command

        config = _alembic_config()
        # The write lock up front (BEGIN IMMEDIATE on SQLite): processes that migrate the same
        # database at once (``podium up`` and its gateway, session workers) then run one after
        # the other, and the later ones find it at head, instead of failing with "locked".
        with _MIGRATE_LOCK, storage_errors(self.url), self.engine.connect() as raw:
            conn = raw.execution_options(podium_write=True)
            if self.dialect == "postgresql":
                # Taken inside the transaction Alembic then joins: released at its commit.
                conn.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_ADVISORY_LOCK}
                )
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            repair_fts_tables(conn)
            conn.commit()

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at; None for a database never migrated."""
        from alembic.runtime.migration import MigrationContext

        with storage_errors(self.url), self.engine.connect() as conn:
            heads = MigrationContext.configure(conn).get_current_heads()
        return ", ".join(heads) if heads else None

    def check_schema(self) -> None:
        """Make sure the schema is at this Podium's newest revision, without changing it.

        Raises:
            ConfigurationError: the database is behind (or ahead of) this Podium; the message
                says which revision it is at, which one is needed, and what to run.
        """
        current, head = self.schema_revision(), head_revision()
        if current == head:
            return
        where = display_url(self.url)
        if current is None:
            raise ConfigurationError(
                f"database schema is at none (an empty database: {where}), this Podium needs "
                f"{head}: run `podium migrate`"
            )
        if current in _known_revisions():
            raise ConfigurationError(
                f"database schema is at {current} ({where}), this Podium needs {head}: "
                "run `podium migrate`"
            )
        raise ConfigurationError(
            f"database schema is at {current} ({where}), a revision this Podium does not know "
            f"(it needs {head}): a newer Podium migrated it; run that version instead"
        )

    def ensure_schema(self, *, auto_migrate: bool) -> None:
        """What a process does with the schema at start: migrate it, or only check it.

        ``auto_migrate`` is :attr:`podium.config.Settings.migrates_at_start` (on for SQLite, off
        for PostgreSQL, where ``podium migrate`` runs the migrations once for every process).

        Raises:
            ConfigurationError: ``auto_migrate`` is off and the schema is not at head.
        """
        if auto_migrate:
            self.migrate()
        else:
            self.check_schema()

    def dispose(self) -> None:
        """Close every pooled connection (of a shared engine: once its last user is done).

        On SQLite, this process's keyword indexes of the file are closed first.
        """
        if self.dialect == "sqlite":
            from ._tantivy import close_keyword_indexes

            close_keyword_indexes(self.engine.url.database)
        if self._shared:
            self._shared = False
            release_engine(self.url, self.engine)
        elif not self.url.startswith("postgresql"):
            self.engine.dispose()


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def head_revision() -> str:
    """The newest Alembic revision this Podium ships (what :meth:`Database.migrate` reaches)."""
    from alembic.script import ScriptDirectory

    return ", ".join(ScriptDirectory.from_config(_alembic_config()).get_heads())
