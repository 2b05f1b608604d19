"""The event assistant as an AgentCore Runtime app (``podium serve`` runs this file unchanged).

POST /invocations ``{"prompt": "..."}`` (optionally ``"stream": false``). The session comes from
the runtime session header and the actor from the verified request context — never from the
payload. Streaming responses are SSE events: ``text`` deltas, ``tool_call`` and a ``final`` event
with the answer, the session cards and the cited codes.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Any

from bedrock_agentcore.runtime import BedrockAgentCoreApp, RequestContext
from starlette.responses import JSONResponse

from podium.agents import actor_from_context
from podium.errors import InvalidInput, PodiumError

from ._agent import create_agent
from ._turn import TurnResult, stream_turn

app = BedrockAgentCoreApp()

_agents: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()
_MAX_PROMPT = 20_000


def _agent_for(actor_id: str, session_id: str) -> Any:
    with _lock:
        agent = _agents.get((actor_id, session_id))
        if agent is None:
            agent = create_agent(actor_id, session_id)
            _agents[(actor_id, session_id)] = agent
        return agent


def _prompt(payload: Any) -> str:
    prompt = payload.get("prompt") if isinstance(payload, dict) else None
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInput('the payload must be {"prompt": "<non-empty text>"}')
    if len(prompt) > _MAX_PROMPT:
        raise InvalidInput(f"prompt is longer than {_MAX_PROMPT} characters")
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
        prompt = _prompt(payload)
        actor_id = actor_from_context(context)
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
