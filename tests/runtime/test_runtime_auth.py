"""JWT authentication at the gateway, with the dev issuer mounted at /idp (real signatures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.runtime import ACTOR, Gateway, new_session_id, start_gateway
from podium.identity import issue_token, load_dev_directory


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


def _bad_tokens(gw: Gateway) -> dict[str, str]:
    """Tokens the gateway's own dev issuer signed, none of them a user access token of its
    clients (issue 11 item 7: each of them used to be accepted)."""
    issuer = f"{gw.url}/idp"
    grant = {
        "grant_type": "password",
        "client_id": "podium-cli",
        "username": "alice",
        "password": "alice-password",
    }
    id_token = gw.client.post(f"{issuer}/token", data=grant).json()["id_token"]
    secret = load_dev_directory(gw.settings.home).clients["podium-service"].secret
    assert secret
    service = gw.client.post(
        f"{issuer}/token",
        data={"grant_type": "client_credentials"},
        auth=("podium-service", secret),
    ).json()["access_token"]
    return {
        "id token": id_token,
        "aud evil": issue_token(gw.settings.home, issuer, user="alice", audience="evil"),
        "client credentials": service,
        "cli client token": issue_token(gw.settings.home, issuer, user=None),
    }


def test_only_user_access_tokens_of_its_own_clients_are_trusted(secured: Gateway) -> None:
    for kind, value in _bad_tokens(secured).items():
        headers = {"Authorization": f"Bearer {value}"}
        response = secured.invoke({"op": "count"}, headers=headers)
        assert response.status_code == 401, (kind, response.text)
        assert response.json()["error"] == "UnauthorizedException"
        stop = secured.client.post(
            f"{secured.url}/sessions/{new_session_id()}/stop", headers=headers
        )
        assert stop.status_code == 401, kind
    # The normal access token of each own client still works.
    for client in ("podium-cli", "podium-web"):
        value = issue_token(
            secured.settings.home, f"{secured.url}/idp", user="bob", client_id=client
        )
        ok = secured.invoke({"op": "count"}, headers={"Authorization": f"Bearer {value}"})
        assert ok.status_code == 200, (client, ok.text)


def test_allowed_clients_replace_the_dev_defaults(tmp_path: Path) -> None:
    """``serve --dev-idp --allowed-clients podium-service``: machine callers by choice."""
    gw = start_gateway(
        tmp_path / "home", dev_idp=True, isolation="none", auth_allowed_clients=["podium-service"]
    )
    try:
        bad = _bad_tokens(gw)
        service = gw.invoke(
            {"op": "count"}, headers={"Authorization": f"Bearer {bad['client credentials']}"}
        )
        assert service.status_code == 200, service.text
        cli = gw.invoke({"op": "count"}, headers=token(gw, "alice"))
        assert cli.status_code == 401  # podium-cli is no longer in the list
        for kind in ("id token", "aud evil"):
            refused = gw.invoke({"op": "count"}, headers={"Authorization": f"Bearer {bad[kind]}"})
            assert refused.status_code == 401, kind
    finally:
        gw.stop()


def test_dev_issuer_redirects_only_to_the_ui_origins(secured: Gateway) -> None:
    port = secured.settings.port
    params = {
        "response_type": "code",
        "client_id": "podium-web",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
    }

    def authorize(redirect_uri: str) -> int:
        response = secured.client.get(
            f"{secured.url}/idp/authorize",
            params={**params, "redirect_uri": redirect_uri},
            follow_redirects=False,
        )
        return response.status_code

    for ui in (f"http://127.0.0.1:{port}/", f"http://localhost:{port}/"):
        assert authorize(ui) == 200, ui
    for other in (
        "http://127.0.0.1:9999/steal",
        f"http://127.0.0.1:{port}/steal",
        f"http://127.0.0.1:{port}",
        f"http://127.0.0.1:{port + 1}/",
    ):
        assert authorize(other) == 400, other
