"""Run an agent app (a ``BedrockAgentCoreApp``, or any ASGI app) in-process, one request at a time.

The app is called through its own ASGI interface exactly as uvicorn would call it behind
AgentCore Runtime, so everything the app does there (sync/async handlers, generators streamed as
SSE, returned ``Response`` objects, its own error handling, its lifespan) works unchanged. Each
ASGI ``send`` becomes an :class:`Event` the moment the app makes it: nothing is buffered.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podium.errors import ConfigurationError

logger = logging.getLogger(__name__)

__all__ = [
    "BodyChunk",
    "End",
    "Event",
    "Failed",
    "Lifespan",
    "Start",
    "call_invocation",
    "load_app",
]

ASGIApp = Callable[..., Awaitable[None]]


@dataclass(kw_only=True, frozen=True)
class Start:
    """The app started its response."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(kw_only=True, frozen=True)
class BodyChunk:
    """A piece of the response body, as the app sent it."""

    data: bytes


@dataclass(kw_only=True, frozen=True)
class End:
    """The response is complete."""


@dataclass(kw_only=True, frozen=True)
class Failed:
    """The app (or its worker) failed; ``message`` is safe to show a client."""

    message: str
    code: str = "RuntimeClientError"


Event = Start | BodyChunk | End | Failed


def load_app(spec: str) -> ASGIApp:
    """Import ``module:attr`` (or ``path/to/file.py:attr``; ``attr`` defaults to ``app``).

    Raises:
        ConfigurationError: the module or attribute cannot be loaded, or is not an ASGI app.
    """
    module_name, _, attr = spec.partition(":")
    attr = attr or "app"
    if not module_name:
        raise ConfigurationError(f"agent app {spec!r} must look like 'package.module:app'")
    try:
        if module_name.endswith(".py"):
            path = Path(module_name).resolve()
            name = f"_podium_agent_{path.stem}"
            file_spec = importlib.util.spec_from_file_location(name, path)
            if file_spec is None or file_spec.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(file_spec)
            sys.modules[name] = module
            file_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except ConfigurationError:
        raise
    except Exception as exc:
        raise ConfigurationError(
            f"could not import agent app {spec!r} ({type(exc).__name__}: {exc}); "
            "pass --agent module:attr of a BedrockAgentCoreApp"
        ) from exc
    obj: Any = module
    for part in attr.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ConfigurationError(f"agent app {spec!r}: module has no attribute {attr!r}")
    if not callable(obj):
        raise ConfigurationError(f"agent app {spec!r} is not an ASGI application")
    return obj  # type: ignore[no-any-return]


def _scope(headers: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/invocations",
        "raw_path": b"/invocations",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 8080),
        "state": {},
    }


async def call_invocation(
    app: ASGIApp,
    *,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    emit: Callable[[Event], Awaitable[None]],
) -> None:
    """``POST /invocations`` on ``app``; every response piece goes to ``emit`` as it is sent.

    Always ends with exactly one :class:`End` or :class:`Failed`. Cancelling the task tells
    the app the client disconnected (its streaming generators are closed) and emits ``End``.
    """
    body_sent = False
    disconnect = asyncio.Event()
    state = {"started": False, "done": False}

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if state["done"]:
            return
        kind = message.get("type")
        if kind == "http.response.start":
            raw = message.get("headers") or []
            state["started"] = True
            await emit(
                Start(
                    status=int(message.get("status", 200)),
                    headers=[
                        (bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in raw
                    ],
                )
            )
        elif kind == "http.response.body":
            data = bytes(message.get("body") or b"")
            if data:
                await emit(BodyChunk(data=data))
            if not message.get("more_body", False):
                state["done"] = True

    try:
        await app(_scope(headers), receive, send)
    except asyncio.CancelledError:
        disconnect.set()
        await emit(End())
        raise
    except Exception as exc:
        logger.exception("agent app raised")
        await emit(Failed(message=f"agent app failed: {type(exc).__name__}"))
        return
    if not state["started"]:
        await emit(Failed(message="agent app returned no response"))
    else:
        await emit(End())


class Lifespan:
    """Runs the app's ASGI lifespan (startup once per worker, shutdown when it stops)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._task: asyncio.Task[None] | None = None
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._supported = True

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}

        async def send(message: dict[str, Any]) -> None:
            await self._from_app.put(message)

        try:
            await self._app(scope, self._to_app.get, send)
        except Exception:
            # An app without lifespan support raises on the unknown scope type: that is allowed.
            self._supported = False
        await self._from_app.put({"type": "_ended"})

    async def startup(self, timeout_s: float = 60.0) -> None:
        """Send ``lifespan.startup``; raises ConfigurationError if the app reports a failure."""
        self._task = asyncio.create_task(self._run())
        await self._to_app.put({"type": "lifespan.startup"})
        reply = await asyncio.wait_for(self._from_app.get(), timeout_s)
        if reply["type"] == "lifespan.startup.failed":
            raise ConfigurationError(f"agent app startup failed: {reply.get('message', '')}")

    async def shutdown(self, timeout_s: float = 5.0) -> None:
        """Send ``lifespan.shutdown`` and wait (bounded) for the app to finish it."""
        if self._task is None or self._task.done() or not self._supported:
            return
        await self._to_app.put({"type": "lifespan.shutdown"})
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._from_app.get(), timeout_s)
