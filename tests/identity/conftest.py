"""Fixtures for identity tests: live HTTP servers on 127.0.0.1 (reusable: ``live_server``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.types import ASGIApp

from fixtures.identity import Issuer, LiveServer, start_issuer, start_live_server


@pytest.fixture
def live_server() -> Iterator[Callable[[Callable[[str], ASGIApp]], LiveServer]]:
    """Factory: ``live_server(lambda base_url: app)``; every server is stopped at teardown."""
    servers: list[LiveServer] = []

    def start(make_app: Callable[[str], ASGIApp]) -> LiveServer:
        server = start_live_server(make_app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    """One dev issuer shared by a test module (do not rotate its keys)."""
    servers: list[LiveServer] = []

    def live(make_app: Callable[[str], ASGIApp]) -> LiveServer:
        server = start_live_server(make_app)
        servers.append(server)
        return server

    yield start_issuer(live, tmp_path_factory.mktemp("idp-home"))
    for server in servers:
        server.stop()


@pytest.fixture
def make_issuer(
    live_server: Callable[[Callable[[str], ASGIApp]], LiveServer], tmp_path: Path
) -> Callable[..., Issuer]:
    """A fresh issuer per call (own home unless ``home=`` is given), for tests that mutate it."""

    def make(home: Path | None = None, **kwargs: Any) -> Issuer:
        return start_issuer(live_server, home or tmp_path / "home", **kwargs)

    return make
