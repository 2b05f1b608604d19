"""``bedrock-agentcore``: InvokeAgentRuntime and StopRuntimeSession, on the gateway's own runtime.

The served app is ``arn:aws:bedrock-agentcore:<region>:000000000000:runtime/<name>`` (``name``:
``podium serve --name``, ``event_assistant`` under ``podium up``). An invocation goes through
the same path as ``POST /invocations`` (:meth:`podium.runtime.Runtime.invocations`): the same
per-actor quotas, session ownership, one worker per ``runtimeSessionId``, and SSE relayed chunk
by chunk as the ``response`` stream.

The actor is, with a JWT bearer (AgentCore's OAuth inbound auth), the token's subject; with
SigV4, ``runtimeUserId`` (which the key's actor pattern must allow), else the key's one actor
when its pattern has no wildcard.
"""

from __future__ import annotations

import re
import uuid
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from podium.errors import ConfigurationError, PodiumError

from ._errors import AwsError, from_podium_error
from ._registry import ACCOUNT_ID, Call, operation

if TYPE_CHECKING:
    from starlette.responses import Response

__all__ = ["RUNTIME_NAME_PATTERN", "check_runtime_name", "default_runtime_name"]

#: AgentCore's rule for agent runtime names.
RUNTIME_NAME_PATTERN = re.compile(r"[a-zA-Z][a-zA-Z0-9_]{0,47}")
_ARN = re.compile(r"arn:aws[a-z-]*:bedrock-agentcore:([a-z0-9-]*):([0-9]{12}):runtime/(.+)")
_SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
_REQUEST_ID_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Request-Id"
#: Module and file names too generic to name an app: their package or folder names it instead.
_GENERIC = frozenset({"app", "main", "__init__", "__main__"})


def check_runtime_name(name: str) -> str:
    """``name`` if it is a valid AgentCore runtime name.

    Raises:
        ConfigurationError: it is not (``[a-zA-Z][a-zA-Z0-9_]{0,47}``).
    """
    if not RUNTIME_NAME_PATTERN.fullmatch(name):
        raise ConfigurationError(
            f"agent runtime name {name!r} must be a letter then up to 47 letters, digits or "
            "underscores (AgentCore's rule)"
        )
    return name


def default_runtime_name(agent: str) -> str:
    """The runtime name derived from an agent spec (``module:attr`` or ``path/file.py:attr``).

    The module's last part or the file's stem (``my_agent.py`` → ``my_agent``); a generic
    ``app``/``main`` takes its package's or folder's name instead
    (``podium.apps.event_assistant.app`` → ``event_assistant``). Characters outside AgentCore's
    rule become ``_``; a name not starting with a letter gets an ``agent_`` prefix.
    """
    module = agent.partition(":")[0]
    if module.endswith(".py"):
        path = PurePath(module)
        parts = [*path.parent.parts, path.stem]
    else:
        parts = module.split(".")
    parts = [p for p in parts if p not in ("", ".", "..")]
    name = parts[-1] if parts else "agent"
    if name in _GENERIC and len(parts) > 1:
        name = parts[-2]
    name = re.sub(r"[^a-zA-Z0-9_]", "_", name)
    if not name or not name[0].isalpha() or not name.isascii():
        name = f"agent_{name}"
    return name[:48]


def _runtime(call: Call, arn: str, qualifier: str | None) -> Any:
    """The gateway's runtime, if ``arn`` (or a bare name) names its app."""
    name = arn
    found = _ARN.fullmatch(arn)
    if found is not None:
        if found.group(2) != ACCOUNT_ID:
            raise AwsError(
                "ResourceNotFoundException",
                f"no agent runtime {arn!r}: Podium's account id is {ACCOUNT_ID}",
                404,
            )
        name = found.group(3)
    served = call.backend.agent_name
    runtime = call.backend.runtime
    if runtime is None or served is None or name != served:
        raise AwsError(
            "ResourceNotFoundException",
            f"no agent runtime {name!r}"
            + (
                f"; this server runs {call.arn('bedrock-agentcore', f'runtime/{served}')}"
                if served
                else ""
            ),
            404,
        )
    if qualifier not in (None, "DEFAULT"):
        raise AwsError(
            "ResourceNotFoundException",
            f"no endpoint {qualifier!r} of agent runtime {name!r} (Podium serves DEFAULT only)",
            404,
        )
    return runtime


