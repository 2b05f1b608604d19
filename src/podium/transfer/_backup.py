"""``podium backup`` / ``podium restore``: consistent backups of a running Podium, and back.

SQLite is backed up with SQLite's online backup API: one step, under one read transaction, so
the copy is the database as of one moment while writers go on (WAL: readers never block them).
PostgreSQL is backed up as a Podium archive (:mod:`podium.transfer._archive`), read in one
``REPEATABLE READ`` snapshot. Backups are private files (0600), written beside the destination
and renamed into place, so a failed backup never leaves a half-written file under its name.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from podium.errors import Conflict, InvalidInput, NotFound, StorageError

from ._archive import ArchiveSource, is_archive, write_archive
from ._copy import copy_database, database_source
from ._endpoints import SQLITE_MAGIC, check_url, open_target, sqlite_path
from ._load import CopyReport, TableCount, load_rows
from ._tables import count_rows, reflect

__all__ = ["BackupReport", "backup_database", "restore_database"]

logger = logging.getLogger(__name__)


@dataclass
class BackupReport:
    """A written backup: where, in which format, and the row count of each table in it."""

    path: Path
    format: str
    source: str
    bytes: int
    tables: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "path": str(self.path),
            "format": self.format,
            "source": self.source,
            "bytes": self.bytes,
            "tables": self.tables,
        }


def _private_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_backup(source: Path, out: Path) -> None:
    """Copy the live database ``source`` into the new file ``out`` in one backup step."""
    src = sqlite3.connect(source, timeout=30)
    try:
        src.execute("PRAGMA query_only=ON")
        dst = sqlite3.connect(out)
        try:
            # pages=-1: every page in one step, under one read transaction. Stepwise copies
            # restart whenever another connection writes, and might never finish under load.
            src.backup(dst, pages=-1)
            # A self-contained file: no -wal beside it, whatever mode the source was in.
            dst.execute("PRAGMA journal_mode=DELETE")
            _check_integrity(dst, out)
        finally:
            dst.close()
    except sqlite3.Error as e:
        raise StorageError(f"SQLite backup of {source} failed: {e}") from None
    finally:
        src.close()


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise StorageError(f"{path} failed SQLite's integrity check: {result[:3]}")


def _sqlite_counts(path: Path) -> dict[str, int]:
    with database_source(sa.make_url(f"sqlite:///{path}"), "backup") as source:
        return {name: source.count(name) for name in source.table_names()}


def backup_database(
    url: str, out: str | Path, *, force: bool = False, batch_size: int = 1000
) -> BackupReport:
    """Back the database at ``url`` up into the file ``out`` (0600), consistently, while in use.

    A SQLite database gives a SQLite file (SQLite's online backup API); a PostgreSQL one a
    Podium archive (a zip of JSON lines per table, see :mod:`podium.transfer._archive`).

    Raises:
        InvalidInput: a bad URL, or ``out`` is a folder.
        Conflict: ``out`` exists and ``force`` is not set.
        NotFound: the SQLite database does not exist.
        StorageError: the database cannot be read, or the backup fails its integrity check.
    """
    parsed = check_url(url, "the database")
    path = Path(out).expanduser().resolve()
    if path.is_dir():
        raise InvalidInput(f"--out {path} is a folder: name the backup file")
    if path.exists() and not force:
        raise Conflict(f"{path} exists: pass --force (force=True) to overwrite it")
    if parsed.get_backend_name() == "sqlite" and sqlite_path(parsed) == path:
        raise InvalidInput("the backup file is the database itself")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    _private_file(partial)
    try:
        if parsed.get_backend_name() == "sqlite":
            # A source connection first: it checks the file is a Podium database.
            with database_source(parsed, "source"):
                pass
            _sqlite_backup(sqlite_path(parsed), partial)
            counts, kind = _sqlite_counts(partial), "sqlite"
        else:
            with database_source(parsed, "source") as source:
                counts, kind = write_archive(source, partial, batch_size=batch_size), "archive"
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupReport(
        path=path,
        format=kind,
        source=parsed.render_as_string(hide_password=True),
        bytes=path.stat().st_size,
        tables=counts,
    )


def _detect(path: Path) -> str:
    if not path.is_file():
        raise NotFound(f"no backup file at {path}")
    with path.open("rb") as f:
        head = f.read(16)
    if head == SQLITE_MAGIC:
        return "sqlite"
    if is_archive(path):
        return "archive"
    raise InvalidInput(f"{path} is neither a SQLite backup nor a Podium archive")


def _sqlite_restore(backup: Path, target: sa.URL, force: bool) -> CopyReport:
    """Restore a SQLite backup into a SQLite database with the online backup API."""
    with database_source(sa.make_url(f"sqlite:///{backup}"), "backup") as source:
        before = {name: source.count(name) for name in source.table_names()}
    shown = target.render_as_string(hide_password=True)
    db = open_target(target)
    try:
        with db.connect() as conn:
            used = {n: c for n, c in count_rows(conn, reflect(conn)).items() if c}
    finally:
        db.dispose()
    if used and not force:
        raise Conflict(
            f"the target database {shown} is not empty ({len(used)} tables with rows); "
            "pass --force (force=True) to replace everything in it"
        )
    src = sqlite3.connect(backup, timeout=30)
    try:
        dst = sqlite3.connect(sqlite_path(target), timeout=30)
        try:
            src.backup(dst, pages=-1)
            _check_integrity(dst, sqlite_path(target))
        finally:
            dst.close()
    except sqlite3.Error as e:
        raise StorageError(f"restoring {backup} into {shown} failed: {e}") from None
    finally:
        src.close()
    # An older backup is brought to this Podium's schema; its keyword indexes came with it.
    db = open_target(target)
    try:
        with db.connect() as conn:
            after = count_rows(conn, reflect(conn))
    finally:
        db.dispose()
    report = CopyReport(source=str(backup), target=shown, format="sqlite")
    report.tables = [TableCount(n, before.get(n, 0), after[n]) for n in sorted(after)]
    return report


def restore_database(
    backup: str | Path, url: str, *, force: bool = False, batch_size: int = 1000
) -> CopyReport:
    """Restore a backup (a SQLite file or a Podium archive) into the database at ``url``.

    The database is migrated to head; it must hold no rows unless ``force`` (then everything
    in it is replaced). A SQLite backup restores into SQLite page by page (keyword indexes
    included) and into PostgreSQL as ``podium db copy`` does; an archive restores into either,
    its keyword indexes rebuilt from the restored rows. Counts are checked per table.

    Raises:
        NotFound: no file at ``backup``.
        InvalidInput: a bad URL, or the file is not a backup.
        Conflict: the database is not empty and ``force`` is not set.
        ConfigurationError: the backup is at another schema revision than this Podium (for
            the row-by-row restores).
        StorageError: the database cannot be reached, or the restore fails.
    """
    path = Path(backup).expanduser().resolve()
    target = check_url(url, "the database")
    kind = _detect(path)
    if target.get_backend_name() == "sqlite" and sqlite_path(target) == path:
        raise InvalidInput("the backup file is the database to restore into")
    if kind == "archive":
        with ArchiveSource(path) as source:
            db = open_target(target)
            try:
                report = load_rows(
                    source,
                    db,
                    target_label=target.render_as_string(hide_password=True),
                    force=force,
                    batch_size=batch_size,
                )
            finally:
                db.dispose()
        report.format = "archive"
        return report
    if target.get_backend_name() == "sqlite":
        return _sqlite_restore(path, target, force)
    report = copy_database(
        f"sqlite:///{path}",
        target.render_as_string(hide_password=False),
        force=force,
        batch_size=batch_size,
    )
    report.format = "sqlite"
    return report
