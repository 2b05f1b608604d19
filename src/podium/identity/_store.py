"""The dev issuer's state in the database (scaled mode): one JSON document per name.

On PostgreSQL every gateway and CLI process must sign with the same keys and know the same
users, so the issuer keeps them in ``idp_documents`` (migration 0011) instead of under
``<home>/idp/``: ``"keys"`` (the signing keys, private PEMs included) and ``"users"`` (what
``users.json`` holds). Embedded mode (SQLite) keeps the files.

Private key material: the rows are as secret as the 0600 files were. They are never logged
(nothing here logs a document), never returned by an API, and readable by whoever can read the
database; protect the database credentials and backups accordingly (docs/identity.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from podium.errors import ConfigurationError

if TYPE_CHECKING:
    import sqlalchemy as sa

    from podium.config import Settings
    from podium.storage import Database

__all__ = ["IdpDocuments", "idp_database"]


def _table() -> sa.Table:
    # Imported here: ``podium.identity`` stays free of SQLAlchemy for the CLI's start-up.
    from podium.storage import schema

    return schema.idp_documents


#: A document never written yet (the row exists so that writers can lock it).
_EMPTY = "null"


def idp_database(settings: Settings) -> Database | None:
    """Where the dev issuer keeps its keys and users: the database on PostgreSQL, else None.

    None means the files under ``<home>/idp/`` (embedded mode). The Database shares the
    process's engine for that URL (:meth:`Database.from_settings`).
    """
    if not settings.resolved_database_url.startswith("postgresql"):
        return None
    from podium.storage import Database

    return Database.from_settings(settings)


class IdpDocuments:
    """Versioned JSON documents of the dev issuer in one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def version(self, name: str) -> int:
        """How many times ``name`` was written (0: never)."""
        import sqlalchemy as sa

        table = _table()
        with self.db.connect() as conn:
            found = conn.execute(
                sa.select(table.c.version).where(table.c.name == name)
            ).scalar_one_or_none()
        return int(found or 0)

    def read(self, name: str) -> tuple[int, Any]:
        """``(version, document)``; the document is None while never written."""
        import sqlalchemy as sa

        table = _table()
        with self.db.connect() as conn:
            row = conn.execute(
                sa.select(table.c.version, table.c.document).where(table.c.name == name)
            ).one_or_none()
        if row is None:
            return 0, None
        return int(row.version), self._parse(name, row.document)

    def update(self, name: str, change: Callable[[Any], Any]) -> Any:
        """Apply ``change`` to the document under a row lock; the document it now holds.

        ``change`` gets the current document (None if never written) and returns the new one,
        or None to leave it as it is. Writers in other processes wait for the lock, so two
        processes never both create the first keys or lose each other's users.
        """
        import sqlalchemy as sa

        table = _table()
        # The row exists before anyone locks it: two first writers then queue on the lock
        # instead of both inserting.
        with self.db.begin() as conn:
            self.db.insert_ignore(
                conn,
                table,
                [{"name": name, "document": _EMPTY, "version": 0, "updated_at": time.time()}],
            )
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(table.c.version, table.c.document)
                .where(table.c.name == name)
                .with_for_update()
            ).one()
            current = self._parse(name, row.document)
            new = change(current)
            if new is None:
                return current
            conn.execute(
                table.update()
                .where(table.c.name == name)
                .values(
                    document=json.dumps(new, separators=(",", ":")),
                    version=int(row.version) + 1,
                    updated_at=time.time(),
                )
            )
            return new

    @staticmethod
    def _parse(name: str, text: str) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            # The position only: the text may hold private keys.
            raise ConfigurationError(
                f"dev issuer document {name!r} in the database is not JSON (at {exc.pos})"
            ) from None
