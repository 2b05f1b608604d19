"""Helpers for the web tests: a small catalog and a live ``podium up`` process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
FULL_CATALOG = REPO / "data" / "catalog" / "sessions.jsonl"
_HANDS_ON = {"workshop", "builders' session", "code talk"}
_BOOT = (
    "from podium.config import Settings; from podium.web import up; up(Settings(), progress=True)"
)


def write_small_catalog(dst: Path, size: int = 25) -> Path:
    """``size`` sessions of the sample catalog: hands-on AI/security ones first, then a spread."""
    rows = [json.loads(line) for line in FULL_CATALOG.read_text().splitlines() if line.strip()]
    picked = [
        r
        for r in rows
        if {"generative AI", "security"} & set(r["topics"]) and r["type"] in _HANDS_ON
    ][: size // 2]
    codes = {r["code"] for r in picked}
    others = [r for r in rows if r["code"] not in codes]
    step = max(1, len(others) // (size - len(picked)))
    picked += others[::step][: size - len(picked)]
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("".join(json.dumps(r) + "\n" for r in picked))
    return dst


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class UpProcess:
    """A ``podium up`` child process and what it printed."""

    proc: subprocess.Popen[bytes]
    url: str
    home: Path
    log: Path
    ping_s: float = 0.0
    ready_s: float = 0.0

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def start_up(home: Path, catalog: Path, *, timeout_s: float = 300.0, **env: str) -> UpProcess:
    """Start ``podium up`` (the same function the CLI calls) in a child process and wait until
    it prints its URL; ``ping_s`` / ``ready_s`` time the first ``/ping`` and the ready line."""
    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    child_env.update(
        PODIUM_HOME=str(home),
        PODIUM_CATALOG_PATH=str(catalog),
        PODIUM_PORT=str(port),
        PODIUM_MODEL="offline",
        **env,
    )
    log = home.parent / f"up-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT],
            env=child_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=str(REPO),
        )
    up = UpProcess(proc=proc, url=f"http://127.0.0.1:{port}", home=home, log=log)
    deadline = started + timeout_s
    with httpx.Client(timeout=2.0) as client:
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"podium up exited with {proc.returncode}:\n{up.output()}")
            if not up.ping_s:
                try:
                    if client.get(f"{up.url}/ping").status_code == 200:
                        up.ping_s = time.perf_counter() - started
                except httpx.HTTPError:
                    pass
            if up.ping_s and "Podium is running at" in up.output():
                up.ready_s = time.perf_counter() - started
                return up
            time.sleep(0.05)
    up.stop()
    raise RuntimeError(f"podium up did not become ready in {timeout_s} s:\n{up.output()}")
