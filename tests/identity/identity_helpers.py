"""Helpers for identity tests: live uvicorn servers on 127.0.0.1, token crafting."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import jwt
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from podium.identity import (
    AuthorizerConfig,
    DevClient,
    JWTAuthorizer,
    KeyStore,
    create_issuer_app,
)

T = TypeVar("T")

# One client for all test requests: building a client (and its TLS context) per call is slow.
HTTP = httpx.Client(timeout=10)


class RequestCounter:
    """ASGI wrapper counting requests per path, so tests can assert on real network fetches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.counts[scope["path"]] += 1
        await self.app(scope, receive, send)


@dataclass
class LiveServer:
    """A uvicorn server running ``app`` in a background thread."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_live_server(make_app: Callable[[str], ASGIApp]) -> LiveServer:
    """Bind a free port first (the app may need its own URL), then serve ``make_app(url)``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(make_app(url), log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("live server did not start")
        time.sleep(0.01)
    return LiveServer(url=url, server=server, thread=thread)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to completion (tests are sync; the authorizer is async)."""
    return asyncio.run(coro)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(obj: Any) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


@dataclass
class Issuer:
    """A running dev issuer mounted at ``/idp`` (as on the gateway)."""

    server: LiveServer
    home: Path
    counter: RequestCounter
    issuer_url: str
    keys: KeyStore = field(init=False)

    def __post_init__(self) -> None:
        self.keys = KeyStore(self.home)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer_url}/.well-known/openid-configuration"

    @property
    def jwks_fetches(self) -> int:
        return self.counter.counts["/idp/jwks.json"]

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """Valid access-token claims, with overrides (``None`` removes a claim)."""
        now = int(time.time())
        base: dict[str, Any] = {
            "iss": self.issuer_url,
            "sub": "alice",
            "aud": "podium",
            "client_id": "podium-cli",
            "scope": "openid podium/invoke",
            "iat": now,
            "exp": now + 600,
            "jti": str(uuid.uuid4()),
            "token_use": "access",
        }
        base.update(overrides)
        return {k: v for k, v in base.items() if v is not None}

    def sign(self, claims: dict[str, Any], *, headers: dict[str, Any] | None = None) -> str:
        """Sign with the issuer's current private key (a real RS256 signature)."""
        key = self.keys.current()
        return jwt.encode(
            claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, **(headers or {})}
        )

    def authorizer(self, **config: Any) -> JWTAuthorizer:
        return JWTAuthorizer(AuthorizerConfig(discovery_url=self.discovery_url, **config))


TEST_CLIENT = DevClient(
    client_id="test-web",
    public=True,
    grant_types=("authorization_code",),
    redirect_uris=("https://app.example.test/callback",),
)


def start_issuer(
    live: Callable[[Callable[[str], ASGIApp]], LiveServer], home: Path, **kwargs: Any
) -> Issuer:
    holder: dict[str, RequestCounter] = {}

    def make(base_url: str) -> ASGIApp:
        issuer_app = create_issuer_app(f"{base_url}/idp", home, clients=[TEST_CLIENT], **kwargs)
        counter = RequestCounter(Starlette(routes=[Mount("/idp", app=issuer_app)]))
        holder["counter"] = counter
        return counter

    server = live(make)
    return Issuer(
        server=server, home=home, counter=holder["counter"], issuer_url=f"{server.url}/idp"
    )
