"""Where a session's agent lives: a forked worker process, or the gateway process itself.

``isolation=process`` forks one worker per session; ``isolation=none`` (for development) runs
every session in the gateway.

Both give a :class:`Worker` with the same surface, so the session manager and the gateway do not
care which one they hold (the in-process one doubles as the fast test fake).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Mapping, Sequence

from podium.config import Settings, install_settings

from ._applogs import follow_log_level
from ._asgi import (
    ASGIApp,
    BodyChunk,
    End,
    Event,
    Failed,
    Lifespan,
    Start,
    call_invocation,
    load_app,
)
from ._framing import BYTES, FrameError, encode_bytes, encode_json, read_frame
from ._zygote import ZygoteClient

logger = logging.getLogger(__name__)

__all__ = ["Backend", "InProcessBackend", "ProcessBackend", "Worker"]


class Worker(abc.ABC):
    """One session's agent. One invocation at a time (the session manager guarantees it)."""

    pid: int

    @abc.abstractmethod
    def alive(self) -> bool:
        """False once the worker has died or was closed (it is never reused then)."""

    @abc.abstractmethod
    def invoke(self, headers: Sequence[tuple[str, str]], body: bytes) -> AsyncIterator[Event]:
        """Run one invocation; yields Start, Chunks, then End or Failed (always one of them)."""

    @abc.abstractmethod
    async def cancel(self) -> None:
        """Ask the running invocation to stop (the client went away); it then ends with End."""

    @abc.abstractmethod
    async def close(self) -> None:
        """End the worker (a process exits); safe to call more than once."""


class Backend(abc.ABC):
    """Creates workers."""

    @property
    def service_host(self) -> str | None:
        """The service host factory the app names for thin workers (known once started)."""
        return None

    @abc.abstractmethod
    async def start(self) -> None:
        """Load the app (a zygote for processes); raises ConfigurationError if it cannot."""

    @abc.abstractmethod
    async def spawn(self, session_id: str) -> Worker:
        """A new worker for ``session_id``."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release everything (workers are closed by the session manager)."""


# -- process isolation ---------------------------------------------------------------------------


class ProcessWorker(Worker):
    """A forked worker process reached over a Unix stream socket (see ``_framing``)."""

    def __init__(self, *, pid: int, sock: socket.socket) -> None:
        self.pid = pid
        self._sock = sock
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._closed = False
        self._broken = False

    async def connect(self) -> None:
        self._reader, self._writer = await asyncio.open_unix_connection(sock=self._sock)

    def alive(self) -> bool:
        if self._closed or self._broken or self._reader is None:
            return False
        if self._reader.at_eof():
            return False
        # A peek tells at once whether the peer is gone (EOF) even before the event loop has
        # noticed it, so a session whose worker was killed gets a fresh one, not an error.
        try:
            data = self._sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return True
        except OSError:
            return False
        return data != b""

    async def invoke(self, headers: Sequence[tuple[str, str]], body: bytes) -> AsyncIterator[Event]:
        assert self._reader is not None and self._writer is not None
        try:
            self._writer.write(encode_json({"op": "invoke", "headers": [list(h) for h in headers]}))
            self._writer.write(encode_bytes(body))
            await self._writer.drain()
        except (ConnectionError, OSError):
            self._broken = True
            yield Failed(message="session worker is gone")
            return
        started = False
        while True:
            try:
                frame = await read_frame(self._reader)
            except FrameError:
                frame = None
            if frame is None:
                self._broken = True
                yield Failed(
                    message="session worker exited during the invocation"
                    if started
                    else "session worker exited before responding"
                )
                return
            kind, message = frame
            if kind == BYTES:
                yield BodyChunk(data=message)
                continue
            tag = message.get("t")
            if tag == "start":
                started = True
                headers_out = [(str(k), str(v)) for k, v in message.get("headers", [])]
                yield Start(status=int(message.get("status", 200)), headers=headers_out)
            elif tag == "end":
                yield End()
                return
            elif tag == "failed":
                yield Failed(message=str(message.get("message", "agent app failed")))
                return

    async def cancel(self) -> None:
        if self._writer is None or self._closed:
            return
        with contextlib.suppress(ConnectionError, OSError):
            self._writer.write(encode_json({"op": "cancel"}))
            await self._writer.drain()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        else:
            self._sock.close()

    def kill(self) -> None:
        """SIGKILL the process (used only when it does not leave after its socket closed)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.pid, signal.SIGKILL)


class ProcessBackend(Backend):
    """Workers forked by a zygote that has already imported the app."""

    def __init__(
        self, agent: str, *, log_level: str = "WARNING", env: Mapping[str, str] | None = None
    ) -> None:
        self.zygote = ZygoteClient(agent, log_level=log_level, env=env)

    @property
    def service_host(self) -> str | None:
        return self.zygote.service_host

    async def start(self) -> None:
        await asyncio.to_thread(self.zygote.start)

    async def spawn(self, session_id: str) -> Worker:
        spawned = await asyncio.to_thread(self.zygote.spawn, session_id)
        worker = ProcessWorker(pid=spawned.pid, sock=spawned.sock)
        await worker.connect()
        return worker

    async def close(self) -> None:
        await asyncio.to_thread(self.zygote.close)


# -- no isolation (development) ------------------------------------------------------------------


class InProcessWorker(Worker):
    """The app in the gateway's own process: sessions share its module state."""

    def __init__(self, app: ASGIApp) -> None:
        self.pid = os.getpid()
        self._app = app
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def alive(self) -> bool:
        return not self._closed

    async def invoke(self, headers: Sequence[tuple[str, str]], body: bytes) -> AsyncIterator[Event]:
        # Unbounded: a cancelled producer must never block on a queue nobody reads any more.
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._task = asyncio.create_task(
            call_invocation(self._app, headers=headers, body=body, emit=queue.put)
        )
        try:
            while True:
                event = await queue.get()
                yield event
                if isinstance(event, End | Failed):
                    return
        finally:
            task, self._task = self._task, None
            if task is not None and not task.done():
                task.cancel()

    async def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def close(self) -> None:
        self._closed = True
        await self.cancel()


class InProcessBackend(Backend):
    """Loads the app into the gateway process; every session shares it."""

    def __init__(self, agent: str, settings: Settings | None = None) -> None:
        self.agent = agent
        self.settings = settings
        self._app: ASGIApp | None = None
        self._lifespan: Lifespan | None = None

    async def start(self) -> None:
        if self.settings is not None:
            install_settings(self.settings)
        self._app = await asyncio.to_thread(load_app, self.agent)
        follow_log_level(self.settings.log_level if self.settings is not None else "WARNING")
        self._lifespan = Lifespan(self._app)
        await self._lifespan.startup()

    async def spawn(self, session_id: str) -> Worker:
        assert self._app is not None, "backend not started"
        return InProcessWorker(self._app)

    async def close(self) -> None:
        if self._lifespan is not None:
            await self._lifespan.shutdown()


def make_backend(agent: str, settings: Settings) -> Backend:
    """The backend ``settings.isolation`` names: ``process`` (default) or ``none``.

    The agent app sees ``settings``: worker processes through their environment
    (:meth:`Settings.to_env`), an in-process app through :func:`install_settings`.
    """
    if settings.isolation == "none":
        return InProcessBackend(agent, settings)
    return ProcessBackend(agent, log_level=settings.log_level, env=settings.to_env())