def _actor(call: Call, user_id: str | None) -> str:
    """The actor the invocation runs as (see the module docstring)."""
    from podium.identity import ACTOR_ID_PATTERN

    if call.bearer_actor is not None:
        if user_id is not None and user_id != call.bearer_actor:
            raise AwsError(
                "AccessDeniedException",
                f"runtimeUserId {user_id!r} is not the bearer token's subject",
                403,
            )
        return call.bearer_actor
    key = call.key
    if user_id is None:
        if key is not None and not any(c in key.actor_pattern for c in "*?["):
            user_id = key.actor_pattern
        else:
            raise AwsError(
                "ValidationException",
                f"runtimeUserId is required: access key "
                f"{key.access_key_id if key else ''} may act for every actor matching "
                f"{key.actor_pattern if key else '*'!r}; pass runtimeUserId (the "
                "X-Amzn-Bedrock-AgentCore-Runtime-User-Id header) to say which",
                400,
            )
    if len(user_id) > 255 or not ACTOR_ID_PATTERN.fullmatch(user_id):
        raise AwsError("ValidationException", f"runtimeUserId {user_id!r} is not a valid actor id")
    call.require_actor(user_id)
    return user_id


def _aws_error(error: PodiumError) -> AwsError:
    """A refused invocation as InvokeAgentRuntime's modelled exceptions."""
    if error.code == "RuntimeClientError":
        return AwsError("RuntimeClientError", error.message, 424)
    if error.http_status == 409:
        return AwsError("RetryableConflictException", error.message, 409)
    return from_podium_error(error)


def _render(error: PodiumError, ids: dict[str, str]) -> Response:
    from ._app import aws_error_response

    response = aws_error_response(_aws_error(error))
    response.headers.update(ids)
    return response


@operation("bedrock-agentcore", "InvokeAgentRuntime")
async def invoke_agent_runtime(call: Call, params: dict[str, Any]) -> Response:
    """Run one invocation of the served app; its answer streams back as ``response``."""
    runtime = _runtime(call, params["agentRuntimeArn"], params.get("qualifier"))
    actor = _actor(call, params.get("runtimeUserId"))
    ids = {
        _SESSION_HEADER: params.get("runtimeSessionId") or f"podium-{uuid.uuid4()}",
        _REQUEST_ID_HEADER: str(uuid.uuid4()),
    }
    invocations = runtime.invocations(render_error=_render, app_errors=True)
    response: Response = await invocations.invoke(
        call.request, actor=actor, body=params["payload"], ids=ids
    )
    return response


@operation("bedrock-agentcore", "StopRuntimeSession")
async def stop_runtime_session(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """End a live session, as ``POST /sessions/{id}/stop`` does.

    The call must be allowed the session's actor: a bearer must be its owner, a key's actor
    pattern must match it.
    """
    runtime = _runtime(call, params["agentRuntimeArn"], params.get("qualifier"))
    session_id = params["runtimeSessionId"]
    session = runtime.manager.get(session_id)
    if session is None:
        raise AwsError("ResourceNotFoundException", f"no active session {session_id}", 404)
    owner = session.actor_id
    if call.bearer_actor is not None and call.bearer_actor != owner:
        raise AwsError(
            "AccessDeniedException", f"session {session_id} belongs to another actor", 403
        )
    call.require_actor(owner)
    try:
        await runtime.manager.stop(session_id, owner)
    except PodiumError as e:
        raise _aws_error(e) from None
    return {"runtimeSessionId": session_id, "statusCode": 200}
