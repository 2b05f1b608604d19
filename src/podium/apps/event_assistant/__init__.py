"""The event assistant: recommends conference sessions, personalised by memory.

``create_agent(actor_id, session_id, settings)`` builds the Strands agent; ``app`` (in
``podium.apps.event_assistant.app``) is the AgentCore Runtime app that ``podium serve`` runs.
"""

from __future__ import annotations

from ._agent import create_agent
from ._catalog import SESSIONS_KB, SESSIONS_RECORD_FORMAT, catalog_path, ensure_sessions_kb
from ._hooks import MemoryHookProvider
from ._profile import Profile, load_profile
from ._services import MEMORY_NAME, AssistantServices, open_services, shared_services
from ._turn import TurnResult, stream_turn

__all__ = [
    "MEMORY_NAME",
    "SESSIONS_KB",
    "SESSIONS_RECORD_FORMAT",
    "AssistantServices",
    "MemoryHookProvider",
    "Profile",
    "TurnResult",
    "catalog_path",
    "create_agent",
    "ensure_sessions_kb",
    "load_profile",
    "open_services",
    "shared_services",
    "stream_turn",
]
