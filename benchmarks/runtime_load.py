"""Benchmark: the runtime gateway under many live sessions (one forked worker each).

Targets (issue 6): 500 live sessions with 0 errors, USS <= 30 MB per session worker, session cold
start <= 300 ms, gateway overhead p99 <= 20 ms (over calling the app in-process).

The gateway runs in its own process (``podium.runtime.serve``) so the load generator does not
share its interpreter. Phases, for each agent app:

1. ramp: open ``--sessions`` new sessions ``--step`` at a time (all concurrently within a step);
   the first request of each session is a cold start (fork + first invocation).
2. warm: every live session sends ``--requests`` more invocations, all sessions at once.
3. memory: USS (unique set size: pages no other process shares) of every worker via psutil.
4. overhead: one warm session, sequential requests through the gateway, against the same app
   called in-process through its ASGI interface (no HTTP, no worker).

The simple app is written to a temporary file (``file.py:app``). The event assistant is included
when ``podium.apps.event_assistant.app`` is importable (fewer sessions: ``--ea-sessions``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from _common import free_port, percentiles, report, wait_for_ping

SESSION = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
ACTOR = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Podium-Actor-Id"

SIMPLE_APP = """
from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()
turns = []


@app.entrypoint
def invoke(payload, context):
    turns.append(payload.get("prompt", ""))
    return {"answer": "ok: " + str(payload.get("prompt", ""))[:64], "turns": len(turns)}
