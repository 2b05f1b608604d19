"""Quotas: one actor cannot exhaust the host, and idle sessions never lock other actors out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from fixtures.runtime import SESSION, Gateway, Hold, new_session_id, wait_until
from podium.errors import LimitExceeded
from podium.runtime import _capacity
from podium.runtime._errors import error_response


def _as(actor: str) -> dict[str, str]:
    return {"X-Podium-Actor": actor}


def _assert_throttled(response: httpx.Response, setting: str) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "ThrottlingException"
    assert setting in response.json()["message"]
    assert int(response.headers["Retry-After"]) >= 1


def test_one_actors_flood_of_new_sessions_is_bounded(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(max_workers=6, max_sessions_per_actor=3, max_invocations_per_actor=8)
    manager = gw.runtime.manager
    most_workers, done = 0, threading.Event()

    def watch() -> None:
        nonlocal most_workers
        while not done.is_set():
            live = sum(1 for s in manager.sessions() if s.worker is not None)
            most_workers = max(most_workers, live + manager._spawning)
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()

    def new_session(i: int) -> httpx.Response:
        with httpx.Client(timeout=30) as client:
            return client.post(
                f"{gw.url}/invocations",
                json={"op": "sleep", "s": 1.0},
                headers={SESSION: new_session_id(f"flood{i}"), **_as("mallory")},
            )

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            responses = list(pool.map(new_session, range(20)))
    finally:
        done.set()
        watcher.join()
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 429}, statuses
    assert 1 <= statuses.count(200) < 20
    for response in responses:
        if response.status_code == 429:
            _assert_throttled(response, "PODIUM_MAX_SESSIONS_PER_ACTOR")
    assert most_workers <= 3
    assert len(manager.sessions()) <= 3
    # Another actor was never affected.
    assert gw.invoke({"op": "count"}, new_session_id("bystander"), _as("bob")).status_code == 200


def test_concurrent_invocations_per_actor_are_capped(
    make_gateway: Callable[..., Gateway], tmp_path: Path
) -> None:
    gw = make_gateway(max_invocations_per_actor=2)
    hold = Hold(tmp_path)
    slow = [
        threading.Thread(target=lambda: gw.invoke(hold.payload, new_session_id(), _as("ann")))
        for _ in range(2)
    ]
    for thread in slow:
        thread.start()
    manager = gw.runtime.manager
    assert wait_until(lambda: sum(s.busy for s in manager.sessions()) == 2, 5)
    _assert_throttled(
        gw.invoke({"op": "count"}, new_session_id(), _as("ann")),
        "PODIUM_MAX_INVOCATIONS_PER_ACTOR",
    )
    assert gw.invoke({"op": "count"}, new_session_id(), _as("ben")).status_code == 200
    hold.release()
    for thread in slow:
        thread.join()
    assert gw.invoke({"op": "count"}, new_session_id(), _as("ann")).status_code == 200


def test_an_actor_at_their_session_quota_loses_their_least_recently_used_idle_session(
    make_gateway: Callable[..., Gateway],
) -> None:
    gw = make_gateway(max_sessions_per_actor=2)
    a, b, c = new_session_id("a"), new_session_id("b"), new_session_id("c")
    assert gw.invoke({"op": "count"}, a).json()["count"] == 1
    assert gw.invoke({"op": "count"}, b).json()["count"] == 1
    assert gw.invoke({"op": "count"}, a).json()["count"] == 2  # b is now the least recent
    assert gw.invoke({"op": "count"}, c).status_code == 200
    manager = gw.runtime.manager
    assert manager.get(b) is None and manager.get(a) is not None
    assert gw.invoke({"op": "count"}, a).json()["count"] == 3  # a kept its worker and state
    assert 'podium_runtime_sessions_ended_total{reason="evicted"} 1' in gw.metrics()
    # The evicted id is still its owner's: it starts again as a new session.
    assert gw.invoke({"op": "count"}, b, _as("eve")).status_code == 403
    assert gw.invoke({"op": "count"}, b).json()["count"] == 1


def test_idle_sessions_of_one_actor_never_block_another(
    make_gateway: Callable[..., Gateway],
) -> None:
    gw = make_gateway(max_workers=3, max_sessions_per_actor=8)
    alices = [new_session_id(f"alice{i}") for i in range(3)]
    for sid in alices:
        assert gw.invoke({"op": "count"}, sid, _as("alice")).status_code == 200
    # The cap is full of alice's idle sessions: bob still gets one, in place of her oldest.
    bobs = gw.invoke({"op": "count"}, new_session_id("bob"), _as("bob"))
    assert bobs.status_code == 200, bobs.text
    manager = gw.runtime.manager
    assert manager.get(alices[0]) is None
    assert sum(1 for s in manager.sessions() if s.worker is not None) == 3
    # Alice comes back to her evicted session: a fresh start (her app reloads from memory).
    again = gw.invoke({"op": "count"}, alices[0], _as("alice"))
    assert again.status_code == 200 and again.json()["count"] == 1


def test_the_busiest_actors_idle_sessions_are_evicted_first(
    make_gateway: Callable[..., Gateway],
) -> None:
    gw = make_gateway(max_workers=4, max_sessions_per_actor=8)
    carols = new_session_id("carol")
    assert gw.invoke({"op": "count"}, carols, _as("carol")).status_code == 200
    daves = [new_session_id(f"dave{i}") for i in range(3)]
    for sid in daves:
        assert gw.invoke({"op": "count"}, sid, _as("dave")).status_code == 200
    # Carol's session is the least recently used, but dave holds more than his share.
    assert gw.invoke({"op": "count"}, new_session_id("erin"), _as("erin")).status_code == 200
    manager = gw.runtime.manager
    assert manager.get(carols) is not None
    assert manager.get(daves[0]) is None


def test_every_429_carries_retry_after() -> None:
    assert error_response(LimitExceeded("full")).headers["Retry-After"] == "1"
    slow = error_response(LimitExceeded("full", retry_after_s=2.5), {"X-Other": "1"})
    assert slow.headers["Retry-After"] == "3"
    assert slow.headers["X-Other"] == "1"


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        (0, _capacity.MIN_WORKERS),
        (4 * _capacity.WORKER_FOOTPRINT_BYTES, _capacity.MIN_WORKERS),
        (200 * _capacity.WORKER_FOOTPRINT_BYTES, int(200 * _capacity.MEMORY_FRACTION)),
        (10**15, _capacity.HARD_MAX_WORKERS),
    ],
)
def test_default_worker_cap_follows_available_memory(available: int, expected: int) -> None:
    assert _capacity.default_max_workers(available) == expected


def test_gateway_without_max_workers_derives_its_cap(make_gateway: Callable[..., Gateway]) -> None:
    # Available memory moves while other processes start and exit: the cap the gateway derived
    # at its start lies within what the same rule gives just before and just after it.
    before = _capacity.default_max_workers()
    gw = make_gateway()
    after = _capacity.default_max_workers()
    assert gw.settings.max_workers is None
    cap = gw.runtime.manager.max_workers
    assert _capacity.MIN_WORKERS <= cap <= _capacity.HARD_MAX_WORKERS
    slack = max(2, cap // 10)
    assert min(before, after) - slack <= cap <= max(before, after) + slack
