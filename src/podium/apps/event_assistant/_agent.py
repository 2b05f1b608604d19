"""``create_agent``: the event assistant as a Strands agent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podium.errors import InvalidInput

from ._hooks import MemoryHookProvider
from ._prompts import SYSTEM_PROMPT
from ._services import AssistantServices, shared_services
from ._tools import make_tools

if TYPE_CHECKING:
    from strands import Agent
    from strands.models import Model

    from podium.config import Settings

__all__ = ["create_agent"]


def create_agent(
    actor_id: str,
    session_id: str,
    settings: Settings | None = None,
    *,
    services: AssistantServices | None = None,
    model: Model | None = None,
    callback_handler: Any = None,
    last_k_turns: int = 5,
) -> Agent:
    """A Strands agent for one attendee and one session, personalised from memory.

    ``actor_id`` and ``session_id`` go into ``agent.state``, where the hooks and tools read them:
    they never come from the prompt.
    """
    from strands import Agent

    from podium.agents import build_model
    from podium.memory._validation import validate_actor_id, validate_session_id

    validate_actor_id(actor_id)
    validate_session_id(session_id)
    services = services or shared_services(settings)
    if model is None:
        model = build_model(settings or services.settings)
    if not isinstance(actor_id, str) or not isinstance(session_id, str):
        raise InvalidInput("actor_id and session_id must be strings")
    hooks = MemoryHookProvider(
        services.memory, services.memory_id, base_prompt=SYSTEM_PROMPT, last_k_turns=last_k_turns
    )
    return Agent(
        model=model,
        tools=make_tools(services.kb),
        system_prompt=SYSTEM_PROMPT,
        hooks=[hooks],
        state={"actor_id": actor_id, "session_id": session_id},
        callback_handler=callback_handler,
        name="event-assistant",
    )
