"""Cluster: 2 gateways + 2 extraction workers on one database, 100 concurrent sessions, 2 kills.

Goal (issue 14, deliverable 3): with ``kill -9`` of one gateway and one extraction worker in
the middle of the run, every session still answers afterwards, and there are 0 lost and 0
duplicated events and memory records.

    python benchmarks/cluster.py                       # 100 sessions, 4 turns each, SQLite
    python benchmarks/cluster.py --sessions 20 --turns 3
    python benchmarks/cluster.py --database-url postgresql+psycopg://...   # a migrated database

Each session is its own actor; every turn goes to a random live gateway (no affinity, so the
sessions re-home all the time) with a unique prompt. A 409 (the session is busy on the other
gateway, or its dead gateway's lease has not expired yet) and a connection error (the gateway
was killed) are retried with a new prompt. Audit afterwards, from the database:

- events: every answered prompt stored exactly once, an interrupted one at most once, a refused
  (409) one never (``fixtures.cluster.audit_events``);
- records: the extraction queue drains (no job left PENDING, RUNNING or FAILED), each actor has
  records of what it said (lost: none), and no actor has two records with the same text in one
  namespace (duplicated).

Not part of ``make bench`` (it starts real processes for a minute or two).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from _common import percentiles, report, small_catalog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fixtures.cluster import (  # the tests' process helpers
    ACTOR,
    SESSION,
    Cluster,
    audit_events,
    seed_database,
    stored_messages,
)

INTRO = "I'm interested in serverless and security and I prefer workshops"
ASKS = [
    "Which sessions would you recommend for me?",
    "Any hands-on sessions on containers?",
    "What have we talked about so far?",
    "Tell me about security sessions on Tuesday",
]


class Run:
    """The traffic of one benchmark run and what each prompt's fate was."""

    def __init__(self, gateways: dict[str, str], sessions: list[str]) -> None:
        self.gateways = gateways
        self.alive = set(gateways)
        self.answered: dict[str, list[str]] = {s: [] for s in sessions}
        self.interrupted: dict[str, list[str]] = {s: [] for s in sessions}
        self.refused: Counter[str] = Counter()
        self.latencies_ms: list[float] = []
        self.turns_done = 0
        self.unserved: list[str] = []

    async def turn(self, client: httpx.AsyncClient, sid: str, base: str, deadline: float) -> None:
        """One turn, retried (with a new prompt each time) until some gateway answers it."""
        attempt = 0
        while time.monotonic() < deadline:
            attempt += 1
            prompt = f"{base} (attempt {attempt}, {sid})"
            name = random.choice(sorted(self.alive))
            started = time.perf_counter()
            try:
                response = await client.post(
                    f"{self.gateways[name]}/invocations",
                    json={"prompt": prompt, "stream": False},
                    headers={SESSION: sid, ACTOR: f"actor-{sid}"},
                )
            except httpx.TransportError:
                self.interrupted[sid].append(prompt)
                await asyncio.sleep(0.2)
                continue
            if response.status_code == 200:
                self.answered[sid].append(prompt)
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
                self.turns_done += 1
                return
            self.refused[str(response.status_code)] += 1
            await asyncio.sleep(0.25)
        self.unserved.append(sid)

    async def session(
        self, client: httpx.AsyncClient, sid: str, turns: int, deadline: float
    ) -> None:
        """A conversation: the introduction, then ``turns - 1`` questions."""
        for n in range(turns):
            await self.turn(client, sid, INTRO if n == 0 else ASKS[(n - 1) % len(ASKS)], deadline)


async def _traffic(
    run: Run, group: Cluster, sessions: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=args.sessions, max_keepalive_connections=args.sessions)
    deadline = time.monotonic() + args.timeout
    killed: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        tasks = [
            asyncio.create_task(run.session(client, s, args.turns, deadline)) for s in sessions
        ]
        total = args.sessions * args.turns
        while run.turns_done < total * args.kill_at and not all(t.done() for t in tasks):
            await asyncio.sleep(0.05)
        gateway, worker = group.members[0], group.members[2]
        run.alive.discard(gateway.name)
        gateway.kill()
        worker.kill()
        killed = {"at_turn": run.turns_done, "gateway": gateway.name, "worker": worker.name}
        await asyncio.gather(*tasks)
        # Afterwards every session still answers (on the surviving gateway).
        final = Run({k: v for k, v in run.gateways.items() if k in run.alive}, sessions)
        final.answered, final.interrupted = run.answered, run.interrupted
        await asyncio.gather(
            *(final.turn(client, s, "What have we talked about?", deadline + 60) for s in sessions)
        )
    return {
        "killed": killed,
        "final_unserved": len(final.unserved),
        "final_refused": dict(final.refused),
    }


