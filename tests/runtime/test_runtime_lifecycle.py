"""Session lifecycle: idle timeout, max lifetime, the worker cap, shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from fixtures.runtime import (
    Gateway,
    Hold,
    new_session_id,
    process_gone,
    start_gateway,
    wait_until,
)


def test_idle_session_ends_and_its_worker_exits(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(session_idle_timeout_s=1.5)
    sid = new_session_id("idle")
    pid = gw.invoke({"op": "count"}, sid).json()["pid"]
    assert not process_gone(pid)
    assert wait_until(lambda: process_gone(pid), 10)
    assert gw.runtime.manager.get(sid) is None
    assert 'podium_runtime_sessions_ended_total{reason="idle"} 1' in gw.metrics()
    # Same id again: a new session with fresh state.
    assert gw.invoke({"op": "count"}, sid).json()["count"] == 1


def test_activity_keeps_a_session_alive_until_max_lifetime(
    make_gateway: Callable[..., Gateway],
) -> None:
    # Invocations for 2 s carry the session past its 1.5 s idle timeout; the lifetime (3 s from
    # creation) ends it before the idle timeout could (last invocation + 1.5 s), with 0.8 s to
    # spare for a slow machine between the loop's end and the lifetime.
    gw = make_gateway(session_idle_timeout_s=1.5, session_max_lifetime_s=3.0)
    sid = new_session_id("life")
    pid = gw.invoke({"op": "count"}, sid).json()["pid"]
    started = time.monotonic()
    counts = []
    while time.monotonic() - started < 2.0:
        counts.append(gw.invoke({"op": "count"}, sid).json())
        time.sleep(0.2)
    # Active invocations kept it past the idle timeout, in the same worker.
    assert {c["pid"] for c in counts} == {pid}
    assert counts[-1]["count"] == len(counts) + 1
    assert wait_until(lambda: process_gone(pid), 5)
    assert 'podium_runtime_sessions_ended_total{reason="lifetime"} 1' in gw.metrics()
    assert gw.invoke({"op": "count"}, sid).json()["count"] == 1


def test_worker_cap_throttles_new_sessions_only_when_every_worker_is_busy(
    make_gateway: Callable[..., Gateway], tmp_path: Path
) -> None:
    gw = make_gateway(max_workers=2)
    first, second = new_session_id("1"), new_session_id("2")
    assert gw.invoke({"op": "count"}, first).status_code == 200
    assert gw.invoke({"op": "count"}, second).status_code == 200
    hold = Hold(tmp_path)
    slow = [
        threading.Thread(target=lambda sid=sid: gw.invoke(hold.payload, sid))
        for sid in (first, second)
    ]
    for thread in slow:
        thread.start()
    manager = gw.runtime.manager
    assert wait_until(lambda: all(s.busy for s in manager.sessions()), 5)
    third = gw.invoke({"op": "count"}, new_session_id("3"))
    assert third.status_code == 429
    assert third.json()["error"] == "ThrottlingException"
    assert "PODIUM_MAX_WORKERS" in third.json()["message"]
    assert int(third.headers["Retry-After"]) >= 1
    hold.release()
    for thread in slow:
        thread.join()
    # Existing sessions are still served; once they are idle, a new session takes a slot.
    assert gw.invoke({"op": "count"}, first).json()["count"] == 2
    assert gw.client.post(f"{gw.url}/sessions/{second}/stop").status_code == 200
    assert gw.invoke({"op": "count"}, new_session_id("4")).status_code == 200


def test_gateway_shutdown_stops_every_worker(tmp_path_factory: object) -> None:
    import tempfile
    from pathlib import Path

    gw = start_gateway(Path(tempfile.mkdtemp(prefix="rt-shutdown-")))
    pids = [gw.invoke({"op": "count"}, new_session_id(str(i))).json()["pid"] for i in range(3)]
    zygote_pid = gw.runtime.manager.backend.zygote.pid  # type: ignore[attr-defined]
    gw.stop()
    assert wait_until(lambda: all(process_gone(p) for p in [*pids, zygote_pid]), 10)
