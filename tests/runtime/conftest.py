"""Fixtures for runtime tests: live gateways on 127.0.0.1 (stopped at teardown)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fixtures.runtime import Gateway, start_gateway


@pytest.fixture
def make_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Gateway]]:
    """Factory: ``make_gateway(agent="mod:app", **settings)``; all are stopped at teardown."""
    gateways: list[Gateway] = []

    def make(agent: str = "rt_counter_app:app", **kwargs: Any) -> Gateway:
        gateway = start_gateway(tmp_path_factory.mktemp("rt-home"), agent, **kwargs)
        gateways.append(gateway)
        return gateway

    yield make
    for gateway in gateways:
        gateway.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """One no-auth gateway over the counter app, shared by a test module."""
    gw = start_gateway(
        tmp_path_factory.mktemp("rt-home"),
        "rt_counter_app:app",
        request_header_allowlist=[
            "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Trace",
            "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Podium-Actor-Id",
        ],
    )
    yield gw
    gw.stop()
