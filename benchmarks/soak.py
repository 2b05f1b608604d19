"""Soak: ``podium up`` under mixed traffic from many sessions for minutes; errors, latency, RSS.

Goal (issue 11): 100 sessions for 10 minutes of chat, memory reads, catalog search and forget-me
with 0 errors, gateway and worker RSS growth <= 5 % from the end of the warm-up to the end, and
no session worker left once the idle timeout has passed.

    python benchmarks/soak.py                      # 100 sessions, 10 minutes
    python benchmarks/soak.py --minutes 2          # a shorter run

``podium up`` runs in a child process on a fresh home with a subset of the sample catalog and
``--users`` dev users (4 sessions each by default). Traffic: ``--concurrency`` clients, each
picks a random session and action: chat (a non-streamed turn), memory records, catalog search,
session list, or (rarely) forget-me for that attendee. Not part of ``make bench`` (it is long).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import psutil
from _common import free_port, percentiles, report, small_catalog

REPO = Path(__file__).resolve().parents[1]
BOOT = (
    "from podium.config import Settings; from podium.web import up; up(Settings(), progress=False)"
)
SESSION = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
PROMPTS = [
    "I'm a security engineer and I prefer hands-on workshops.",
    "Which sessions about serverless do you recommend?",
    "I like advanced talks on databases, nothing too basic.",
    "What is on Tuesday about generative AI?",
    "Recommend something on containers for Wednesday.",
]
SEARCHES = ["security", "serverless", "vector databases", "kubernetes", "cost", "observability"]
ACTIONS = [("chat", 40), ("records", 20), ("search", 25), ("sessions", 10), ("forget", 5)]


def _rss(pid: int) -> tuple[int, int, int]:
    """(gateway RSS, summed session-worker USS, worker count) of a podium up process tree."""
    root = psutil.Process(pid)
    children = root.children(recursive=True)
    workers = [c for c in children if c.ppid() != pid]  # forked by the zygote
    uss = 0
    for w in workers:
        with contextlib.suppress(psutil.Error):
            uss += w.memory_full_info().uss
    return root.memory_info().rss, uss, len(workers)


async def _one(client: httpx.AsyncClient, action: str, token: str, session: str) -> tuple[str, int]:
    auth = {"Authorization": f"Bearer {token}"}
    if action == "chat":
        r = await client.post(
            "/invocations",
            json={"prompt": random.choice(PROMPTS), "stream": False},
            headers={**auth, SESSION: session},
        )
    elif action == "records":
        r = await client.get("/api/memory/records", headers=auth)
    elif action == "search":
        r = await client.get(
            "/api/catalog/search", params={"q": random.choice(SEARCHES)}, headers=auth
        )
    elif action == "sessions":
        r = await client.get("/api/sessions", headers=auth)
    else:
        r = await client.post("/api/memory/forget", headers=auth)
    return action, r.status_code


async def _traffic(
    url: str,
    tokens: dict[str, str],
    sessions: list[tuple[str, str]],
    seconds: float,
    concurrency: int,
    rng: random.Random,
) -> dict[str, Any]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    names = [a for a, _ in ACTIONS]
    weights = [w for _, w in ACTIONS]
    deadline = time.monotonic() + seconds
    # One turn at a time per session, as a person chats (the runtime answers a second concurrent
    # turn of a session with 409 by contract).
    busy: set[str] = set()

    async def client_loop() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            while time.monotonic() < deadline:
                user, session = rng.choice(sessions)
                action = rng.choices(names, weights)[0]
                chat = action == "chat"
                if chat and session in busy:
                    continue
                if chat:
                    busy.add(session)
                started = time.perf_counter()
                try:
                    _, status = await _one(client, action, tokens[user], session)
                    if status >= 400:
                        errors[action].append(str(status))
                except httpx.HTTPError as e:
                    errors[action].append(type(e).__name__)
                finally:
                    if chat:
                        busy.discard(session)
                latencies[action].append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    return {
        "routes": {a: percentiles(v) for a, v in latencies.items() if v},
        "errors": {a: len(v) for a, v in errors.items()},
        "error_samples": {a: v[:5] for a, v in errors.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--catalog-size", type=int, default=60)
    parser.add_argument("--idle-timeout", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    from podium.identity import ensure_dev_users, issue_token

    rng = random.Random(args.seed)
    home = Path(tempfile.mkdtemp(prefix="podium-soak-")) / "home"
    catalog = small_catalog(home.parent / "sessions.jsonl", args.catalog_size)
    users = [f"soak{i:03d}" for i in range(args.users)]
    ensure_dev_users(home, {u: f"{u}-password" for u in users})
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    env.update(
        PODIUM_HOME=str(home), PODIUM_CATALOG_PATH=str(catalog), PODIUM_PORT=str(port),
        PODIUM_SESSION_IDLE_TIMEOUT_S=str(args.idle_timeout),
    )  # fmt: skip
    log = home.parent / "up.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", BOOT], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO
        )
    try:
        deadline = time.monotonic() + 600
        while "Podium is running at" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"podium up did not start:\n{log.read_text()}")
            time.sleep(0.2)
        tokens = {u: issue_token(home, f"{url}/idp", user=u) for u in users}
        sessions = [
            (users[i % len(users)], f"soak-{i}-{uuid.uuid4()}") for i in range(args.sessions)
        ]
        warm_s = min(60.0, args.minutes * 60 / 5)
        warm = asyncio.run(_traffic(url, tokens, sessions, warm_s, args.concurrency, rng))
        start_rss = _rss(proc.pid)
        main_s = args.minutes * 60 - warm_s
        result = asyncio.run(_traffic(url, tokens, sessions, main_s, args.concurrency, rng))
        end_rss = _rss(proc.pid)
        # Workers must go once they have been idle for the timeout (the reaper runs every few s).
        time.sleep(args.idle_timeout + 15)
        after_idle = _rss(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    mib = 1024 * 1024
    data = {
        "sessions": args.sessions,
        "users": args.users,
        "minutes": args.minutes,
        "concurrency": args.concurrency,
        "warmup": warm,
        "measured": result,
        "requests": sum(r["n"] for r in result["routes"].values()),
        "errors_total": sum(result["errors"].values()),
        "gateway_rss_mib": {
            "start": round(start_rss[0] / mib, 1),
            "end": round(end_rss[0] / mib, 1),
        },
        "gateway_rss_growth": round(end_rss[0] / start_rss[0] - 1, 4),
        "workers_uss_mib": {
            "start": round(start_rss[1] / mib, 1),
            "end": round(end_rss[1] / mib, 1),
        },
        "workers": {"start": start_rss[2], "end": end_rss[2], "after_idle_timeout": after_idle[2]},
    }
    report("soak", data)


if __name__ == "__main__":
    main()
