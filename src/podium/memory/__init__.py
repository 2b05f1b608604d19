"""Memory: short-term events and long-term records (the AgentCore Memory equivalent)."""

from __future__ import annotations

from ._models import (
    ActorSummary,
    Event,
    EventHit,
    ExtractionJob,
    Memory,
    MemoryRecord,
    MemoryStrategy,
    RecordHistoryEntry,
    SessionSummary,
)
from ._namespaces import (
    DEFAULT_NAMESPACES,
    actor_namespace_prefix,
    namespace_matches,
    resolve_namespace,
)
from ._service import MemoryService
from .records import RecordStore

__all__ = [
    "DEFAULT_NAMESPACES",
    "ActorSummary",
    "Event",
    "EventHit",
    "ExtractionJob",
    "Memory",
    "MemoryRecord",
    "MemoryService",
    "MemoryStrategy",
    "RecordHistoryEntry",
    "RecordStore",
    "SessionSummary",
    "actor_namespace_prefix",
    "namespace_matches",
    "resolve_namespace",
]
