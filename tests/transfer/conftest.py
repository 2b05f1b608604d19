"""Fixtures for the transfer tests: a populated SQLite home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.transfer import populate


@pytest.fixture
def source(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The URL of a populated SQLite home's database, and its ids."""
    home = tmp_path / "source-home"
    ids = populate(home)
    yield f"sqlite:///{home / 'podium.db'}", ids
