"""Helpers for runtime tests: a live gateway (uvicorn in a thread, lifespan on) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import uvicorn
from starlette.applications import Starlette

from podium.config import Settings
from podium.runtime import Runtime, create_gateway_app

SESSION = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
REQUEST_ID = "X-Amzn-Bedrock-AgentCore-Runtime-Request-Id"
ACTOR = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Podium-Actor-Id"


def new_session_id(tag: str = "s") -> str:
    """A valid (>= 33 chars) unique session id."""
    return f"test-{tag}-{os.urandom(16).hex()}"


@dataclass
class Gateway:
    """A gateway app served by uvicorn in a background thread."""

    url: str
    app: Starlette
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread
    client: httpx.Client

    @property
    def runtime(self) -> Runtime:
        return self.app.state.runtime  # type: ignore[no-any-return]

    def invoke(
        self,
        payload: Any,
        session_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if session_id is not None:
            all_headers[SESSION] = session_id
        return self.client.post(f"{self.url}/invocations", json=payload, headers=all_headers)

    def sse_events(
        self, payload: Any, session_id: str | None = None, headers: dict[str, str] | None = None
    ) -> Iterator[tuple[float, dict[str, Any]]]:
        """``(arrival time, event)`` for each SSE ``data:`` line, as it arrives."""
        all_headers = dict(headers or {})
        if session_id is not None:
            all_headers[SESSION] = session_id
        with self.client.stream(
            "POST", f"{self.url}/invocations", json=payload, headers=all_headers
        ) as response:
            assert response.status_code == 200, response.read()
            assert response.headers["content-type"].startswith("text/event-stream")
            for line in response.iter_lines():
                if line.startswith("data: "):
                    yield time.monotonic(), json.loads(line[len("data: ") :])

    def metrics(self) -> str:
        return self.client.get(f"{self.url}/metrics").text

    def worker_pid(self, session_id: str) -> int:
        session = self.runtime.manager.get(session_id)
        assert session is not None and session.worker is not None
        return session.worker.pid

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.client.close()


def start_gateway(
    home: Path,
    agent: str = "rt_counter_app:app",
    *,
    dev_idp: bool = False,
    **settings: Any,
) -> Gateway:
    """Bind a free port, build the gateway for it, serve it; returns once it is up."""
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto is TCP, and
    # without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings.setdefault("auth_disabled", not dev_idp)
    config = Settings(home=home, host="127.0.0.1", port=port, **settings)
    app = create_gateway_app(config, agent, dev_idp=dev_idp)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("gateway did not start")
        time.sleep(0.01)
    return Gateway(
        url=f"http://127.0.0.1:{port}",
        app=app,
        settings=config,
        server=server,
        thread=thread,
        client=httpx.Client(timeout=30),
    )


def wait_until(predicate: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """Poll ``predicate`` until true or the timeout passes; returns its last value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def process_gone(pid: int) -> bool:
    """True once ``pid`` no longer exists at all.

    A zombie does not count: a killed multi-threaded worker's main thread shows as a zombie
    while its other threads still hold the socket open. The zygote ignores SIGCHLD, so a worker
    that has fully exited is reaped by the kernel and disappears.
    """
    try:
        psutil.Process(pid)
    except psutil.NoSuchProcess:
        return True
    return False