"""

SERVER = """
import json, sys
from podium.config import Settings
from podium.runtime import serve
args = json.loads(sys.argv[1])
serve(Settings(**args["settings"]), args["agent"], app_dir=None)
"""


def start_gateway(agent: str, home: Path, max_workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    settings = {
        "home": str(home),
        "host": "127.0.0.1",
        "port": port,
        "auth_disabled": True,
        "max_workers": max_workers,
        # One load generator is one actor: lift the per-actor quotas to load the gateway itself.
        "max_sessions_per_actor": max_workers,
        "max_invocations_per_actor": max_workers,
        "log_level": "WARNING",
    }
    # The apps log every invocation (BedrockAgentCoreApp does); keep that off the terminal.
    log = (home / "gateway.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, json.dumps({"settings": settings, "agent": agent})],
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_ping(url, proc, 120)
    return proc, url


def worker_uss_mb(gateway_pid: int) -> dict[str, Any]:
    """USS/RSS of the session workers (children of the zygote, itself a child of the gateway)."""
    gateway = psutil.Process(gateway_pid)
    zygotes = gateway.children()
    uss, rss = [], []
    for zygote in zygotes:
        for worker in zygote.children():
            try:
                info = worker.memory_full_info()
            except psutil.Error:
                continue
            uss.append(info.uss / 2**20)
            rss.append(info.rss / 2**20)
    zygote_rss = sum(z.memory_info().rss for z in zygotes) / 2**20
    return {
        "workers": len(uss),
        "uss_mb_mean": round(statistics.fmean(uss), 2) if uss else None,
        "uss_mb_median": round(statistics.median(uss), 2) if uss else None,
        "uss_mb_max": round(max(uss), 2) if uss else None,
        "rss_mb_mean": round(statistics.fmean(rss), 2) if rss else None,
        "zygote_rss_mb": round(zygote_rss, 2),
        "gateway_rss_mb": round(gateway.memory_info().rss / 2**20, 2),
    }


async def _invoke(
    client: httpx.AsyncClient, url: str, sid: str, payload: dict[str, Any]
) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        response = await client.post(f"{url}/invocations", json=payload, headers={SESSION: sid})
        await response.aread()
        ok = response.status_code == 200
    except httpx.HTTPError:
        ok = False
    return (time.perf_counter() - start) * 1000, ok


async def load(
    url: str, sessions: int, step: int, requests: int, payload: dict[str, Any]
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=sessions + 10, max_keepalive_connections=sessions + 10)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        sids = [f"bench-{i:05d}-{'x' * 32}" for i in range(sessions)]
        cold: list[float] = []
        errors = 0
        ramp_start = time.perf_counter()
        for first in range(0, sessions, step):
            batch = sids[first : first + step]
            results = await asyncio.gather(*(_invoke(client, url, s, payload) for s in batch))
            cold += [ms for ms, _ in results]
            errors += sum(1 for _, ok in results if not ok)
        ramp_s = time.perf_counter() - ramp_start
        # A single cold start with nothing else running: the pure cost of a new session.
        solo_cold = [
            (await _invoke(client, url, f"solo-{i}-{'y' * 32}", payload))[0]
            for i in range(min(20, sessions))
        ]
        warm: list[float] = []
        warm_start = time.perf_counter()

        async def session_loop(sid: str) -> list[tuple[float, bool]]:
            return [await _invoke(client, url, sid, payload) for _ in range(requests)]

        for results in await asyncio.gather(*(session_loop(s) for s in sids)):
            warm += [ms for ms, _ in results]
            errors += sum(1 for _, ok in results if not ok)
        warm_s = time.perf_counter() - warm_start
    return {
        "sessions": sessions,
        "errors": errors,
        "ramp_seconds": round(ramp_s, 2),
        "cold_start_under_load": percentiles(cold),
        "cold_start_solo": percentiles(solo_cold),
        "warm": percentiles(warm),
        "warm_throughput_rps": round(len(warm) / warm_s, 1),
    }


async def overhead(url: str, agent: str, n: int, body: dict[str, Any]) -> dict[str, Any]:
    """Same app, same payload: through the gateway (warm session) vs in-process ASGI."""
    from podium.runtime._asgi import Event, call_invocation, load_app

    payload = json.dumps(body).encode()
    app = load_app(agent)
    headers = [(SESSION, "inproc-" + "z" * 40), (ACTOR, "dev-user")]

    async def emit(event: Event) -> None:
        return None

    inproc = []
    for _ in range(n + 10):
        start = time.perf_counter()
        await call_invocation(app, headers=headers, body=payload, emit=emit)
        inproc.append((time.perf_counter() - start) * 1000)
    inproc = inproc[10:]
    gateway = []
    sid = "overhead-" + "w" * 40
    async with httpx.AsyncClient(timeout=120) as client:
        for i in range(n + 10):
            ms, ok = await _invoke(client, url, sid, body)
            if i >= 10 and ok:
                gateway.append(ms)
    p_in, p_gw = percentiles(inproc), percentiles(gateway)
    return {
        "in_process": p_in,
        "through_gateway": p_gw,
        "overhead_p50_ms": round(p_gw["p50_ms"] - p_in["p50_ms"], 3),
        "overhead_p99_ms": round(p_gw["p99_ms"] - p_in["p99_ms"], 3),
    }


def run_app(
    name: str,
    agent: str,
    sessions: int,
    step: int,
    requests: int,
    n_overhead: int,
    payload: dict[str, Any],
) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"podium-bench-runtime-{name}-"))
    started = time.perf_counter()
    proc, url = start_gateway(agent, home, max_workers=sessions + 100)
    startup_s = time.perf_counter() - started
    try:
        result: dict[str, Any] = {"agent": agent, "gateway_startup_s": round(startup_s, 2)}
        result["load"] = asyncio.run(load(url, sessions, step, requests, payload))
        result["memory"] = worker_uss_mb(proc.pid)
        result["overhead"] = asyncio.run(overhead(url, agent, n_overhead, payload))
        statuses = httpx.get(f"{url}/metrics", timeout=10).text
        result["invocations_by_status"] = {
            line.split('"')[1]: float(line.split()[-1])
            for line in statuses.splitlines()
            if line.startswith("podium_runtime_invocations_total{")
        }
        metrics = httpx.get(f"{url}/metrics", timeout=10).text
        result["worker_crashes"] = next(
            float(line.split()[-1])
            for line in metrics.splitlines()
            if line.startswith("podium_runtime_worker_crashes_total ")
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=500, help="live sessions to ramp to")
    parser.add_argument("--step", type=int, default=50, help="new sessions opened at once")
    parser.add_argument("--requests", type=int, default=3, help="warm requests per session")
    parser.add_argument("--overhead-n", type=int, default=300, help="sequential overhead samples")
    parser.add_argument("--ea-sessions", type=int, default=4, help="sessions for the event app")
    parser.add_argument("--no-event-assistant", action="store_true")
    args = parser.parse_args()

    app_dir = Path(tempfile.mkdtemp(prefix="podium-bench-app-"))
    (app_dir / "bench_simple_app.py").write_text(SIMPLE_APP)
    results: dict[str, Any] = {
        "machine": {
            "cpus": psutil.cpu_count(),
            "mem_gb": round(psutil.virtual_memory().total / 2**30, 1),
        },
        "targets": {
            "live_sessions": 500,
            "errors": 0,
            "uss_mb_per_worker": 30,
            "cold_start_ms": 300,
            "gateway_overhead_p99_ms": 20,
        },
    }
    results["simple"] = run_app(
        "simple",
        f"{app_dir / 'bench_simple_app.py'}:app",
        args.sessions,
        args.step,
        args.requests,
        args.overhead_n,
        {"prompt": "hello"},
    )
    ea = "podium.apps.event_assistant.app"
    if not args.no_event_assistant:
        try:
            present = importlib.util.find_spec(ea) is not None
        except ImportError:
            present = False
        if present:
            results["event_assistant"] = run_app(
                "event-assistant",
                f"{ea}:app",
                args.ea_sessions,
                min(args.step, args.ea_sessions),
                1,
                10,
                {"prompt": "recommend sessions about serverless security", "stream": False},
            )
        else:
            results["event_assistant"] = {"skipped": f"{ea} is not importable"}
    report("runtime_load", results)


if __name__ == "__main__":
    main()
