"""The public surface of podium.runtime and small pure pieces (no server)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import podium.runtime as runtime
from podium.errors import ConfigurationError
from podium.runtime._asgi import BodyChunk, End, Event, Start, call_invocation, load_app
from podium.runtime._metrics import Metrics

HERE = Path(__file__).parent


def test_all_names_resolve_and_are_sorted() -> None:
    assert runtime.__all__ == sorted(runtime.__all__, key=lambda n: (not n.isupper(), n))
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None
    with pytest.raises(AttributeError):
        _ = runtime.no_such_name  # type: ignore[attr-defined]


def test_load_app_by_module_or_file_and_clear_errors() -> None:
    by_file = load_app(f"{HERE / 'third_party_app.py'}:app")
    events: list[Event] = []

    async def emit(event: Event) -> None:
        events.append(event)

    asyncio.run(call_invocation(by_file, headers=[], body=b'{"prompt": "x"}', emit=emit))
    assert isinstance(events[0], Start) and events[0].status == 200
    assert isinstance(events[1], BodyChunk) and b"you said x" in events[1].data
    assert isinstance(events[-1], End)
    with pytest.raises(ConfigurationError, match="could not import"):
        load_app("no_such_module_here:app")
    with pytest.raises(ConfigurationError, match="no attribute"):
        load_app("third_party_app:nothing")


def test_gateway_refuses_to_start_without_an_identity_provider(tmp_path: Path) -> None:
    from podium.config import Settings

    with pytest.raises(ConfigurationError, match="PODIUM_AUTH_DISCOVERY_URL"):
        runtime.create_gateway_app(Settings(home=tmp_path), "third_party_app:app")


def test_metrics_histogram_is_cumulative() -> None:
    metrics = Metrics()
    metrics.observe_invocation(200, 0.003)
    metrics.observe_invocation(200, 0.2)
    metrics.observe_invocation("stream_error", 500.0)
    text = metrics.render()
    assert 'podium_runtime_invocation_duration_seconds_bucket{le="0.005"} 1' in text
    assert 'podium_runtime_invocation_duration_seconds_bucket{le="0.25"} 2' in text
    assert 'podium_runtime_invocation_duration_seconds_bucket{le="+Inf"} 3' in text
    assert 'podium_runtime_invocations_total{status="stream_error"} 1' in text
