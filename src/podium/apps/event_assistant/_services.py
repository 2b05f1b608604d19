"""Everything the assistant needs in one process: database, sessions KB, memory and its worker."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from podium.errors import NotFound

from ._catalog import SESSIONS_KB, ensure_sessions_kb

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.knowledge import KnowledgeBase, KnowledgeService, ProgressCallback
    from podium.memory import MemoryService, MemoryStrategy
    from podium.memory.extraction import ExtractionWorker
    from podium.storage import Database

__all__ = [
    "MEMORY_NAME",
    "MEMORY_STRATEGIES",
    "AssistantServices",
    "open_services",
    "shared_services",
]

MEMORY_NAME = "EventAssistant"
#: How long the memory's strategy list is reused before it is read again.
STRATEGY_CACHE_S = 5.0

#: The assistant's long-term strategies (AgentCore's built-ins; default namespaces).
MEMORY_STRATEGIES: list[dict[str, Any]] = [
    {"type": "user_preference", "name": "preferences"},
    {"type": "semantic", "name": "facts"},
    {"type": "summary", "name": "session_summaries"},
]


@dataclass(kw_only=True)
class AssistantServices:
    """The event assistant's services over one database."""

    settings: Settings
    db: Database
    knowledge: KnowledgeService
    memory: MemoryService
    kb: KnowledgeBase
    memory_id: str
    worker: ExtractionWorker | None = None
    _strategies: tuple[float, list[MemoryStrategy]] | None = field(
        default=None, init=False, repr=False
    )
    _tools: dict[float, list[Any]] = field(default_factory=dict, init=False, repr=False)
    _tools_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def tools(self, timeout_s: float) -> list[Any]:
        """The assistant's Strands tools over this KB, built once per timeout.

        Building a ``@tool`` derives a pydantic model from the signature (milliseconds), and
        the tools keep no per-agent state, so every agent of the process shares one list.
        """
        from ._tools import make_tools

        with self._tools_lock:
            found = self._tools.get(timeout_s)
            if found is None:
                found = self._tools[timeout_s] = make_tools(self.kb, timeout_s=timeout_s)
            return found

    def strategies(self) -> list[MemoryStrategy]:
        """The memory's strategies, cached for a few seconds (every agent start needs them).

        Another process's strategy edits show within :data:`STRATEGY_CACHE_S`, like the memory
        service's own cache on the event path.
        """
        now = time.monotonic()
        cached = self._strategies
        if cached is None or now - cached[0] >= STRATEGY_CACHE_S:
            cached = (now, self.memory.get_memory(self.memory_id).strategies)
            self._strategies = cached
        return cached[1]

    def close(self) -> None:
        """Stop the extraction worker and release database connections."""
        if self.worker is not None:
            self.worker.stop()
        self.db.dispose()


def _ensure_memory(memory: MemoryService) -> str:
    for found in memory.list_memories():
        if found.name == MEMORY_NAME:
            return found.memory_id
    return memory.create_memory(
        MEMORY_NAME,
        description="What the event assistant remembers about each attendee.",
        strategies=MEMORY_STRATEGIES,
    ).memory_id


def open_services(
    settings: Settings,
    *,
    ingest: bool = False,
    start_worker: bool = True,
    progress: ProgressCallback | None = None,
) -> AssistantServices:
    """Open (and on first use create) the sessions KB and the assistant's memory.

    ``ingest=True`` syncs the catalog into the KB (what ``podium up`` does); otherwise an
    existing KB is used as it is and only a missing one is built.
    """
    from podium._podium import open_settings

    settings.ensure_home()
    podium = open_settings(settings, start_worker=False)
    knowledge, memory = podium.knowledge, podium.memory
    try:
        try:
            kb = knowledge.get(SESSIONS_KB)
            if ingest or kb.info.document_count == 0:
                kb, _ = ensure_sessions_kb(knowledge, settings, progress)
        except NotFound:
            kb, _ = ensure_sessions_kb(knowledge, settings, progress)
        memory_id = _ensure_memory(memory)
    except BaseException:
        podium.close()
        raise
    if start_worker:
        podium.start_worker()
    return AssistantServices(
        settings=settings,
        db=podium.database,
        knowledge=knowledge,
        memory=memory,
        kb=kb,
        memory_id=memory_id,
        worker=podium.worker,
    )


_shared: AssistantServices | None = None
_shared_lock = threading.Lock()


def shared_services(settings: Settings | None = None) -> AssistantServices:
    """The process-wide services (built on first use), for app modules and workers."""
    global _shared
    with _shared_lock:
        if _shared is None:
            from podium.config import process_settings

            settings = settings or process_settings()
            _shared = open_services(settings, start_worker=settings.embedded_worker)
        return _shared
