"""Agents: Strands model providers (including the offline model) and request context helpers."""

from __future__ import annotations

from ._offline_text import HISTORY_TAG, PROFILE_TAG, render_memory_context
from ._providers import PROVIDERS, build_model, describe_model
from ._request import ACTOR_HEADER, SESSION_HEADER, actor_from_context

__all__ = [
    "ACTOR_HEADER",
    "HISTORY_TAG",
    "PROFILE_TAG",
    "PROVIDERS",
    "SESSION_HEADER",
    "OfflineModel",
    "actor_from_context",
    "build_model",
    "describe_model",
    "render_memory_context",
]


def __getattr__(name: str) -> object:
    # The offline model imports strands (~1 s); load it only when asked for.
    if name == "OfflineModel":
        from ._offline_model import OfflineModel

        return OfflineModel
    raise AttributeError(name)
