"""``podium serve``: run the gateway with uvicorn."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from starlette.routing import BaseRoute

from podium.config import Settings
from podium.telemetry import configure_logging, configure_tracing

from ._gateway import DEFAULT_AGENT, create_gateway_app

__all__ = ["serve"]


def serve(
    settings: Settings,
    agent: str = DEFAULT_AGENT,
    dev_idp: bool = False,
    *,
    app_dir: str | Path | None = ".",
    public_url: str | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    access_log: bool = False,
    agent_name: str | None = None,
) -> None:
    """Serve the runtime gateway on ``settings.host:settings.port`` until interrupted.

    Args:
        settings: see :func:`create_gateway_app`; ``auth_disabled`` is ``--no-auth``.
        agent: ``module:attr`` (or ``file.py:attr``) of a ``BedrockAgentCoreApp``.
        dev_idp: mount the dev OIDC issuer at ``/idp`` and trust it.
        app_dir: directory put first on ``sys.path`` so ``--agent myapp:app`` finds ``myapp.py``
            there (like ``uvicorn --app-dir``); ``None`` leaves ``sys.path`` alone.
        public_url: externally visible base URL, if not ``http://host:port``.
        extra_routes: extra routes served by the same app (web UI).
        access_log: uvicorn's access log.
        agent_name: the app's runtime name for InvokeAgentRuntime (default: derived from
            ``agent``).
    """
    import uvicorn

    if app_dir is not None:
        path = str(Path(app_dir).resolve())
        if path not in sys.path:
            sys.path.insert(0, path)
    level = settings.log_level.upper()
    configure_logging(settings)
    configure_tracing(settings, "gateway")
    app = create_gateway_app(
        settings,
        agent,
        dev_idp,
        public_url=public_url,
        extra_routes=extra_routes,
        agent_name=agent_name,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=level.lower(),
        # JSON logs: uvicorn's records go to the root handler too, instead of its own text one.
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        access_log=access_log,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
