"""The front door: :func:`podium.open` gives the knowledge and memory services over one database.

::

    import podium

    with podium.open("~/podium-data") as p:
        kb = p.knowledge.create("docs")
        kb.ingest("docs/")
        hits = kb.retrieve("how are sessions isolated?")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from podium.config import Settings

if TYPE_CHECKING:
    from podium.knowledge import KnowledgeService
    from podium.memory import MemoryService
    from podium.storage import Database

__all__ = ["Podium", "open", "open_settings"]


@dataclass(kw_only=True, eq=False)
class Podium:
    """Open services over one migrated database; a context manager that closes them.

    Attributes:
        settings: the resolved settings (arguments > ``PODIUM_*`` environment > defaults).
        knowledge: knowledge bases (create, ingest, retrieve, retrieve-and-generate).
        memory: short-term events and long-term records; with ``start_worker`` a background
            thread extracts long-term records, and ``wait_for_extraction=True`` waits for it.
        database: the SQL database both services use.
    """

    settings: Settings
    database: Database
    knowledge: KnowledgeService
    memory: MemoryService
    _worker: Any = None
    _closed: bool = False

    @property
    def worker(self) -> Any:
        """The in-process extraction worker, or None."""
        return self._worker

    def start_worker(self) -> None:
        """Start an extraction worker thread in this process (no-op if one runs)."""
        if self._worker is None:
            from podium.memory import ExtractionWorker

            worker = ExtractionWorker(self.memory)
            self.memory.worker = worker
            worker.start()
            self._worker = worker

    def close(self) -> None:
        """Stop the extraction worker and release the database (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._worker is not None:
            self._worker.stop()
            self.memory.worker = None
        self.database.dispose()

    def __enter__(self) -> Podium:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open(
    home: str | Path | None = None,
    *,
    database_url: str | None = None,
    start_worker: bool = True,
    **settings: Any,
) -> Podium:
    """Open Podium: resolve settings, migrate (or check) the database, build the services.

    The schema is migrated when :attr:`Settings.migrates_at_start` (SQLite by default); on
    PostgreSQL it must already be at head (``podium migrate``).

    Args:
        home: the data directory (default ``PODIUM_HOME``, else the user data directory).
        database_url: a SQLAlchemy URL (default: SQLite under ``home``).
        start_worker: run a long-term memory extraction thread in this process.
        **settings: any other :class:`~podium.config.Settings` field, e.g. ``embedding_model``.

    Raises:
        InvalidInput: a setting is not valid (the message names it).
        ConfigurationError: the schema is not at head and is not migrated at start.
        StorageError: the database cannot be opened or migrated.
    """
    from pydantic import ValidationError

    from podium.errors import InvalidInput

    overrides = dict(settings)
    if home is not None:
        overrides["home"] = Path(home).expanduser()
    if database_url is not None:
        overrides["database_url"] = database_url
    try:
        resolved = Settings(**overrides)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        raise InvalidInput(f"invalid settings: {problems}") from None
    return open_settings(resolved, start_worker=start_worker)


def open_settings(settings: Settings, *, start_worker: bool = True) -> Podium:
    """Open Podium with settings already resolved (what :func:`open` and the apps share)."""
    from podium.knowledge import KnowledgeService
    from podium.memory import MemoryService
    from podium.storage import Database

    if settings.database_url is None:
        settings.ensure_home()
    database = Database.from_settings(settings)
    try:
        database.ensure_schema(auto_migrate=settings.migrates_at_start)
        podium = Podium(
            settings=settings,
            database=database,
            knowledge=KnowledgeService(database, settings),
            memory=MemoryService(database, settings),
        )
        if start_worker:
            podium.start_worker()
        return podium
    except BaseException:
        database.dispose()
        raise
