"""The gateway's service socket: the app's service layer, served to its own session workers.

Thin session workers (see :mod:`podium.agents._service_socket` for the wire) call knowledge and
memory here instead of opening the database and the embedding model themselves. The socket:

* lives in a fresh 0700 directory under the system temp dir (socket 0600). Not under
  ``PODIUM_HOME``: a Unix socket path is limited to 107 bytes, and homes can be deep;
* is listened on only when the app asks: its zygote reports the host factory named in
  ``app.state.podium_service_host`` (a ``module:function``), which the gateway imports and opens
  (in the background, at start, so the first session does not pay for it);
* identifies each connection's peer by ``SO_PEERCRED``: same uid, and a pid that is the worker
  of a live session of this gateway. Anything else is refused and disconnected;
* binds the connection to that session's actor: a call to an ``actor_scoped`` method must pass
  that ``actor_id`` (Forbidden otherwise), and a method the host does not list is refused.

Calls run in a small thread pool (the services are blocking); each connection is served one
call at a time, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import importlib
import inspect
import logging
import os
import secrets
import shutil
import socket
import struct
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.agents._service_socket import (
    MAX_MESSAGE_BYTES,
    ServiceHost,
    decode_message,
    encode_message,
)
from podium.errors import (
    BackendError,
    ConfigurationError,
    Forbidden,
    InvalidInput,
    PodiumError,
    Unauthorized,
)
from podium.telemetry import bind_ids, span

if TYPE_CHECKING:
    from podium.config import Settings

    from ._sessions import Session, SessionManager

logger = logging.getLogger(__name__)

__all__ = ["ServiceSocket"]

_HEADER = struct.Struct(">I")
_PEERCRED = struct.Struct("3i")
#: Threads for service calls: the database and the embedder do the work, so a few suffice.
_THREADS = 8


def _load_factory(spec: str) -> Callable[[Settings], ServiceHost]:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigurationError(f"service host must be 'module:function', got {spec!r}")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as e:
        raise ConfigurationError(f"cannot load service host {spec!r}: {e}") from None
    if not callable(factory):
        raise ConfigurationError(f"service host {spec!r} is not callable")
    return factory  # type: ignore[no-any-return]


class _HostCell:
    """The host, opened once (on first need or eagerly in the background); thread-safe."""

    def __init__(self, factory: Callable[[], ServiceHost]) -> None:
        self._factory = factory
        self._host: ServiceHost | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def opened(self) -> ServiceHost | None:
        """The host once it is open (no waiting)."""
        return None if self._closed else self._host

    def get(self) -> ServiceHost:
        with self._lock:
            if self._closed:
                raise BackendError("the gateway is shutting down")
            if self._host is None:
                self._host = self._factory()
            return self._host

    def warm(self) -> None:
        try:
            self.get()
        except Exception as e:  # retried (and reported) on the first call
            logger.warning("error=<%s> | service host failed to open", e)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            host, self._host = self._host, None
        if host is not None:
            host.close()


class ServiceSocket:
    """The Unix socket the gateway serves its app's service host on (see the module doc)."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.gettempdir()) / f"podium-svc-{secrets.token_hex(6)}"
        self.path = self.directory / "services.sock"
        self.spec: str | None = None
        self._server: asyncio.AbstractServer | None = None
        self._cell: _HostCell | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._manager: SessionManager | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def listening(self) -> bool:
        """True while the socket accepts connections."""
        return self._server is not None

    def worker_settings(self, settings: Settings) -> Settings:
        """``settings`` with ``service_socket`` set: what the session workers are given."""
        return settings.replace(service_socket=str(self.path))

    async def start(
        self,
        manager: SessionManager,
        spec: str | None,
        settings: Settings,
        factory: Callable[[Settings], Any] | None = None,
    ) -> None:
        """Listen if the app named a host factory (``spec``); open the host in the background.

        ``factory`` replaces the named one: the process that embeds the gateway (``podium up``)
        hands over a host over the services it already has.

        Raises:
            ConfigurationError: the host factory cannot be imported, or the socket not created.
        """
        if spec is None:
            return
        factory = factory or _load_factory(spec)
        self.spec = spec
        self._manager = manager
        self._executor = ThreadPoolExecutor(_THREADS, thread_name_prefix="podium-svc")
        self._cell = _HostCell(lambda: factory(settings))
        try:
            self.directory.mkdir(mode=0o700)
        except OSError as e:
            raise ConfigurationError(f"cannot create {self.directory}: {e}") from None
        self._server = await asyncio.start_unix_server(
            self._serve_connection, path=str(self.path), limit=64 * 1024
        )
        os.chmod(self.path, 0o600)
        asyncio.get_running_loop().run_in_executor(self._executor, self._cell.warm)
        logger.info("path=<%s>, host=<%s> | service socket listening", self.path, spec)

    async def close(self) -> None:
        """Stop listening, drop every connection and close the host."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            for task in list(self._connections):
                task.cancel()
            with contextlib.suppress(Exception):
                await server.wait_closed()
        if self._cell is not None:
            cell, self._cell = self._cell, None
            await asyncio.to_thread(cell.close)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- one connection ------------------------------------------------------------------------

    def _peer_session(self, writer: asyncio.StreamWriter) -> Session:
        """The live session whose worker is the peer of this connection.

        Raises:
            Unauthorized: the peer is not a session worker of this gateway.
        """
        sock = writer.get_extra_info("socket")
        pid, uid, _gid = _PEERCRED.unpack(
            sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size)
        )
        if uid != os.getuid():
            raise Unauthorized("the peer runs as another user")
        assert self._manager is not None
        for session in self._manager.sessions():
            if session.worker is not None and session.worker.pid == pid and not session.ended:
                return session
        raise Unauthorized(f"process {pid} is not a session worker of this gateway")

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            try:
                session: Session | None = self._peer_session(writer)
                refusal = None
            except Unauthorized as e:
                logger.warning("error=<%s> | service socket peer refused", e.message)
                session, refusal = None, e
            worker = session.worker if session is not None else None
            while True:
                try:
                    # A refused peer gets its answer to its first request (so that it reads
                    # the refusal rather than a reset), and a few seconds to send it.
                    body = await asyncio.wait_for(
                        self._read_request(reader), None if refusal is None else 5.0
                    )
                except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
                    return
                if body is None:
                    return
                if refusal is not None or session is None:
                    writer.write(self._refusal(body, refusal or Unauthorized("refused")))
                    await writer.drain()
                    return
                writer.write(await self._answer(body, session, worker))
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
        """One message body, or None for an oversized one (the connection is then dropped)."""
        (length,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
        if length > MAX_MESSAGE_BYTES:
            return None
        return await reader.readexactly(length)

    @staticmethod
    def _refusal(body: bytes, error: PodiumError) -> bytes:
        try:
            request = decode_message(body)
        except InvalidInput:
            request = None
        request_id = request.get("id") if isinstance(request, dict) else None
        return encode_message({"id": request_id, "ok": False, **error.to_dict()})

    async def _answer(self, body: bytes, session: Session, worker: Any) -> bytes:
        request_id: Any = None
        try:
            request = decode_message(body)
            if not isinstance(request, dict):
                raise InvalidInput("a service request is a JSON object")
            request_id = request.get("id")
            method, params = request.get("method"), request.get("params", {})
            if not isinstance(method, str) or not isinstance(params, dict):
                raise InvalidInput('a service request has "method" (string) and "params" (object)')
            if session.ended or session.worker is not worker:
                raise Unauthorized("this worker's session has ended")
            trace = request.get("trace")
            bind_ids(session_id=session.session_id, actor_id=session.actor_id)
            # A child of the worker's call span: knowledge and memory time in the same trace.
            with span(
                f"podium.service {method}",
                kind="server",
                parent=trace if isinstance(trace, dict) else None,
                attributes={"podium.service.method": method},
            ):
                result = await self._call(method, params, session.actor_id)
            return encode_message({"id": request_id, "ok": True, "result": result})
        except PodiumError as e:
            return encode_message({"id": request_id, "ok": False, **e.to_dict()})
        except Exception:
            logger.exception("session_id=<%s> | service call failed", session.session_id)
            error = BackendError("the service call failed in the gateway")
            return encode_message({"id": request_id, "ok": False, **error.to_dict()})

    async def _call(self, method: str, params: dict[str, Any], actor_id: str) -> Any:
        assert self._cell is not None and self._executor is not None
        cell, loop = self._cell, asyncio.get_running_loop()
        # Opened once; only the first calls (while the host opens) wait in a thread.
        host = cell.opened
        if host is None:
            host = await loop.run_in_executor(self._executor, cell.get)
        found = host.methods.get(method)
        if found is None:
            raise InvalidInput(f"unknown service method {method!r}")
        if found.actor_scoped and params.get("actor_id") != actor_id:
            # The session's actor is the only one a worker may read or write for.
            raise Forbidden(
                f"{method} refused: actor_id must be this session's actor "
                f"(got {params.get('actor_id')!r})"
            )

        try:
            inspect.signature(found.fn).bind(**params)
        except TypeError as e:
            raise InvalidInput(f"bad parameters for {method}: {e}") from None
        # In this context (ids, current span), so that the call's own logs and spans carry them.
        call = functools.partial(contextvars.copy_context().run, found.fn, **params)
        return await loop.run_in_executor(self._executor, call)
