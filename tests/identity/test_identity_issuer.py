"""The dev OIDC issuer over real HTTP: discovery, JWKS, grants, PKCE, key persistence."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from starlette.types import ASGIApp

from fixtures.identity import HTTP, WEB_REDIRECT, Issuer, LiveServer, run
from podium.errors import InvalidInput
from podium.identity import (
    AuthorizerConfig,
    JWTAuthorizer,
    create_issuer_app,
    ensure_dev_users,
    issue_token,
    jwk_thumbprint,
    load_dev_directory,
    rotate_keys,
)

Live = Callable[[Callable[[str], ASGIApp]], LiveServer]


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def service_secret(issuer: Issuer) -> str:
    secret = load_dev_directory(issuer.home).clients["podium-service"].secret
    assert secret
    return secret


def post_token(issuer: Issuer, data: dict[str, str], **kwargs: Any) -> httpx.Response:
    return HTTP.post(f"{issuer.issuer_url}/token", data=data, **kwargs)


def authorize_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": "podium-web",
        "redirect_uri": WEB_REDIRECT,
        "scope": "openid podium/invoke",
        "state": "st-123",
        "nonce": "n-456",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v}


def login(
    issuer: Issuer, params: dict[str, str], password: str = "alice-password"
) -> httpx.Response:
    return HTTP.post(
        f"{issuer.issuer_url}/authorize",
        data={**params, "username": "alice", "password": password},
        follow_redirects=False,
    )


def get_code(issuer: Issuer, challenge: str, **overrides: str) -> str:
    response = login(issuer, authorize_params(challenge, **overrides))
    assert response.status_code == 303, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["st-123"]
    return query["code"][0]


def exchange(issuer: Issuer, code: str, verifier: str, **overrides: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "client_id": "podium-web",
        "code": code,
        "redirect_uri": WEB_REDIRECT,
        "code_verifier": verifier,
    }
    data.update(overrides)
    return post_token(issuer, data)


def verify(issuer: Issuer, token: str, **config: Any) -> dict[str, Any]:
    authorizer = JWTAuthorizer(AuthorizerConfig(discovery_url=issuer.discovery_url, **config))
    return run(authorizer.authenticate(f"Bearer {token}")).claims


# -- discovery and keys -------------------------------------------------------------------------


def test_discovery_document(issuer: Issuer) -> None:
    response = HTTP.get(issuer.discovery_url)
    assert response.status_code == 200
    doc = response.json()
    base = issuer.issuer_url
    assert doc["issuer"] == base
    assert doc["jwks_uri"] == f"{base}/jwks.json"
    assert doc["token_endpoint"] == f"{base}/token"
    assert doc["authorization_endpoint"] == f"{base}/authorize"
    assert doc["response_types_supported"] == ["code"]
    assert set(doc["grant_types_supported"]) == {
        "authorization_code",
        "password",
        "client_credentials",
    }
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "openid" in doc["scopes_supported"]


def test_jwks_publishes_public_keys_with_thumbprint_kid(issuer: Issuer) -> None:
    keys = HTTP.get(f"{issuer.issuer_url}/jwks.json").json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"] == jwk_thumbprint(key)
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    assert len(base64.urlsafe_b64decode(key["n"] + "==")) == 256  # RSA-2048


def test_standalone_issuer_app(live_server: Live, tmp_path: Path) -> None:
    server = live_server(lambda base: create_issuer_app(base, tmp_path))
    doc = HTTP.get(f"{server.url}/.well-known/openid-configuration").json()
    assert doc["issuer"] == server.url
    token = HTTP.post(
        f"{server.url}/token",
        data={
            "grant_type": "password",
            "client_id": "podium-cli",
            "username": "bob",
            "password": "bob-password",
        },
    ).json()["access_token"]
    authorizer = JWTAuthorizer(
        AuthorizerConfig(discovery_url=f"{server.url}/.well-known/openid-configuration")
    )
    assert run(authorizer.authenticate(f"Bearer {token}")).actor_id == "bob"


def test_keys_persist_across_restarts(make_issuer: Callable[..., Issuer], tmp_path: Path) -> None:
    home = tmp_path / "persist"
    first = make_issuer(home=home)
    kid1 = HTTP.get(f"{first.issuer_url}/jwks.json").json()["keys"][0]["kid"]
    first.server.stop()
    second = make_issuer(home=home)
    kid2 = HTTP.get(f"{second.issuer_url}/jwks.json").json()["keys"][0]["kid"]
    assert kid1 == kid2
    pem_files = list((home / "idp" / "keys").glob("*.pem"))
    assert [p.stem for p in pem_files] == [kid1]
    assert stat.S_IMODE(pem_files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "idp" / "users.json").stat().st_mode) == 0o600


def test_rotation_keeps_old_key_published(make_issuer: Callable[..., Issuer]) -> None:
    idp = make_issuer()
    old = idp.keys.current().kid
    new = rotate_keys(idp.home)
    kids = [k["kid"] for k in HTTP.get(f"{idp.issuer_url}/jwks.json").json()["keys"]]
    assert kids == [new, old]
    token = issue_token(idp.home, idp.issuer_url, user="alice")
    assert jwt.get_unverified_header(token)["kid"] == new
    rotate_keys(idp.home)
    rotate_keys(idp.home, keep=2)
    assert len(HTTP.get(f"{idp.issuer_url}/jwks.json").json()["keys"]) == 2
    assert len(list((idp.home / "idp" / "keys").glob("*.pem"))) == 2


# -- client_credentials -------------------------------------------------------------------------


def test_a_malformed_code_verifier_is_refused_on_any_grant(issuer: Issuer) -> None:
    """Found by the HTTP fuzzer: client_credentials ignored a malformed code_verifier (a 200
    for a request the documented schema forbids)."""
    secret = service_secret(issuer)
    for verifier in ("", "short", "x" * 200):
        refused = post_token(
            issuer,
            {"grant_type": "client_credentials", "code_verifier": verifier},
            auth=("podium-service", secret),
        )
        assert refused.status_code == 400, verifier
        assert refused.json()["error"] == "invalid_request"


def test_client_credentials_grant(issuer: Issuer) -> None:
    secret = service_secret(issuer)
    basic = post_token(
        issuer, {"grant_type": "client_credentials"}, auth=("podium-service", secret)
    )
    assert basic.status_code == 200, basic.text
    assert basic.headers["cache-control"] == "no-store"
    body = basic.json()
    assert body["token_type"] == "Bearer"
    assert "id_token" not in body
    claims = verify(issuer, body["access_token"], allowed_clients=["podium-service"])
    assert claims["sub"] == "podium-service"
    assert claims["client_id"] == "podium-service"
    assert claims["token_use"] == "access"
    assert claims["scope"] == "podium/invoke"
    assert {"iss", "aud", "iat", "exp", "jti"} <= set(claims)

    in_form = post_token(
        issuer,
        {
            "grant_type": "client_credentials",
            "client_id": "podium-service",
            "client_secret": secret,
        },
    )
    assert in_form.status_code == 200

    wrong = post_token(issuer, {"grant_type": "client_credentials"}, auth=("podium-service", "x"))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.headers["www-authenticate"].startswith("Basic")

    no_secret = post_token(
        issuer, {"grant_type": "client_credentials", "client_id": "podium-service"}
    )
    assert no_secret.status_code == 401

    public = post_token(issuer, {"grant_type": "client_credentials", "client_id": "podium-cli"})
    assert public.status_code == 400
    assert public.json()["error"] == "unauthorized_client"

    bad_scope = post_token(
        issuer,
        {"grant_type": "client_credentials", "scope": "openid"},
        auth=("podium-service", secret),
    )
    assert bad_scope.status_code == 400
    assert bad_scope.json()["error"] == "invalid_scope"


# -- password -----------------------------------------------------------------------------------


def test_password_grant(issuer: Issuer) -> None:
    ok = post_token(
        issuer,
        {
            "grant_type": "password",
            "client_id": "podium-cli",
            "username": "alice",
            "password": "alice-password",
            "scope": "openid email",
        },
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["scope"] == "openid email"
    access = verify(issuer, body["access_token"])
    assert access["sub"] == "alice" and access["username"] == "alice"
    assert access["aud"] == "podium"
    id_claims = verify(issuer, body["id_token"], allowed_clients=["podium-cli"])
    assert id_claims["aud"] == "podium-cli"
    assert id_claims["token_use"] == "id"
    assert id_claims["email"] == "alice@example.test"
    assert id_claims["name"] == "Alice"

    def error(data: dict[str, str], status: int = 400) -> str:
        response = post_token(issuer, data)
        assert response.status_code == status, response.text
        return str(response.json()["error"])

    base = {"grant_type": "password", "client_id": "podium-cli", "username": "alice"}
    assert error({**base, "password": "wrong"}) == "invalid_grant"
    assert error({**base, "username": "mallory", "password": "x"}) == "invalid_grant"
    assert error(base) == "invalid_request"
    assert error({**base, "password": "alice-password", "scope": "admin"}) == "invalid_scope"
    assert error({**base, "password": "alice-password", "client_id": "podium-web"}) == (
        "unauthorized_client"
    )
    assert error({**base, "password": "x", "client_id": "nope"}, 401) == "invalid_client"
    assert error({**base, "password": "x", "grant_type": "implicit"}) == "unsupported_grant_type"
    as_json = HTTP.post(f"{issuer.issuer_url}/token", json={**base, "password": "alice-password"})
    assert as_json.status_code == 400
    assert as_json.json()["error"] == "invalid_request"


# -- authorization code + PKCE ------------------------------------------------------------------


def test_authorize_page_is_an_accessible_form(issuer: Issuer) -> None:
    _, challenge = pkce_pair()
    response = HTTP.get(f"{issuer.issuer_url}/authorize", params=authorize_params(challenge))
    assert response.status_code == 200
    html = response.text
    assert '<html lang="en">' in html
    assert '<label for="username">' in html and 'id="username"' in html
    assert '<label for="password">' in html and 'type="password"' in html
    assert '<button type="submit">' in html
    assert 'action="authorize"' in html
    assert challenge in html  # carried through as a hidden field
    assert "alice" not in html
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    secret = service_secret(issuer)
    assert secret not in html


def test_authorization_code_with_pkce(issuer: Issuer) -> None:
    verifier, challenge = pkce_pair()
    code = get_code(issuer, challenge)
    response = exchange(issuer, code, verifier)
    assert response.status_code == 200, response.text
    body = response.json()
    access = verify(
        issuer, body["access_token"], allowed_clients=["podium-web"], allowed_audience=["podium"]
    )
    assert access["sub"] == "alice"
    assert access["scope"] == "openid podium/invoke"
    id_claims = verify(issuer, body["id_token"], allowed_clients=["podium-web"])
    assert id_claims["nonce"] == "n-456"
    assert id_claims["aud"] == "podium-web"

    # Single use: a replay fails.
    replay = exchange(issuer, code, verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_pkce_failures(issuer: Issuer) -> None:
    verifier, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()

    def error(response: httpx.Response) -> str:
        assert response.status_code == 400, response.text
        return str(response.json()["error"])

    assert error(exchange(issuer, get_code(issuer, challenge), other_verifier)) == "invalid_grant"
    code = get_code(issuer, challenge)
    assert error(exchange(issuer, code, "")) == "invalid_grant"
    # The failed attempt consumed the code.
    assert error(exchange(issuer, code, verifier)) == "invalid_grant"
    assert (
        error(
            exchange(issuer, get_code(issuer, challenge), verifier, redirect_uri=WEB_REDIRECT + "x")
        )
        == "invalid_grant"
    )
    assert error(exchange(issuer, "made-up-code", verifier)) == "invalid_grant"
    # A code issued to podium-web cannot be redeemed by another client.
    stolen = get_code(issuer, challenge)
    other = exchange(issuer, stolen, verifier, client_id="test-web")
    assert error(other) == "invalid_grant"
    assert other.json()["error_description"] == "authorization code was issued to another client"
    # A client without the code grant is refused before the code is looked at.
    service = post_token(
        issuer,
        {"grant_type": "authorization_code", "code": get_code(issuer, challenge)},
        auth=("podium-service", service_secret(issuer)),
    )
    assert error(service) == "unauthorized_client"


def test_code_expires(make_issuer: Callable[..., Issuer]) -> None:
    idp = make_issuer(code_ttl_s=0.3)
    verifier, challenge = pkce_pair()
    code = get_code(idp, challenge)
    time.sleep(0.4)
    response = exchange(idp, code, verifier)
    assert response.status_code == 400
    assert response.json()["error_description"] == "authorization code expired"


def test_redirect_uri_rules(issuer: Issuer) -> None:
    _, challenge = pkce_pair()

    def authorize(**overrides: str) -> httpx.Response:
        return HTTP.get(
            f"{issuer.issuer_url}/authorize",
            params=authorize_params(challenge, **overrides),
            follow_redirects=False,
        )

    # podium-web: its registered URI only (issue 11 item 8: it used to be any loopback port/path).
    assert authorize(redirect_uri=WEB_REDIRECT).status_code == 200
    # Never redirect to an unregistered URI: an error page instead.
    for uri in (
        "http://localhost:3000/cb",
        "http://127.0.0.1:9/x/y?z=1",
        "http://127.0.0.1:9999/steal",
        WEB_REDIRECT + "/",
        WEB_REDIRECT.replace("127.0.0.1", "localhost"),
        "http://evil.example/cb",
        "https://127.0.0.1:5173/cb",
        "http://127.0.0.1/cb",
        "http://127.0.0.1:5173/cb#frag",
        "http://user@127.0.0.1:5173/cb",
        "",
    ):
        response = authorize(redirect_uri=uri)
        assert response.status_code == 400, uri
        assert "location" not in response.headers
        assert 'role="alert"' in response.text
    assert authorize(client_id="nope").status_code == 400
    # A registered client: exact match only.
    exact = "https://app.example.test/callback"
    assert authorize(client_id="test-web", redirect_uri=exact).status_code == 200
    assert authorize(client_id="test-web", redirect_uri=exact + "/x").status_code == 400
    assert authorize(client_id="test-web", redirect_uri=WEB_REDIRECT).status_code == 400
    # The POST re-checks too.
    response = login(issuer, authorize_params(challenge, redirect_uri="http://evil.example/cb"))
    assert response.status_code == 400


def test_authorize_request_errors_redirect_back(issuer: Issuer) -> None:
    _, challenge = pkce_pair()

    def redirect_error(**overrides: str) -> str:
        response = HTTP.get(
            f"{issuer.issuer_url}/authorize",
            params=authorize_params(challenge, **overrides),
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        assert location.startswith(WEB_REDIRECT)
        query = parse_qs(urlsplit(location).query)
        assert query["state"] == ["st-123"]
        return query["error"][0]

    assert redirect_error(code_challenge="") == "invalid_request"
    assert redirect_error(code_challenge_method="plain") == "invalid_request"
    assert redirect_error(scope="openid admin") == "invalid_scope"


def test_loopback_redirects_and_the_implicit_flow_are_refused(issuer: Issuer) -> None:
    """Issue 11 item 8: ``redirect_uri=http://127.0.0.1:9999/steal`` received the code, and
    ``response_type=token`` redirected there without any login."""
    _, challenge = pkce_pair()
    steal = "http://127.0.0.1:9999/steal"
    for params in (
        authorize_params(challenge, redirect_uri=steal),
        authorize_params(challenge, redirect_uri=steal, response_type="token"),
        authorize_params(challenge, response_type="token"),
        authorize_params(challenge, response_type="code token"),
        authorize_params(challenge, response_type=""),
    ):
        page = HTTP.get(f"{issuer.issuer_url}/authorize", params=params, follow_redirects=False)
        posted = login(issuer, params)  # the right password changes nothing
        for response in (page, posted):
            assert response.status_code == 400, (params, response.text)
            assert "location" not in response.headers
            assert "code=" not in response.text
            assert 'role="alert"' in response.text
        if params.get("redirect_uri") == WEB_REDIRECT:
            assert "unsupported_response_type" in page.text
    # PKCE is still required for the registered URI.
    no_pkce = login(issuer, authorize_params(""))
    assert no_pkce.status_code == 303
    assert "error=invalid_request" in no_pkce.headers["location"]


def test_wrong_password_on_login_form(issuer: Issuer) -> None:
    _, challenge = pkce_pair()
    response = login(issuer, authorize_params(challenge), password="nope")
    assert response.status_code == 401
    assert "location" not in response.headers
    assert 'role="alert"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="alice"' in response.text  # username kept, password not echoed
    assert "nope" not in response.text


# -- dev users and the CLI helper ---------------------------------------------------------------


def test_users_file_never_stores_plain_passwords(tmp_path: Path) -> None:
    directory = ensure_dev_users(tmp_path)
    assert set(directory.users) == {"alice", "bob"}
    assert set(directory.clients) == {"podium-web", "podium-cli", "podium-service"}
    raw = (tmp_path / "idp" / "users.json").read_text()
    assert "alice-password" not in raw
    data = json.loads(raw)
    assert data["clients"]["podium-service"]["secret"]
    assert directory.users["alice"].check_password("alice-password")
    assert not directory.users["alice"].check_password("bob-password")

    secret = data["clients"]["podium-service"]["secret"]
    again = ensure_dev_users(tmp_path, {"alice": "new-pass", "carol": "carol-pass"})
    assert again.users["alice"].check_password("new-pass")
    assert again.users["carol"].check_password("carol-pass")
    assert again.users["bob"].check_password("bob-password")
    assert again.clients["podium-service"].secret == secret  # kept, not regenerated
    with pytest.raises(InvalidInput):
        ensure_dev_users(tmp_path, {"bad name!": "x"})


def test_issue_token_helper(issuer: Issuer) -> None:
    token = issue_token(issuer.home, issuer.issuer_url, user="bob", ttl_s=120)
    claims = verify(issuer, token, allowed_clients=["podium-cli"])
    assert claims["sub"] == "bob"
    assert claims["exp"] - claims["iat"] == 120
    service = issue_token(issuer.home, issuer.issuer_url, client_id="podium-service")
    assert verify(issuer, service)["sub"] == "podium-service"
    scoped = issue_token(issuer.home, issuer.issuer_url, user="alice", scopes=["podium/invoke"])
    assert verify(issuer, scoped, allowed_scopes=["podium/invoke"])["scope"] == "podium/invoke"
    with pytest.raises(InvalidInput, match="unknown dev user"):
        issue_token(issuer.home, issuer.issuer_url, user="mallory")
    with pytest.raises(InvalidInput, match="unknown dev client"):
        issue_token(issuer.home, issuer.issuer_url, user="alice", client_id="nope")
    with pytest.raises(InvalidInput, match="not allowed"):
        issue_token(issuer.home, issuer.issuer_url, user="alice", scopes=["admin"])


def test_new_users_are_picked_up_without_restart(make_issuer: Callable[..., Issuer]) -> None:
    idp = make_issuer()
    data = {
        "grant_type": "password",
        "client_id": "podium-cli",
        "username": "dave",
        "password": "dave-pw",
    }
    assert post_token(idp, data).status_code == 400
    ensure_dev_users(idp.home, {"dave": "dave-pw"})
    assert post_token(idp, data).status_code == 200
