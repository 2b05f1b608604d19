"""The session worker: the body of a process forked by the zygote for one runtime session.

It owns one end of a Unix stream socket; the gateway owns the other. It serves invocations one
at a time (the gateway guarantees that), streaming each response back frame by frame. When the
gateway closes the socket (session stopped, idle, expired, or the gateway itself died) the worker
exits; mid-invocation it exits at once, so no session outlives its gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Sequence
from typing import Any

from podium.agents._request import ACTOR_HEADER
from podium.config import process_settings
from podium.errors import ConfigurationError
from podium.telemetry import bind_ids, configure_tracing, flush_tracing, span

from ._asgi import ASGIApp, BodyChunk, End, Event, Failed, Lifespan, Start, call_invocation
from ._framing import BYTES, JSON, FrameError, encode_bytes, encode_json, read_frame

logger = logging.getLogger(__name__)

__all__ = ["run_worker"]


def run_worker(app: ASGIApp, sock: socket.socket, session_id: str) -> None:
    """Serve ``app`` over ``sock`` until the gateway hangs up, then ``os._exit``.

    Never returns: a forked child must not fall back into the zygote's loop or run its
    ``atexit`` handlers.
    """
    code = 0
    try:
        # After the fork: the zygote never traces, so each worker has its own exporter thread.
        try:
            configure_tracing(process_settings(), "worker")
        except ConfigurationError as e:  # no exporter here: serve the session untraced
            logger.warning("error=<%s> | tracing off in this worker", e.message)
        asyncio.run(_serve(app, sock, session_id))
    except BaseException:  # the process is about to exit: log whatever happened
        logger.exception("session_id=<%s> | worker failed", session_id)
        code = 1
    finally:
        flush_tracing()
        for handler in logging.getLogger().handlers:
            with contextlib.suppress(Exception):
                handler.flush()
        os._exit(code)


async def _traced_invocation(
    app: ASGIApp,
    session_id: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    emit: Any,
) -> None:
    """One invocation, as a child span of the gateway's (its ``traceparent`` header)."""
    found = {k.lower(): v for k, v in headers}
    bind_ids(session_id=session_id, actor_id=found.get(ACTOR_HEADER.lower()))
    with span("podium.worker.invocation", kind="server", parent=found):
        await call_invocation(app, headers=headers, body=body, emit=emit)


async def _serve(app: ASGIApp, sock: socket.socket, session_id: str) -> None:
    reader, writer = await asyncio.open_unix_connection(sock=sock)
    lifespan = Lifespan(app)
    await lifespan.startup()
    logger.info("session_id=<%s>, pid=<%d> | worker started", session_id, os.getpid())
    inbox: asyncio.Queue[tuple[int, Any] | None] = asyncio.Queue()

    async def pump() -> None:
        try:
            while True:
                frame = await read_frame(reader)
                await inbox.put(frame)
                if frame is None:
                    return
        except FrameError:
            await inbox.put(None)

    pump_task = asyncio.create_task(pump())

    async def emit(event: Event) -> None:
        if isinstance(event, Start):
            writer.write(
                encode_json({"t": "start", "status": event.status, "headers": event.headers})
            )
        elif isinstance(event, BodyChunk):
            writer.write(encode_bytes(event.data))
        elif isinstance(event, End):
            writer.write(encode_json({"t": "end"}))
        elif isinstance(event, Failed):
            writer.write(encode_json({"t": "failed", "message": event.message}))
        # Backpressure: a slow client slows the app down instead of filling memory.
        await writer.drain()

    while True:
        frame = await inbox.get()
        if frame is None:
            break
        kind, message = frame
        if kind != JSON or message.get("op") != "invoke":
            continue  # a stale "cancel" that arrived after its invocation ended
        body_frame = await inbox.get()
        if body_frame is None or body_frame[0] != BYTES:
            break
        headers = [(str(k), str(v)) for k, v in message.get("headers", [])]
        invocation = asyncio.create_task(
            _traced_invocation(app, session_id, headers, body_frame[1], emit)
        )
        while not invocation.done():
            next_frame = asyncio.create_task(inbox.get())
            await asyncio.wait({invocation, next_frame}, return_when=asyncio.FIRST_COMPLETED)
            if not next_frame.done():
                next_frame.cancel()
                continue
            control = next_frame.result()
            if control is None:
                # The gateway hung up mid-invocation (stop, lifetime, shutdown): leave now.
                flush_tracing()
                os._exit(0)
            if control[0] == JSON and control[1].get("op") == "cancel":
                invocation.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await invocation
        with contextlib.suppress(asyncio.CancelledError):
            invocation.result()
    pump_task.cancel()
    await lifespan.shutdown()
    logger.info("session_id=<%s> | worker exiting", session_id)
