"""The agenda and feedback API over real HTTP: token's actor only, validated input, JSON errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.web import UpProcess
from podium.apps.event_assistant._agenda import overlaps
from podium.identity import ensure_dev_users, issue_token


@pytest.fixture(scope="module")
def sessions(small_catalog: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in small_catalog.read_text().splitlines() if line.strip()]
    return {r["code"]: r for r in rows}


@pytest.fixture(scope="module")
def client(podium: UpProcess) -> Iterator[Any]:
    ensure_dev_users(podium.home, {"erin": "erin-password", "frank": "frank-password"})
    opened: list[httpx.Client] = []

    def make(user: str) -> httpx.Client:
        token = issue_token(podium.home, f"{podium.url}/idp", user=user)
        c = httpx.Client(
            base_url=podium.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def _clash(sessions: dict[str, dict[str, Any]]) -> tuple[str, str]:
    rows = sorted(sessions.values(), key=lambda r: r["code"])
    return next(
        (a["code"], b["code"])
        for a in rows
        for b in rows
        if a["code"] < b["code"] and overlaps(a, b)
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/agenda"),
        ("POST", "/api/agenda"),
        ("DELETE", "/api/agenda/SEC212"),
        ("GET", "/api/feedback"),
        ("POST", "/api/feedback"),
    ],
)
def test_agenda_routes_need_a_token(podium: UpProcess, method: str, path: str) -> None:
    response = httpx.request(method, f"{podium.url}{path}", json={"code": "SEC212"}, timeout=30)
    assert response.status_code == 401
    assert set(response.json()) == {"error", "message"}


def test_agenda_add_clash_list_remove(client: Any, sessions: dict[str, Any]) -> None:
    first, second = _clash(sessions)
    erin = client("erin")
    added = erin.post("/api/agenda", json={"code": first})
    assert added.status_code == 200, added.text
    assert added.json()["added"]["code"] == first and added.json()["clashes"] == []
    clash = erin.post("/api/agenda", json={"code": second.lower()})
    assert clash.status_code == 200, clash.text
    assert [c["code"] for c in clash.json()["clashes"]] == [first]
    agenda = erin.get("/api/agenda").json()["agenda"]
    assert {a["code"]: a["clashes_with"] for a in agenda} == {first: [second], second: [first]}
    assert erin.delete(f"/api/agenda/{second}").json()["removed"] == second
    assert [a["code"] for a in erin.get("/api/agenda").json()["agenda"]] == [first]
    gone = erin.delete(f"/api/agenda/{second}")
    assert gone.status_code == 404 and set(gone.json()) == {"error", "message"}
    # The notes are not a conversation in the sessions list.
    assert all(s["id"] != "attendee-notes" for s in erin.get("/api/sessions").json()["sessions"])


def test_feedback_is_recorded_with_provenance_and_isolated(
    client: Any, sessions: dict[str, Any]
) -> None:
    code = sorted(sessions)[2]
    erin, frank = client("erin"), client("frank")
    rated = erin.post("/api/feedback", json={"code": code, "rating": 5})
    assert rated.status_code == 200, rated.text
    note = rated.json()["feedback"]
    assert note["rating"] == 5 and note["attended"] is True and note["source_event_ids"]
    went = erin.post("/api/feedback", json={"code": code, "attended": True})
    assert went.json()["feedback"]["rating"] == 5  # marking attended keeps the rating
    assert [f["code"] for f in erin.get("/api/feedback").json()["feedback"]] == [code]
    # The long-term record is one of erin's memory records, and only hers.
    records = erin.get("/api/memory/records").json()["records"]
    assert any("/attendee/feedback/" in r["namespace"] for r in records)
    assert frank.get("/api/feedback").json()["feedback"] == []
    assert frank.get("/api/agenda").json()["agenda"] == []
    assert not any(
        "/attendee/" in r["namespace"] for r in frank.get("/api/memory/records").json()["records"]
    )
    # The memory panel's Delete works on a note too, and only for its owner.
    (mine,) = [r for r in records if "/attendee/feedback/" in r["namespace"]]
    assert frank.delete(f"/api/memory/records/{mine['id']}").status_code == 404
    assert erin.delete(f"/api/memory/records/{mine['id']}").status_code == 200
    assert erin.get("/api/feedback").json()["feedback"] == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/feedback", {"code": "SEC212", "rating": 6}),
        ("/api/feedback", {"code": "SEC212", "rating": True}),
        ("/api/feedback", {"code": "SEC212", "rating": 4.5}),
        ("/api/feedback", {"code": "SEC212", "attended": "yes"}),
        ("/api/feedback", {"code": "SEC212"}),
        ("/api/feedback", {"rating": 3}),
        ("/api/agenda", {"code": ""}),
        ("/api/agenda", {"code": 12}),
        ("/api/agenda", []),
        ("/api/agenda", "not json"),
    ],
)
def test_bad_input_is_a_400(client: Any, path: str, body: Any) -> None:
    erin = client("erin")
    if body == "not json":
        response = erin.post(path, content=b"{nope", headers={"content-type": "application/json"})
    else:
        response = erin.post(path, json=body)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error", "message"}


def test_unknown_session_is_a_404(client: Any) -> None:
    response = client("erin").post("/api/agenda", json={"code": "ZZZ999"})
    assert response.status_code == 404
    assert set(response.json()) == {"error", "message"}
