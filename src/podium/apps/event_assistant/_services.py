"""What the assistant's agents run on: the services in this process, or the gateway's (thin workers).

:class:`AssistantServices` holds everything in one process (database, sessions KB, memory and its
extraction worker): ``podium chat``, ``podium up``'s UI, in-process apps and tests. A session
worker forked under a gateway that serves the app's host gets :class:`AgentServices` over the
gateway's service socket instead (``_remote``): no database engine, no embedding model, no KB
snapshot in the worker.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from podium.errors import NotFound

from ._catalog import SESSIONS_KB, ensure_sessions_kb

if TYPE_CHECKING:
    from collections.abc import Callable

    from podium.config import Settings
    from podium.knowledge import (
        KnowledgeBase,
        KnowledgeService,
        ProgressCallback,
        RetrievalResult,
        SearchType,
    )
    from podium.memory import Memory, MemoryRecord, MemoryService, MemoryStrategy
    from podium.memory.extraction import ExtractionWorker
    from podium.storage import Database

    from ._notes import AttendeeNotes

__all__ = [
    "MEMORY_NAME",
    "MEMORY_STRATEGIES",
    "AgentServices",
    "AssistantServices",
    "MemoryCalls",
    "Retriever",
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


class MemoryCalls(Protocol):
    """The memory calls an agent makes (a :class:`MemoryService`, or its proxy in a worker)."""

    def get_memory(self, memory_id: str) -> Memory:
        """The memory resource."""
        ...

    def list_memory_records(
        self,
        memory_id: str,
        namespace: str,
        strategy_id: str | None = None,
        max_results: int = 20,
        next_token: str | None = None,
        *,
        actor_id: str | None = None,
    ) -> tuple[list[MemoryRecord], str | None]:
        """Records under a namespace prefix, one page."""
        ...

    def get_last_k_turns(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        k: int,
        branch: dict[str, Any] | str | None = None,
    ) -> list[list[dict[str, Any]]]:
        """The session's last ``k`` turns, oldest first."""
        ...

    def create_event(
        self, memory_id: str, actor_id: str, session_id: str, payload: list[dict[str, Any]]
    ) -> Any:
        """Store one event."""
        ...

    def wait_for_actor_extraction(
        self, memory_id: str, actor_id: str, timeout: float = 5.0
    ) -> bool:
        """Wait until the actor's extraction jobs (every session) are done; False on timeout."""
        ...


class Retriever(Protocol):
    """The knowledge-base call the tools make (a :class:`KnowledgeBase`, or its proxy)."""

    def retrieve(
        self,
        query: str,
        number_of_results: int = 5,
        search_type: SearchType | str = ...,
        filter: dict[str, Any] | str | None = None,
        *,
        mmr: bool = False,
        boost: Callable[[dict[str, Any]], float] | None = None,
    ) -> list[RetrievalResult]:
        """Search the KB."""
        ...


@dataclass(kw_only=True)
class AgentServices:
    """What an agent of the assistant needs: memory calls, the sessions KB, shared tools."""

    settings: Settings
    memory: MemoryCalls
    kb: Retriever
    memory_id: str
    #: The attendees' agenda and feedback notes (None: the tools for them are left out).
    notes: AttendeeNotes | None = None
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
                found = self._tools[timeout_s] = make_tools(
                    self.kb,
                    timeout_s=timeout_s,
                    memory=self.memory,
                    notes=self.notes,
                    memory_id=self.memory_id,
                )
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
        """Release what these services hold."""


@dataclass(kw_only=True)
class AssistantServices(AgentServices):
    """The event assistant's services over one database, in this process."""

    db: Database
    knowledge: KnowledgeService
    memory: MemoryService
    kb: KnowledgeBase
    worker: ExtractionWorker | None = None

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

    from ._notes import LocalNotes

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
        notes=LocalNotes(memory),
        worker=podium.worker,
    )


_shared: AgentServices | None = None
_shared_lock = threading.Lock()


def shared_services(settings: Settings | None = None) -> AgentServices:
    """The process-wide services (built on first use), for app modules and workers.

    In a session worker whose gateway serves the assistant's host (``service_socket`` is set)
    they are the gateway's, over its socket; otherwise they are opened in this process.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            from podium.config import process_settings

            settings = settings or process_settings()
            if settings.service_socket:
                from ._remote import open_remote_services

                _shared = open_remote_services(settings)
            else:
                _shared = open_services(settings, start_worker=settings.embedded_worker)
        return _shared
