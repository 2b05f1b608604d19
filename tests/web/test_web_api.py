"""The UI API over real HTTP: JWT required, and everything scoped to the token's actor."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.web import UpProcess, wait_for_extraction
from podium.config import Settings
from podium.identity import ensure_dev_users, issue_token, load_dev_directory
from podium.memory import MemoryService
from podium.storage import Database

CAROL_SAYS = "I work at Initech as a data engineer and I prefer serverless workshops."
DAVE_SAYS = "I am a product manager at Globex and I like keynotes about cost."


@dataclass
class World:
    url: str
    home: Path
    memory: MemoryService
    memory_id: str
    carol_session: str
    dave_session: str

    def token(self, user: str) -> str:
        return issue_token(self.home, f"{self.url}/idp", user=user)

    def client(self, user: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def _say(memory: MemoryService, memory_id: str, actor: str, text: str) -> str:
    session = f"api-{actor}-{os.urandom(16).hex()}"
    payload = [{"conversational": {"role": "USER", "content": {"text": text}}}]
    memory.create_event(memory_id, actor, session, payload)
    reply = [{"conversational": {"role": "ASSISTANT", "content": {"text": "Noted, thanks!"}}}]
    memory.create_event(memory_id, actor, session, reply)
    return session


def _records(
    client: httpx.Client, at_least: int = 0, timeout_s: float = 60
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while True:
        response = client.get("/api/memory/records")
        assert response.status_code == 200, response.text
        records: list[dict[str, Any]] = response.json()["records"]
        if len(records) >= at_least:
            return records
        assert time.monotonic() < deadline, "extraction did not produce records in time"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def world(podium: UpProcess) -> Iterator[World]:
    ensure_dev_users(podium.home, {"carol": "carol-password", "dave": "dave-password"})
    settings = Settings(home=podium.home)
    db = Database(settings.resolved_database_url)
    memory = MemoryService(db, settings)
    memory_id = next(m.memory_id for m in memory.list_memories() if m.name == "EventAssistant")
    # Events written straight into memory; the server's extraction worker makes the records.
    w = World(
        url=podium.url,
        home=podium.home,
        memory=memory,
        memory_id=memory_id,
        carol_session=_say(memory, memory_id, "carol", CAROL_SAYS),
        dave_session=_say(memory, memory_id, "dave", DAVE_SAYS),
    )
    # Every strategy's job has run (in any order) before a test reads the records.
    assert wait_for_extraction(podium.home / "podium.db") == 0, "the server's worker left jobs open"
    yield w
    db.dispose()


def test_config_is_public_and_points_at_the_dev_issuer(world: World) -> None:
    with world.client(None) as anonymous:
        config = anonymous.get("/api/config")
    assert config.status_code == 200
    body = config.json()
    assert body["provider"] == "dev" and body["auth"] is True
    assert body["client_id"] == "podium-web"
    assert body["authorization_endpoint"] == "/idp/authorize"
    assert "openid" in body["scope"].split()


@pytest.mark.parametrize(
    "path,method",
    [
        ("/api/me", "GET"),
        ("/api/memory/records", "GET"),
        ("/api/memory/records/mem-0", "DELETE"),
        ("/api/memory/forget", "POST"),
        ("/api/memory/recall?q=work", "GET"),
        ("/api/sessions", "GET"),
        ("/api/sessions/x/messages", "GET"),
        ("/api/catalog/search?q=ai", "GET"),
    ],
)
def test_every_route_needs_a_valid_token(
    world: World, tmp_path: Path, path: str, method: str
) -> None:
    forged = issue_token(tmp_path / "other-home", f"{world.url}/idp", user="alice")
    with world.client(None) as anonymous:
        missing = anonymous.request(method, path)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert set(missing.json()) == {"error", "message"}
        garbage = anonymous.request(method, path, headers={"Authorization": "Bearer x.y.z"})
        assert garbage.status_code == 401
        assert 'error="invalid_token"' in garbage.headers["www-authenticate"]
        # Right issuer URL, but signed with a key the server never published.
        wrong_key = anonymous.request(method, path, headers={"Authorization": f"Bearer {forged}"})
        assert wrong_key.status_code == 401


def test_favicon_is_served_not_a_404(world: World) -> None:
    response = httpx.get(f"{world.url}/favicon.ico", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg")


def test_podium_up_trusts_only_its_own_clients_access_tokens(world: World) -> None:
    """Issue 11 item 7: an ID token, a token for ``aud: evil`` and a client-credentials token
    from podium up's own issuer were all accepted (the last one as actor podium-service)."""
    issuer = f"{world.url}/idp"
    with httpx.Client(base_url=world.url, timeout=30) as anonymous:
        grant = {
            "grant_type": "password",
            "client_id": "podium-cli",
            "username": "carol",
            "password": "carol-password",
        }
        signed_in = anonymous.post("/idp/token", data=grant)
        assert signed_in.status_code == 200, signed_in.text
        secret = load_dev_directory(world.home).clients["podium-service"].secret
        assert secret
        service = anonymous.post(
            "/idp/token",
            data={"grant_type": "client_credentials"},
            auth=("podium-service", secret),
        )
        assert service.status_code == 200, service.text
        refused = {
            "id token": signed_in.json()["id_token"],
            "aud evil": issue_token(world.home, issuer, user="carol", audience="evil"),
            "client credentials": service.json()["access_token"],
        }
        session = {"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": f"tok-{os.urandom(16).hex()}"}
        for kind, value in refused.items():
            auth = {"Authorization": f"Bearer {value}"}
            for method, path in (("GET", "/api/me"), ("GET", "/api/sessions")):
                response = anonymous.request(method, path, headers=auth)
                assert response.status_code == 401, (kind, path, response.text)
                assert response.json()["error"] == "UnauthorizedException"
            invoked = anonymous.post(
                "/invocations", json={"prompt": "hi"}, headers={**auth, **session}
            )
            assert invoked.status_code == 401, (kind, invoked.text)
        # The access tokens of its own clients still work: the password grant's and the UI's.
        for value in (signed_in.json()["access_token"], world.token("carol")):
            me = anonymous.get("/api/me", headers={"Authorization": f"Bearer {value}"})
            assert me.status_code == 200 and me.json()["actor_id"] == "carol"
        web = issue_token(world.home, issuer, user="carol", client_id="podium-web")
        sessions = anonymous.get("/api/sessions", headers={"Authorization": f"Bearer {web}"})
        assert sessions.status_code == 200


