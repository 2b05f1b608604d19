"""The assistant's service host: what the gateway serves to thin session workers.

``app.state.podium_service_host`` names :func:`open_host`; the gateway opens it once (its own
:class:`AssistantServices`, so it embeds the queries and holds the KB snapshot) and serves the
methods below over its service socket. Each takes and returns plain JSON (dataclasses as dicts,
rebuilt by ``_remote``). The socket refuses an ``actor_scoped`` call whose ``actor_id`` is not
the calling session's actor; the host itself only serves the assistant's own memory and KB.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from podium.agents import ServiceMethod
from podium.errors import Forbidden

from ._profile import preference_boost
from ._services import AssistantServices, open_services

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podium.config import Settings

    from ._notes import AttendeeNotes

__all__ = ["AssistantHost", "open_host"]


class AssistantHost:
    """The whitelisted calls of a thin assistant worker, over this process's services."""

    def __init__(self, services: AssistantServices, *, owns_services: bool = True) -> None:
        self.services = services
        self.owns_services = owns_services
        self.methods: Mapping[str, ServiceMethod] = {
            "assistant.describe": ServiceMethod(self.describe, actor_scoped=False),
            "memory.get_memory": ServiceMethod(self.get_memory, actor_scoped=False),
            "memory.list_memory_records": ServiceMethod(self.list_records, actor_scoped=True),
            "memory.get_last_k_turns": ServiceMethod(self.last_k_turns, actor_scoped=True),
            "memory.create_event": ServiceMethod(self.create_event, actor_scoped=True),
            "memory.wait_for_actor_extraction": ServiceMethod(
                self.wait_for_actor_extraction, actor_scoped=True
            ),
            "knowledge.retrieve": ServiceMethod(self.retrieve, actor_scoped=False),
            "notes.list": ServiceMethod(self.list_notes, actor_scoped=True),
            "notes.put": ServiceMethod(self.put_note, actor_scoped=True),
            "notes.delete": ServiceMethod(self.delete_note, actor_scoped=True),
        }

    def _own(self, memory_id: str) -> str:
        if memory_id != self.services.memory_id:
            raise Forbidden("a session worker may only use the assistant's own memory")
        return memory_id

    def describe(self) -> dict[str, Any]:
        """The ids a worker needs: the assistant's memory."""
        return {"memory_id": self.services.memory_id}

    def get_memory(self, memory_id: str) -> dict[str, Any]:
        """The memory resource (its strategies)."""
        return dataclasses.asdict(self.services.memory.get_memory(self._own(memory_id)))

    def list_records(
        self,
        memory_id: str,
        namespace: str,
        actor_id: str,
        strategy_id: str | None = None,
        max_results: int = 20,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """One page of the actor's own records under ``namespace``."""
        records, token = self.services.memory.list_memory_records(
            self._own(memory_id),
            namespace,
            strategy_id,
            max_results,
            next_token,
            actor_id=actor_id,
        )
        return {"records": [dataclasses.asdict(r) for r in records], "next_token": token}

    def last_k_turns(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        k: int,
        branch: dict[str, Any] | str | None = None,
    ) -> list[list[dict[str, Any]]]:
        """The session's last ``k`` turns."""
        return self.services.memory.get_last_k_turns(
            self._own(memory_id), actor_id, session_id, k, branch
        )

    def create_event(
        self, memory_id: str, actor_id: str, session_id: str, payload: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Store one event (extraction is enqueued as for any event)."""
        event = self.services.memory.create_event(
            self._own(memory_id), actor_id, session_id, payload
        )
        return {"event_id": event.event_id}

    def wait_for_actor_extraction(
        self, memory_id: str, actor_id: str, timeout: float = 5.0
    ) -> bool:
        """Run or wait for the actor's open extraction jobs (a new session's profile needs them)."""
        # The worker's own deadline bounds this too; never let a caller hold a socket thread long.
        return self.services.memory.wait_for_actor_extraction(
            self._own(memory_id), actor_id, timeout=min(float(timeout), 30.0)
        )

    def _notes(self) -> AttendeeNotes:
        if self.services.notes is None:
            raise Forbidden("this assistant keeps no attendee notes")
        return self.services.notes

    def list_notes(self, memory_id: str, actor_id: str, kind: str) -> list[dict[str, Any]]:
        """The actor's agenda or feedback notes."""
        return self._notes().list_notes(self._own(memory_id), actor_id, kind)

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
        return self._notes().put_note(
            self._own(memory_id), actor_id, kind, note, text, source_event_ids
        )

    def delete_note(self, memory_id: str, actor_id: str, kind: str, code: str) -> bool:
        """Delete one of the actor's notes."""
        return self._notes().delete_note(self._own(memory_id), actor_id, kind, code)

    def retrieve(
        self,
        query: str,
        number_of_results: int = 5,
        search_type: str = "HYBRID",
        filter: dict[str, Any] | None = None,
        profile: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Search the sessions KB; ``profile`` rebuilds the tools' preference boost here."""
        boost = preference_boost(profile)[0] if profile is not None else None
        results = self.services.kb.retrieve(
            query, number_of_results, search_type, filter, boost=boost
        )
        return [dataclasses.asdict(r) for r in results]

    def close(self) -> None:
        """Close the services (unless they belong to someone else)."""
        if self.owns_services:
            self.services.close()


def open_host(settings: Settings) -> AssistantHost:
    """The host over :func:`open_services` (building the KB and memory on first use).

    The extraction worker runs here when ``settings.embedded_worker`` says so: one for every
    session, instead of one per worker.
    """
    return AssistantHost(open_services(settings, start_worker=settings.embedded_worker))
