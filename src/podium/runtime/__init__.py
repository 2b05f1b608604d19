"""Runtime: an HTTP gateway with the AgentCore Runtime contract, one worker per session.

Each session gets its own isolated worker process.

* :func:`create_gateway_app` builds the Starlette app (``/ping``, ``/invocations``,
  ``/sessions/{id}/stop``, ``/metrics``, optionally the dev issuer at ``/idp``).
* :func:`serve` runs it with uvicorn (``podium serve``).

Agent apps are unchanged ``bedrock_agentcore.BedrockAgentCoreApp`` modules. See
``docs/runtime.md``.

Names are imported on first use: the zygote imports ``podium.runtime._zygote`` and must not pay
for the gateway's imports (Starlette, the JWT authorizer, settings) in every session's memory.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._gateway import (
        DEFAULT_AGENT,
        DEV_ACTOR_HEADER,
        REQUEST_ID_HEADER,
        Runtime,
        WorkerFailed,
        create_gateway_app,
        session_of,
    )
    from ._metrics import Metrics
    from ._server import serve
    from ._sessions import Session, SessionManager

__all__ = [
    "DEFAULT_AGENT",
    "DEV_ACTOR_HEADER",
    "REQUEST_ID_HEADER",
    "Metrics",
    "Runtime",
    "Session",
    "SessionManager",
    "WorkerFailed",
    "create_gateway_app",
    "serve",
    "session_of",
]

_HOME = {
    "DEFAULT_AGENT": "._gateway",
    "DEV_ACTOR_HEADER": "._gateway",
    "REQUEST_ID_HEADER": "._gateway",
    "Runtime": "._gateway",
    "WorkerFailed": "._gateway",
    "create_gateway_app": "._gateway",
    "session_of": "._gateway",
    "Metrics": "._metrics",
    "serve": "._server",
    "Session": "._sessions",
    "SessionManager": "._sessions",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
