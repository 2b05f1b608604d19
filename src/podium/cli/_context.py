"""Lazily built services shared by CLI commands (settings → database → services)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.knowledge import KnowledgeService
    from podium.storage import Database

__all__ = ["configure", "database", "knowledge", "settings"]

_overrides: dict[str, Any] = {}


def configure(**overrides: Any) -> None:
    """Apply global CLI options (``--home``...) before any service is built."""
    _overrides.update({k: v for k, v in overrides.items() if v is not None})
    settings.cache_clear()
    database.cache_clear()
    knowledge.cache_clear()


@cache
def settings() -> Settings:
    """The process's settings: environment plus CLI overrides."""
    from podium.config import Settings

    return Settings(**_overrides)


@cache
def database() -> Database:
    """The database under ``PODIUM_HOME`` (or ``PODIUM_DATABASE_URL``), its schema at head.

    Migrated on SQLite; on PostgreSQL only checked (``podium migrate`` migrates it).
    """
    from podium.storage import Database

    s = settings()
    s.ensure_home()
    db = Database.from_settings(s)
    db.ensure_schema(auto_migrate=s.migrates_at_start)
    return db


@cache
def knowledge() -> KnowledgeService:
    """The knowledge-base service."""
    from podium.knowledge import KnowledgeService

    return KnowledgeService(database(), settings())


def home_option_help() -> str:
    """Help text of ``--home``."""
    return "Data directory (default: $PODIUM_HOME or the user data dir)."


def as_path(value: str | None) -> Path | None:
    """Expand a user path option."""
    return Path(value).expanduser() if value else None
