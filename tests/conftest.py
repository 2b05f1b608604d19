"""Shared fixtures. Tests reach only loopback: any other outbound connection fails loudly."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podium.config import Settings, install_settings
from podium.knowledge import KnowledgeService
from podium.storage import Database

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise ConnectionRefusedError(f"tests may not reach {host}: only loopback is allowed")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_egress() -> Iterator[None]:
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    """Undo any change a test makes to ``os.environ`` or the installed process settings."""
    saved = dict(os.environ)
    yield
    install_settings(None)
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)
    # boto3's default session caches the credentials it first resolved from the environment:
    # a later test with other AWS_* variables must not sign with an earlier test's key.
    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        boto3.DEFAULT_SESSION = None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh PODIUM_HOME under tmp_path."""
    return Settings(home=tmp_path / "home")


#: The backends every storage-touching test runs on (``db`` is parametrized over them).
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The storage backend of this test run: ``sqlite`` or ``postgresql``."""
    return str(request.param)


@pytest.fixture
def db(backend: str, settings: Settings, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database: SQLite in the test's home, or a fresh PostgreSQL database."""
    if backend == "postgresql":
        url = str(request.getfixturevalue("pg_url"))
    else:
        settings.ensure_home()
        url = settings.resolved_database_url
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def knowledge(db: Database, settings: Settings) -> KnowledgeService:
    """The knowledge service over the test database."""
    return KnowledgeService(db, settings)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """One real PostgreSQL server for the run (see :mod:`fixtures.postgres`)."""
    from fixtures.postgres import start_postgres

    yield from start_postgres()


@pytest.fixture
def pg_url(postgres_server: Any) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database for this test (dropped after it)."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)
