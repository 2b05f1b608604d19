"""The event assistant as an AgentCore Runtime app (``podium serve`` runs this file unchanged).

POST /invocations ``{"prompt": "..."}`` (optionally ``"stream": false``). The session comes from
the runtime session header and the actor from the verified request context (the gateway sets
:data:`podium.agents.ACTOR_HEADER` from the token) — never from the payload. Streaming
responses are SSE events: ``text`` deltas, ``tool_call`` and a ``final`` event with the answer,
the session cards and the cited codes; a failure mid-stream is an ``error`` event. Errors
before the turn starts are JSON ``{"error", "message"}`` with a 4xx status (401 without an
actor, 400 for a bad payload or a missing session id).

The module only touches :func:`shared_services` when the first request arrives (no database or
thread exists at import); :func:`configure` lets an embedding process (or a test) hand it
services instead. It imports the heavy libraries up front: under ``podium serve`` the fork server
imports this module once, so every session worker shares those pages.

Thin workers: ``app.state.podium_service_host`` names the assistant's service host
(``_host.open_host``), so the gateway opens the KB, the memory and the embedding model once and
its session workers call them over its service socket (``PODIUM_SERVICE_SOCKET``). A worker
then holds no database engine, no embedding model and no KB snapshot. Run in-process (isolation
``none``, ``podium chat``, tests), the app opens its services itself, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from bedrock_agentcore.runtime import BedrockAgentCoreApp, RequestContext
from starlette.responses import JSONResponse

from podium.agents import actor_from_context
from podium.errors import InvalidInput, PodiumError

from ._agent import create_agent
from ._turn import TurnResult, stream_turn


def _preload() -> None:
    """Import what every turn needs (and the bundled model unless the gateway embeds for us)."""
    import numpy  # noqa: F401
    import onnxruntime  # noqa: F401
    import sqlalchemy  # noqa: F401
    import tokenizers  # noqa: F401

    import podium.agents._offline_model
    import podium.knowledge
    import podium.memory
    import podium.memory.extraction  # noqa: F401
    from podium.apps.event_assistant import _tools  # noqa: F401
    from podium.config import process_settings
    from podium.embeddings import BUNDLED_MODEL_ID, OnnxMiniLMEmbedder, register_embedder

    settings = process_settings()
    # A thin worker (the fork server's settings name the gateway's socket) never embeds: the
    # gateway does. A later in-worker user of the model (a semantic classifier) should load it
    # here, before any fork, so that workers keep sharing its pages.
    if settings.embedding_model == BUNDLED_MODEL_ID and not settings.service_socket:
        # Load the bundled model's weights (~170 MB once unpacked) before any fork, with one
        # intra-op thread so that onnxruntime has started no thread pool: forked session workers
        # then share these pages instead of each loading a private copy. A session embeds only
        # short queries, which one thread handles in a few milliseconds.
        embedder = OnnxMiniLMEmbedder(threads=1)
        embedder.load()
        register_embedder(embedder)


_preload()

if TYPE_CHECKING:
    from ._services import AgentServices

__all__ = ["app", "configure", "invoke"]

app = BedrockAgentCoreApp()
#: The gateway serves this host to the session workers (``podium.agents.SERVICE_HOST_STATE``).
app.state.podium_service_host = "podium.apps.event_assistant._host:open_host"

#: Agents kept warm per (actor, session); the least recently used is dropped beyond this. Under
#: ``podium serve`` each session has its own worker, so this only matters with isolation "none".
MAX_AGENTS = 256
_MAX_PROMPT = 20_000

_agents: OrderedDict[tuple[str, str], Any] = OrderedDict()
_lock = threading.Lock()
_services: AgentServices | None = None


def configure(services: AgentServices | None) -> None:
    """Serve from ``services`` (None: the process-wide :func:`shared_services`).

    Drops the cached agents, so the next request of every session reloads its memory from the
    services now in use.
    """
    global _services
    with _lock:
        _services = services
        _agents.clear()


def _agent_for(actor_id: str, session_id: str) -> Any:
    key = (actor_id, session_id)
    with _lock:
        agent = _agents.get(key)
        if agent is None:
            agent = create_agent(actor_id, session_id, services=_services)
            _agents[key] = agent
            while len(_agents) > MAX_AGENTS:
                _agents.popitem(last=False)
        else:
            _agents.move_to_end(key)
        return agent


def _prompt(payload: Any) -> str:
    prompt = payload.get("prompt") if isinstance(payload, dict) else None
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInput('the payload must be {"prompt": "<non-empty text>"}')
    if len(prompt) > _MAX_PROMPT:
        raise InvalidInput(f"prompt is longer than {_MAX_PROMPT} characters")
    if "stream" in payload and not isinstance(payload["stream"], bool):
        raise InvalidInput('"stream" must be true or false')
    return prompt


async def _events(agent: Any, prompt: str) -> AsyncIterator[dict[str, Any]]:
    try:
        async for event in stream_turn(agent, prompt, TurnResult()):
            yield event
    except PodiumError as e:
        yield {"type": "error", **e.to_dict()}


@app.entrypoint
async def invoke(payload: dict[str, Any], context: RequestContext) -> Any:
    """Answer one prompt for the verified actor in this runtime session."""
    try:
        # Authentication first: an anonymous caller learns nothing about payload rules.
        actor_id = actor_from_context(context)
        prompt = _prompt(payload)
        if not context.session_id:
            raise InvalidInput("missing runtime session id")
        agent = _agent_for(actor_id, context.session_id)
    except PodiumError as e:
        return JSONResponse(e.to_dict(), status_code=e.http_status)
    if payload.get("stream", True) is False:
        result = TurnResult()
        try:
            async for _ in stream_turn(agent, prompt, result):
                pass
        except PodiumError as e:
            return JSONResponse(e.to_dict(), status_code=e.http_status)
        return result.as_dict()
    return _events(agent, prompt)


if __name__ == "__main__":
    app.run()
