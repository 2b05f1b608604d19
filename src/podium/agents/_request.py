"""How the runtime hands the verified actor to an agent app.

The gateway authenticates the caller, drops any client-sent copy of :data:`ACTOR_HEADER`, and
sets it from the token's actor claim. AgentCore forwards ``X-Amzn-Bedrock-AgentCore-Runtime-Custom-*``
headers to the app, so an app reads the actor from the request context the same way on
AgentCore Runtime and under ``podium serve``.
"""

from __future__ import annotations

from typing import Any

from podium.errors import Unauthorized

__all__ = ["ACTOR_HEADER", "SESSION_HEADER", "actor_from_context"]

ACTOR_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Podium-Actor-Id"
SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"


def actor_from_context(context: Any) -> str:
    """The verified actor id from a ``bedrock_agentcore`` RequestContext; Unauthorized if absent."""
    headers = getattr(context, "request_headers", None) or {}
    for name, value in headers.items():
        if name.lower() == ACTOR_HEADER.lower() and value:
            return str(value)
    raise Unauthorized("no verified actor in the request context")
