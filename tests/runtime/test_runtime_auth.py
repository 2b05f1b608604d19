"""JWT authentication at the gateway, with the dev issuer mounted at /idp (real signatures)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.runtime import ACTOR, Gateway, new_session_id, start_gateway
from podium.identity import issue_token


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    gw = start_gateway(tmp_path_factory.mktemp("rt-auth-home"), dev_idp=True)
    yield gw
    gw.stop()


def token(gw: Gateway, user: str | None) -> dict[str, str]:
    value = issue_token(gw.settings.home, f"{gw.url}/idp", user=user)
    return {"Authorization": f"Bearer {value}"}


def test_gateway_trusts_its_dev_issuer_through_discovery(secured: Gateway) -> None:
    discovery = secured.client.get(f"{secured.url}/idp/.well-known/openid-configuration")
    assert discovery.json()["issuer"] == f"{secured.url}/idp"
    response = secured.invoke({"op": "count"}, headers=token(secured, "alice"))
    assert response.status_code == 200
    seen = {k.lower(): v for k, v in response.json()["headers"].items()}
    assert seen[ACTOR.lower()] == "alice"
    assert "authorization" not in seen
    assert secured.runtime.authorizer is not None
    assert secured.runtime.authorizer.discovery_fetch_count == 1


def test_missing_or_invalid_token_is_401_with_a_challenge(secured: Gateway) -> None:
    before = secured.metrics()
    missing = secured.invoke({"op": "count"})
    assert missing.status_code == 401
    assert missing.json()["error"] == "UnauthorizedException"
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="podium"'
    good = token(secured, "alice")["Authorization"]
    tampered = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
    invalid = secured.invoke({"op": "count"}, headers={"Authorization": tampered})
    assert invalid.status_code == 401
    assert 'error="invalid_token"' in invalid.headers["WWW-Authenticate"]
    assert "Bearer" not in invalid.text.replace("Bearer realm", "")
    # The dev header means nothing when authentication is on.
    forged = secured.invoke({"op": "count"}, headers={"X-Podium-Actor": "alice"})
    assert forged.status_code == 401
    stop = secured.client.post(f"{secured.url}/sessions/{new_session_id()}/stop")
    assert stop.status_code == 401

    def failures(text: str) -> float:
        line = next(x for x in text.splitlines() if x.startswith("podium_runtime_auth_failures"))
        return float(line.split()[-1])

    assert failures(secured.metrics()) == failures(before) + 4


def test_alices_session_is_out_of_bobs_reach(secured: Gateway) -> None:
    alice, bob = token(secured, "alice"), token(secured, "bob")
    sid = new_session_id("alice")
    assert secured.invoke({"op": "count"}, sid, alice).json()["count"] == 1
    response = secured.invoke({"op": "count"}, sid, bob)
    assert response.status_code == 403
    assert response.json()["error"] == "AccessDeniedException"
    stop = secured.client.post(f"{secured.url}/sessions/{sid}/stop", headers=bob)
    assert stop.status_code == 403
    # Bob reached neither the worker nor the session: Alice's count goes on.
    assert secured.invoke({"op": "count"}, sid, alice).json()["count"] == 2
    stop = secured.client.post(f"{secured.url}/sessions/{sid}/stop", headers=alice)
    assert stop.status_code == 200
    # Even after it ended, Bob cannot take the id over.
    assert secured.invoke({"op": "count"}, sid, bob).status_code == 403