def test_sign_in_redirects_only_to_the_ui_origin(world: World) -> None:
    """Issue 11 item 8: any loopback port could receive the code."""
    port = int(world.url.rsplit(":", 1)[1])
    params = {
        "response_type": "code",
        "client_id": "podium-web",
        "scope": "openid podium/invoke",
        "code_challenge": "c" * 43,
        "code_challenge_method": "S256",
    }
    with httpx.Client(base_url=world.url, timeout=30, follow_redirects=False) as browser:

        def authorize(redirect_uri: str, **extra: str) -> httpx.Response:
            return browser.get(
                "/idp/authorize", params={**params, "redirect_uri": redirect_uri, **extra}
            )

        assert authorize(f"http://127.0.0.1:{port}/").status_code == 200
        assert authorize(f"http://localhost:{port}/").status_code == 200
        for uri in ("http://127.0.0.1:9999/steal", f"http://127.0.0.1:{port}/steal"):
            page = authorize(uri)
            assert page.status_code == 400 and "location" not in page.headers
            login = browser.post(
                "/idp/authorize",
                data={
                    **params,
                    "redirect_uri": uri,
                    "username": "carol",
                    "password": "carol-password",
                },
            )
            assert login.status_code == 400 and "location" not in login.headers
        implicit = authorize(f"http://127.0.0.1:{port}/", response_type="token")
        assert implicit.status_code == 400 and "location" not in implicit.headers
        assert "unsupported_response_type" in implicit.text


def test_me_is_the_token_actor_never_a_client_given_one(world: World) -> None:
    with world.client("carol") as carol:
        me = carol.get("/api/me", params={"actor": "dave"}, headers={"X-Podium-Actor": "dave"})
    assert me.status_code == 200
    assert me.json() == {
        "actor_id": "carol",
        "model": {"provider": "offline", "model": "podium-offline", "offline": True},
    }


def test_records_are_listed_with_provenance(world: World) -> None:
    with world.client("carol") as carol:
        records = _records(carol, at_least=1)
    assert all(r["namespace"].split("/")[4] == "carol" for r in records), records
    texts = " ".join(r["text"] for r in records)
    assert "Initech" in texts
    types = {r["strategy"]["type"] for r in records}
    assert types <= {"user_preference", "semantic", "summary"}
    for r in records:
        assert r["source_event_ids"] and r["sources"], r
        quoted = [m["text"] for s in r["sources"] for m in s["messages"] if m["role"] == "USER"]
        assert CAROL_SAYS in quoted
        assert all(s["session_id"] == world.carol_session for s in r["sources"])
        assert r["rationale"]


