"""The web UI's JSON API, served by the gateway next to ``/invocations``.

Every route except ``/api/config`` authenticates exactly like ``/invocations`` (the gateway's
JWT authorizer, via ``app.state.runtime``) and works on the token's actor only: no route takes
an actor id from the client. Someone else's record or session is answered with 404, the same as
one that does not exist, so ids cannot be probed.

::

    GET    /api/config                       public: OIDC endpoints and client id for sign-in
    GET    /api/me                           actor id and the model in use
    GET    /api/memory/records               the actor's long-term records, with provenance
    DELETE /api/memory/records/{record_id}   delete one of them
    POST   /api/memory/forget                forget the actor entirely
    GET    /api/memory/recall?q=             the actor's past turns that best answer q
    GET    /api/sessions                     the actor's sessions, newest first
    GET    /api/sessions/{session_id}/messages   the messages of one of them
    GET    /api/catalog/search               catalog search with day/level/type/topic filters
    .../api/agenda, /api/feedback             the agenda and session feedback (``_agenda_api``)
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from podium.apps.event_assistant._agenda import NOTES_SESSION
from podium.apps.event_assistant._catalog import (
    DAYS,
    LEVELS,
    SESSION_TYPES,
    one_per_session,
    session_card,
    session_filter,
)
from podium.apps.event_assistant._notes import NOTE_KINDS, notes_namespace
from podium.errors import BackendError, InvalidInput, NotFound
from podium.memory import readable_record_text
from podium.runtime._errors import guard

from ._agenda_api import agenda_routes

if TYPE_CHECKING:
    from podium.apps.event_assistant import AssistantServices
    from podium.config import Settings
    from podium.memory import Event, MemoryRecord, MemoryStrategy

__all__ = ["api_routes", "catalog_vocabulary", "ui_config"]

logger = logging.getLogger(__name__)

_MAX_QUERY = 500
_MAX_SOURCE_TEXT = 2000
_MAX_RECORDS = 500
_MAX_SESSIONS = 100
_MAX_MESSAGES = 500
_DEFAULT_CLIENT_ID = "podium-web"
_DEFAULT_SCOPE = "openid profile email podium/invoke"
_DISCOVERY_TTL_S = 300.0
# ASCII digits only: str.isdigit() also accepts "²", which int() then refuses (a 500), and int()
# refuses numbers of more than 4300 digits.
_NUMBER = re.compile(r"[0-9]{1,9}")


async def _actor(request: Request) -> str:
    """The verified actor of this request (the gateway's authorizer decides)."""
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise BackendError("the web API must be mounted in the runtime gateway")
    actor: str = await runtime.actor_for(request)
    return actor


# -- configuration (public) ----------------------------------------------------------------------


@dataclass(kw_only=True)
class _DiscoveryCache:
    """The external provider's discovery document, fetched server-side (no CORS needed)."""

    url: str
    fetched_at: float = 0.0
    document: dict[str, Any] = field(default_factory=dict)

    def get(self) -> dict[str, Any]:
        if self.document and time.monotonic() - self.fetched_at < _DISCOVERY_TTL_S:
            return self.document
        import httpx

        try:
            response = httpx.get(self.url, timeout=5.0)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as e:
            raise BackendError(
                f"identity provider discovery failed ({e.__class__.__name__}); "
                "check PODIUM_AUTH_DISCOVERY_URL"
            ) from e
        if not isinstance(document, dict) or "authorization_endpoint" not in document:
            raise BackendError("the identity provider's discovery document has no endpoints")
        self.document, self.fetched_at = document, time.monotonic()
        return document


def catalog_vocabulary() -> dict[str, list[Any]]:
    """The catalog's filter values for the UI's search form (one source: ``_vocabulary``)."""
    from podium.apps.event_assistant._vocabulary import (
        DAYS,
        LEVEL_NAMES,
        LEVELS,
        SESSION_TYPES,
        TOPICS,
    )

    return {
        "days": list(DAYS),
        "levels": [{"value": lv, "label": f"{lv} ({LEVEL_NAMES[lv]})"} for lv in LEVELS],
        "session_types": list(SESSION_TYPES),
        "topics": list(TOPICS),
    }


def ui_config(settings: Settings, discovery: _DiscoveryCache | None) -> dict[str, Any]:
    """What the browser needs: sign-in (endpoints, client id, scopes) and the catalog filters."""
    return {**_sign_in_config(settings, discovery), "catalog": catalog_vocabulary()}


def _sign_in_config(settings: Settings, discovery: _DiscoveryCache | None) -> dict[str, Any]:
    # Optional settings (PODIUM_UI_CLIENT_ID / PODIUM_UI_SCOPES); defaults fit the dev issuer.
    client_id = str(getattr(settings, "ui_client_id", None) or _DEFAULT_CLIENT_ID)
    scope = str(getattr(settings, "ui_scopes", None) or _DEFAULT_SCOPE)
    if isinstance(getattr(settings, "ui_scopes", None), list):
        scope = " ".join(settings.ui_scopes)  # type: ignore[attr-defined]
    auth_enabled = not settings.auth_disabled
    if discovery is None:
        # Relative URLs: the dev issuer is mounted in this very app, so the page talks to it on
        # its own origin whether it was opened as 127.0.0.1 or localhost.
        return {
            "auth": auth_enabled,
            "provider": "dev",
            "issuer": "/idp",
            "authorization_endpoint": "/idp/authorize",
            "token_endpoint": "/idp/token",
            "end_session_endpoint": None,
            "client_id": client_id,
            "scope": scope,
        }
    doc = discovery.get()
    return {
        "auth": auth_enabled,
        "provider": "oidc",
        "issuer": doc.get("issuer"),
        "authorization_endpoint": doc["authorization_endpoint"],
        "token_endpoint": doc.get("token_endpoint"),
        "end_session_endpoint": doc.get("end_session_endpoint"),
        "client_id": client_id,
        "scope": scope,
    }


# -- memory records ------------------------------------------------------------------------------


def _source_messages(events: list[Event]) -> dict[str, dict[str, Any]]:
    """The records' source events by id, with their conversational messages."""
    found: dict[str, dict[str, Any]] = {}
    for event in events:
        messages = [
            {
                "role": item["conversational"].get("role", "OTHER"),
                "text": str(item["conversational"].get("content", {}).get("text", ""))[
                    :_MAX_SOURCE_TEXT
                ],
            }
            for item in (event.payload or [])
            if isinstance(item, dict) and "conversational" in item
        ]
        found[event.event_id] = {
            "event_id": event.event_id,
            "session_id": event.session_id,
            "timestamp": event.event_timestamp,
            "messages": messages,
        }
    return found


def _notes_strategy(record: MemoryRecord) -> MemoryStrategy | None:
    """The agenda and feedback notes (``_notes``): shown as their own kind of record."""
    from podium.memory import MemoryStrategy

    kind = record.metadata.get("kind")
    if record.strategy_id is not None or kind not in NOTE_KINDS:
        return None
    return MemoryStrategy(
        strategy_id="", name=str(kind), type="attendee_notes", namespaces=[record.namespace]
    )


def _actor_notes(services: AssistantServices, actor: str) -> list[MemoryRecord]:
    """The actor's agenda and feedback notes (their exact namespaces, outside the strategies')."""
    found: list[MemoryRecord] = []
    for kind in NOTE_KINDS:
        notes, _ = services.memory.list_memory_records(
            services.memory_id,
            notes_namespace(kind, actor),
            max_results=100,
            actor_id=actor,
            exact=True,
        )
        found += notes
    return found


def list_actor_records(services: AssistantServices, actor: str) -> list[dict[str, Any]]:
    """The actor's long-term records across the assistant's strategies, newest first."""
    memory = services.memory.get_memory(services.memory_id)
    strategies = {s.strategy_id: s for s in memory.strategies}
    found = services.memory.list_actor_records(services.memory_id, actor, limit=_MAX_RECORDS)
    found += _actor_notes(services, actor)
    ordered = [
        (strategy, record)
        for record in found
        if (strategy := strategies.get(record.strategy_id or "") or _notes_strategy(record))
        is not None
    ]
    wanted = sorted({eid for _, r in ordered for eid in r.source_event_ids})
    # Source events are read only within the actor's own events.
    sources = _source_messages(services.memory.get_actor_events(services.memory_id, actor, wanted))
    return [
        {
            "id": record.record_id,
            # A preference record states its sentence; its AgentCore JSON form is for the API.
            "text": readable_record_text(record.text),
            "content": record.content,
            "strategy": {"id": strategy.strategy_id, "name": strategy.name, "type": strategy.type},
            "namespace": record.namespace,
            "session_id": record.session_id,
            "rationale": record.rationale,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
            "source_event_ids": list(record.source_event_ids),
            "sources": [sources[e] for e in record.source_event_ids if e in sources],
        }
        for strategy, record in ordered
    ]


def delete_actor_record(services: AssistantServices, actor: str, record_id: str) -> None:
    """Delete one of the actor's records; NotFound for a missing one or anybody else's."""
    # The agenda and feedback notes live outside the strategies' namespaces: one of the actor's
    # own is found (and deleted) by its exact namespace, anything else falls through.
    # A note of the actor's own is found by its exact namespace; anything else falls through.
    if any(r.record_id == record_id for r in _actor_notes(services, actor)):
        services.memory.delete_memory_record(services.memory_id, record_id)
        return
    services.memory.delete_actor_record(services.memory_id, actor, record_id)


# -- sessions ------------------------------------------------------------------------------------


def _visible(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """User and assistant text, without tool traffic."""
    out = []
    for m in messages:
        role = str(m.get("role", ""))
        text = str(m.get("content", {}).get("text", ""))
        if role not in ("USER", "ASSISTANT") or not text or text.startswith("[tool call]"):
            continue
        out.append({"role": role.lower(), "text": text})
    return out


def list_actor_sessions(services: AssistantServices, actor: str) -> list[dict[str, Any]]:
    """The actor's sessions, newest first, each titled by its first user message."""
    # The notes made with the cards' controls are events too, but not a conversation.
    sessions = [
        s
        for s in services.memory.list_sessions(services.memory_id, actor)
        if s.session_id != NOTES_SESSION
    ][:_MAX_SESSIONS]
    out: list[dict[str, Any]] = []
    for s in sessions:
        events, _ = services.memory.list_events(
            services.memory_id, actor, s.session_id, max_results=10
        )
        first = next(
            (m["text"] for e in events for m in _visible(e.messages()) if m["role"] == "user"), ""
        )
        out.append(
            {
                "id": s.session_id,
                "title": first[:120] or "(no messages)",
                "created_at": s.first_event_at,
                "last_event_at": s.last_event_at,
                "event_count": s.event_count,
            }
        )
    out.sort(key=lambda s: float(s["last_event_at"]), reverse=True)
    return out


def session_messages(services: AssistantServices, actor: str, session_id: str) -> dict[str, Any]:
    """Past messages of one of the actor's sessions; NotFound for anybody else's."""
    owned = {s.session_id for s in services.memory.list_sessions(services.memory_id, actor)}
    if session_id not in owned:
        raise NotFound(f"session {session_id!r} not found")
    messages: list[dict[str, Any]] = []
    token: str | None = None
    while len(messages) < _MAX_MESSAGES:
        events, token = services.memory.list_events(
            services.memory_id, actor, session_id, max_results=100, next_token=token
        )
        for event in events:
            for m in _visible(event.messages()):
                messages.append({**m, "timestamp": event.event_timestamp})
        if token is None:
            break
    return {"session_id": session_id, "messages": messages[:_MAX_MESSAGES]}


# -- catalog -------------------------------------------------------------------------------------


def _catalog_filter(params: dict[str, str]) -> dict[str, Any] | None:
    """Validate the day/level/type/topic query parameters and build the KB filter."""
    day = params.get("day", "").strip() or None
    if day and day not in DAYS:
        raise InvalidInput(f"day must be one of {', '.join(DAYS)}")
    level = params.get("level", "").strip() or None
    if level and (not _NUMBER.fullmatch(level) or int(level) not in LEVELS):
        raise InvalidInput("level must be one of 100, 200, 300, 400")
    kind = params.get("type", "").strip() or None
    if kind and kind not in SESSION_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(SESSION_TYPES)}")
    topic = params.get("topic", "").strip() or None
    if topic and len(topic) > 100:
        raise InvalidInput("topic is longer than 100 characters")
    return session_filter(day, int(level) if level else None, kind, topic)


def _query_and_limit(params: dict[str, str], *, default_limit: int) -> tuple[str, int]:
    """The search text ``q`` (stripped, at most ``_MAX_QUERY`` characters) and ``limit`` (1-50)."""
    query = params.get("q", "").strip()
    if len(query) > _MAX_QUERY:
        raise InvalidInput(f"q is longer than {_MAX_QUERY} characters")
    raw_limit = params.get("limit", "").strip() or str(default_limit)
    if not _NUMBER.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= 50:
        raise InvalidInput("limit must be between 1 and 50")
    return query, int(raw_limit)


def search_catalog(services: AssistantServices, params: dict[str, str]) -> dict[str, Any]:
    """Catalog search: hybrid retrieval with filters; an empty query lists by filter only."""
    query, limit = _query_and_limit(params, default_limit=10)
    flt = _catalog_filter(params)
    if not query and flt is None:
        raise InvalidInput("give a search text (q) or at least one filter")
    # Sessions span several chunks: over-fetch, then keep each session once.
    results = services.kb.retrieve(query or "session", min(100, limit * 3), filter=flt)
    sessions = [session_card(r) for r in one_per_session(results, limit)]
    return {"query": query, "filter": flt, "sessions": sessions}


def recall_past(services: AssistantServices, actor: str, params: dict[str, str]) -> dict[str, Any]:
    """The signed-in attendee's past turns that best answer ``q``, each with its neighbours."""
    query, limit = _query_and_limit(params, default_limit=5)
    if not query:
        raise InvalidInput("give a search text (q)")
    hits = services.memory.recall(services.memory_id, actor, query, top_k=limit)
    return {"query": query, "actor_id": actor, "turns": [hit.as_dict() for hit in hits]}


# -- routes --------------------------------------------------------------------------------------


def api_routes(
    settings: Settings, services: AssistantServices | Future[AssistantServices]
) -> list[BaseRoute]:
    """The UI API routes (mount them with ``create_gateway_app(extra_routes=...)``).

    ``services`` may be a future still being prepared (``podium up`` opens the database while
    the gateway starts); requests then wait for it.
    """
    discovery = (
        _DiscoveryCache(url=settings.auth_discovery_url) if settings.auth_discovery_url else None
    )

    async def ready() -> AssistantServices:
        if isinstance(services, Future):
            return await asyncio.wrap_future(services)
        return services

    @guard
    async def config(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(ui_config, settings, discovery))

    @guard
    async def me(request: Request) -> Response:
        from podium.agents import describe_model

        actor = await _actor(request)
        return JSONResponse({"actor_id": actor, "model": describe_model(settings.model)})

    @guard
    async def records(request: Request) -> Response:
        actor = await _actor(request)
        found = await run_in_threadpool(list_actor_records, await ready(), actor)
        return JSONResponse({"actor_id": actor, "records": found})

    @guard
    async def recall(request: Request) -> Response:
        actor = await _actor(request)
        params = dict(request.query_params)
        return JSONResponse(await run_in_threadpool(recall_past, await ready(), actor, params))

    @guard
    async def delete_record(request: Request) -> Response:
        actor = await _actor(request)
        record_id = request.path_params["record_id"]
        await run_in_threadpool(delete_actor_record, await ready(), actor, record_id)
        return JSONResponse({"deleted": record_id})

    @guard
    async def forget(request: Request) -> Response:
        actor = await _actor(request)
        svc = await ready()
        counts = await run_in_threadpool(svc.memory.delete_actor, svc.memory_id, actor)
        logger.info("actor forgotten | tables=<%d>", len(counts))
        return JSONResponse({"forgotten": True, "deleted": counts})

    @guard
    async def sessions(request: Request) -> Response:
        actor = await _actor(request)
        found = await run_in_threadpool(list_actor_sessions, await ready(), actor)
        return JSONResponse({"sessions": found})

    @guard
    async def messages(request: Request) -> Response:
        actor = await _actor(request)
        session_id = request.path_params["session_id"]
        return JSONResponse(
            await run_in_threadpool(session_messages, await ready(), actor, session_id)
        )

    @guard
    async def catalog(request: Request) -> Response:
        await _actor(request)
        params = dict(request.query_params)
        return JSONResponse(await run_in_threadpool(search_catalog, await ready(), params))

    return [
        Route("/api/config", config, methods=["GET"]),
        Route("/api/me", me, methods=["GET"]),
        Route("/api/memory/records", records, methods=["GET"]),
        # :path, so that an empty id or one with a "/" is this route's 404, not another route's
        # redirect or 405.
        Route("/api/memory/records/{record_id:path}", delete_record, methods=["DELETE"]),
        Route("/api/memory/forget", forget, methods=["POST"]),
        Route("/api/memory/recall", recall, methods=["GET"]),
        Route("/api/sessions", sessions, methods=["GET"]),
        Route("/api/sessions/{session_id:path}/messages", messages, methods=["GET"]),
        Route("/api/catalog/search", catalog, methods=["GET"]),
        *agenda_routes(_actor, ready),
    ]
