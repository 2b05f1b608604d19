"""Access keys for the SigV4 endpoints: ``podium keys create|list|delete``.

A key is an access key id (``PKIA`` + 16 characters, shaped like AWS's) and a 40-character
secret, limited to the actors its glob ``actor_pattern`` matches. ``podium up`` keeps one dev
key (every actor) in ``PODIUM_HOME/aws-dev-key.json`` (0600) for ``podium aws-env``.
"""

from __future__ import annotations

import fnmatch
import json
import os
import secrets
import string
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.storage import Database

__all__ = ["DEV_KEY_FILE", "AccessKey", "AccessKeys", "dev_key"]

DEV_KEY_FILE = "aws-dev-key.json"
_ID_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


@dataclass(frozen=True, kw_only=True)
class AccessKey:
    """One access key; ``secret_access_key`` is only shown when the key is created."""

    access_key_id: str
    secret_access_key: str
    actor_pattern: str
    description: str
    created_at: float

    def allows_actor(self, actor_id: str) -> bool:
        """Whether this key may read or write ``actor_id``'s events and records."""
        return fnmatch.fnmatchcase(actor_id, self.actor_pattern)

    def public(self) -> dict[str, Any]:
        """The key without its secret (for listings)."""
        out = asdict(self)
        del out["secret_access_key"]
        return out


def _table() -> sa.Table:
    from podium.storage import schema

    return schema.access_keys


class AccessKeys:
    """The ``access_keys`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, *, actor_pattern: str = "*", description: str = "") -> AccessKey:
        """Create a key for the actors ``actor_pattern`` matches (a glob; ``*``: every actor)."""
        if not actor_pattern or len(actor_pattern) > 255:
            raise InvalidInput("actor_pattern must be 1 to 255 characters")
        if len(description) > 255:
            raise InvalidInput("description must be at most 255 characters")
        key = AccessKey(
            access_key_id="PKIA" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16)),
            secret_access_key="".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)),
            actor_pattern=actor_pattern,
            description=description,
            created_at=time.time(),
        )
        with self.db.begin() as conn:
            conn.execute(_table().insert().values(**asdict(key)))
        return key

    def get(self, access_key_id: str) -> AccessKey | None:
        """The key with this id, or None."""
        t = _table()
        with self.db.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.access_key_id == access_key_id)).first()
        return AccessKey(**row._mapping) if row is not None else None

    def list(self) -> list[AccessKey]:
        """Every key, oldest first."""
        t = _table()
        with self.db.connect() as conn:
            rows = conn.execute(sa.select(t).order_by(t.c.created_at)).all()
        return [AccessKey(**r._mapping) for r in rows]

    def delete(self, access_key_id: str) -> None:
        """Delete a key (NotFound if there is none)."""
        t = _table()
        with self.db.begin() as conn:
            result = conn.execute(t.delete().where(t.c.access_key_id == access_key_id))
        if not result.rowcount:
            raise NotFound(f"no access key {access_key_id!r}")


def dev_key(settings: Settings, keys: AccessKeys, *, create: bool = True) -> AccessKey | None:
    """The home's dev key (every actor), created with its file on first use when ``create``.

    The file is rewritten if its key is no longer in the database (a new database).
    """
    path = Path(settings.home) / DEV_KEY_FILE
    if path.exists():
        try:
            data = json.loads(path.read_text())
            found = keys.get(str(data.get("access_key_id", "")))
        except (OSError, ValueError):
            found = None
        if found is not None:
            return found
    if not create:
        return None
    key = keys.create(description="podium up dev key (every actor)")
    settings.ensure_home()
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(
            {"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key}, f
        )
    tmp.replace(path)
    return key
