"""A cluster of real processes: two ``podium serve`` gateways (the event assistant) on one database.

* A session alternating between the gateways keeps its conversation: each gateway's new worker
  reloads the turns made through the other one from memory (the hooks log how many).
* Two invocations of one session sent to both gateways at once: one runs, the other gets 409.
* ``kill -9`` of one gateway mid-run: after the lease expires its sessions are served by the
  other one, and afterwards no event is lost or stored twice.

The PostgreSQL variant runs the same checks on ``pg_url`` once the assistant's services open
there. The 100-session version with extraction workers is ``benchmarks/cluster.py``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from fixtures.assistant import write_catalog
from fixtures.cluster import Cluster, ask, audit_events, seed_database, stored_messages

LEASE_S = 2.0
SESSIONS = 20
# An interrupted session moves to B once A's session lease (2 s) has passed, never after the
# 60 s lease of the extraction jobs A held; the rest is room for a loaded machine.
MOVE_BOUND_S = LEASE_S + 40


@pytest.fixture(params=["sqlite", "postgresql"])
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Cluster, str]]:
    catalog = tmp_path / "catalog.jsonl"
    write_catalog(catalog)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    memory_id = seed_database(url, tmp_path / "seed", catalog)
    env = {
        "PODIUM_DATABASE_URL": url,
        "PODIUM_CATALOG_PATH": str(catalog),
        "PODIUM_SESSION_LEASE_S": str(LEASE_S),
        # The assistant's hooks log (DEBUG) how many turns each new worker reloaded.
        "PODIUM_LOG_LEVEL": "DEBUG",
        "PODIUM_MAX_WORKERS": "64",
    }
    group = Cluster(tmp_path, url, catalog, env)
    group.gateway("gw-a")
    group.gateway("gw-b")
    try:
        group.wait_ready()
        yield group, memory_id
    finally:
        group.stop()


def _loaded_turns(log: Path, session_id: str) -> list[int]:
    pattern = re.compile(
        rf"session_id=<{re.escape(session_id)}> \| loaded \d+ profile lines and (\d+) turns"
    )
    return [int(m.group(1)) for m in pattern.finditer(log.read_text(errors="replace"))]


def test_two_gateways_share_sessions_refuse_doubles_and_survive_a_kill(
    cluster: tuple[Cluster, str],
) -> None:
    group, memory_id = cluster
    gw_a, gw_b = group.members
    assert gw_a.url and gw_b.url
    sessions = [f"cluster-session-{i:03d}-" + "c" * 24 for i in range(SESSIONS)]
    actor = {sid: f"visitor-{i}" for i, sid in enumerate(sessions)}
    answered: dict[str, list[str]] = {sid: [] for sid in sessions}
    interrupted: dict[str, list[str]] = {sid: [] for sid in sessions}
    client = httpx.Client(timeout=60)
    pool = ThreadPoolExecutor(8)

    def turn(url: str, sid: str, prompt: str) -> httpx.Response:
        response = ask(client, url, sid, actor[sid], prompt)
        if response.status_code == 200:
            answered[sid].append(prompt)
        return response

    # 1. Alternate: A, B, A. Each gateway's worker reloads what the other one served.
    prompts = [
        (gw_a.url, "I'm interested in serverless and security (first turn, {sid})"),
        (gw_b.url, "Which security sessions would you recommend? (second turn, {sid})"),
        (gw_a.url, "What have we talked about so far? (third turn, {sid})"),
    ]
    for url, template in prompts:
        results = list(pool.map(lambda s, u=url, t=template: turn(u, s, t.format(sid=s)), sessions))
        assert [r.status_code for r in results] == [200] * SESSIONS, results[0].text
    for sid in sessions:
        assert _loaded_turns(gw_b.log, sid) == [1], sid  # b's worker saw a's first turn
        assert _loaded_turns(gw_a.log, sid) == [0, 2], sid  # a's stale worker was replaced

    # 2. The same session on both gateways at once: one invocation runs, the other gets 409.
    # At least ten races, and more (up to 40) until two requests have really met.
    conflicts = 0
    for n in range(40):
        if n >= 10 and conflicts:
            break
        sid = sessions[n % SESSIONS]
        barrier = threading.Barrier(2)

        def racing(
            url: str, which: str, sid: str = sid, n: int = n, barrier: threading.Barrier = barrier
        ) -> httpx.Response:
            barrier.wait()
            return turn(url, sid, f"Any workshops on Tuesday? (race {n} via {which}, {sid})")

        pair = list(pool.map(racing, [gw_a.url, gw_b.url], ["a", "b"]))
        codes = sorted(r.status_code for r in pair)
        assert codes in ([200, 200], [200, 409]), [r.text for r in pair]
        for refused in (r for r in pair if r.status_code == 409):
            assert refused.json()["error"] == "ConflictException"
            conflicts += 1
    assert conflicts >= 1  # simultaneous requests did meet

    # 3. kill -9 gateway A in the middle of a round of turns; B serves its sessions after.
    def turn_or_interrupted(sid: str) -> None:
        prompt = f"Tell me about sessions on containers (fourth turn, {sid})"
        try:
            turn(gw_a.url, sid, prompt)
        except httpx.TransportError:
            interrupted[sid].append(prompt)

    before = sum(len(v) for v in answered.values())
    futures = [pool.submit(turn_or_interrupted, sid) for sid in sessions]
    deadline = time.monotonic() + 20
    while sum(len(v) for v in answered.values()) < before + 3:
        assert time.monotonic() < deadline, "gateway A answered nothing in the last round"
        time.sleep(0.01)
    gw_a.kill()
    killed_at = time.monotonic()
    for future in futures:
        future.result()

    def moved_after(sid: str) -> float:
        """Seconds from the kill until B answered the interrupted session."""
        tries = 0
        while True:
            tries += 1
            response = turn(gw_b.url, sid, f"Tell me about containers again (retry {tries}, {sid})")
            if response.status_code == 200:
                return time.monotonic() - killed_at
            assert response.status_code == 409, response.text  # a's lease not expired yet
            assert time.monotonic() - killed_at < MOVE_BOUND_S
            time.sleep(0.2)

    # The interrupted sessions are retried at once, as their users would, not one after another.
    moved = list(pool.map(moved_after, [sid for sid in sessions if interrupted[sid]]))
    assert any(interrupted.values()), "the kill interrupted no turn: nothing was tested"
    # 4. Every session still answers (on B), with its conversation reloaded there.
    results = list(
        pool.map(
            lambda s: turn(gw_b.url, s, f"What have we talked about? (last turn, {s})"), sessions
        )
    )
    assert [r.status_code for r in results] == [200] * SESSIONS
    pool.shutdown()
    client.close()

    # 5. 0 lost, 0 duplicated: each answered prompt is stored once, a killed one at most once.
    totals = {"lost": 0, "duplicated": 0, "unknown": 0}
    for sid in sessions:
        stored = stored_messages(group.database_url, memory_id, actor[sid], sid)
        for key, value in audit_events(stored, answered[sid], interrupted[sid]).items():
            totals[key] += value
        for prompt in answered[sid]:  # an answered turn has its reply stored after it
            at = stored.index(("USER", prompt))
            assert any(role == "ASSISTANT" for role, _ in stored[at + 1 : at + 4]), (sid, prompt)
    assert totals == {"lost": 0, "duplicated": 0, "unknown": 0}
    assert max(moved) < MOVE_BOUND_S
