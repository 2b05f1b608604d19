"""Session leases in the shared database: one holder at a time, take-over, expiry (both backends)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podium.errors import Conflict
from podium.runtime._leases import STOPPED, SessionLeases
from podium.storage import Database

SID = "lease-test-session-" + "x" * 20


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'leases.db'}")
        db.migrate()
    else:
        db = Database(request.getfixturevalue("pg_url"))
        db.check_schema()
    yield db
    db.dispose()


def _gateways(db: Database, clock: Clock, lease_s: float = 10.0) -> tuple[Any, Any]:
    a = SessionLeases(lambda: db, lease_s=lease_s, holder="gw-a", clock=clock)
    b = SessionLeases(lambda: db, lease_s=lease_s, holder="gw-b", clock=clock)
    return a, b


def test_one_invocation_at_a_time_across_gateways_then_the_session_moves(
    database: Database,
) -> None:
    clock = Clock()
    a, b = _gateways(database, clock)
    epoch = a.acquire(SID)
    with pytest.raises(Conflict, match="busy with another invocation"):
        b.acquire(SID)
    assert a.release(SID, epoch)
    assert a.acquire(SID) == epoch  # the same holder keeps its epoch: its worker is current
    assert a.release(SID, epoch)
    moved = b.acquire(SID)  # an idle lease moves at once (re-homing)
    assert moved != epoch
    assert b.holders([SID]) == {SID: ("gw-b", moved)}
    assert not a.release(SID, epoch)  # a no longer holds it
    assert b.release(SID, moved)
    back = a.acquire(SID)
    assert back not in (epoch, moved)  # a's old worker missed b's turns: the epoch says so


def test_a_dead_gateways_busy_lease_expires_and_is_taken_over(database: Database) -> None:
    clock = Clock()
    a, b = _gateways(database, clock, lease_s=10.0)
    a.acquire(SID)  # a "dies" mid-invocation: never releases, never renews
    clock.now += 9.0
    with pytest.raises(Conflict):
        b.acquire(SID)
    a.renew()  # while a lives, its renewals keep the invocation's lease
    clock.now += 9.0
    with pytest.raises(Conflict):
        b.acquire(SID)
    clock.now += 10.5
    assert b.acquire(SID)
    assert b.holders([SID])[SID][0] == "gw-b"


def test_renewal_releases_unsettled_leases_and_prunes_dead_ones(database: Database) -> None:
    clock = Clock()
    a, b = _gateways(database, clock, lease_s=10.0)
    epoch = a.acquire(SID)
    other = SID + "-dead"
    b.acquire(other)
    clock.now += 5.0
    a.renew({SID: epoch})  # a's release had failed: the renewal makes the lease idle
    assert b.acquire(SID)
    clock.now += 40.0  # b's lease on `other` expired long ago: pruned
    a.renew()
    assert other not in a.holders([other])


def test_drop_and_stop_elsewhere(database: Database) -> None:
    clock = Clock()
    a, b = _gateways(database, clock)
    epoch = a.acquire(SID)
    a.release(SID, epoch)
    assert not a.stop_elsewhere(SID)  # its own session: the manager ends it locally
    assert b.stop_elsewhere(SID)
    holder, stopped_epoch = a.holders([SID])[SID]
    assert holder == STOPPED and stopped_epoch == epoch + 1
    assert not b.stop_elsewhere(SID)  # already stopped: nothing live to stop
    b.drop([SID])  # b does not hold it: nothing deleted
    assert SID in a.holders([SID])
    a.acquire(SID)
    a.drop([SID])
    assert a.holders([SID]) == {}
    assert a.acquire(SID)  # a fresh row (a new random epoch)
    a.drop_all()
    assert a.holders([SID]) == {}


def test_concurrent_acquires_from_two_gateways_let_exactly_one_through(database: Database) -> None:
    a = SessionLeases(lambda: database, lease_s=10.0, holder="gw-a")
    b = SessionLeases(lambda: database, lease_s=10.0, holder="gw-b")
    for round_ in range(5):
        sid = f"{SID}-{round_}"
        outcomes: list[str] = []
        barrier = threading.Barrier(6)

        def attempt(
            leases: SessionLeases,
            sid: str = sid,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            barrier.wait()
            try:
                leases.acquire(sid)
                outcomes.append(leases.holder)
            except Conflict:
                outcomes.append("409")

        threads = [threading.Thread(target=attempt, args=(g,)) for g in (a, b) * 3]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [o for o in outcomes if o != "409"]
        # The winning gateway's own repeats succeed too (one gateway's manager serialises its
        # invocations in memory before they reach the lease); the other gateway never does.
        assert len(set(winners)) == 1, outcomes


def test_a_lease_of_a_dead_gateway_on_this_host_is_taken_at_once(database: Database) -> None:
    import os
    import subprocess
    import sys

    from podium.runtime._leases import gateway_instance_id

    # A real process that has exited: its pid names no live process on this host.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    host = gateway_instance_id().rsplit("-", 2)[0]  # this host, as a gateway names it
    dead = f"{host}-{int(gone.stdout)}-deadbeef"
    alive = f"{host}-{os.getppid()}-cafef00d"
    for holder, refused in ((dead, False), (alive, True)):
        sid = f"{SID}-{holder[-8:]}"
        SessionLeases(lambda: database, lease_s=60.0, holder=holder).acquire(sid)
        me = SessionLeases(lambda: database, lease_s=60.0, holder="this-gateway")
        if refused:
            with pytest.raises(Conflict):
                me.acquire(sid)
        else:
            assert me.acquire(sid)
