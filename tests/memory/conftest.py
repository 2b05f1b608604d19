"""Fixtures for memory tests: a migrated SQLite database in tmp_path and a MemoryService on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from podium.config import Settings
from podium.memory import MemoryService
from podium.storage import Database


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings rooted in this test's tmp_path (bundled embedding model, offline)."""
    return Settings(home=tmp_path / "home")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite database with every migration applied."""
    database = Database(f"sqlite:///{tmp_path / 'memory.db'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def service(db: Database, settings: Settings) -> MemoryService:
    """A MemoryService over the migrated test database (no worker attached)."""
    return MemoryService(db, settings)
