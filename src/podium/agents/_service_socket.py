"""Services over a local socket: how a session worker calls the gateway's service layer.

A session worker forked under ``podium serve`` holds no database engine, no embedding model and
no knowledge-base snapshot: its app calls the gateway's services instead, over the Unix stream
socket named by ``Settings.service_socket`` (``PODIUM_SERVICE_SOCKET``, set by the gateway).

The wire: each message is a 4-byte big-endian length, then that many bytes of UTF-8 JSON.

* request  ``{"id": n, "method": "memory.create_event", "params": {...}}``, plus
  ``"trace": {"traceparent": ...}`` while tracing (the gateway's span continues the worker's)
* response ``{"id": n, "ok": true, "result": ...}`` or
  ``{"id": n, "ok": false, "error": CODE, "message": "..."}`` (CODE a :class:`PodiumError` code)

The gateway side (``podium.runtime._service_socket``) knows which session worker is calling from
the socket's peer credentials and refuses any call for another actor; only the methods the app's
:class:`ServiceHost` lists can be called. An app declares its host by naming a factory
(``module:function``, called with the gateway's worker settings) in
``app.state.podium_service_host``; see ``docs/runtime.md``.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from podium.errors import (
    BackendError,
    ConfigurationError,
    Conflict,
    EmbeddingError,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    ModelError,
    NotFound,
    PodiumError,
    StorageError,
    Unauthorized,
)
from podium.telemetry import span, trace_headers

__all__ = [
    "MAX_MESSAGE_BYTES",
    "SERVICE_HOST_STATE",
    "ServiceClient",
    "ServiceHost",
    "ServiceMethod",
    "ServiceUnavailable",
    "decode_message",
    "encode_message",
    "error_from_wire",
    "service_client",
]

#: The ``app.state`` attribute where an app names its gateway-side host factory.
SERVICE_HOST_STATE = "podium_service_host"
#: Larger messages are refused on both sides (a retrieve answer is a few kB).
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
_HEADER = struct.Struct(">I")
#: How long a worker waits for one answer; the gateway may be preparing its services on first use.
DEFAULT_TIMEOUT_S = 120.0

_ERRORS: dict[str, type[PodiumError]] = {
    cls.code: cls
    for cls in (
        InvalidInput,
        NotFound,
        Conflict,
        Unauthorized,
        Forbidden,
        ConfigurationError,
        LimitExceeded,
        StorageError,
        EmbeddingError,
        ModelError,
    )
}


class ServiceUnavailable(BackendError):
    """The gateway's service socket cannot be reached (the gateway stopped or restarted)."""

    code = "ServiceUnavailable"
    http_status = 503


@dataclass(frozen=True)
class ServiceMethod:
    """One callable method of a host: ``fn(**params)`` returns plain JSON.

    ``actor_scoped`` methods must be given ``actor_id`` and it must be the calling session's
    actor; the socket checks that before ``fn`` runs.
    """

    fn: Callable[..., Any]
    actor_scoped: bool


class ServiceHost(Protocol):
    """What the gateway serves to an app's workers: whitelisted methods, closed at shutdown."""

    @property
    def methods(self) -> Mapping[str, ServiceMethod]:
        """The callable methods by name; nothing else can be called."""
        ...

    def close(self) -> None:
        """Release what the host opened."""
        ...


def encode_message(obj: Any) -> bytes:
    """One framed message (length prefix + compact JSON).

    Raises:
        InvalidInput: the message is not JSON-serialisable or is too large.
    """
    try:
        data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"service message is not plain JSON: {e}") from None
    if len(data) > MAX_MESSAGE_BYTES:
        raise InvalidInput(f"service message over {MAX_MESSAGE_BYTES} bytes")
    return _HEADER.pack(len(data)) + data


def decode_message(data: bytes) -> Any:
    """The JSON value of one message body (without its length prefix).

    Raises:
        InvalidInput: the body is not UTF-8 JSON.
    """
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise InvalidInput(f"service message is not JSON: {e}") from None


def error_from_wire(code: str, message: str) -> PodiumError:
    """The typed error for an error answer (unknown codes become :class:`BackendError`)."""
    cls = _ERRORS.get(code)
    if cls is None:
        error = BackendError(message)
        error.code = code or BackendError.code
        return error
    return cls(message)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    chunks: list[bytes] = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise ConnectionError("the gateway closed the service socket")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


class ServiceClient:
    """A worker's connection to the gateway's services; thread-safe, one call at a time.

    Connects on the first call. A connection that failed (gateway gone, timeout, broken frame)
    is dropped and the call raises :class:`ServiceUnavailable`; the next call connects again.
    """

    def __init__(self, path: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self._sock: socket.socket | None = None
        self._next_id = 0
        self._lock = threading.Lock()

    def call(self, method: str, **params: Any) -> Any:
        """``method(**params)`` in the gateway; its JSON result.

        Raises:
            ServiceUnavailable: the socket cannot be reached or broke mid-call.
            PodiumError: the typed error the gateway answered (Forbidden for another actor).
        """
        with span(f"podium.service.call {method}", kind="client"):
            return self._call(method, params)

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
            request: dict[str, Any] = {"id": request_id, "method": method, "params": params}
            trace = trace_headers()
            if trace:
                request["trace"] = trace
            request_body = encode_message(request)
            try:
                sock = self._connected()
                sock.sendall(request_body)
                (length,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size))
                if length > MAX_MESSAGE_BYTES:
                    raise ConnectionError(f"answer over {MAX_MESSAGE_BYTES} bytes")
                answer = decode_message(_recv_exactly(sock, length))
            except (OSError, InvalidInput) as e:
                self._drop()
                raise ServiceUnavailable(
                    f"the gateway's services are unavailable ({type(e).__name__}: {e})"
                ) from None
        if not isinstance(answer, dict):
            self.close()
            raise ServiceUnavailable("the gateway's service socket answered garbage")
        if answer.get("id") != request_id:
            # A refusal of the connection itself (id null), after which the gateway hangs up.
            self.close()
            if answer.get("ok") is False:
                raise error_from_wire(str(answer.get("error")), str(answer.get("message")))
            raise ServiceUnavailable("the gateway's service socket answered out of turn")
        if answer.get("ok"):
            return answer.get("result")
        error = error_from_wire(str(answer.get("error", "")), str(answer.get("message", "")))
        if isinstance(error, Unauthorized):
            self.close()  # the gateway hangs up on a peer it refuses
        raise error

    def _connected(self) -> socket.socket:
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout_s)
            try:
                sock.connect(self.path)
            except OSError:
                sock.close()
                raise
            self._sock = sock
        return self._sock

    def _drop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def close(self) -> None:
        """Close the connection (a later call reconnects)."""
        with self._lock:
            self._drop()


_clients: dict[str, tuple[int, ServiceClient]] = {}
_clients_lock = threading.Lock()


def service_client(path: str) -> ServiceClient:
    """This process's client for ``path``, created on first use.

    Per process, not per module: a client inherited over ``fork`` (a zygote that called a
    service before forking) is never shared with the child, which gets its own connection.
    """
    pid = os.getpid()
    with _clients_lock:
        found = _clients.get(path)
        if found is None or found[0] != pid:
            found = _clients[path] = (pid, ServiceClient(path))
        return found[1]
