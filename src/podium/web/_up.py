"""``podium up``: prepare everything on first run, then serve the gateway, the UI and the dev issuer.

Preparation is in :mod:`._prepare`, the routes in :mod:`._routes`; this module binds the port,
starts uvicorn and announces the URL once everything answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from podium.config import Settings
from podium.errors import ConfigurationError
from podium.telemetry import configure_logging, configure_tracing

from ._prepare import Prepared, is_first_run, prepare, say
from ._routes import build_app

if TYPE_CHECKING:
    from podium.apps.event_assistant import AssistantServices

__all__ = ["DEV_LOGINS", "up"]

logger = logging.getLogger(__name__)

DEV_LOGINS = (("alice", "alice-password"), ("bob", "bob-password"))


def _with_overrides(
    settings: Settings, *, port: int | None, model: str | None, home: Path | None
) -> Settings:
    updates: dict[str, object] = {}
    if port is not None:
        updates["port"] = port
    if model is not None:
        updates["model"] = model
    if home is not None:
        updates["home"] = Path(home).expanduser()
        if settings.database_url is None:
            updates["database_url"] = None  # the default database follows the home
    return settings.replace(**updates) if updates else settings


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise ConfigurationError(
            f"cannot listen on {host}:{port} ({e.strerror}); is Podium already running? "
            "Choose another port with --port"
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def aws_env_command(settings: Settings, url: str) -> str:
    """The ``eval "$(podium aws-env)"`` line for this server, with what the environment lacks.

    ``podium aws-env`` reads the same ``PODIUM_*`` environment; a ``--home`` or ``--port``
    given to ``podium up`` only has to be repeated.
    """
    env = Settings()
    args = ["podium"]
    if Path(settings.home).expanduser().resolve() != Path(env.home).expanduser().resolve():
        args += ["--home", shlex.quote(str(settings.home))]
    args.append("aws-env")
    if url != f"http://{env.host}:{env.port}":
        args += ["--url", url]
    return f'eval "$({" ".join(args)})"'


def _announce(settings: Settings, url: str, elapsed: float, first_run: bool) -> None:
    lines = [
        "",
        f"Podium is running at {url}/",
        f"  model: {settings.model}"
        + (" (offline; set PODIUM_MODEL for a real LLM)" if settings.model == "offline" else ""),
    ]
    if not settings.auth_discovery_url:
        logins = ", ".join(f"{u} / {p}" for u, p in DEV_LOGINS)
        lines.append(f"  dev login: {logins}")
    lines.append(
        f"  AWS SDKs (boto3, bedrock-agentcore, Strands): {aws_env_command(settings, url)}"
    )
    lines.append(f"  {'first run' if first_run else 'started'} in {elapsed:.1f} s. Ctrl-C stops.")
    say("\n".join(lines))


def up(
    settings: Settings,
    *,
    port: int | None = None,
    model: str | None = None,
    home: Path | None = None,
    progress: bool = True,
    on_ready: Callable[[str], None] | None = None,
    access_log: bool = False,
) -> None:
    """Prepare (first run) and serve Podium on ``settings.host`` (127.0.0.1) until interrupted.

    Args:
        settings: the base settings; the three below override them.
        port: the port on ``settings.host``.
        model: the model spec (``offline``, ``openai:gpt-4o-mini``, ...).
        home: the data directory.
        progress: show a progress bar while the catalog is indexed on first run.
        on_ready: called with the base URL once the server answers (tests, embedding).
        access_log: uvicorn's access log.

    Raises:
        ConfigurationError: the port is taken, the catalog is missing, or a setting is wrong.
    """
    import uvicorn

    started = time.perf_counter()
    settings = _with_overrides(settings, port=port, model=model, home=home)
    level = settings.log_level.upper()
    configure_logging(settings)
    configure_tracing(settings, "gateway")
    if settings.model != "offline":
        from podium.agents import build_model

        build_model(settings)  # fail now, with the setting to fix, not on the first chat turn
    sock = _bind(settings.host, settings.port)
    url = f"http://{settings.host}:{settings.port}"
    first_run = is_first_run(settings)
    services: Future[AssistantServices] = Future()
    outcome: dict[str, Prepared] = {}

    def run_prepare() -> None:
        try:
            outcome["prepared"] = prepare(settings, progress=progress)
        except BaseException as e:
            services.set_exception(e)
            raise
        services.set_result(outcome["prepared"].services)

    try:
        if first_run:
            run_prepare()  # nothing may race the first ingestion
        else:
            # Later runs: open the database while the gateway starts its agent zygote.
            threading.Thread(target=run_prepare, name="podium-prepare", daemon=True).start()
        app = build_app(settings, services, public_url=url)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level=level.lower(),
                log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
                access_log=access_log,
                lifespan="on",
                timeout_graceful_shutdown=5,
            )
        )

        async def serve() -> None:
            task = asyncio.create_task(server.serve(sockets=[sock]))
            while not server.started and not task.done():
                await asyncio.sleep(0.02)
            if not server.started:
                await task
                return
            try:
                await asyncio.wrap_future(services)
            except BaseException:
                server.should_exit = True
                await task
                raise
            elapsed = time.perf_counter() - started
            logger.info("seconds=<%.2f> first_run=<%s> | podium up ready", elapsed, first_run)
            _announce(settings, url, elapsed, first_run)
            if on_ready is not None:
                on_ready(url)
            await task

        # Ctrl-C is how podium up is stopped; uvicorn has shut down cleanly when it re-raises it.
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve())
    finally:
        sock.close()
        if services.done() and services.exception() is None:
            services.result().close()
