"""The event assistant: recommends conference sessions, personalised by memory.

``create_agent(actor_id, session_id, settings)`` builds the Strands agent; ``app`` (in
``podium.apps.event_assistant.app``) is the AgentCore Runtime app that ``podium serve`` runs.
"""

from __future__ import annotations

from ._agent import DEFAULT_LAST_K_TURNS, DEFAULT_TOOL_TIMEOUT_S, create_agent
from ._catalog import SESSIONS_KB, SESSIONS_RECORD_FORMAT, catalog_path, ensure_sessions_kb
from ._hooks import MemoryHookProvider
from ._profile import HANDS_ON_TYPES, PreferenceBoost, Profile, load_profile, preference_boost
from ._services import (
    MEMORY_NAME,
    AgentServices,
    AssistantServices,
    open_services,
    shared_services,
)
from ._turn import TurnResult, stream_turn

__all__ = [
    "DEFAULT_LAST_K_TURNS",
    "DEFAULT_TOOL_TIMEOUT_S",
    "HANDS_ON_TYPES",
    "MEMORY_NAME",
    "SESSIONS_KB",
    "SESSIONS_RECORD_FORMAT",
    "AgentServices",
    "AssistantServices",
    "MemoryHookProvider",
    "PreferenceBoost",
    "Profile",
    "TurnResult",
    "catalog_path",
    "create_agent",
    "ensure_sessions_kb",
    "load_profile",
    "open_services",
    "preference_boost",
    "shared_services",
    "stream_turn",
]
