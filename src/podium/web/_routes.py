"""The web UI's routes: the JSON API under ``/api`` and the static page at ``/``."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from podium.config import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from podium.apps.event_assistant import AssistantServices

__all__ = ["EVENT_ASSISTANT_RUNTIME", "STATIC_DIR", "build_app", "web_routes"]

#: The event assistant's AgentCore runtime name under ``podium up`` (InvokeAgentRuntime).
EVENT_ASSISTANT_RUNTIME = "event_assistant"

STATIC_DIR = Path(__file__).resolve().parent / "static"


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

    async def favicon(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    return [
        *api_routes(settings, services),
        Route("/", index, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def build_app(
    settings: Settings,
    services: AssistantServices | Future[AssistantServices],
    *,
    public_url: str | None = None,
) -> Starlette:
    """The gateway with the event assistant, the web UI and the dev issuer at ``/idp``.

    The dev issuer is left out when an external OIDC provider is configured.
    """
    from podium.apps.event_assistant._host import AssistantHost
    from podium.aws import AwsBackend
    from podium.runtime import DEFAULT_AGENT, create_gateway_app

    from ._openapi import web_openapi

    def resolved() -> AssistantServices:
        return services.result() if isinstance(services, Future) else services

    def aws_services() -> SimpleNamespace:
        # The web app's own services (one database, one extraction worker); no close(): the
        # web app owns them.
        ready = resolved()
        return SimpleNamespace(
            knowledge=ready.knowledge,
            memory=ready.memory,
            database=ready.db,
            settings=ready.settings,
        )

    dev_idp = not settings.auth_discovery_url
    return create_gateway_app(
        settings,
        DEFAULT_AGENT,
        dev_idp,
        public_url=public_url,
        extra_routes=web_routes(settings, services),
        openapi=[web_openapi()],
        # One extraction worker for the whole server (this process's); session workers only
        # enqueue jobs.
        worker_settings=settings.replace(embedded_worker=False),
        aws_backend=AwsBackend(settings, open=aws_services),
        # Thin session workers are served from the same services: one engine, one KB snapshot.
        service_host=lambda _: AssistantHost(resolved(), owns_services=False),
        agent_name=EVENT_ASSISTANT_RUNTIME,
    )
