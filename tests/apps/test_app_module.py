"""The AgentCore app module in-process (``httpx.ASGITransport``): JSON and SSE modes, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from podium.agents import ACTOR_HEADER, SESSION_HEADER
from podium.apps.event_assistant import AssistantServices
from podium.apps.event_assistant import app as app_module

ASK = "Find security workshops"


@pytest.fixture(scope="module", autouse=True)
def configured(assistant: AssistantServices) -> Iterator[None]:
    app_module.configure(assistant)
    yield
    app_module.configure(None)


def _post(body: Any, headers: dict[str, str], *, raw: bytes | None = None) -> httpx.Response:
    """One request, in its own event loop and context (as each request is under uvicorn)."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app_module.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as c:
            if raw is not None:
                return await c.post("/invocations", content=raw, headers=headers)
            return await c.post("/invocations", json=body, headers=headers)

    return asyncio.run(go())


def _headers(actor: str | None, session: str | None = "app-session-0001") -> dict[str, str]:
    headers = {}
    if actor is not None:
        headers[ACTOR_HEADER] = actor
    if session is not None:
        headers[SESSION_HEADER] = session
    return headers


def _sse(response: httpx.Response) -> list[dict[str, Any]]:
    events = []
    for block in response.text.split("\n\n"):
        if block.strip():
            assert block.startswith("data: "), block
            events.append(json.loads(block[len("data: ") :]))
    return events


def test_json_mode_answers_with_cards_and_citations(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    response = _post({"prompt": ASK, "stream": False}, _headers("carol", "app-json-0001"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"text", "tool_calls", "sessions", "cited", "model", "profile"}
    assert [c["name"] for c in body["tool_calls"]] == ["search_sessions"]
    assert body["cited"] and set(body["cited"]) <= set(catalog)
    assert [s["code"] for s in body["sessions"]] == body["cited"]
    assert body["model"] == {"model_id": "podium-offline", "offline": True}
    # The turn was stored for the actor from the header, in the session from the header.
    events, _ = assistant.memory.list_events(assistant.memory_id, "carol", "app-json-0001")
    assert [e.messages()[0]["role"] for e in events] == ["USER", "ASSISTANT", "TOOL", "ASSISTANT"]
    assert events[0].messages()[0]["content"]["text"] == ASK


def test_sse_mode_streams_text_tool_call_and_final(catalog: dict[str, Any]) -> None:
    response = _post({"prompt": ASK}, _headers("carol", "app-sse-0001"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _sse(response)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "tool_call" and kinds[-1] == "final"
    assert set(kinds[1:-1]) == {"text"}
    assert events[0]["name"] == "search_sessions"
    final = events[-1]
    assert "".join(e["data"] for e in events if e["type"] == "text") == final["text"]
    assert final["cited"] and set(final["cited"]) <= set(catalog)


def test_a_session_keeps_its_agent_and_actors_stay_apart(assistant: AssistantServices) -> None:
    intro = "My name is Dana, I work at Globex and I'm interested in databases."
    first = _post({"prompt": intro, "stream": False}, _headers("dana", "app-shared-0001"))
    assert first.status_code == 200 and "Dana" in first.json()["text"]
    # Another actor on the same session id gets its own agent and memory scope.
    other = _post({"prompt": "Hi!", "stream": False}, _headers("erin", "app-shared-0001"))
    assert other.status_code == 200
    assert "Dana" not in other.json()["text"] and "Globex" not in other.json()["text"]
    second = _post({"prompt": "Thanks!", "stream": False}, _headers("dana", "app-shared-0001"))
    assert second.status_code == 200
    mem, mid = assistant.memory, assistant.memory_id
    dana, _ = mem.list_events(mid, "dana", "app-shared-0001")
    erin, _ = mem.list_events(mid, "erin", "app-shared-0001")
    assert [
        e.messages()[0]["content"]["text"] for e in dana if e.messages()[0]["role"] == "USER"
    ] == [
        intro,
        "Thanks!",
    ]
    assert [
        e.messages()[0]["content"]["text"] for e in erin if e.messages()[0]["role"] == "USER"
    ] == ["Hi!"]


def test_missing_actor_is_401_json() -> None:
    response = _post({"prompt": ASK, "stream": False}, _headers(None))
    assert response.status_code == 401
    assert response.json() == {
        "error": "UnauthorizedException",
        "message": "no verified actor in the request context",
    }
    # Authentication comes before payload checks.
    assert _post({"prompt": ""}, _headers(None)).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": ""},
        {"prompt": "   "},
        {"prompt": 5},
        {"text": "hello"},
        ["not", "an", "object"],
        {"prompt": "hi", "stream": "no"},
        {"prompt": "x" * 20_001},
    ],
)
def test_bad_payload_is_400_json(body: Any) -> None:
    response = _post(body, _headers("carol"))
    assert response.status_code == 400
    payload = response.json()
    assert payload["error"] == "ValidationException" and payload["message"]


def test_missing_session_and_bad_json_are_400() -> None:
    response = _post({"prompt": ASK}, _headers("carol", None))
    assert response.status_code == 400 and "session" in response.json()["message"]
    response = _post(None, _headers("carol"), raw=b"{not json")
    assert response.status_code == 400


def test_ping() -> None:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app_module.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as c:
            return await c.get("/ping")

    response = asyncio.run(go())
    assert response.status_code == 200 and response.json()["status"] == "Healthy"


def test_public_surface_is_in_sync() -> None:
    import podium.apps.event_assistant as package

    exported = set(package.__all__)
    assert all(hasattr(package, name) for name in exported)
    public = {n for n in vars(package) if not n.startswith("_") and n not in {"annotations"}}
    # Everything public the package binds is exported (submodules aside).
    modules = {n for n in public if type(getattr(package, n)).__name__ == "module"}
    assert public - modules == exported
    assert app_module.__all__ == ["app", "configure", "invoke"]
