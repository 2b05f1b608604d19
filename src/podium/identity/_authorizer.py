"""Inbound JWT authorizer: the equivalent of AgentCore Identity's ``customJWTAuthorizer``.

One code path for every OpenID Connect provider (Cognito, Entra ID, Okta, Auth0, Keycloak, the
built-in dev issuer): fetch the discovery document at ``discovery_url``, trust exactly its
``issuer``, fetch its ``jwks_uri`` and verify bearer tokens with PyJWT.

Rules, checked in this order after the signature, ``iss`` and the time claims:

* **allowed_audience** (if configured): the token's ``aud`` (a string or a list) must contain at
  least one allowed value.
* **allowed_clients** (if configured): the client is taken from the ``client_id`` claim if
  present, else ``azp``, else ``aud``. Cognito access tokens carry ``client_id`` (and no ``aud``),
  ID tokens carry ``aud``; a token that names a ``client_id`` is judged on it alone, even if its
  ``aud`` would match.
* **allowed_scopes** (if configured): the token's ``scope`` (space-separated string) or ``scp``
  (list) must contain *at least one* of the allowed scopes (AgentCore semantics).
* **require_user** (off by default): refuse a token whose ``sub`` is its own client
  (``client_id`` or ``azp``): that is a client-credentials token of Cognito, Okta or the dev
  issuer, which names a machine client, not a user.
* **custom_claims**: ``claim name -> rule``. A plain value (string, number, bool) must equal the
  claim exactly; ``{"equals": v}`` is the same; ``{"contains": v}`` needs a list claim holding
  ``v`` (or a space-separated string claim with ``v`` as one of its words); ``{"any_of": [...]}``
  needs the claim (or, for a list claim, one of its items) to be one of the values.
* **actor**: the ``actor_claim`` (default ``sub``) must be a string valid as an AgentCore
  ``actorId``: 1-255 chars matching ``[a-zA-Z0-9][a-zA-Z0-9-_/]*(?::[a-zA-Z0-9-_/]+)*[a-zA-Z0-9-_/]*``.

Only asymmetric algorithms are accepted (RS*, PS*, ES*, EdDSA); ``none`` and HS* are refused
before any key is looked up, which also defeats the "HS256 signed with the RSA public key" trick.
An unknown ``kid`` triggers one JWKS refresh at most every ``jwks_min_refresh_interval_s``.

Tokens are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from podium.errors import ConfigurationError, Unauthorized

logger = logging.getLogger(__name__)

__all__ = [
    "ACTOR_ID_PATTERN",
    "AuthorizerConfig",
    "JWTAuthorizer",
    "MissingCredentials",
    "Principal",
    "filter_headers",
    "www_authenticate_header",
]

ACTOR_ID_PATTERN = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_/]*(?::[a-zA-Z0-9\-_/]+)*[a-zA-Z0-9\-_/]*")
_ACTOR_MAX_LEN = 255
_MAX_TOKEN_LEN = 16 * 1024
_JWS_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_PROVIDER_DOWN = "identity provider unavailable"
_FAILED_FETCH_BACKOFF_S = 1.0

# Algorithm -> (key type, EC/OKP curves it may be used with; empty = any curve of that type).
_ALGORITHMS: dict[str, tuple[str, frozenset[str]]] = {
    "RS256": ("RSA", frozenset()),
    "RS384": ("RSA", frozenset()),
    "RS512": ("RSA", frozenset()),
    "PS256": ("RSA", frozenset()),
    "PS384": ("RSA", frozenset()),
    "PS512": ("RSA", frozenset()),
    "ES256": ("EC", frozenset({"P-256"})),
    "ES384": ("EC", frozenset({"P-384"})),
    "ES512": ("EC", frozenset({"P-521"})),
    "EdDSA": ("OKP", frozenset({"Ed25519", "Ed448"})),
}
_RULE_KEYS = frozenset({"equals", "contains", "any_of"})


class MissingCredentials(Unauthorized):
    """No bearer token at all (RFC 6750 3.1: the challenge then carries no error code)."""


@dataclass(kw_only=True)
class AuthorizerConfig:
    """How inbound tokens are verified. See the module docstring for the rules."""

    discovery_url: str
    allowed_audience: Sequence[str] = ()
    allowed_clients: Sequence[str] = ()
    allowed_scopes: Sequence[str] = ()
    custom_claims: Mapping[str, Any] = field(default_factory=dict)
    actor_claim: str = "sub"
    require_user: bool = False
    leeway_s: float = 30.0
    jwks_min_refresh_interval_s: float = 30.0
    http_timeout_s: float = 5.0

    def __post_init__(self) -> None:
        if not self.discovery_url.startswith(("https://", "http://")):
            raise ConfigurationError(
                "PODIUM_AUTH_DISCOVERY_URL must be an http(s) URL of an OpenID Connect "
                f"discovery document, got {self.discovery_url!r}"
            )
        if not self.actor_claim:
            raise ConfigurationError("PODIUM_AUTH_ACTOR_CLAIM must not be empty")
        if self.leeway_s < 0 or self.jwks_min_refresh_interval_s < 0 or self.http_timeout_s <= 0:
            raise ConfigurationError("leeway, refresh interval and timeout must be positive")
        for name, rule in self.custom_claims.items():
            _validate_rule(name, rule)

    @classmethod
    def from_settings(cls, settings: Any) -> AuthorizerConfig:
        """Build from :class:`podium.config.Settings` (``PODIUM_AUTH_*``)."""
        if not settings.auth_discovery_url:
            raise ConfigurationError(
                "PODIUM_AUTH_DISCOVERY_URL is not set: point it at your identity provider's "
                "/.well-known/openid-configuration, or use the built-in dev issuer"
            )
        return cls(
            discovery_url=settings.auth_discovery_url,
            allowed_audience=tuple(settings.auth_allowed_audience),
            allowed_clients=tuple(settings.auth_allowed_clients),
            allowed_scopes=tuple(settings.auth_allowed_scopes),
            custom_claims=dict(settings.auth_custom_claims),
            actor_claim=settings.auth_actor_claim,
        )


@dataclass(kw_only=True, frozen=True)
class Principal:
    """Who is calling, as established by a verified token."""

    actor_id: str
    claims: dict[str, Any]
    client_id: str | None
    scopes: tuple[str, ...]


def _validate_rule(name: str, rule: Any) -> None:
    if isinstance(rule, str | int | float | bool):
        return
    if isinstance(rule, Mapping) and len(rule) == 1 and next(iter(rule)) in _RULE_KEYS:
        op, value = next(iter(rule.items()))
        if op == "any_of" and not (isinstance(value, list | tuple) and value):
            raise ConfigurationError(
                f"PODIUM_AUTH_CUSTOM_CLAIMS[{name!r}]: any_of needs a non-empty list"
            )
        return
    raise ConfigurationError(
        f"PODIUM_AUTH_CUSTOM_CLAIMS[{name!r}] must be a string/number/bool or one of "
        '{"equals": v}, {"contains": v}, {"any_of": [v, ...]}'
    )


def _claim_matches(value: Any, rule: Any) -> bool:
    if not isinstance(rule, Mapping):
        return _same(value, rule)
    op, expected = next(iter(rule.items()))
    if op == "equals":
        return _same(value, expected)
    if op == "contains":
        if isinstance(value, list):
            return any(_same(item, expected) for item in value)
        if isinstance(value, str) and isinstance(expected, str):
            return expected in value.split()
        return False
    # any_of
    items = value if isinstance(value, list) else [value]
    return any(_same(item, e) for item in items for e in expected)


def _same(a: Any, b: Any) -> bool:
    # bool is an int in Python; True must not match a claim of 1.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _token_scopes(claims: Mapping[str, Any]) -> tuple[str, ...]:
    raw = claims.get("scope")
    if raw is None:
        raw = claims.get("scp")
    if isinstance(raw, str):
        return tuple(dict.fromkeys(raw.split()))
    if isinstance(raw, list):
        return tuple(dict.fromkeys(s for s in raw if isinstance(s, str)))
    return ()


def _audiences(claims: Mapping[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list):
        return [a for a in aud if isinstance(a, str)]
    return []


def _client_candidates(claims: Mapping[str, Any]) -> list[str]:
    """client_id, else azp, else aud: the first claim present decides."""
    for name in ("client_id", "azp"):
        value = claims.get(name)
        if value is not None:
            return [value] if isinstance(value, str) else []
    return _audiences(claims)


def _named_clients(claims: Mapping[str, Any]) -> set[str]:
    return {v for v in (claims.get("client_id"), claims.get("azp")) if isinstance(v, str)}


def _parse_bearer(authorization_header: str | None) -> str:
    if authorization_header is None or not authorization_header.strip():
        raise MissingCredentials("missing bearer token")
    parts = authorization_header.strip().split(" ")
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise Unauthorized("malformed Authorization header")
    token = parts[1].strip()
    if len(token) > _MAX_TOKEN_LEN or not _JWS_COMPACT.fullmatch(token):
        raise Unauthorized("malformed Authorization header")
    return token


@dataclass(kw_only=True)
class _Provider:
    issuer: str
    jwks_uri: str


class JWTAuthorizer:
    """Verifies bearer tokens against one OpenID Connect provider.

    Thread-unsafe but task-safe: share one instance per process/event loop. Network fetches use
    a short-lived ``httpx.AsyncClient`` so the instance may be used from several event loops.
    """

    def __init__(self, config: AuthorizerConfig) -> None:
        self.config = config
        self._provider: _Provider | None = None
        self._jwks: dict[str | None, dict[str, Any]] = {}
        self._pyjwk: dict[tuple[str | None, str], jwt.PyJWK] = {}
        self._jwks_loaded = False
        self._last_jwks_attempt = float("-inf")
        self._last_failure = float("-inf")
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self.jwks_fetch_count = 0
        self.discovery_fetch_count = 0

    # -- public ---------------------------------------------------------------------------------

    async def authenticate(self, authorization_header: str | None) -> Principal:
        """Verify ``Authorization: Bearer <jwt>`` and return the caller.

        Raises:
            MissingCredentials: no header (a subclass of Unauthorized).
            Unauthorized: anything wrong with the header, token or provider, with a short reason.
        """
        return await self.verify_token(_parse_bearer(authorization_header))

    async def verify_token(self, token: str) -> Principal:
        """Verify a bare compact JWS token (no ``Bearer`` prefix)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise Unauthorized("malformed token") from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise Unauthorized("unsigned tokens are not accepted")
        if alg.upper().startswith("HS"):
            raise Unauthorized("symmetric (HS*) algorithms are not accepted")
        if alg not in _ALGORITHMS:
            raise Unauthorized(f"algorithm {alg[:16]!r} is not accepted")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise Unauthorized("malformed token")

        provider = await self._get_provider()
        key = await self._key_for(kid, alg)
        claims = self._decode(token, key, alg, provider.issuer)
        return self._check_rules(claims)

    def www_authenticate(self, error: Unauthorized) -> str:
        """Shortcut for :func:`www_authenticate_header`."""
        return www_authenticate_header(error)

    # -- provider metadata ----------------------------------------------------------------------

    def _get_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock = asyncio.Lock()
            self._lock_loop = loop
        return self._lock

    async def _fetch_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(
                timeout=self.config.http_timeout_s, follow_redirects=True
            ) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            self._last_failure = time.monotonic()
            logger.warning(
                "url=<%s>, error=<%s> | could not fetch %s", url, type(exc).__name__, what
            )
            raise Unauthorized(_PROVIDER_DOWN) from None
        if not isinstance(data, dict):
            self._last_failure = time.monotonic()
            logger.warning("url=<%s> | %s is not a JSON object", url, what)
            raise Unauthorized(_PROVIDER_DOWN)
        return data

    async def _get_provider(self) -> _Provider:
        if self._provider is not None:
            return self._provider
        async with self._get_lock():
            if self._provider is not None:
                return self._provider
            if time.monotonic() - self._last_failure < _FAILED_FETCH_BACKOFF_S:
                raise Unauthorized(_PROVIDER_DOWN)
            self.discovery_fetch_count += 1
            doc = await self._fetch_json(self.config.discovery_url, "OIDC discovery document")
            issuer, jwks_uri = doc.get("issuer"), doc.get("jwks_uri")
            if not isinstance(issuer, str) or not issuer:
                logger.warning(
                    "url=<%s> | discovery document has no issuer", self.config.discovery_url
                )
                self._last_failure = time.monotonic()
                raise Unauthorized(_PROVIDER_DOWN)
            if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
                logger.warning(
                    "url=<%s> | discovery document has no jwks_uri", self.config.discovery_url
                )
                self._last_failure = time.monotonic()
                raise Unauthorized(_PROVIDER_DOWN)
            self._provider = _Provider(issuer=issuer, jwks_uri=jwks_uri)
            logger.info("issuer=<%s> | loaded OIDC discovery document", issuer)
            return self._provider

    async def _refresh_jwks(self, provider: _Provider) -> None:
        self._last_jwks_attempt = time.monotonic()
        self.jwks_fetch_count += 1
        data = await self._fetch_json(provider.jwks_uri, "JWKS")
        raw_keys = data.get("keys")
        if not isinstance(raw_keys, list):
            logger.warning("url=<%s> | JWKS has no keys list", provider.jwks_uri)
            raise Unauthorized(_PROVIDER_DOWN)
        keys: dict[str | None, dict[str, Any]] = {}
        for jwk in raw_keys:
            if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
                continue
            if jwk.get("kty") not in ("RSA", "EC", "OKP"):
                continue  # symmetric ("oct") keys are never trusted
            kid = jwk.get("kid")
            keys[kid if isinstance(kid, str) else None] = jwk
        self._jwks = keys
        self._pyjwk = {}
        self._jwks_loaded = True
        logger.info("issuer=<%s>, keys=<%d> | refreshed JWKS", provider.issuer, len(keys))

    def _lookup(self, kid: str | None) -> dict[str, Any] | None:
        if kid is None:
            # Tolerated only when the provider publishes exactly one signing key.
            return next(iter(self._jwks.values())) if len(self._jwks) == 1 else None
        return self._jwks.get(kid)

    async def _key_for(self, kid: str | None, alg: str) -> jwt.PyJWK:
        jwk = self._lookup(kid) if self._jwks_loaded else None
        if jwk is None:
            provider = await self._get_provider()
            async with self._get_lock():
                jwk = self._lookup(kid) if self._jwks_loaded else None
                if jwk is None:
                    elapsed = time.monotonic() - self._last_jwks_attempt
                    if not self._jwks_loaded or elapsed >= self.config.jwks_min_refresh_interval_s:
                        if time.monotonic() - self._last_failure < _FAILED_FETCH_BACKOFF_S:
                            raise Unauthorized(_PROVIDER_DOWN)
                        await self._refresh_jwks(provider)
                        jwk = self._lookup(kid)
            if jwk is None:
                raise Unauthorized("unknown signing key")
        return self._pyjwk_for(kid, jwk, alg)

    def _pyjwk_for(self, kid: str | None, jwk: dict[str, Any], alg: str) -> jwt.PyJWK:
        kty, curves = _ALGORITHMS[alg]
        declared = jwk.get("alg")
        if jwk.get("kty") != kty or (declared is not None and declared != alg):
            raise Unauthorized("algorithm does not match the signing key")
        if curves and jwk.get("crv") not in curves:
            raise Unauthorized("algorithm does not match the signing key")
        cached = self._pyjwk.get((kid, alg))
        if cached is not None:
            return cached
        try:
            pyjwk = jwt.PyJWK(jwk, algorithm=alg)
        except jwt.PyJWTError:
            logger.warning("kid=<%s> | provider published an unusable key", kid)
            raise Unauthorized("unknown signing key") from None
        self._pyjwk[(kid, alg)] = pyjwk
        return pyjwk

    # -- token checks ---------------------------------------------------------------------------

    def _decode(self, token: str, key: jwt.PyJWK, alg: str, issuer: str) -> dict[str, Any]:
        leeway = self.config.leeway_s
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                issuer=issuer,
                leeway=leeway,
                options={
                    "require": ["exp", "iss"],
                    "verify_aud": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise Unauthorized("invalid signature") from None
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token expired") from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("issuer not trusted") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthorized(f"token has no '{exc.claim}' claim") from None
        except jwt.DecodeError:
            raise Unauthorized("malformed token") from None
        except jwt.InvalidTokenError:
            raise Unauthorized("invalid token") from None
        if not isinstance(claims, dict):
            raise Unauthorized("malformed token")
        now = time.time()
        exp = claims.get("exp")
        if not _is_number(exp):
            raise Unauthorized("invalid token")
        for name in ("nbf", "iat"):
            value = claims.get(name)
            if value is None:
                continue
            if not _is_number(value):
                raise Unauthorized(f"invalid '{name}' claim")
            if value > now + leeway:
                raise Unauthorized(
                    "token not yet valid" if name == "nbf" else "token issued in the future"
                )
        return claims

    def _check_rules(self, claims: dict[str, Any]) -> Principal:
        cfg = self.config
        if cfg.allowed_audience and not set(_audiences(claims)) & set(cfg.allowed_audience):
            raise Unauthorized("audience not allowed")
        candidates = _client_candidates(claims)
        if cfg.allowed_clients and not set(candidates) & set(cfg.allowed_clients):
            raise Unauthorized("client not allowed")
        if cfg.require_user and claims.get("sub") in _named_clients(claims):
            raise Unauthorized("token has no user (client credentials)")
        scopes = _token_scopes(claims)
        if cfg.allowed_scopes and not set(scopes) & set(cfg.allowed_scopes):
            raise Unauthorized("missing required scope")
        for name, rule in cfg.custom_claims.items():
            if name not in claims:
                raise Unauthorized(f"claim '{name}' is missing")
            if not _claim_matches(claims[name], rule):
                raise Unauthorized(f"claim '{name}' does not match")
        actor = claims.get(cfg.actor_claim)
        if not isinstance(actor, str) or not actor:
            raise Unauthorized(f"actor claim '{cfg.actor_claim}' is missing or not a string")
        if len(actor) > _ACTOR_MAX_LEN or not ACTOR_ID_PATTERN.fullmatch(actor):
            raise Unauthorized(
                f"actor claim '{cfg.actor_claim}' is not a valid actor id (1-255 letters, digits, "
                "'-', '_', '/', with ':' only between them)"
            )
        client_id = candidates[0] if len(candidates) == 1 else None
        if cfg.allowed_clients and client_id is None:
            client_id = next(c for c in candidates if c in cfg.allowed_clients)
        return Principal(actor_id=actor, claims=claims, client_id=client_id, scopes=scopes)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _quoted(text: str) -> str:
    # RFC 6750 3: error_description is %x20-21 / %x23-5B / %x5D-7E (no '"' or '\').
    return "".join(
        c if 0x20 <= ord(c) <= 0x7E and c not in '"\\' else ("'" if c in '"\\' else "?")
        for c in text
    )


def www_authenticate_header(error: Unauthorized, *, realm: str = "podium") -> str:
    """RFC 6750 ``WWW-Authenticate`` value for a 401 caused by ``error``."""
    if isinstance(error, MissingCredentials):
        return f'Bearer realm="{_quoted(realm)}"'
    return (
        f'Bearer realm="{_quoted(realm)}", error="invalid_token", '
        f'error_description="{_quoted(error.message)}"'
    )


def filter_headers(headers: Mapping[str, str], allowlist: Sequence[str]) -> dict[str, str]:
    """Only the allowlisted headers (case-insensitive names), as given.

    ``Authorization`` too is passed only if it is listed.
    """
    allowed = {name.strip().lower() for name in allowlist if name.strip()}
    return {name: value for name, value in headers.items() if name.lower() in allowed}
