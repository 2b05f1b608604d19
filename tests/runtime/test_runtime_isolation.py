"""Session isolation: one worker process per session; crashes stay inside their session."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from fixtures.runtime import Gateway, new_session_id, process_gone, wait_until


def test_sessions_never_share_agent_state(gateway: Gateway) -> None:
    a, b = new_session_id("a"), new_session_id("b")
    assert gateway.invoke({"op": "count"}, a).json()["count"] == 1
    assert gateway.invoke({"op": "count"}, a).json()["count"] == 2
    first_b = gateway.invoke({"op": "count"}, b).json()
    assert first_b["count"] == 1
    pid_a = gateway.invoke({"op": "count"}, a).json()["pid"]
    assert pid_a != first_b["pid"]
    assert os.getpid() not in (pid_a, first_b["pid"])
    assert gateway.worker_pid(a) == pid_a


def test_killed_worker_is_replaced_on_the_next_request(gateway: Gateway) -> None:
    sid = new_session_id("kill")
    assert gateway.invoke({"op": "count"}, sid).json()["count"] == 1
    pid = gateway.invoke({"op": "count"}, sid).json()["pid"]
    other = new_session_id("bystander")
    bystander_pid = gateway.invoke({"op": "count"}, other).json()["pid"]
    os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: process_gone(pid), 5)
    again = gateway.invoke({"op": "count"}, sid)
    assert again.status_code == 200, again.text
    # A fresh worker: new process, module state from scratch.
    assert again.json()["pid"] != pid
    assert again.json()["count"] == 1
    # The other session never noticed.
    bystander = gateway.invoke({"op": "count"}, other).json()
    assert (bystander["count"], bystander["pid"]) == (2, bystander_pid)
    assert "podium_runtime_worker_crashes_total 0" not in gateway.metrics()


def test_worker_killed_mid_stream_gives_an_error_event(gateway: Gateway) -> None:
    sid = new_session_id("midstream")
    events = gateway.sse_events({"op": "stream", "n": 50, "delay": 0.05}, sid)
    _, first = next(events)
    assert first["i"] == 0
    os.kill(gateway.worker_pid(sid), signal.SIGKILL)
    rest = [e for _, e in events]
    assert rest[-1]["error"] == "RuntimeClientError"
    assert "exited" in rest[-1]["message"]
    assert len(rest) < 49
    after = gateway.invoke({"op": "count"}, sid)
    assert after.status_code == 200
    assert after.json()["count"] == 1
    assert gateway.client.get(f"{gateway.url}/ping").json()["status"] == "Healthy"


def test_isolation_none_shares_module_state(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(isolation="none")
    a = gw.invoke({"op": "count"}, new_session_id("a")).json()
    b = gw.invoke({"op": "count"}, new_session_id("b")).json()
    # Development mode: one app in the gateway process for every session.
    assert a["pid"] == b["pid"] == os.getpid()
    assert b["count"] == a["count"] + 1
    events = [e for _, e in gw.sse_events({"op": "stream", "n": 3})]
    assert [e["i"] for e in events] == [0, 1, 2]
