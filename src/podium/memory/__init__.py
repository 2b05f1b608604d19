"""Memory: short-term events and long-term records (the AgentCore Memory equivalent).

:class:`MemoryService` is the API; its results are the dataclasses below. Attach an
:class:`ExtractionWorker` (``service.worker = ExtractionWorker(service)``, ``.start()`` for a
background thread) to choose the extractor or extract in the background; extractors and the
record write store are in :mod:`podium.memory.extraction` and :mod:`podium.memory.records`.
"""

from __future__ import annotations

from ._carried import readable_record_text, record_json
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
    actor_namespace_prefix,
    escape_namespace_value,
    resolve_namespace,
    unescape_namespace_value,
)
from ._recall import ContextTurn, RecallHit
from ._service import MemoryService
from .extraction import ExtractionWorker

__all__ = [
    "ActorSummary",
    "ContextTurn",
    "Event",
    "EventHit",
    "ExtractionJob",
    "ExtractionWorker",
    "Memory",
    "MemoryRecord",
    "MemoryService",
    "MemoryStrategy",
    "RecallHit",
    "RecordHistoryEntry",
    "SessionSummary",
    "actor_namespace_prefix",
    "escape_namespace_value",
    "readable_record_text",
    "record_json",
    "resolve_namespace",
    "unescape_namespace_value",
]
