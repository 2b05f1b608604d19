"""Session ownership is kept in the database under PODIUM_HOME: it survives a gateway restart."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fixtures.runtime import Hold, new_session_id, start_gateway, wait_until
from podium.config import Settings
from podium.runtime._owners import SessionOwners


def _as(actor: str) -> dict[str, str]:
    return {"X-Podium-Actor": actor}


def test_ownership_survives_a_restart(tmp_path: Path) -> None:
    sid = new_session_id("bobs")
    first = start_gateway(tmp_path / "home")
    try:
        assert first.invoke({"op": "count"}, sid, _as("bob")).status_code == 200
    finally:
        first.stop()
    second = start_gateway(tmp_path / "home")
    try:
        # No live worker holds the session any more: the owner comes from the database.
        assert second.runtime.manager.get(sid) is None
        claimed = second.invoke({"op": "count"}, sid, _as("alice"))
        assert claimed.status_code == 403
        assert claimed.json()["error"] == "AccessDeniedException"
        stop = second.client.post(f"{second.url}/sessions/{sid}/stop", headers=_as("alice"))
        assert stop.status_code == 403
        assert second.invoke({"op": "count"}, sid, _as("bob")).status_code == 200
    finally:
        second.stop()


def test_a_session_that_never_started_leaves_no_claim(tmp_path: Path) -> None:
    gw = start_gateway(tmp_path / "home", max_sessions_per_actor=1)
    try:
        busy = new_session_id("busy")
        hold = Hold(tmp_path)
        slow = threading.Thread(target=lambda: gw.invoke(hold.payload, busy))
        slow.start()
        assert wait_until(lambda: (s := gw.runtime.manager.get(busy)) is not None and s.busy, 10)
        refused_id = new_session_id("refused")
        assert gw.invoke({"op": "count"}, refused_id).status_code == 429
        hold.release()
        slow.join()
        # The refused id was never served, so it does not belong to anyone.
        assert gw.invoke({"op": "count"}, refused_id, _as("zed")).status_code == 200
    finally:
        gw.stop()


def test_owner_store_claims_once_and_forgets_long_dead_ids(tmp_path: Path) -> None:
    owners = SessionOwners(Settings(home=tmp_path / "home"), retention_s=100.0)
    owners.open()
    now = time.time()
    assert owners.claim("s-1", "bob", now) == ("bob", True)
    assert owners.claim("s-1", "alice", now) == ("bob", False)
    assert owners.claim("s-1", "bob", now) == ("bob", False)
    assert owners.owner("s-1") == "bob"
    owners.touch([("s-1", now - 1000)])
    assert owners.prune(now - 100) == 1
    assert owners.owner("s-1") is None
    owners.close()
    assert (tmp_path / "home").stat().st_mode & 0o777 == 0o700