def test_records_of_another_actor_are_invisible_and_undeletable(world: World) -> None:
    with world.client("carol") as carol, world.client("dave") as dave:
        carols = _records(carol, at_least=1)
        daves = _records(dave, at_least=1)
        assert not {r["id"] for r in carols} & {r["id"] for r in daves}
        assert "Initech" not in str(daves) and "Globex" not in str(carols)
        victim = carols[0]["id"]
        stolen = dave.delete(f"/api/memory/records/{victim}")
        assert stolen.status_code == 404
        assert stolen.json()["error"] == "ResourceNotFoundException"
        assert victim in {r["id"] for r in _records(carol)}
        # The owner can delete it; then it is gone, and a second delete is a 404.
        assert carol.delete(f"/api/memory/records/{victim}").json() == {"deleted": victim}
        assert victim not in {r["id"] for r in _records(carol)}
        assert carol.delete(f"/api/memory/records/{victim}").status_code == 404
        assert carol.delete("/api/memory/records/mem-doesnotexist").status_code == 404


def test_recall_finds_the_callers_own_turns_only(world: World) -> None:
    with world.client("carol") as carol, world.client("dave") as dave:
        found = carol.get("/api/memory/recall", params={"q": "where do I work?", "limit": "3"})
        assert found.status_code == 200, found.text
        body = found.json()
        assert body["actor_id"] == "carol"
        assert body["turns"] and "Initech" in body["turns"][0]["text"]
        assert all(t["sessionId"] == world.carol_session for t in body["turns"])
        # Dave asking about Carol's employer sees only his own past.
        theirs = dave.get("/api/memory/recall", params={"q": "Initech data engineer"}).json()
        assert theirs["turns"] and "Initech" not in str(theirs["turns"])
        assert all(t["sessionId"] == world.dave_session for t in theirs["turns"])
        for bad in ({}, {"q": " "}, {"q": "x" * 501}, {"q": "work", "limit": "0"},
                    {"q": "work", "limit": "many"}):  # fmt: skip
            response = carol.get("/api/memory/recall", params=bad)
            assert response.status_code == 400, (bad, response.text)
            assert set(response.json()) == {"error", "message"}


def test_sessions_and_messages_are_scoped(world: World) -> None:
    with world.client("carol") as carol, world.client("dave") as dave:
        sessions = carol.get("/api/sessions").json()["sessions"]
        mine = next(s for s in sessions if s["id"] == world.carol_session)
        assert mine["title"] == CAROL_SAYS[:120]
        assert world.dave_session not in {s["id"] for s in sessions}
        messages = carol.get(f"/api/sessions/{world.carol_session}/messages")
        assert messages.status_code == 200
        assert messages.json()["messages"][:2] == [
            {"role": "user", "text": CAROL_SAYS, "timestamp": pytest.approx(time.time(), abs=600)},
            {
                "role": "assistant",
                "text": "Noted, thanks!",
                "timestamp": pytest.approx(time.time(), abs=600),
            },
        ]
        other = dave.get(f"/api/sessions/{world.carol_session}/messages")
        assert other.status_code == 404
        assert dave.get("/api/sessions/no-such-session/messages").status_code == 404


def test_catalog_search_with_filters(world: World) -> None:
    with world.client("carol") as carol:
        found = carol.get("/api/catalog/search", params={"q": "security", "topic": "security"})
        assert found.status_code == 200
        sessions = found.json()["sessions"]
        assert sessions and all("security" in s["topics"] for s in sessions)
        workshops = carol.get("/api/catalog/search", params={"type": "workshop", "limit": 50})
        assert workshops.json()["sessions"]
        assert all(s["type"] == "workshop" for s in workshops.json()["sessions"])
        both = carol.get(
            "/api/catalog/search", params={"q": "agents", "day": "Friday", "level": 300}
        )
        assert all(s["day"] == "Friday" and s["level"] == 300 for s in both.json()["sessions"])
        bad_queries: list[dict[str, str]] = [
            {"q": "x", "level": "150"},
            {"q": "x", "day": "Caturday"},
            {},
            {"q": "x", "limit": "0"},
        ]
        for bad in bad_queries:
            response = carol.get("/api/catalog/search", params=bad)
            assert response.status_code == 400, bad
            assert response.json()["error"] == "ValidationException"


def test_forget_me_deletes_only_the_caller(world: World) -> None:
    with world.client("carol") as carol, world.client("dave") as dave:
        _records(dave, at_least=1)
        before = len(_records(carol, at_least=1))
        forgot = dave.post("/api/memory/forget")
        assert forgot.status_code == 200 and forgot.json()["forgotten"] is True
        assert _records(dave) == []
        assert dave.get("/api/sessions").json()["sessions"] == []
        assert len(_records(carol)) == before
        assert world.carol_session in {
            s["id"] for s in carol.get("/api/sessions").json()["sessions"]
        }
