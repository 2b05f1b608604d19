"""Benchmark: what the runtime's limits are sized on (issue 11 items 1 and 11).

1. footprint: USS of event-assistant session workers after each of ``--turns`` chat turns
   (offline model, extraction off in the workers as under ``podium up``): the measured number
   behind ``podium.runtime._capacity.WORKER_FOOTPRINT_BYTES``.
2. body: the gateway's peak RSS while it refuses a body over the 100 MB limit, with a declared
   ``Content-Length`` (refused before reading) and chunked (read up to the limit, then refused).
3. flood: one actor opens ``--flood`` new sessions at once; how many got in, how many got a 429
   with ``Retry-After``, and the most workers live at any time.

The gateway runs in its own process (``podium.runtime.serve``), auth off, on a fresh home with
a small catalog (``--catalog-size`` sessions of the sample catalog, indexed first).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
from _common import free_port, report, small_catalog, wait_for_ping

SESSION = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
REPO = Path(__file__).resolve().parents[1]
AGENT = "podium.apps.event_assistant.app:app"
SERVER = """
import json, sys
from podium.config import Settings
from podium.runtime import serve
args = json.loads(sys.argv[1])
serve(Settings(**args["settings"]), args["agent"], app_dir=None)
"""
PREPARE = """
import json, sys
from podium.config import Settings
from podium.apps.event_assistant import open_services
open_services(Settings(**json.loads(sys.argv[1])), ingest=True, start_worker=False).close()
"""


def start_gateway(settings: dict[str, Any]) -> tuple[subprocess.Popen[bytes], str]:
    """The gateway in its own process, once it answers ``/ping``."""
    port = free_port()
    settings = {**settings, "host": "127.0.0.1", "port": port, "auth_disabled": True}
    log = (Path(settings["home"]) / "gateway.log").open("wb")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, json.dumps({"settings": settings, "agent": AGENT})],
        stdout=log,
        stderr=log,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_ping(url, proc, 180)
    return proc, url


def _workers(gateway_pid: int) -> list[psutil.Process]:
    return [w for z in psutil.Process(gateway_pid).children() for w in z.children()]


PROMPTS = (
    "hello",
    "recommend sessions about serverless security",
    "what about IoT workshops?",
    "anything on generative AI for beginners",
    "thanks",
)


def footprint(url: str, gateway_pid: int, workers: int, turns: int) -> dict[str, Any]:
    """``turns`` chat turns in each of ``workers`` sessions; every worker's USS after each."""
    after: list[list[float]] = [[] for _ in range(turns)]
    with httpx.Client(timeout=600) as client:
        for i in range(workers):
            sid = f"footprint-{i:03d}-{'f' * 32}"
            for turn in range(turns):
                response = client.post(
                    f"{url}/invocations",
                    json={"prompt": PROMPTS[turn % len(PROMPTS)], "stream": False},
                    headers={SESSION: sid, "X-Podium-Actor": f"user{i}"},
                )
                response.raise_for_status()
                newest = max(_workers(gateway_pid), key=lambda w: w.create_time())
                after[turn].append(newest.memory_full_info().uss / 2**20)
    return {
        "workers": workers,
        "turns": turns,
        "uss_mb_median_after_turn": [round(statistics.median(t), 1) for t in after],
        "uss_mb_max_after_last_turn": round(max(after[-1]), 1),
    }


class PeakRss:
    """Samples a process's RSS every few milliseconds; ``peak_mb`` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.002)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def body_peaks(url: str, gateway_pid: int, body_mb: int) -> dict[str, Any]:
    """Peak gateway RSS over its baseline while it refuses a ``body_mb`` body, two ways."""
    size = body_mb * 2**20
    piece = b" " * 2**20

    def chunked() -> Iterator[bytes]:
        for _ in range(body_mb):
            yield piece

    out: dict[str, Any] = {"body_mb": body_mb}
    proc = psutil.Process(gateway_pid)
    for name, content in (("declared_length", b" " * size), ("chunked", None)):
        base = proc.memory_info().rss
        with PeakRss(gateway_pid) as peak, httpx.Client(timeout=120) as client:
            try:
                response = client.post(
                    f"{url}/invocations",
                    content=content if content is not None else chunked(),
                    headers={"Content-Type": "application/json"},
                )
                status: int | str = response.status_code
            except httpx.HTTPError as exc:  # the server may close before the upload ends
                status = type(exc).__name__
        out[name] = {"status": status, "peak_rss_delta_mb": round((peak.peak - base) / 2**20, 1)}
    return out


async def flood(url: str, gateway_pid: int, n: int) -> dict[str, Any]:
    """``n`` new sessions of one actor at once; statuses, Retry-After, most live workers."""
    most, done = 0, False

    async def watch() -> None:
        nonlocal most
        while not done:
            most = max(most, len(_workers(gateway_pid)))
            await asyncio.sleep(0.02)

    before = len(_workers(gateway_pid))
    watcher = asyncio.create_task(watch())
    body = {"prompt": "hello", "stream": False}
    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=n)) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    f"{url}/invocations",
                    json=body,
                    headers={SESSION: f"flood-{i:04d}-{'z' * 32}", "X-Podium-Actor": "mallory"},
                )
                for i in range(n)
            )
        )
    done = True
    await watcher
    throttled = [r for r in responses if r.status_code == 429]
    return {
        "sessions_tried": n,
        "ok": sum(1 for r in responses if r.status_code == 200),
        "throttled": len(throttled),
        "throttled_with_retry_after": sum(1 for r in throttled if "retry-after" in r.headers),
        "other": sorted({r.status_code for r in responses} - {200, 429}),
        "worker_processes_before": before,
        "most_worker_processes": most,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="sessions for the footprint")
    parser.add_argument("--turns", type=int, default=5, help="chat turns per session")
    parser.add_argument("--body-mb", type=int, default=150, help="size of the oversized body")
    parser.add_argument("--flood", type=int, default=50, help="new sessions of one actor")
    parser.add_argument("--catalog-size", type=int, default=25)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="podium-bench-limits-"))
    catalog = small_catalog(home / "catalog.jsonl", args.catalog_size)
    # As ``podium up`` runs them: extraction runs once for the server, not in every worker.
    settings = {
        "home": str(home),
        "catalog_path": str(catalog),
        "model": "offline",
        "embedded_worker": False,
    }
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    subprocess.run([sys.executable, "-c", PREPARE, json.dumps(settings)], check=True, env=env)
    proc, url = start_gateway({**settings, "log_level": "WARNING"})
    result: dict[str, Any] = {
        "machine": {
            "cpus": psutil.cpu_count(),
            "mem_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "available_gb": round(psutil.virtual_memory().available / 2**30, 1),
        }
    }
    try:
        result["footprint"] = footprint(url, proc.pid, args.workers, args.turns)
        result["body"] = body_peaks(url, proc.pid, args.body_mb)
        result["flood"] = asyncio.run(flood(url, proc.pid, args.flood))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    report("runtime_limits", result)


if __name__ == "__main__":
    main()
