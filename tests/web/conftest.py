"""One live ``podium up`` (small catalog, fresh home) shared by the web tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.web import UpProcess, start_up, write_small_catalog


@pytest.fixture(scope="session")
def small_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_catalog(tmp_path_factory.mktemp("catalog") / "sessions.jsonl")


@pytest.fixture(scope="session")
def podium(tmp_path_factory: pytest.TempPathFactory, small_catalog: Path) -> Iterator[UpProcess]:
    """``podium up`` on an empty PODIUM_HOME: its first run, timed."""
    home = tmp_path_factory.mktemp("up") / "home"
    server = start_up(home, small_catalog)
    print(
        f"\npodium up first run: /ping after {server.ping_s:.1f} s, ready after {server.ready_s:.1f} s"
    )
    yield server
    server.stop()
