"""Two gateways on one database: a session moves between them, never runs twice at once.

Both gateways run in this process (uvicorn threads) over one database (a SQLite file, or a
PostgreSQL database), each with its own forked session workers; the counter app's module state
shows which worker answered. The real-process cluster over the event assistant is
tests/runtime/test_runtime_cluster.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.runtime import SESSION, Gateway, new_session_id, wait_until
from podium.runtime import DEV_ACTOR_HEADER

LEASE_S = 1.5


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return str(request.getfixturevalue("pg_url"))


def _pair(make_gateway: Callable[..., Gateway], url: str) -> tuple[Gateway, Gateway]:
    options: dict[str, Any] = {"database_url": url, "session_lease_s": LEASE_S}
    return make_gateway(**options), make_gateway(**options)


def test_a_session_re_homes_and_a_stale_worker_is_never_reused(
    make_gateway: Callable[..., Gateway], database_url: str
) -> None:
    a, b = _pair(make_gateway, database_url)
    sid = new_session_id("rehome")
    assert a.invoke({"op": "count"}, sid).json()["count"] == 1
    assert a.invoke({"op": "count"}, sid).json()["count"] == 2
    stale_pid = a.worker_pid(sid)
    moved = b.invoke({"op": "count"}, sid)
    assert moved.status_code == 200 and moved.json()["count"] == 1  # b's own worker
    # a notices at its next lease renewal that the session moved, and ends it there.
    assert wait_until(lambda: a.runtime.manager.get(sid) is None, 5 * LEASE_S)
    assert 'podium_runtime_sessions_ended_total{reason="moved"} 1' in a.metrics()
    back = a.invoke({"op": "count"}, sid).json()
    assert back["count"] == 1 and back["pid"] != stale_pid


def test_a_worker_that_missed_turns_elsewhere_is_replaced_at_its_next_invocation(
    make_gateway: Callable[..., Gateway], database_url: str
) -> None:
    a, b = _pair(make_gateway, database_url)
    keeper = a.runtime.manager._keeper
    assert keeper is not None
    keeper.cancel()  # a never notices on its own: the invocation itself must catch it
    sid = new_session_id("stale")
    first = a.invoke({"op": "count"}, sid).json()
    assert b.invoke({"op": "count"}, sid).json()["count"] == 1
    again = a.invoke({"op": "count"}, sid).json()
    assert again["count"] == 1 and again["pid"] != first["pid"]


def test_one_invocation_per_session_across_the_cluster(
    make_gateway: Callable[..., Gateway], database_url: str
) -> None:
    a, b = _pair(make_gateway, database_url)
    sid = new_session_id("busy")
    assert a.invoke({"op": "count"}, sid).status_code == 200
    slow: dict[str, httpx.Response] = {}
    thread = threading.Thread(target=lambda: slow.update(r=a.invoke({"op": "sleep", "s": 2}, sid)))
    thread.start()
    assert wait_until(lambda: a.runtime.in_flight == 1)
    refused = b.invoke({"op": "count"}, sid)
    thread.join()
    assert slow["r"].status_code == 200
    assert refused.status_code == 409
    assert refused.json()["error"] == "ConflictException"
    assert "busy with another invocation" in refused.json()["message"]
    assert refused.headers[SESSION] == sid
    assert b.invoke({"op": "count"}, sid).status_code == 200  # free again once it ended


def test_the_owner_binding_and_stop_hold_cluster_wide(
    make_gateway: Callable[..., Gateway], database_url: str
) -> None:
    a, b = _pair(make_gateway, database_url)
    sid = new_session_id("owner")
    assert a.invoke({"op": "count"}, sid, headers={DEV_ACTOR_HEADER: "alice"}).status_code == 200
    other = b.invoke({"op": "count"}, sid, headers={DEV_ACTOR_HEADER: "mallory"})
    assert other.status_code == 403 and other.json()["error"] == "AccessDeniedException"
    # Stopped through the gateway that does not serve it: the one that does ends it.
    stop = b.client.post(f"{b.url}/sessions/{sid}/stop", headers={DEV_ACTOR_HEADER: "alice"})
    assert stop.status_code == 200, stop.text
    assert wait_until(lambda: a.runtime.manager.get(sid) is None, 5 * LEASE_S)
    gone = b.client.post(f"{b.url}/sessions/{sid}/stop", headers={DEV_ACTOR_HEADER: "alice"})
    assert gone.status_code == 404
    assert a.invoke({"op": "count"}, sid, headers={DEV_ACTOR_HEADER: "alice"}).json()["count"] == 1
