"""Agents: Strands model providers (the offline model too), request context, the service socket."""

from __future__ import annotations

from ._offline_text import HISTORY_TAG, PROFILE_TAG, render_memory_context
from ._providers import PROVIDERS, build_model, describe_model
from ._request import ACTOR_HEADER, SESSION_HEADER, actor_from_context
from ._service_socket import (
    SERVICE_HOST_STATE,
    ServiceClient,
    ServiceHost,
    ServiceMethod,
    ServiceUnavailable,
    service_client,
)

__all__ = [
    "ACTOR_HEADER",
    "HISTORY_TAG",
    "PROFILE_TAG",
    "PROVIDERS",
    "SERVICE_HOST_STATE",
    "SESSION_HEADER",
    "OfflineModel",
    "ServiceClient",
    "ServiceHost",
    "ServiceMethod",
    "ServiceUnavailable",
    "actor_from_context",
    "build_model",
    "describe_model",
    "render_memory_context",
    "service_client",
]


def __getattr__(name: str) -> object:
    # The offline model imports strands (~1 s); load it only when asked for.
    if name == "OfflineModel":
        from ._offline_model import OfflineModel

        return OfflineModel
    raise AttributeError(name)
