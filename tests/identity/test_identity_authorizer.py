"""The JWT authorizer against live OIDC providers (the dev issuer, and a third-party-like one)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from fixtures.identity import HTTP, Issuer, LiveServer, b64url, b64url_json, run
from podium.config import Settings
from podium.errors import ConfigurationError, Unauthorized
from podium.identity import (
    AuthorizerConfig,
    JWTAuthorizer,
    MissingCredentials,
    Principal,
    filter_headers,
    rotate_keys,
    www_authenticate_header,
)

Live = Callable[[Callable[[str], ASGIApp]], LiveServer]


def reject(authorizer: JWTAuthorizer, token_or_header: str | None, *, raw: bool = False) -> str:
    """Authenticate, expect Unauthorized, return its message."""
    header = token_or_header if raw else f"Bearer {token_or_header}"
    with pytest.raises(Unauthorized) as info:
        run(authorizer.authenticate(header))
    return info.value.message


def accept(authorizer: JWTAuthorizer, token: str) -> Principal:
    return run(authorizer.authenticate(f"Bearer {token}"))


def password_grant(issuer: Issuer, user: str = "alice", **form: str) -> dict[str, Any]:
    response = HTTP.post(
        f"{issuer.issuer_url}/token",
        data={
            "grant_type": "password",
            "client_id": "podium-cli",
            "username": user,
            "password": f"{user}-password",
            **form,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


# -- happy path ---------------------------------------------------------------------------------


def test_token_from_dev_issuer_is_accepted_and_actor_is_sub(issuer: Issuer) -> None:
    tokens = password_grant(issuer)
    authorizer = issuer.authorizer(
        allowed_audience=["podium"],
        allowed_clients=["podium-cli"],
        allowed_scopes=["podium/invoke"],
    )
    principal = accept(authorizer, tokens["access_token"])
    assert principal.actor_id == "alice"
    assert principal.client_id == "podium-cli"
    assert "podium/invoke" in principal.scopes
    assert principal.claims["iss"] == issuer.issuer_url
    assert principal.claims["token_use"] == "access"
    assert authorizer.discovery_fetch_count == 1
    # Cached: a second request does not hit the network again.
    fetches = issuer.jwks_fetches
    accept(authorizer, password_grant(issuer, "bob")["access_token"])
    assert issuer.jwks_fetches == fetches
    assert authorizer.discovery_fetch_count == 1


def test_id_token_is_accepted_with_client_rule_on_aud(issuer: Issuer) -> None:
    id_token = password_grant(issuer)["id_token"]
    principal = accept(issuer.authorizer(allowed_clients=["podium-cli"]), id_token)
    assert principal.actor_id == "alice"
    assert principal.client_id == "podium-cli"
    assert reject(issuer.authorizer(allowed_clients=["podium-web"]), id_token) == (
        "client not allowed"
    )


# -- time claims --------------------------------------------------------------------------------


def test_expired_token_is_rejected_but_leeway_applies(issuer: Issuer) -> None:
    authorizer = issuer.authorizer(leeway_s=30)
    now = int(time.time())
    expired = issuer.sign(issuer.claims(iat=now - 600, exp=now - 120))
    assert reject(authorizer, expired) == "token expired"
    within_leeway = issuer.sign(issuer.claims(iat=now - 600, exp=now - 10))
    assert accept(authorizer, within_leeway).actor_id == "alice"


def test_exp_is_required(issuer: Issuer) -> None:
    token = issuer.sign(issuer.claims(exp=None))
    assert reject(issuer.authorizer(), token) == "token has no 'exp' claim"


def test_not_yet_valid_nbf_is_rejected(issuer: Issuer) -> None:
    now = int(time.time())
    token = issuer.sign(issuer.claims(nbf=now + 300))
    assert reject(issuer.authorizer(), token) == "token not yet valid"
    assert accept(issuer.authorizer(), issuer.sign(issuer.claims(nbf=now + 10)))


def test_iat_in_the_future_beyond_leeway_is_rejected(issuer: Issuer) -> None:
    now = int(time.time())
    token = issuer.sign(issuer.claims(iat=now + 300, exp=now + 900))
    assert reject(issuer.authorizer(leeway_s=30), token) == "token issued in the future"
    assert accept(issuer.authorizer(leeway_s=30), issuer.sign(issuer.claims(iat=now + 10)))
    assert reject(issuer.authorizer(), issuer.sign(issuer.claims(iat="yesterday"))) == (
        "invalid 'iat' claim"
    )


# -- issuer, audience, client, scope, custom claims ---------------------------------------------


def test_wrong_issuer_is_rejected_even_with_a_valid_signature(issuer: Issuer) -> None:
    authorizer = issuer.authorizer()
    for iss in ("http://evil.example/idp", issuer.issuer_url + "/", issuer.issuer_url.upper()):
        assert reject(authorizer, issuer.sign(issuer.claims(iss=iss))) == "issuer not trusted"
    assert reject(authorizer, issuer.sign(issuer.claims(iss=None))) == "token has no 'iss' claim"


def test_audience_must_intersect(issuer: Issuer) -> None:
    authorizer = issuer.authorizer(allowed_audience=["podium", "other-api"])
    assert reject(authorizer, issuer.sign(issuer.claims(aud="not-podium"))) == (
        "audience not allowed"
    )
    assert reject(authorizer, issuer.sign(issuer.claims(aud=None))) == "audience not allowed"
    assert accept(authorizer, issuer.sign(issuer.claims(aud=["x", "other-api"])))
    # Not configured: any audience passes.
    assert accept(issuer.authorizer(), issuer.sign(issuer.claims(aud="anything")))


def test_client_rule_order_client_id_then_azp_then_aud(issuer: Issuer) -> None:
    authorizer = issuer.authorizer(allowed_clients=["podium-web"])
    # client_id wins over aud, both ways.
    assert (
        reject(authorizer, issuer.sign(issuer.claims(client_id="evil", aud="podium-web")))
        == "client not allowed"
    )
    principal = accept(authorizer, issuer.sign(issuer.claims(client_id="podium-web", aud="x")))
    assert principal.client_id == "podium-web"
    # No client_id: azp decides, even if aud would match.
    assert (
        reject(authorizer, issuer.sign(issuer.claims(client_id=None, azp="evil", aud="podium-web")))
        == "client not allowed"
    )
    token = issuer.sign(issuer.claims(client_id=None, azp="podium-web", aud="x"))
    assert accept(authorizer, token).client_id == "podium-web"
    # Neither: aud (ID-token style), string or list.
    token = issuer.sign(issuer.claims(client_id=None, aud="podium-web"))
    assert accept(authorizer, token).client_id == "podium-web"
    token = issuer.sign(issuer.claims(client_id=None, aud=["other", "podium-web"]))
    assert accept(authorizer, token).client_id == "podium-web"
    token = issuer.sign(issuer.claims(client_id=None, aud=None))
    assert reject(authorizer, token) == "client not allowed"


def test_require_user_refuses_client_credentials_tokens(issuer: Issuer) -> None:
    """A token whose sub is its own client names a machine, not a user (issue 11 item 7)."""
    strict = issuer.authorizer(allowed_clients=["podium-service", "podium-cli"], require_user=True)
    for claims in (
        issuer.claims(sub="podium-service", client_id="podium-service", username=None),
        issuer.claims(sub="podium-cli", client_id="podium-cli"),
        issuer.claims(sub="podium-cli", client_id=None, azp="podium-cli"),
    ):
        assert reject(strict, issuer.sign(claims)) == "token has no user (client credentials)"
    assert accept(strict, issuer.sign(issuer.claims())).actor_id == "alice"
    # Off by default: the same client token is a valid machine caller.
    lenient = issuer.authorizer(allowed_clients=["podium-service"])
    service = issuer.sign(issuer.claims(sub="podium-service", client_id="podium-service"))
    assert accept(lenient, service).actor_id == "podium-service"


def test_scopes_any_of_allowed(issuer: Issuer) -> None:
    authorizer = issuer.authorizer(allowed_scopes=["podium/admin", "podium/invoke"])
    assert reject(authorizer, issuer.sign(issuer.claims(scope="openid email"))) == (
        "missing required scope"
    )
    assert reject(authorizer, issuer.sign(issuer.claims(scope=None))) == "missing required scope"
    # Scope matching is by whole item, not substring.
    assert reject(authorizer, issuer.sign(issuer.claims(scope="podium/invoker"))) == (
        "missing required scope"
    )
    assert accept(authorizer, issuer.sign(issuer.claims(scope="openid podium/invoke"))).scopes == (
        "openid",
        "podium/invoke",
    )
    assert accept(authorizer, issuer.sign(issuer.claims(scope=None, scp=["podium/admin"])))


def test_custom_claims_rules(issuer: Issuer) -> None:
    authorizer = issuer.authorizer(
        custom_claims={
            "tenant": "acme",
            "groups": {"contains": "admins"},
            "tier": {"any_of": ["gold", "silver"]},
            "email_verified": True,
        }
    )

    def token(**claims: Any) -> str:
        base: dict[str, Any] = {"tenant": "acme", "groups": ["users", "admins"], "tier": "gold"}
        base["email_verified"] = True
        base.update(claims)
        return issuer.sign(issuer.claims(**base))

    assert accept(authorizer, token()).actor_id == "alice"
    assert reject(authorizer, token(tenant="globex")) == "claim 'tenant' does not match"
    assert reject(authorizer, token(tenant=None)) == "claim 'tenant' is missing"
    assert reject(authorizer, token(groups=["users"])) == "claim 'groups' does not match"
    assert reject(authorizer, token(groups="notadmins")) == "claim 'groups' does not match"
    assert accept(authorizer, token(groups="users admins"))
    assert reject(authorizer, token(tier="bronze")) == "claim 'tier' does not match"
    assert accept(authorizer, token(tier=["bronze", "silver"]))
    assert reject(authorizer, token(email_verified="true")) == (
        "claim 'email_verified' does not match"
    )
    with pytest.raises(ConfigurationError):
        AuthorizerConfig(discovery_url=issuer.discovery_url, custom_claims={"x": {"regex": ".*"}})
    with pytest.raises(ConfigurationError):
        AuthorizerConfig(discovery_url=issuer.discovery_url, custom_claims={"x": {"any_of": []}})


# -- signatures and algorithms ------------------------------------------------------------------


def test_tampered_payload_fails_signature(issuer: Issuer) -> None:
    header, _, signature = issuer.sign(issuer.claims()).split(".")
    forged = f"{header}.{b64url_json(issuer.claims(sub='mallory'))}.{signature}"
    assert reject(issuer.authorizer(), forged) == "invalid signature"
    # Signature bytes flipped.
    token = issuer.sign(issuer.claims())
    flipped = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert reject(issuer.authorizer(), flipped) == "invalid signature"


def test_alg_none_is_rejected(issuer: Issuer) -> None:
    kid = issuer.keys.current().kid
    for alg in ("none", "None", "NONE"):
        unsigned = f"{b64url_json({'alg': alg, 'kid': kid})}.{b64url_json(issuer.claims())}."
        # An empty signature does not even look like a JWS to the header parser.
        assert "malformed" in reject(issuer.authorizer(), unsigned)
        with_junk_sig = unsigned + "c2ln"
        assert reject(issuer.authorizer(), with_junk_sig) == "unsigned tokens are not accepted"


def test_hs256_signed_with_the_public_key_is_rejected(issuer: Issuer) -> None:
    current = issuer.keys.current()
    public_pem = current.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    authorizer = issuer.authorizer()
    for alg, digest in (("HS256", hashlib.sha256), ("HS512", hashlib.sha512)):
        signing_input = f"{b64url_json({'alg': alg, 'typ': 'JWT', 'kid': current.kid})}"
        signing_input += f".{b64url_json(issuer.claims())}"
        mac = hmac.new(public_pem, signing_input.encode(), digest).digest()
        token = f"{signing_input}.{b64url(mac)}"
        assert reject(authorizer, token) == "symmetric (HS*) algorithms are not accepted"


def test_algorithm_must_match_key_type(issuer: Issuer) -> None:
    # PS256 with the issuer's RSA key, whose JWK declares alg RS256: refused.
    key = issuer.keys.current()
    token = jwt.encode(
        issuer.claims(), key.private_key, algorithm="PS256", headers={"kid": key.kid}
    )
    assert reject(issuer.authorizer(), token) == "algorithm does not match the signing key"
    # ES256 header pointing at the RSA kid.
    ec_key = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(issuer.claims(), ec_key, algorithm="ES256", headers={"kid": key.kid})
    assert reject(issuer.authorizer(), token) == "algorithm does not match the signing key"


def test_unknown_kid_refreshes_jwks_rate_limited_then_rejects(issuer: Issuer) -> None:
    # The rogue key is made first: generating it inside the interval could use it up.
    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(issuer.claims(), rogue, algorithm="RS256", headers={"kid": "rogue-kid"})
    authorizer = issuer.authorizer(jwks_min_refresh_interval_s=2.0)
    accept(authorizer, issuer.sign(issuer.claims()))
    assert authorizer.jwks_fetch_count == 1
    before = issuer.jwks_fetches
    # Just loaded: no refresh yet within the interval.
    assert reject(authorizer, token) == "unknown signing key"
    assert issuer.jwks_fetches == before
    time.sleep(2.1)
    assert reject(authorizer, token) == "unknown signing key"
    assert issuer.jwks_fetches == before + 1
    for _ in range(5):
        assert reject(authorizer, token) == "unknown signing key"
    assert issuer.jwks_fetches == before + 1
    assert authorizer.jwks_fetch_count == 2
    # Rogue key claiming the real kid: signature check fails.
    forged = jwt.encode(
        issuer.claims(), rogue, algorithm="RS256", headers={"kid": issuer.keys.current().kid}
    )
    assert reject(authorizer, forged) == "invalid signature"


def test_jwks_rotation_is_picked_up_with_a_single_refresh(
    make_issuer: Callable[..., Issuer],
) -> None:
    idp = make_issuer()
    authorizer = idp.authorizer(jwks_min_refresh_interval_s=0.3)
    old_token = password_grant(idp)["access_token"]
    accept(authorizer, old_token)
    assert idp.jwks_fetches == 1
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    new_kid = rotate_keys(idp.home)
    assert new_kid != old_kid
    new_token = password_grant(idp)["access_token"]
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    time.sleep(0.35)

    async def many() -> list[Principal]:
        return await asyncio.gather(
            *(authorizer.authenticate(f"Bearer {new_token}") for _ in range(10))
        )

    principals = run(many())
    assert {p.actor_id for p in principals} == {"alice"}
    assert idp.jwks_fetches == 2  # once, not per request
    for _ in range(5):
        accept(authorizer, new_token)
    accept(authorizer, old_token)  # the old key stays published
    assert idp.jwks_fetches == 2
    assert authorizer.jwks_fetch_count == 2


# -- malformed input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer a.b",
        "Bearer a.b.c.d",
        "Bearer a.b.c extra",
        "Token a.b.c",
        "Bearer\ta.b.c",
        "Bearer " + "a" * 20000 + ".b.c",
        os.urandom(64).decode("latin-1"),
        "Bearer " + os.urandom(48).decode("latin-1"),
    ],
)
def test_garbage_authorization_headers(issuer: Issuer, header: str) -> None:
    authorizer = issuer.authorizer()
    message = reject(authorizer, header, raw=True)
    assert message == "malformed Authorization header"
    assert authorizer.discovery_fetch_count == 0  # rejected before any network call


def test_missing_header_and_garbage_jws(issuer: Issuer) -> None:
    authorizer = issuer.authorizer()
    for header in (None, "", "   "):
        with pytest.raises(MissingCredentials):
            run(authorizer.authenticate(header))
    assert reject(authorizer, "bearer a.b.c", raw=True) == "malformed token"
    assert reject(authorizer, f"{b64url(b'not json')}.e30.c2ln") == "malformed token"
    # No kid: tolerated because the provider publishes a single key, which then must verify.
    assert reject(authorizer, f"{b64url_json({'alg': 'RS256'})}.e30.c2ln") == "invalid signature"


# -- actor --------------------------------------------------------------------------------------


def test_actor_claim_is_configurable(issuer: Issuer) -> None:
    authorizer = issuer.authorizer(actor_claim="username")
    token = issuer.sign(issuer.claims(sub="3f0d8c2e-0000-4000-8000-1234567890ab", username="carol"))
    assert accept(authorizer, token).actor_id == "carol"
    assert reject(authorizer, issuer.sign(issuer.claims())) == (
        "actor claim 'username' is missing or not a string"
    )
    assert accept(issuer.authorizer(), token).actor_id == "3f0d8c2e-0000-4000-8000-1234567890ab"
    # The dev issuer puts the username in its own claim too.
    assert accept(authorizer, password_grant(issuer, "bob")["access_token"]).actor_id == "bob"


@pytest.mark.parametrize(
    ("actor", "ok"),
    [
        ("alice", True),
        ("user/42:tenant-a", True),
        ("a", True),
        ("x" * 255, True),
        ("x" * 256, False),
        ("alice@example.com", False),
        ("-alice", False),
        ("ali ce", False),
        ("a::b", False),
        ("élodie", False),
    ],
)
def test_actor_id_rules(issuer: Issuer, actor: str, ok: bool) -> None:
    token = issuer.sign(issuer.claims(sub=actor))
    if ok:
        assert accept(issuer.authorizer(), token).actor_id == actor
    else:
        assert "not a valid actor id" in reject(issuer.authorizer(), token)


# -- other providers (EC / EdDSA keys), provider outages ----------------------------------------


def test_third_party_provider_with_ec_and_eddsa_keys(live_server: Live) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ec_jwk = jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True)
    ed_jwk = jwt.algorithms.OKPAlgorithm.to_jwk(ed_key.public_key(), as_dict=True)
    ec_jwk.update(kid="ec-1", use="sig")
    ed_jwk.update(kid="ed-1")
    enc_jwk = dict(ec_jwk, kid="enc-1", use="enc")
    oct_jwk = {"kty": "oct", "kid": "oct-1", "k": b64url(b"secret")}

    def make(base: str) -> ASGIApp:
        async def discovery(request: Request) -> JSONResponse:
            return JSONResponse({"issuer": f"{base}/tenant", "jwks_uri": f"{base}/keys"})

        async def keys(request: Request) -> JSONResponse:
            return JSONResponse({"keys": [ec_jwk, ed_jwk, enc_jwk, oct_jwk]})

        return Starlette(
            routes=[
                Route("/tenant/.well-known/openid-configuration", discovery),
                Route("/keys", keys),
            ]
        )

    server = live_server(make)
    authorizer = JWTAuthorizer(
        AuthorizerConfig(discovery_url=f"{server.url}/tenant/.well-known/openid-configuration")
    )
    now = int(time.time())
    claims = {"iss": f"{server.url}/tenant", "sub": "u1", "iat": now, "exp": now + 60}
    es = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    assert accept(authorizer, es).actor_id == "u1"
    ed = jwt.encode(claims, ed_key, algorithm="EdDSA", headers={"kid": "ed-1"})
    assert accept(authorizer, ed).actor_id == "u1"
    es384 = jwt.encode(
        claims, ec.generate_private_key(ec.SECP384R1()), algorithm="ES384", headers={"kid": "ec-1"}
    )
    assert reject(authorizer, es384) == "algorithm does not match the signing key"
    # Encryption keys and symmetric keys are never used for verification.
    enc = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "enc-1"})
    assert reject(authorizer, enc) == "unknown signing key"
    hs = jwt.encode(claims, b"secret" * 6, algorithm="HS256", headers={"kid": "oct-1"})
    assert reject(authorizer, hs) == "symmetric (HS*) algorithms are not accepted"


def test_provider_unavailable(caplog: pytest.LogCaptureFixture, issuer: Issuer) -> None:
    sock_port = _closed_port()
    authorizer = JWTAuthorizer(
        AuthorizerConfig(
            discovery_url=f"http://127.0.0.1:{sock_port}/.well-known/openid-configuration",
            http_timeout_s=2,
        )
    )
    token = issuer.sign(issuer.claims())
    with caplog.at_level(logging.DEBUG, logger="podium.identity"):
        assert reject(authorizer, token) == "identity provider unavailable"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings, "a warning is logged"
    assert all(token not in r.getMessage() for r in caplog.records)
    assert all(token.split(".")[1] not in r.getMessage() for r in caplog.records)


def test_discovery_404_is_provider_unavailable(issuer: Issuer) -> None:
    authorizer = JWTAuthorizer(
        AuthorizerConfig(discovery_url=f"{issuer.issuer_url}/nope/.well-known/openid-configuration")
    )
    assert reject(authorizer, issuer.sign(issuer.claims())) == "identity provider unavailable"


def test_tokens_never_logged(caplog: pytest.LogCaptureFixture, issuer: Issuer) -> None:
    tokens = [
        issuer.sign(issuer.claims()),
        issuer.sign(issuer.claims(exp=int(time.time()) - 1000)),
        issuer.sign(issuer.claims(sub="bad actor")),
    ]
    with caplog.at_level(logging.DEBUG):
        authorizer = issuer.authorizer()
        for token in tokens:
            with contextlib.suppress(Unauthorized):
                run(authorizer.authenticate(f"Bearer {token}"))
    text = "\n".join(r.getMessage() for r in caplog.records)
    for token in tokens:
        assert token.split(".")[1] not in text
        assert token.split(".")[2] not in text


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- config, headers, challenge -----------------------------------------------------------------


def test_config_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "PODIUM_AUTH_DISCOVERY_URL": "https://cognito-idp.eu-west-1.amazonaws.com/"
        "eu-west-1_abc/.well-known/openid-configuration",
        "PODIUM_AUTH_ALLOWED_CLIENTS": "c1, c2",
        "PODIUM_AUTH_ALLOWED_SCOPES": "podium/invoke",
        "PODIUM_AUTH_CUSTOM_CLAIMS": '{"tenant": "acme"}',
        "PODIUM_AUTH_ACTOR_CLAIM": "username",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    config = AuthorizerConfig.from_settings(settings)
    assert config.discovery_url.startswith("https://cognito-idp.eu-west-1")
    assert list(config.allowed_clients) == ["c1", "c2"]
    assert list(config.allowed_scopes) == ["podium/invoke"]
    assert list(config.allowed_audience) == []
    assert config.custom_claims == {"tenant": "acme"}
    assert config.actor_claim == "username"
    monkeypatch.delenv("PODIUM_AUTH_DISCOVERY_URL")
    with pytest.raises(ConfigurationError, match="PODIUM_AUTH_DISCOVERY_URL"):
        AuthorizerConfig.from_settings(Settings())
    with pytest.raises(ConfigurationError):
        AuthorizerConfig(discovery_url="file:///etc/passwd")


def test_filter_headers() -> None:
    headers = {
        "Authorization": "Bearer x.y.z",
        "X-Custom-Tenant": "acme",
        "x-other": "1",
        "Cookie": "s=1",
    }
    assert filter_headers(headers, ["x-custom-tenant"]) == {"X-Custom-Tenant": "acme"}
    assert filter_headers(headers, ["AUTHORIZATION", "X-Other"]) == {
        "Authorization": "Bearer x.y.z",
        "x-other": "1",
    }
    assert filter_headers(headers, []) == {}


def test_www_authenticate_header() -> None:
    assert www_authenticate_header(Unauthorized("token expired")) == (
        'Bearer realm="podium", error="invalid_token", error_description="token expired"'
    )
    assert www_authenticate_header(MissingCredentials("missing bearer token")) == (
        'Bearer realm="podium"'
    )
    value = www_authenticate_header(Unauthorized('claim "x\\" does not match\n'))
    assert value.endswith("error_description=\"claim 'x'' does not match?\"")
