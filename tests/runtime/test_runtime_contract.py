"""The AgentCore Runtime HTTP contract: ping, invocations (JSON and SSE), headers, stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from fixtures.runtime import ACTOR, REQUEST_ID, SESSION, Gateway, Hold, new_session_id, wait_until

HERE = Path(__file__).parent


def test_ping_reports_healthy_with_a_unix_time(gateway: Gateway) -> None:
    body = gateway.client.get(f"{gateway.url}/ping").json()
    assert body["status"] == "Healthy"
    assert isinstance(body["time_of_last_update"], int)
    assert abs(body["time_of_last_update"] - time.time()) < 3600


def test_invocation_without_session_id_gets_a_generated_one(gateway: Gateway) -> None:
    response = gateway.invoke({"op": "count"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    session_id = response.headers[SESSION]
    assert 33 <= len(session_id) <= 256
    assert response.json()["session_id"] == session_id
    assert response.json()["count"] == 1
    assert len(response.headers[REQUEST_ID]) >= 32
    again = gateway.invoke({"op": "count"}, session_id)
    assert again.json()["count"] == 2
    assert again.headers[SESSION] == session_id
    assert gateway.invoke({"op": "count"}).headers[SESSION] != session_id


def test_request_id_is_echoed(gateway: Gateway) -> None:
    response = gateway.invoke({"op": "count"}, headers={REQUEST_ID: "req-123"})
    assert response.headers[REQUEST_ID] == "req-123"


def test_session_id_length_is_validated(gateway: Gateway) -> None:
    for bad in ("short", "x" * 32, "x" * 257, "has spaces " + "x" * 40):
        response = gateway.invoke({"op": "count"}, bad)
        assert response.status_code == 400, bad
        assert response.json()["error"] == "ValidationException"
        assert "33-256" in response.json()["message"]
    assert gateway.invoke({"op": "count"}, "x" * 33).status_code == 200
    assert gateway.invoke({"op": "count"}, "y" * 256).status_code == 200


def test_bad_json_is_a_400_without_traceback(gateway: Gateway) -> None:
    response = gateway.client.post(
        f"{gateway.url}/invocations",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "ValidationException",
        "message": "request body is not valid JSON",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 1000 + b"]" * 1000, "request body is nested deeper than 64 levels"),
        (b'{"a":' * 65 + b"1" + b"}" * 65, "request body is nested deeper than 64 levels"),
        (b'{"prompt": "\\ud800"}', "request body contains invalid Unicode"),
        (b'{"\\udfff": "key"}', "request body contains invalid Unicode"),
        (b'{"prompt": "\xff\xfe"}', "request body is not valid JSON"),
    ],
)
def test_hostile_bodies_are_a_400_and_the_gateway_stays_healthy(
    gateway: Gateway, body: bytes, message: str
) -> None:
    response = gateway.client.post(
        f"{gateway.url}/invocations", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "ValidationException"
    assert response.json()["message"].startswith(message)
    # 64 levels is still fine, and the gateway still serves.
    ok = b'{"op": "count", "deep": ' + b"[" * 62 + b"]" * 62 + b"}"
    assert gateway.client.post(f"{gateway.url}/invocations", content=ok).status_code == 200
    assert gateway.client.get(f"{gateway.url}/ping").status_code == 200


def test_app_exception_is_the_apps_json_error_never_a_traceback(gateway: Gateway) -> None:
    response = gateway.invoke({"op": "raise"})
    assert response.status_code == 500
    assert response.json() == {"error": "handler refused"}
    assert "Traceback" not in response.text


def test_sse_chunks_are_relayed_as_they_are_produced(gateway: Gateway) -> None:
    events = list(gateway.sse_events({"op": "stream", "n": 4, "delay": 0.25}))
    assert [e["i"] for _, e in events] == [0, 1, 2, 3]
    # The app stamps each event with the wall clock as it yields it. The first event reached
    # the client before the last was produced; a buffering gateway sends nothing until the app's
    # generator has ended, 0.25 s after the last event.
    first_arrival = events[0][0]
    assert first_arrival < events[-1][1]["t"]
    arrivals = [t for t, _ in events]
    assert arrivals == sorted(arrivals)


def test_async_generator_app_streams_too(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway("rt_async_app:app")
    sid = new_session_id("async")
    events = [e for _, e in gw.sse_events({"n": 3, "delay": 0.01, "prompt": "hi"}, sid)]
    assert [e["token"] for e in events] == [0, 1, 2]
    assert events[0]["seen"] == 1
    events = [e for _, e in gw.sse_events({"n": 1, "prompt": "again"}, sid)]
    assert events[0]["seen"] == 2


def test_error_mid_stream_ends_with_an_error_event(gateway: Gateway) -> None:
    events = [e for _, e in gateway.sse_events({"op": "fail_stream", "at": 2})]
    assert [e["i"] for e in events[:2]] == [0, 1]
    last = events[-1]
    assert set(last) >= {"error", "message"}
    assert "boom in the middle" in last["error"]


def test_third_party_app_file_runs_unchanged(make_gateway: Callable[..., Gateway]) -> None:
    source = (HERE / "third_party_app.py").read_text()
    assert "podium" not in source
    for agent in ("third_party_app:app", f"{HERE / 'third_party_app.py'}:app"):
        gw = make_gateway(agent)
        sid = new_session_id("3p")
        first = gw.invoke({"prompt": "hello"}, sid)
        assert first.status_code == 200
        assert first.json() == {"result": "you said hello", "turns": 1}
        assert gw.invoke({"prompt": "again"}, sid).json()["turns"] == 2
        assert gw.invoke({"prompt": "other"}, new_session_id("3p")).json()["turns"] == 1


def test_header_allowlist_and_actor_header(gateway: Gateway) -> None:
    response = gateway.invoke(
        {"op": "count"},
        headers={
            "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Trace": "t-1",
            "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Other": "nope",
            "Authorization": "Bearer not-forwarded",
            "X-Podium-Actor": "carol",
            ACTOR: "mallory",
        },
    )
    seen = {k.lower(): v for k, v in response.json()["headers"].items()}
    assert seen["x-amzn-bedrock-agentcore-runtime-custom-trace"] == "t-1"
    assert "x-amzn-bedrock-agentcore-runtime-custom-other" not in seen
    assert "authorization" not in seen
    # The actor comes from the gateway (here the dev header), never from a client-sent copy.
    assert seen[ACTOR.lower()] == "carol"


def test_concurrent_invocation_on_a_busy_session_gets_409(gateway: Gateway, tmp_path: Path) -> None:
    sid = new_session_id("busy")
    assert gateway.invoke({"op": "count"}, sid).status_code == 200
    results: list[httpx.Response] = []
    hold = Hold(tmp_path)
    slow = threading.Thread(target=lambda: results.append(gateway.invoke(hold.payload, sid)))
    slow.start()
    assert wait_until(lambda: gateway.runtime.manager.get(sid).busy, 5)  # type: ignore[union-attr]
    # The first invocation runs until it is released, after this answer: a gateway that queued
    # the second behind it would never answer here (the client gives up after 10 s).
    with httpx.Client(timeout=10) as other:
        clash = other.post(
            f"{gateway.url}/invocations", json={"op": "count"}, headers={SESSION: sid}
        )
    assert clash.status_code == 409
    assert clash.json()["error"] == "ConflictException"
    assert "busy" in clash.json()["message"]
    hold.release()
    slow.join()
    assert results[0].status_code == 200
    assert gateway.invoke({"op": "count"}, sid).json()["count"] == 2


def test_ping_is_healthy_busy_during_a_slow_invocation(gateway: Gateway, tmp_path: Path) -> None:
    hold = Hold(tmp_path)
    slow = threading.Thread(target=lambda: gateway.invoke(hold.payload))
    slow.start()
    with httpx.Client(timeout=10) as pinger:

        def status() -> str:
            return str(pinger.get(f"{gateway.url}/ping").json()["status"])

        assert wait_until(lambda: status() == "HealthyBusy", 10)
        hold.release()
        slow.join()
        assert wait_until(lambda: status() == "Healthy", 5)


def test_stop_session(gateway: Gateway) -> None:
    sid = new_session_id("stop")
    assert gateway.invoke({"op": "count"}, sid).json()["count"] == 1
    assert gateway.invoke({"op": "count"}, sid).json()["count"] == 2
    other = gateway.client.post(
        f"{gateway.url}/sessions/{sid}/stop", headers={"X-Podium-Actor": "eve"}
    )
    assert other.status_code == 403
    assert other.json()["error"] == "AccessDeniedException"
    stopped = gateway.client.post(f"{gateway.url}/sessions/{sid}/stop")
    assert stopped.status_code == 200
    assert stopped.json()["runtimeSessionId"] == sid
    # A stopped session's id starts a new session: a fresh worker, fresh module state.
    assert gateway.invoke({"op": "count"}, sid).json()["count"] == 1
    missing = gateway.client.post(f"{gateway.url}/sessions/{new_session_id()}/stop")
    assert missing.status_code == 404
    assert missing.json()["error"] == "ResourceNotFoundException"


def test_another_actor_cannot_use_a_session(gateway: Gateway) -> None:
    sid = new_session_id("owned")
    assert gateway.invoke({"op": "count"}, sid, {"X-Podium-Actor": "alice"}).status_code == 200
    intruder = gateway.invoke({"op": "count"}, sid, {"X-Podium-Actor": "bob"})
    assert intruder.status_code == 403
    assert intruder.json()["error"] == "AccessDeniedException"
    # The intruder never reached the worker: the owner's count went on from 1.
    assert gateway.invoke({"op": "count"}, sid, {"X-Podium-Actor": "alice"}).json()["count"] == 2


def test_metrics_exposition(gateway: Gateway) -> None:
    before = gateway.metrics()
    gateway.invoke({"op": "count"})
    gateway.invoke({"op": "count"}, "bad")
    text = gateway.metrics()

    def value(line_prefix: str, body: str) -> float:
        for line in body.splitlines():
            if line.startswith(line_prefix + " "):
                return float(line.split()[-1])
        return 0.0

    ok = 'podium_runtime_invocations_total{status="200"}'
    bad = 'podium_runtime_invocations_total{status="400"}'
    assert value(ok, text) == value(ok, before) + 1
    assert value(bad, text) == value(bad, before) + 1
    assert "# TYPE podium_runtime_invocation_duration_seconds histogram" in text
    assert 'podium_runtime_invocation_duration_seconds_bucket{le="+Inf"}' in text
    assert value("podium_runtime_sessions_live", text) >= 1
    assert value("podium_runtime_worker_starts_total", text) >= 1
    for name in ("auth_failures_total", "worker_crashes_total", "workers_live"):
        assert f"podium_runtime_{name}" in text
