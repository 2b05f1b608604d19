"""The fork server ("zygote"): imports the agent app once, then forks one worker per session.

The gateway starts it as ``python -c "...podium.runtime._zygote.main..." <fd>`` in its own process session
(so Ctrl-C reaches only the gateway), with one end of a ``SOCK_SEQPACKET`` socketpair as the
control channel (each packet is one JSON message, so no framing is needed there).

* gateway -> zygote: ``{"agent": "pkg.mod:app", "sys_path": [...], "log_level": "INFO"}`` once,
  then ``{"op": "spawn", "session_id": ...}`` per worker.
* zygote -> gateway: ``{"ok": true, "pid": ..., "service_host": ...}`` once ready (or
  ``{"ok": false, "error": ...}``; ``service_host`` is the app's ``app.state.podium_service_host``);
  per spawn ``{"ok": true, "pid": ...}`` with the gateway's end of a new stream socketpair
  attached (``SCM_RIGHTS``).

Forking a process that has already imported the app (strands, the embedder, ...) makes session
start cheap and lets workers share those pages copy-on-write; ``gc.freeze()`` keeps the
collector from touching (and so copying) them. The zygote ignores ``SIGCHLD`` so the kernel
reaps exited workers; it exits when the gateway closes the channel.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podium.errors import BackendError, ConfigurationError

logger = logging.getLogger(__name__)

__all__ = ["ZygoteClient", "ZygoteDied"]

_MAX_PACKET = 1024 * 1024
_BOOT = "import sys; from podium.runtime._zygote import main; sys.exit(main(sys.argv[1:]))"
# Imported lazily by Starlette/anyio on the first request; importing them before forking keeps
# ~70 ms off every session's first invocation and shares their pages.
_PREWARM = (
    "anyio._backends._asyncio",
    "anyio.to_thread",
    "starlette.concurrency",
    "asyncio.unix_events",
)


def _child_env(settings_env: Mapping[str, str] | None) -> dict[str, str] | None:
    """The zygote's environment: ours, with the ``PODIUM_*`` variables of the gateway's settings.

    So the app and its workers see the same home, model and database as the gateway.
    """
    if settings_env is None:
        return None
    from podium.config import ENV_PREFIX

    inherited = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    return {**inherited, **settings_env}


class ZygoteDied(BackendError):
    """The fork server is gone (it is restarted on the next spawn)."""

    code = "RuntimeClientError"


@dataclass(kw_only=True)
class SpawnedWorker:
    """A freshly forked worker: its pid and the gateway's end of its socket."""

    pid: int
    sock: socket.socket


class ZygoteClient:
    """Gateway side of the zygote. Blocking calls: use from a worker thread, one at a time."""

    def __init__(
        self, agent: str, *, log_level: str = "WARNING", env: Mapping[str, str] | None = None
    ) -> None:
        self.agent = agent
        self.log_level = log_level
        self.env = dict(env) if env is not None else None
        self._proc: subprocess.Popen[bytes] | None = None
        self._ctrl: socket.socket | None = None
        self._lock = threading.Lock()
        self.pid: int | None = None
        #: The service host factory the app names (``app.state.podium_service_host``), if any.
        self.service_host: str | None = None

    def start(self) -> None:
        """Start the zygote and wait until it has imported the app.

        Raises:
            ConfigurationError: the app could not be imported (the message says why).
        """
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        self._close_locked()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=_child_env(self.env),
            )
        finally:
            theirs.close()
        self._ctrl = ours
        init = {"agent": self.agent, "sys_path": list(sys.path), "log_level": self.log_level}
        ours.sendall(json.dumps(init).encode("utf-8"))
        reply = self._recv_locked()[0]
        if not reply.get("ok"):
            self._close_locked()
            raise ConfigurationError(str(reply.get("error", "agent app failed to load")))
        self.pid = int(reply["pid"])
        spec = reply.get("service_host")
        self.service_host = spec if isinstance(spec, str) else None
        logger.info("agent=<%s>, pid=<%d> | zygote ready", self.agent, self.pid)

    def _recv_locked(self) -> tuple[dict[str, Any], list[int]]:
        assert self._ctrl is not None
        try:
            data, fds, _flags, _addr = socket.recv_fds(self._ctrl, _MAX_PACKET, 1)
        except OSError as exc:
            raise ZygoteDied(f"zygote channel failed: {exc}") from None
        if not data:
            for fd in fds:
                os.close(fd)
            raise ZygoteDied("the zygote exited")
        return json.loads(data), fds

    def spawn(self, session_id: str) -> SpawnedWorker:
        """Fork a worker for ``session_id`` (restarting a dead zygote once)."""
        with self._lock:
            for attempt in (1, 2):
                if self._ctrl is None:
                    self._start_locked()
                try:
                    return self._spawn_locked(session_id)
                except (ZygoteDied, OSError) as exc:
                    logger.warning(
                        "attempt=<%d>, error=<%s> | zygote lost, restarting", attempt, exc
                    )
                    self._close_locked()
            raise ZygoteDied("could not fork a session worker")

    def _spawn_locked(self, session_id: str) -> SpawnedWorker:
        assert self._ctrl is not None
        self._ctrl.sendall(json.dumps({"op": "spawn", "session_id": session_id}).encode())
        reply, fds = self._recv_locked()
        if not reply.get("ok") or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise ZygoteDied(str(reply.get("error", "fork failed")))
        sock = socket.socket(fileno=fds[0])
        sock.setblocking(False)
        return SpawnedWorker(pid=int(reply["pid"]), sock=sock)

    def _close_locked(self) -> None:
        if self._ctrl is not None:
            self._ctrl.close()
            self._ctrl = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
            self._proc = None
        self.pid = None

    def close(self) -> None:
        """Stop the zygote (live workers keep running until their sockets close)."""
        with self._lock:
            self._close_locked()


