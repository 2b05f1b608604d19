"""The built-in development OIDC issuer (stands in for Cognito on a laptop).

A Starlette app with the endpoints an OIDC relying party and the Podium authorizer need::

    GET  /.well-known/openid-configuration
    GET  /jwks.json
    GET  /authorize     login form (authorization code + PKCE S256; exact redirect URIs)
    POST /authorize     check credentials, redirect to redirect_uri?code=...&state=...
    POST /token         grants: authorization_code (+PKCE), password, client_credentials

It is mountable under a prefix (``Mount("/idp", app=create_issuer_app(".../idp", home))``) or
runnable on its own. ``issuer_url`` must be the externally visible URL of wherever it is mounted:
it becomes the ``iss`` claim and the base of every endpoint in the discovery document.

Keys and users are re-read from ``<home>/idp/`` when the files change (from the database, when
given one: scaled mode, see :mod:`._store`), so ``rotate_keys`` and
``ensure_dev_users`` from another process take effect without a restart. Password checks (the
password grant and the login form) go through :class:`~._throttle.PasswordChecker`: a bounded
executor of their own and failure backoff, answered with 429 and ``Retry-After`` when refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from podium.errors import InvalidInput

from ._directory import (
    USER_SCOPES,
    DevClient,
    DevDirectory,
    DevUser,
    ensure_dev_users,
    load_dev_directory,
)
from ._keys import idp_dir, open_key_store
from ._login_page import render_error_page, render_login_page
from ._minter import SIGNING_ALG, TokenMinter
from ._throttle import LoginThrottle, PasswordChecker, Throttled

if TYPE_CHECKING:
    from podium.storage import Database

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_AUDIENCE", "create_issuer_app", "issue_token"]

#: Origins of pages served from this machine (any port).
LOOPBACK_ORIGIN_RE = r"https?://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?"

DEFAULT_AUDIENCE = "podium"
_PKCE_RE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_GRANTS = ("authorization_code", "password", "client_credentials")
_HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_TOKEN_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class _OAuthError(Exception):
    def __init__(
        self,
        error: str,
        description: str,
        status: int = 400,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = dict(headers or {})


@dataclass(kw_only=True, frozen=True)
class _CodeGrant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    username: str
    scopes: tuple[str, ...]
    nonce: str | None
    auth_time: int
    expires_at: float


class _Directory:
    """``users.json`` (or the database's users), re-read when it changes."""

    def __init__(self, home: Path, database: Database | None = None) -> None:
        self._home = home
        self._database = database
        self._path = idp_dir(home) / "users.json"
        self._stamp: tuple[int, ...] | None = None
        self._value = DevDirectory()

    def _current_stamp(self) -> tuple[int, ...]:
        if self._database is not None:
            from ._store import IdpDocuments

            return (IdpDocuments(self._database).version("users"),)
        st = self._path.stat()
        return (st.st_mtime_ns, st.st_ino, st.st_size)

    def get(self) -> DevDirectory:
        stamp = self._current_stamp()
        if stamp != self._stamp:
            self._value = load_dev_directory(self._home, database=self._database)
            self._stamp = stamp
        return self._value


def _split_scopes(raw: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys((raw or "").split()))


def _grant_scopes(client: DevClient, requested: str | None) -> tuple[str, ...]:
    scopes = _split_scopes(requested)
    if not scopes:
        return client.scopes
    unknown = [s for s in scopes if s not in client.scopes]
    if unknown:
        raise _OAuthError("invalid_scope", f"scope not allowed for this client: {unknown[0]}")
    return scopes


def _pkce_s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _with_query(uri: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _oauth_error_response(err: _OAuthError, *, basic_auth: bool = False) -> JSONResponse:
    headers = {**_TOKEN_HEADERS, **err.headers}
    if err.status == 401 and basic_auth:
        headers["WWW-Authenticate"] = 'Basic realm="podium-idp"'
    return JSONResponse(
        {"error": err.error, "error_description": err.description},
        status_code=err.status,
        headers=headers,
    )


def _client_credentials(request: Request, form: Mapping[str, Any]) -> tuple[str, str | None, bool]:
    """``(client_id, secret, used_basic)`` from HTTP Basic (RFC 6749 2.3.1) or the form body."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            raise _OAuthError("invalid_client", "unsupported client authentication", 401)
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except ValueError:  # bad base64 (binascii.Error), non-ASCII or non-UTF-8 credentials
            raise _OAuthError("invalid_client", "malformed Basic credentials", 401) from None
        cid, sep, secret = decoded.partition(":")
        if not sep:
            raise _OAuthError("invalid_client", "malformed Basic credentials", 401)
        return unquote(cid), unquote(secret), True
    form_cid = form.get("client_id")
    form_secret = form.get("client_secret")
    if not isinstance(form_cid, str) or not form_cid:
        raise _OAuthError("invalid_client", "client authentication required", 401)
    return form_cid, form_secret if isinstance(form_secret, str) else None, False


def create_issuer_app(
    issuer_url: str,
    home: Path,
    clients: Sequence[DevClient] = (),
    users: Mapping[str, str] | None = None,
    *,
    audience: str = DEFAULT_AUDIENCE,
    access_token_ttl_s: int = 3600,
    code_ttl_s: float = 60.0,
    redirect_uris: Mapping[str, Sequence[str]] | None = None,
    throttle: LoginThrottle | None = None,
    database: Database | None = None,
) -> Starlette:
    """Build the dev OIDC issuer app.

    Args:
        issuer_url: Public URL of the issuer (where the app is mounted), e.g.
            ``http://127.0.0.1:8080/idp``; becomes ``iss`` and the endpoint base.
        home: Podium data directory; keys and ``users.json`` live in ``<home>/idp/``.
        clients: Extra client registrations, persisted into ``users.json``.
        users: ``username -> password`` to create or reset (see :func:`ensure_dev_users`).
        audience: ``aud`` of access tokens.
        access_token_ttl_s: Lifetime of access and id tokens.
        code_ttl_s: Lifetime of authorization codes (single use).
        redirect_uris: ``client_id -> exact redirect URIs`` accepted on top of those registered
            in ``users.json``, for this app only and never persisted (the gateway registers the
            web UI's own origins here: they depend on its port).
        throttle: limits on password checks (default :class:`LoginThrottle`).
        database: where keys and users live in scaled mode (:func:`~._store.idp_database`);
            None: the files under ``<home>/idp/``.
    """
    issuer = issuer_url.rstrip("/")
    home = Path(home)
    ensure_dev_users(home, users, clients=clients, database=database)
    keys = open_key_store(home, database)
    directory = _Directory(home, database)
    minter = TokenMinter(issuer_url=issuer, keys=keys, audience=audience, ttl_s=access_token_ttl_s)
    codes: dict[str, _CodeGrant] = {}
    extra_redirects = {cid: frozenset(uris) for cid, uris in (redirect_uris or {}).items()}
    passwords = PasswordChecker(throttle)

    def discovery_document() -> dict[str, Any]:
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks.json",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(_GRANTS),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALG],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": list(USER_SCOPES),
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "name",
                "email",
                "email_verified",
                "preferred_username",
                "username",
                "client_id",
                "scope",
                "token_use",
            ],
        }

    async def well_known(request: Request) -> Response:
        return JSONResponse(discovery_document())

    async def jwks(request: Request) -> Response:
        return JSONResponse(keys.jwks(), headers={"Cache-Control": "public, max-age=60"})

    async def check_user(request: Request, username: str, password: str) -> DevUser | None:
        """The user if the password is right; raises Throttled when the attempt is refused."""
        user = directory.get().users.get(username)
        address = request.client.host if request.client else "-"
        ok = await passwords.check(user, username, password, address)
        return user if ok else None

    def authorize_request(
        params: Mapping[str, str],
    ) -> tuple[DevClient, str, tuple[str, ...]] | Response:
        """Validate an authorization request; an error page or redirect if it is bad."""
        client = directory.get().clients.get(params.get("client_id", ""))
        if client is None:
            return HTMLResponse(
                render_error_page("Unknown client_id."), status_code=400, headers=_HTML_HEADERS
            )
        redirect_uri = params.get("redirect_uri", "")
        registered = extra_redirects.get(client.client_id, frozenset())
        if not client.redirect_allowed(redirect_uri, also=registered):
            # Never redirect to an unregistered URI: that would leak codes to an attacker.
            return HTMLResponse(
                render_error_page("redirect_uri is not registered for this client."),
                status_code=400,
                headers=_HTML_HEADERS,
            )
        if params.get("response_type") != "code":
            # No implicit flow (tokens in a redirect), and no error redirect for it either.
            return HTMLResponse(
                render_error_page(
                    "unsupported_response_type: only response_type=code is supported."
                ),
                status_code=400,
                headers=_HTML_HEADERS,
            )

        def redirect_error(error: str, description: str) -> Response:
            query = {"error": error, "error_description": description}
            if params.get("state"):
                query["state"] = params["state"]
            return RedirectResponse(_with_query(redirect_uri, query), status_code=303)

        if "authorization_code" not in client.grant_types:
            return redirect_error("unauthorized_client", "client may not use the code flow")
        challenge = params.get("code_challenge", "")
        if params.get("code_challenge_method") != "S256" or not _PKCE_RE.fullmatch(challenge):
            return redirect_error(
                "invalid_request", "PKCE with code_challenge_method=S256 required"
            )
        try:
            scopes = _grant_scopes(client, params.get("scope"))
        except _OAuthError as err:
            return redirect_error(err.error, err.description)
        return client, redirect_uri, scopes

    _forwarded = (
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
    )

    async def authorize(request: Request) -> Response:
        if request.method == "GET":
            params = {k: v for k, v in request.query_params.items() if k in _forwarded}
        else:
            try:
                form = await request.form()
            except HTTPException as e:  # unreadable form: too many fields, bad multipart
                page = render_error_page(f"Bad request: {e.detail}")
                return HTMLResponse(page, status_code=400, headers=_HTML_HEADERS)
            params = {k: v for k, v in form.items() if isinstance(v, str)}
        checked = authorize_request(params)
        if isinstance(checked, Response):
            return checked
        client, redirect_uri, scopes = checked
        hidden = {k: params[k] for k in _forwarded if params.get(k)}
        if request.method == "GET":
            page = render_login_page(client_id=client.client_id, hidden=hidden)
            return HTMLResponse(page, headers=_HTML_HEADERS)

        username = params.get("username", "")
        try:
            user = await check_user(request, username, params.get("password", ""))
        except Throttled as refused:
            page = render_login_page(
                client_id=client.client_id,
                hidden=hidden,
                username=username,
                error=f"Too many sign-in attempts. Try again in {refused.retry_after} s.",
            )
            headers = {**_HTML_HEADERS, "Retry-After": str(refused.retry_after)}
            return HTMLResponse(page, status_code=429, headers=headers)
        if user is None:
            page = render_login_page(
                client_id=client.client_id,
                hidden=hidden,
                username=username,
                error="Incorrect username or password.",
            )
            return HTMLResponse(page, status_code=401, headers=_HTML_HEADERS)
        now = time.time()
        for stale in [c for c, g in codes.items() if g.expires_at <= now]:
            del codes[stale]
        code = secrets.token_urlsafe(32)
        codes[code] = _CodeGrant(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            code_challenge=params["code_challenge"],
            username=user.username,
            scopes=scopes,
            nonce=params.get("nonce") or None,
            auth_time=int(now),
            expires_at=now + code_ttl_s,
        )
        query = {"code": code}
        if params.get("state"):
            query["state"] = params["state"]
        logger.info("client_id=<%s> | dev issuer issued authorization code", client.client_id)
        return RedirectResponse(_with_query(redirect_uri, query), status_code=303)

    def token_response(
        *, client: DevClient, scopes: tuple[str, ...], user: DevUser | None, nonce: str | None
    ) -> Response:
        auth_time = int(time.time())
        body: dict[str, Any] = {
            "access_token": minter.access_token(
                client_id=client.client_id, scopes=scopes, user=user, auth_time=auth_time
            ),
            "token_type": "Bearer",
            "expires_in": access_token_ttl_s,
            "scope": " ".join(scopes),
        }
        if user is not None:
            body["id_token"] = minter.id_token(
                client_id=client.client_id, user=user, auth_time=auth_time, nonce=nonce
            )
        return JSONResponse(body, headers=_TOKEN_HEADERS)

    async def code_grant(client: DevClient, form: Mapping[str, Any]) -> Response:
        code = form.get("code")
        grant = codes.pop(code, None) if isinstance(code, str) else None
        if grant is None:
            raise _OAuthError("invalid_grant", "authorization code is invalid or already used")
        if grant.expires_at <= time.time():
            raise _OAuthError("invalid_grant", "authorization code expired")
        if grant.client_id != client.client_id:
            raise _OAuthError("invalid_grant", "authorization code was issued to another client")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise _OAuthError("invalid_grant", "redirect_uri does not match the authorization")
        verifier = form.get("code_verifier")
        if not isinstance(verifier, str) or not _PKCE_RE.fullmatch(verifier):
            raise _OAuthError("invalid_grant", "code_verifier missing or malformed")
        if not hmac.compare_digest(_pkce_s256(verifier), grant.code_challenge):
            raise _OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
        user = directory.get().users.get(grant.username)
        if user is None:
            raise _OAuthError("invalid_grant", "user no longer exists")
        return token_response(client=client, scopes=grant.scopes, user=user, nonce=grant.nonce)

    async def token(request: Request) -> Response:
        basic = False
        try:
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/x-www-form-urlencoded":
                raise _OAuthError(
                    "invalid_request", "body must be application/x-www-form-urlencoded"
                )
            try:
                form = await request.form()
            except HTTPException as e:  # too many or too large fields
                raise _OAuthError("invalid_request", str(e.detail)) from None
            client_id, secret, basic = _client_credentials(request, form)
            client = directory.get().clients.get(client_id)
            if client is None:
                raise _OAuthError("invalid_client", "unknown client", 401)
            if not client.public and not (secret and client.check_secret(secret)):
                raise _OAuthError("invalid_client", "client authentication failed", 401)
            grant_type = form.get("grant_type")
            if grant_type not in _GRANTS:
                raise _OAuthError("unsupported_grant_type", f"unsupported grant_type {grant_type}")
            if grant_type not in client.grant_types:
                raise _OAuthError("unauthorized_client", f"client may not use {grant_type}")
            if grant_type == "authorization_code":
                return await code_grant(client, form)
            # A malformed PKCE verifier is a malformed request on the other grants too (the
            # documented schema says so; the fuzzer found client_credentials accepting one).
            verifier = form.get("code_verifier")
            if verifier is not None and not (
                isinstance(verifier, str) and _PKCE_RE.fullmatch(verifier)
            ):
                raise _OAuthError("invalid_request", "code_verifier is malformed")
            scope_raw = form.get("scope")
            scopes = _grant_scopes(client, scope_raw if isinstance(scope_raw, str) else None)
            if grant_type == "client_credentials":
                if client.public:
                    raise _OAuthError("unauthorized_client", "public clients have no credentials")
                return token_response(client=client, scopes=scopes, user=None, nonce=None)
            username, password = form.get("username"), form.get("password")
            if not isinstance(username, str) or not isinstance(password, str):
                raise _OAuthError("invalid_request", "username and password are required")
            try:
                user = await check_user(request, username, password)
            except Throttled as refused:
                raise _OAuthError(
                    "temporarily_unavailable",
                    f"{refused.message}; retry after {refused.retry_after} s",
                    429,
                    {"Retry-After": str(refused.retry_after)},
                ) from None
            if user is None:
                raise _OAuthError("invalid_grant", "invalid username or password")
            return token_response(client=client, scopes=scopes, user=user, nonce=None)
        except _OAuthError as err:
            return _oauth_error_response(err, basic_auth=basic)

    routes = [
        Route("/.well-known/openid-configuration", well_known, methods=["GET"]),
        Route("/jwks.json", jwks, methods=["GET"]),
        Route("/authorize", authorize, methods=["GET", "POST"]),
        Route("/token", token, methods=["POST"]),
    ]
    middleware = [
        # Browser apps on another loopback port fetch /token and the JWKS; no cookies are used.
        # Only loopback origins: a page on any other origin (a DNS-rebinding one included)
        # cannot read what these endpoints answer.
        Middleware(
            CORSMiddleware,
            allow_origin_regex=LOOPBACK_ORIGIN_RE,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.issuer_url = issuer
    app.state.keys = keys
    return app


def issue_token(
    home: Path,
    issuer_url: str,
    *,
    user: str | None = None,
    client_id: str = "podium-cli",
    scopes: Sequence[str] | None = None,
    ttl_s: int = 3600,
    audience: str = DEFAULT_AUDIENCE,
    database: Database | None = None,
) -> str:
    """Mint an access token directly (``podium idp token --user alice``), no password needed.

    Whoever can read ``<home>/idp`` holds the signing keys anyway. With ``user=None`` the token
    is a client-credentials style token whose ``sub`` is ``client_id``.
    """
    if ttl_s <= 0:
        raise InvalidInput("ttl_s must be positive")
    directory = ensure_dev_users(Path(home), database=database)
    client = directory.clients.get(client_id)
    if client is None:
        raise InvalidInput(f"unknown dev client {client_id!r}; known: {sorted(directory.clients)}")
    dev_user = None
    if user is not None:
        dev_user = directory.users.get(user)
        if dev_user is None:
            raise InvalidInput(f"unknown dev user {user!r}; known: {sorted(directory.users)}")
    granted = tuple(scopes) if scopes is not None else client.scopes
    unknown = [s for s in granted if s not in client.scopes]
    if unknown:
        raise InvalidInput(f"scope {unknown[0]!r} is not allowed for client {client_id!r}")
    keys = open_key_store(Path(home), database)
    minter = TokenMinter(
        issuer_url=issuer_url.rstrip("/"), keys=keys, audience=audience, ttl_s=ttl_s
    )
    return minter.access_token(client_id=client_id, scopes=granted, user=dev_user, ttl_s=ttl_s)
