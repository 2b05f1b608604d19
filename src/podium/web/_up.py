"""``podium up``: prepare everything on first run, then serve the gateway, the UI and the dev issuer.

First run: create ``PODIUM_HOME``, build the sessions knowledge base from the sample catalog (with
a progress bar), create the assistant's memory (user preference, semantic and summary
strategies) and the dev users. Later runs find all of that in place and only check that the
catalog is unchanged, so they start in a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.config import Settings
from podium.errors import ConfigurationError

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from podium.apps.event_assistant import AssistantServices

__all__ = ["Prepared", "build_app", "export_settings", "prepare", "up", "web_routes"]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEV_LOGINS = (("alice", "alice-password"), ("bob", "bob-password"))
_CATALOG_STAMP = "catalog.synced.json"


@dataclass(kw_only=True)
class Prepared:
    """The result of :func:`prepare`: open services and how long each step took."""

    settings: Settings
    services: AssistantServices
    first_run: bool
    timings: dict[str, float] = field(default_factory=dict)


def _with_overrides(
    settings: Settings, *, port: int | None, model: str | None, home: Path | None
) -> Settings:
    updates: dict[str, Any] = {}
    if port is not None:
        updates["port"] = port
    if model is not None:
        updates["model"] = model
    if home is not None:
        updates["home"] = Path(home).expanduser()
    if not updates:
        return settings
    # A fresh object (not model_copy): derived values such as the database URL must follow home.
    values = {name: getattr(settings, name) for name in type(settings).model_fields}
    if "home" in updates and settings.database_url is None:
        values["database_url"] = None
    return type(settings)(**{**values, **updates})


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def export_settings(settings: Settings) -> None:
    """Put ``settings`` into this process's environment as ``PODIUM_*`` variables.

    The runtime's session workers are forked from a separate process (the zygote) that reads its
    settings from the environment, so settings given as arguments (``--home``, ``--model``, a
    test's ``Settings(...)``) must be exported for the agent to see the same home and model.
    """
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        key = f"PODIUM_{name.upper()}"
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = _env_value(value)


@contextmanager
def _progress_bar(enabled: bool, total_sessions: int) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr for catalog ingestion (a no-op when disabled)."""
    if not enabled:
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    task = progress.add_task(f"Indexing the sample catalog ({total_sessions} sessions)", total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        yield update


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def _catalog_stamp(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _read_stamp(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(settings: Settings, *, progress: bool = True) -> Prepared:
    """Create or open the home, the sessions KB, the assistant's memory and the dev users."""
    from podium.apps.event_assistant import catalog_path, open_services
    from podium.identity import ensure_dev_users

    started = time.perf_counter()
    timings: dict[str, float] = {}
    db_file = settings.home / "podium.db"
    first_run = settings.database_url is None and not db_file.exists()
    if first_run:
        _say(f"First run: setting up Podium in {settings.home}")
    settings.ensure_home()
    catalog = catalog_path(settings)
    stamp_file = settings.home / _CATALOG_STAMP
    stamp = _catalog_stamp(catalog)
    # An unchanged catalog file needs no re-sync: skipping the parse keeps later starts fast.
    synced = not first_run and _read_stamp(stamp_file) == stamp
    with _progress_bar(progress and first_run, _count_lines(catalog)) as on_progress:
        services = open_services(settings, ingest=not synced, progress=on_progress)
    if not synced:
        stamp_file.write_text(json.dumps(stamp))
    timings["services_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    ensure_dev_users(settings.home)
    timings["dev_users_s"] = time.perf_counter() - mark
    timings["prepare_s"] = time.perf_counter() - started
    return Prepared(settings=settings, services=services, first_run=first_run, timings=timings)


def web_routes(
    settings: Settings, services: AssistantServices | Future[AssistantServices]
) -> list[BaseRoute]:
    """The UI's API routes plus the static UI at ``/`` (for ``create_gateway_app(extra_routes=)``).

    ``services`` may be a future that :func:`prepare` completes later; API requests wait for it.
    """
    from starlette.requests import Request
    from starlette.responses import FileResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from ._api import api_routes

    external = bool(settings.auth_discovery_url)
    # The token endpoint of an external provider is called from the page, so allow https there.
    connect = "'self' https:" if external else "'self'"
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", headers=headers)

    return [
        *api_routes(settings, services),
        Route("/", index, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def build_app(
    settings: Settings,
    services: AssistantServices | Future[AssistantServices],
    *,
    public_url: str | None = None,
) -> Starlette:
    """The gateway with the event assistant, the web UI and (unless an external OIDC provider
    is configured) the dev issuer at ``/idp``."""
    from podium.runtime import DEFAULT_AGENT, create_gateway_app

    dev_idp = not settings.auth_discovery_url
    return create_gateway_app(
        settings,
        DEFAULT_AGENT,
        dev_idp,
        public_url=public_url,
        extra_routes=web_routes(settings, services),
    )


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
    lines.append(f"  {'first run' if first_run else 'started'} in {elapsed:.1f} s. Ctrl-C stops.")
    _say("\n".join(lines))


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
        settings: the base settings; ``port``, ``model`` and ``home`` override them.
        progress: show a progress bar while the catalog is indexed on first run.
        on_ready: called with the base URL once the server answers (tests, embedding).
        access_log: uvicorn's access log.

    Raises:
        ConfigurationError: the port is taken, the catalog is missing, or a setting is wrong.
    """
    import uvicorn

    started = time.perf_counter()
    settings = _with_overrides(settings, port=port, model=model, home=home)
    export_settings(settings)
    # One extraction worker for the whole server (this process's); session workers only enqueue.
    os.environ["PODIUM_EMBEDDED_WORKER"] = "false"
    level = settings.log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s | %(message)s")
    logging.getLogger("podium").setLevel(level)
    if settings.model != "offline":
        from podium.agents import build_model

        build_model(settings)  # fail now, with the setting to fix, not on the first chat turn
    sock = _bind(settings.host, settings.port)
    url = f"http://{settings.host}:{settings.port}"
    first_run = settings.database_url is None and not (settings.home / "podium.db").exists()
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
