"""Relaying a session worker's response to the client, chunk by chunk (the gateway's)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from podium.errors import BackendError

from ._asgi import BodyChunk, End, Event, Failed, Start

__all__ = ["RelayResponse", "WorkerFailed", "sse_bytes"]

_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


class WorkerFailed(BackendError):
    """The session worker failed before it could answer (crashed, or the app broke)."""

    code = "RuntimeClientError"
    http_status = 502


def sse_bytes(obj: dict[str, Any]) -> bytes:
    """One SSE ``data:`` event."""
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()


class RelayResponse(Response):
    """Relays a worker's response: each chunk is sent to the client as soon as it arrives."""

    def __init__(
        self,
        *,
        start: Start,
        events: AsyncIterator[Event],
        extra_headers: dict[str, str],
        cancel: Callable[[], Any],
        finish: Callable[[str, bool], Any],
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.status_code = start.status
        self.background = None
        skip = _HOP_HEADERS | {k.lower() for k in extra_headers}
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in start.headers]
        raw = [(k, v) for k, v in raw if k.decode("latin-1") not in skip]
        raw += [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra_headers.items()
        ]
        self.raw_headers = raw
        content_type = next((v for k, v in raw if k == b"content-type"), b"")
        self._sse = content_type.startswith(b"text/event-stream")
        self._events = events
        self._cancel = cancel
        self._finish = finish
        self._settle = settle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client_gone = False

        async def listen() -> None:
            nonlocal client_gone
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    client_gone = True
                    await self._cancel()
                    return

        async def deliver(message: dict[str, Any]) -> None:
            nonlocal client_gone
            if client_gone:
                return
            try:
                await send(message)
            except Exception:  # the client went away mid-stream
                client_gone = True
                await self._cancel()

        listener = asyncio.get_running_loop().create_task(listen())
        outcome, clean = str(self.status_code), False
        try:
            await deliver(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            async for event in self._events:
                if isinstance(event, BodyChunk):
                    await deliver(
                        {"type": "http.response.body", "body": event.data, "more_body": True}
                    )
                elif isinstance(event, Failed):
                    outcome = "stream_error"
                    if self._sse:
                        error = WorkerFailed(event.message).to_dict()
                        await deliver(
                            {
                                "type": "http.response.body",
                                "body": sse_bytes(error),
                                "more_body": True,
                            }
                        )
                    break
                elif isinstance(event, End):
                    break
            clean = True
            if self._settle is not None:
                await self._settle()
            await deliver({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            listener.cancel()
            await self._finish("client_gone" if client_gone else outcome, clean)
