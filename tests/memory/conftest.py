"""Fixtures for memory tests: a MemoryService on the (parametrized) ``db`` of tests/conftest.py."""

from __future__ import annotations

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
def service(db: Database, settings: Settings) -> MemoryService:
    """A MemoryService over the migrated test database (no worker attached)."""
    return MemoryService(db, settings)
