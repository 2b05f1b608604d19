"""Fixtures for the event assistant: a small real catalog, ingested once per test session.

Embedding the 600-session catalog takes minutes on a small machine, so these tests use 31 real
lines of it. The KB is built once into a seed home; each module works on a copy of that SQLite
file (KB and embedding cache included), so nothing is embedded twice and modules stay isolated.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.assistant import services_in, write_catalog
from podium.apps.event_assistant import AssistantServices, open_services
from podium.config import Settings


@pytest.fixture(scope="session")
def catalog_sessions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """(path, sessions by code) of the small catalog."""
    path = tmp_path_factory.mktemp("catalog") / "sessions.jsonl"
    return path, write_catalog(path)


@pytest.fixture(scope="session")
def seed_home(
    tmp_path_factory: pytest.TempPathFactory, catalog_sessions: tuple[Path, dict[str, Any]]
) -> Path:
    """A home whose database holds the ingested sessions KB and the assistant's memory."""
    home = tmp_path_factory.mktemp("seed-home")
    services = open_services(
        Settings(home=home, catalog_path=catalog_sessions[0]), start_worker=False
    )
    assert services.knowledge.info("sessions").document_count == len(catalog_sessions[1])
    services.close()
    return home


@pytest.fixture(scope="module")
def assistant(
    tmp_path_factory: pytest.TempPathFactory,
    seed_home: Path,
    catalog_sessions: tuple[Path, dict[str, Any]],
) -> Iterator[AssistantServices]:
    """Services for one test module (own database copy; extraction runs on demand)."""
    services = services_in(
        seed_home,
        tmp_path_factory.mktemp("home"),
        catalog_sessions[0],
        background_worker=False,
    )
    yield services
    services.close()


@pytest.fixture(scope="module")
def catalog(catalog_sessions: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    """The small catalog's sessions by code."""
    return catalog_sessions[1]
