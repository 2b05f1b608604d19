"""The web API of the attendee's agenda and session feedback (the session cards' controls).

::

    GET    /api/agenda               the agenda in time order, each item with its clashes
    POST   /api/agenda               {"code"}: add a session; says what it clashes with
    DELETE /api/agenda/{code}        take a session off the agenda
    GET    /api/feedback             the actor's ratings and attended sessions
    POST   /api/feedback             {"code", "rating"?: 1-5, "attended"?: bool}

The actor is the token's (``_api._actor``); nothing in a body names one.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from podium.apps.event_assistant._agenda import Attendee
from podium.errors import BackendError, InvalidInput
from podium.runtime._errors import guard

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from starlette.requests import Request

    from podium.apps.event_assistant import AssistantServices

__all__ = ["agenda_routes"]

_MAX_BODY = 10_000
_MAX_CODE = 300


def _attendee(services: AssistantServices, actor: str) -> Attendee:
    if services.notes is None:
        raise BackendError("this assistant keeps no attendee notes")
    return Attendee(
        memory=services.memory,
        notes=services.notes,
        kb=services.kb,
        memory_id=services.memory_id,
        actor_id=actor,
    )


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > _MAX_BODY:
        raise InvalidInput(f"the body is larger than {_MAX_BODY} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidInput("the body must be a JSON object") from e
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    return body


def _code(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_CODE:
        raise InvalidInput("code must be a session code (for example SEC212) or title")
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise InvalidInput("code has control characters")
    return value


def _feedback_input(body: dict[str, Any]) -> tuple[str, int | None, bool | None]:
    rating = body.get("rating")
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5
    ):
        raise InvalidInput("rating must be an integer from 1 to 5")
    attended = body.get("attended")
    if attended is not None and not isinstance(attended, bool):
        raise InvalidInput("attended must be true or false")
    if rating is None and attended is None:
        raise InvalidInput("give a rating (1-5), attended, or both")
    return _code(body.get("code")), rating, attended


def agenda_routes(
    actor_of: Callable[[Request], Awaitable[str]],
    ready: Callable[[], Awaitable[AssistantServices]],
) -> list[BaseRoute]:
    """The agenda and feedback routes; ``actor_of`` verifies the token, ``ready`` the services."""

    @guard
    async def agenda(request: Request) -> Response:
        person = _attendee(await ready(), await actor_of(request))
        return JSONResponse({"agenda": await run_in_threadpool(person.agenda)})

    @guard
    async def add(request: Request) -> Response:
        actor = await actor_of(request)
        code = _code((await _body(request)).get("code"))
        person = _attendee(await ready(), actor)
        return JSONResponse(await run_in_threadpool(person.add_to_agenda, code))

    @guard
    async def remove(request: Request) -> Response:
        actor = await actor_of(request)
        code = _code(request.path_params["code"])
        person = _attendee(await ready(), actor)
        return JSONResponse(await run_in_threadpool(person.remove_from_agenda, code))

    @guard
    async def feedback(request: Request) -> Response:
        person = _attendee(await ready(), await actor_of(request))
        return JSONResponse({"feedback": await run_in_threadpool(person.feedback)})

    @guard
    async def rate(request: Request) -> Response:
        actor = await actor_of(request)
        code, rating, attended = _feedback_input(await _body(request))
        person = _attendee(await ready(), actor)

        def write() -> dict[str, Any]:
            return person.record_feedback(code, rating=rating, attended=attended)

        return JSONResponse(await run_in_threadpool(write))

    return [
        Route("/api/agenda", agenda, methods=["GET"]),
        Route("/api/agenda", add, methods=["POST"]),
        Route("/api/agenda/{code:path}", remove, methods=["DELETE"]),
        Route("/api/feedback", feedback, methods=["GET"]),
        Route("/api/feedback", rate, methods=["POST"]),
    ]
