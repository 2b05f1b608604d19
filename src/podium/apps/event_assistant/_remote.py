"""Thin-worker services: the assistant's memory and KB calls, made over the gateway's socket.

The proxies have the signatures of the service methods the agent uses (:class:`MemoryCalls`,
:class:`Retriever`) and rebuild the same dataclasses from the JSON answers, so hooks, profile
and tools run unchanged. Served by ``_host`` in the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from podium.agents import ServiceClient, service_client
from podium.errors import ConfigurationError, InvalidInput

from ._profile import PreferenceBoost
from ._services import AgentServices

if TYPE_CHECKING:
    from collections.abc import Callable

    from podium.config import Settings
    from podium.knowledge import RetrievalResult, SearchType
    from podium.memory import Memory, MemoryRecord

__all__ = ["RemoteKnowledgeBase", "RemoteMemory", "RemoteNotes", "open_remote_services"]


class RemoteMemory:
    """The memory calls of :class:`MemoryCalls`, answered by the gateway."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def get_memory(self, memory_id: str) -> Memory:
        """The memory resource, with its strategies."""
        from podium.memory import Memory, MemoryStrategy

        found = dict(self.client.call("memory.get_memory", memory_id=memory_id))
        found["strategies"] = [MemoryStrategy(**s) for s in found["strategies"]]
        return Memory(**found)

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
        """One page of the actor's records (a thin worker always reads for its actor)."""
        from podium.memory import MemoryRecord

        if actor_id is None:
            raise InvalidInput("a session worker lists records for its actor only: pass actor_id")
        page = self.client.call(
            "memory.list_memory_records",
            memory_id=memory_id,
            namespace=namespace,
            actor_id=actor_id,
            strategy_id=strategy_id,
            max_results=max_results,
            next_token=next_token,
        )
        return [MemoryRecord(**r) for r in page["records"]], page["next_token"]

    def get_last_k_turns(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        k: int,
        branch: dict[str, Any] | str | None = None,
    ) -> list[list[dict[str, Any]]]:
        """The session's last ``k`` turns."""
        turns: list[list[dict[str, Any]]] = self.client.call(
            "memory.get_last_k_turns",
            memory_id=memory_id,
            actor_id=actor_id,
            session_id=session_id,
            k=k,
            branch=branch,
        )
        return turns

    def create_event(
        self, memory_id: str, actor_id: str, session_id: str, payload: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Store one event; ``{"event_id": ...}``."""
        created: dict[str, Any] = self.client.call(
            "memory.create_event",
            memory_id=memory_id,
            actor_id=actor_id,
            session_id=session_id,
            payload=payload,
        )
        return created

    def wait_for_actor_extraction(
        self, memory_id: str, actor_id: str, timeout: float = 5.0
    ) -> bool:
        """Have the gateway run or wait for the actor's open extraction jobs."""
        done = self.client.call(
            "memory.wait_for_actor_extraction",
            memory_id=memory_id,
            actor_id=actor_id,
            timeout=timeout,
        )
        return bool(done)


class RemoteNotes:
    """The attendee notes of :class:`~._notes.AttendeeNotes`, kept by the gateway."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def list_notes(self, memory_id: str, actor_id: str, kind: str) -> list[dict[str, Any]]:
        """The actor's notes of ``kind``."""
        found: list[dict[str, Any]] = self.client.call(
            "notes.list", memory_id=memory_id, actor_id=actor_id, kind=kind
        )
        return found

    def put_note(
        self,
        memory_id: str,
        actor_id: str,
        kind: str,
        note: dict[str, Any],
        text: str,
        source_event_ids: list[str],
    ) -> dict[str, Any]:
        """Create or replace one of the actor's notes."""
        stored: dict[str, Any] = self.client.call(
            "notes.put",
            memory_id=memory_id,
            actor_id=actor_id,
            kind=kind,
            note=note,
            text=text,
            source_event_ids=list(source_event_ids),
        )
        return stored

    def delete_note(self, memory_id: str, actor_id: str, kind: str, code: str) -> bool:
        """Delete one of the actor's notes."""
        return bool(
            self.client.call(
                "notes.delete", memory_id=memory_id, actor_id=actor_id, kind=kind, code=code
            )
        )


class RemoteKnowledgeBase:
    """The sessions KB's ``retrieve``, answered by the gateway (which embeds the query)."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def retrieve(
        self,
        query: str,
        number_of_results: int = 5,
        search_type: SearchType | str = "HYBRID",
        filter: dict[str, Any] | str | None = None,
        *,
        mmr: bool = False,
        boost: Callable[[dict[str, Any]], float] | None = None,
    ) -> list[RetrievalResult]:
        """Search the KB. ``boost`` must be a :class:`PreferenceBoost` (its state travels).

        Raises:
            InvalidInput: ``mmr`` or a boost that cannot be sent to the gateway.
        """
        from podium.knowledge import RetrievalResult

        if mmr:
            raise InvalidInput("mmr is not available to session workers")
        if boost is not None and not isinstance(boost, PreferenceBoost):
            raise InvalidInput("a session worker's retrieve takes only a PreferenceBoost")
        found = self.client.call(
            "knowledge.retrieve",
            query=query,
            number_of_results=number_of_results,
            search_type=str(search_type),
            filter=filter,
            profile=boost.state if boost is not None else None,
        )
        return [RetrievalResult(**r) for r in found]


@dataclass(kw_only=True)
class RemoteServices(AgentServices):
    """The assistant's services in a thin session worker: nothing but a socket to the gateway."""

    client: ServiceClient

    def close(self) -> None:
        """Close the connection to the gateway."""
        self.client.close()


def open_remote_services(settings: Settings) -> RemoteServices:
    """Services over ``settings.service_socket`` (the gateway prepares the KB and the memory).

    Raises:
        ConfigurationError: ``service_socket`` is not set.
        ServiceUnavailable: the gateway cannot be reached.
    """
    if not settings.service_socket:
        raise ConfigurationError("PODIUM_SERVICE_SOCKET is not set (not a gateway worker)")
    client = service_client(settings.service_socket)
    described = client.call("assistant.describe")
    return RemoteServices(
        settings=settings,
        memory=RemoteMemory(client),
        kb=RemoteKnowledgeBase(client),
        notes=RemoteNotes(client),
        memory_id=str(described["memory_id"]),
        client=client,
    )