def _wait_for_extraction(url: str, timeout_s: float) -> dict[str, Any]:
    from podium.memory.extraction import queue_stats
    from podium.storage import Database

    db = Database(url)
    started = time.monotonic()
    try:
        while True:
            with db.connect() as conn:
                stats = queue_stats(conn, time.time())
            if stats.pending == 0 and stats.running == 0:
                return {"drained": True, "drain_s": round(time.monotonic() - started, 1)}
            if time.monotonic() - started > timeout_s:
                return {"drained": False, "pending": stats.pending, "running": stats.running}
            time.sleep(1.0)
    finally:
        db.dispose()


def _audit_records(url: str, memory_id: str, sessions: list[str]) -> dict[str, int]:
    from podium.config import Settings
    from podium.memory import MemoryService
    from podium.storage import Database

    db = Database(url)
    memory = MemoryService(db, Settings(database_url=url))
    try:
        failed = len(memory.list_extraction_jobs(memory_id, status="FAILED"))
        records = duplicated = actors_without = 0
        for sid in sessions:
            actor = f"actor-{sid}"
            seen: Counter[tuple[str, str]] = Counter()
            token: str | None = None
            while True:
                page, token = memory.list_memory_records(
                    memory_id, "/", max_results=100, next_token=token, actor_id=actor
                )
                seen.update((r.namespace, r.text) for r in page)
                if not token:
                    break
            records += sum(seen.values())
            duplicated += sum(n - 1 for n in seen.values() if n > 1)
            actors_without += not any("serverless" in text.lower() for _, text in seen)
        return {
            "records": records,
            "records_duplicated": duplicated,
            "actors_without_their_records": actors_without,
            "jobs_failed": failed,
        }
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--catalog-size", type=int, default=40)
    parser.add_argument("--lease-s", type=float, default=5.0)
    parser.add_argument("--kill-at", type=float, default=0.4, help="fraction of turns done")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="podium-bench-cluster-"))
    catalog = small_catalog(root / "catalog.jsonl", args.catalog_size)
    url = args.database_url or f"sqlite:///{root / 'shared.db'}"
    memory_id = seed_database(url, root / "seed", catalog)
    env = {
        "PODIUM_DATABASE_URL": url,
        "PODIUM_CATALOG_PATH": str(catalog),
        "PODIUM_SESSION_LEASE_S": str(args.lease_s),
        "PODIUM_EMBEDDED_WORKER": "false",  # the two `podium memory worker` processes extract
        "PODIUM_MAX_WORKERS": str(args.sessions + 10),
    }
    group = Cluster(root, url, catalog, env)
    gateways = {m.name: m.url or "" for m in (group.gateway("gw-a"), group.gateway("gw-b"))}
    group.worker("worker-1")
    group.worker("worker-2")
    sessions = [f"bench-cluster-{i:04d}-" + "s" * 24 for i in range(args.sessions)]
    try:
        started = time.monotonic()
        group.wait_ready()
        ready_s = time.monotonic() - started
        run = Run(gateways, sessions)
        started = time.monotonic()
        traffic = asyncio.run(_traffic(run, group, sessions, args))
        traffic_s = time.monotonic() - started
        extraction = _wait_for_extraction(url, timeout_s=180)
        events = Counter[str]()
        for sid in sessions:
            stored = stored_messages(url, memory_id, f"actor-{sid}", sid)
            events.update(audit_events(stored, run.answered[sid], run.interrupted[sid]))
            events["stored_messages"] += len(stored)
        result = {
            "database": url.split(":", 1)[0],
            "sessions": args.sessions,
            "turns_per_session": args.turns,
            "lease_s": args.lease_s,
            "ready_s": round(ready_s, 1),
            "traffic_s": round(traffic_s, 1),
            "turns_answered": sum(len(v) for v in run.answered.values()),
            "prompts_interrupted": sum(len(v) for v in run.interrupted.values()),
            "refused": dict(run.refused),
            "sessions_unserved": len(run.unserved),
            "turn_latency": percentiles(run.latencies_ms),
            **traffic,
            "extraction": extraction,
            "events_lost": events["lost"],
            "events_duplicated": events["duplicated"],
            "events_unexpected": events["unknown"],
            "stored_messages": events["stored_messages"],
            **_audit_records(url, memory_id, sessions),
        }
    finally:
        group.stop()
    report("cluster", result)


if __name__ == "__main__":
    main()
