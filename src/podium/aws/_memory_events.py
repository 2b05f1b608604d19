"""``bedrock-agentcore``: short-term memory events, sessions and actors.

Every operation on an actor's events checks the call's key against the actor
(:meth:`Call.require_actor`); ListActors shows a key only the actors it may touch.
"""

from __future__ import annotations

from typing import Any

from podium.errors import InvalidInput

from ._memory_common import allowed, memory_id_of, page
from ._registry import Call, operation

__all__: list[str] = []


def wire_event(event: Any) -> dict[str, Any]:
    """An ``Event`` output (payload items as stored: conversational or blob)."""
    out: dict[str, Any] = event.as_dict()
    return out


def _ids(call: Call, params: dict[str, Any]) -> tuple[str, str]:
    actor_id = params["actorId"]
    call.require_actor(actor_id)
    return memory_id_of(params["memoryId"]), actor_id


@operation("bedrock-agentcore", "CreateEvent")
def create_event(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Store one event; its extraction jobs are queued for the server's extraction worker."""
    memory_id, actor_id = _ids(call, params)
    session_id = params.get("sessionId")
    if not session_id:
        raise InvalidInput("sessionId is required: Podium keeps every event in a session")
    event = call.backend.memory.create_event(
        memory_id,
        actor_id,
        session_id,
        params["payload"],
        event_timestamp=params["eventTimestamp"],
        branch=params.get("branch"),
        metadata=params.get("metadata"),
        client_token=params.get("clientToken"),
        extraction="skip" if params.get("extractionMode") == "SKIP" else "auto",
    )
    return {"event": wire_event(event)}


@operation("bedrock-agentcore", "GetEvent")
def get_event(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """One event of a session."""
    memory_id, actor_id = _ids(call, params)
    event = call.backend.memory.get_event(
        memory_id, actor_id, params["sessionId"], params["eventId"]
    )
    return {"event": wire_event(event)}


@operation("bedrock-agentcore", "DeleteEvent")
def delete_event(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete one event."""
    memory_id, actor_id = _ids(call, params)
    call.backend.memory.delete_event(memory_id, actor_id, params["sessionId"], params["eventId"])
    return {"eventId": params["eventId"]}


@operation("bedrock-agentcore", "ListEvents")
def list_events(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """A page of a session's events, newest first, optionally by branch and metadata."""
    memory_id, actor_id = _ids(call, params)
    filters = params.get("filter") or {}
    events, token = call.backend.memory.list_events(
        memory_id,
        actor_id,
        params["sessionId"],
        include_payloads=params.get("includePayloads", True),
        branch=filters.get("branch"),
        metadata_filters=filters.get("eventMetadata"),
        max_results=params.get("maxResults") or 20,
        next_token=params.get("nextToken"),
        newest_first=True,
    )
    return {"events": [wire_event(e) for e in events], "nextToken": token}


@operation("bedrock-agentcore", "ListSessions")
def list_sessions(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """An actor's sessions, most recent activity first."""
    memory_id, actor_id = _ids(call, params)
    sessions, token = page(call.backend.memory.list_sessions(memory_id, actor_id), params)
    return {
        "sessionSummaries": [
            {"sessionId": s.session_id, "actorId": s.actor_id, "createdAt": s.first_event_at}
            for s in sessions
        ],
        "nextToken": token,
    }


@operation("bedrock-agentcore", "ListActors")
def list_actors(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Actors with events, most recent activity first (only those the key may touch)."""
    actors = [
        a
        for a in call.backend.memory.list_actors(memory_id_of(params["memoryId"]))
        if allowed(call, a.actor_id)
    ]
    found, token = page(actors, params)
    return {"actorSummaries": [{"actorId": a.actor_id} for a in found], "nextToken": token}
