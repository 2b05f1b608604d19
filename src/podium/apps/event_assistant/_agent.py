"""``create_agent``: the event assistant as a Strands agent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podium.errors import InvalidInput

from ._hooks import MemoryHookProvider
from ._prompts import SYSTEM_PROMPT
from ._services import AgentServices, shared_services

if TYPE_CHECKING:
    from strands import Agent
    from strands.models import Model

    from podium.config import Settings

__all__ = ["DEFAULT_LAST_K_TURNS", "DEFAULT_TOOL_TIMEOUT_S", "create_agent"]

#: How many earlier turns of the same session are restored as messages.
DEFAULT_LAST_K_TURNS = 5
#: How long one knowledge-base call of a tool may take before it becomes an error result: a
#: guard against hangs, not a latency goal (a loaded laptop can take seconds for the first query).
DEFAULT_TOOL_TIMEOUT_S = 30.0


def create_agent(
    actor_id: str,
    session_id: str,
    settings: Settings | None = None,
    *,
    services: AgentServices | None = None,
    model: Model | None = None,
    callback_handler: Any = None,
    last_k_turns: int = DEFAULT_LAST_K_TURNS,
    tool_timeout_s: float = DEFAULT_TOOL_TIMEOUT_S,
) -> Agent:
    """A Strands agent for one attendee and one session, personalised from memory.

    ``actor_id`` and ``session_id`` go into ``agent.state``, where the hooks and tools read them:
    they never come from the prompt. ``services`` defaults to the process-wide
    :func:`shared_services` (built from ``settings``); ``model`` defaults to the configured one
    (the offline model unless ``PODIUM_MODEL`` says otherwise). Loading memory happens here, in
    the ``AgentInitializedEvent`` hook, so the returned agent already holds its context.
    """
    from strands import Agent

    from podium.agents import build_model
    from podium.memory._validation import validate_actor_id, validate_session_id

    if not isinstance(actor_id, str) or not isinstance(session_id, str):
        raise InvalidInput("actor_id and session_id must be strings")
    validate_actor_id(actor_id)
    validate_session_id(session_id)
    if not 1 <= last_k_turns <= 100:
        raise InvalidInput("last_k_turns must be between 1 and 100")
    services = services or shared_services(settings)
    if model is None:
        model = build_model(settings or services.settings)
    hooks = MemoryHookProvider(
        services.memory,
        services.memory_id,
        base_prompt=SYSTEM_PROMPT,
        last_k_turns=last_k_turns,
        strategies=services.strategies,
    )
    return Agent(
        model=model,
        tools=services.tools(tool_timeout_s),
        system_prompt=SYSTEM_PROMPT,
        hooks=[hooks],
        state={"actor_id": actor_id, "session_id": session_id},
        callback_handler=callback_handler,
        name="event-assistant",
    )