# -- the zygote process --------------------------------------------------------------------------


def _serve(ctrl: socket.socket) -> int:
    init = json.loads(ctrl.recv(_MAX_PACKET) or b"{}")
    sys.path[:] = [p for p in init.get("sys_path", []) if isinstance(p, str)] or sys.path
    from podium.config import Settings
    from podium.telemetry import log_handler, prepare_tracing

    # The gateway's settings for its workers, passed in this process's environment.
    settings = Settings.from_env()
    # Only Podium's own loggers get a handler: the app configures its logging as it would on
    # AgentCore (a root handler here would print its records twice).
    handler = log_handler(
        settings, "%(asctime)s %(levelname)s %(name)s pid=%(process)d | %(message)s"
    )
    level = str(init.get("log_level", "WARNING")).upper()
    podium_logger = logging.getLogger("podium")
    podium_logger.addHandler(handler)
    podium_logger.setLevel(level)
    podium_logger.propagate = False
    from ._applogs import follow_log_level
    from ._asgi import load_app
    from ._worker import run_worker

    try:
        app = load_app(str(init.get("agent", "")))
    except ConfigurationError as exc:
        ctrl.sendall(json.dumps({"ok": False, "error": exc.message}).encode())
        return 1
    follow_log_level(level)
    _prewarm(app)
    prepare_tracing(settings)
    if threading.active_count() > 1:
        logger.warning("agent app started threads at import; forked workers will not have them")
    # Freeze everything imported so far: the collector then never writes to (and so never
    # copies) these shared pages in the workers.
    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    ready = {"ok": True, "pid": os.getpid(), "service_host": _service_host(app)}
    ctrl.sendall(json.dumps(ready).encode())
    while True:
        data = ctrl.recv(_MAX_PACKET)
        if not data:
            return 0
        request = json.loads(data)
        if request.get("op") != "spawn":
            continue
        session_id = str(request.get("session_id", ""))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            pid = os.fork()
        except OSError as exc:
            ours.close()
            theirs.close()
            ctrl.sendall(json.dumps({"ok": False, "error": f"fork failed: {exc}"}).encode())
            continue
        if pid == 0:
            ctrl.close()
            ours.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            run_worker(app, theirs, session_id)  # never returns
        theirs.close()
        socket.send_fds(ctrl, [json.dumps({"ok": True, "pid": pid}).encode()], [ours.fileno()])
        ours.close()


def _service_host(app: Any) -> str | None:
    """The host factory the app names for its thin workers (``app.state``), if any."""
    from podium.agents._service_socket import SERVICE_HOST_STATE

    spec = getattr(getattr(app, "state", None), SERVICE_HOST_STATE, None)
    return spec if isinstance(spec, str) and spec else None


def _prewarm(app: Any) -> None:
    for name in _PREWARM:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # Starlette builds its middleware stack on the first call; build it once, here.
    if getattr(app, "middleware_stack", False) is None and hasattr(app, "build_middleware_stack"):
        app.middleware_stack = app.build_middleware_stack()


def main(argv: list[str]) -> int:
    """Entry point: ``python -m podium.runtime._zygote <control fd>``."""
    ctrl = socket.socket(fileno=int(argv[0]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return _serve(ctrl)
    except (BrokenPipeError, ConnectionResetError):
        return 0
