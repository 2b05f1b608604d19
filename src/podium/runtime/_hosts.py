"""The Host allow-list: the gateway answers only requests addressed to a name it serves.

A page on a DNS-rebinding domain (``rebind.attacker.test`` resolving to 127.0.0.1) reaches a
loopback server with its own name in the ``Host`` header; refusing unknown names keeps such a
page from talking to Podium. Served names: the loopback ones, the bind address (unless it is a
wildcard), the host of the public URL and ``PODIUM_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["LOOPBACK_HOSTS", "HostAllowList", "host_name", "served_hosts"]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def served_hosts(bind_host: str, public_url: str | None, extra: Iterable[str]) -> frozenset[str]:
    """The host names (no ports, lower case) a gateway serves."""
    names = set(LOOPBACK_HOSTS)
    if bind_host not in _WILDCARDS:
        names.add(bind_host.strip("[]").lower())
    if public_url:
        host = urlsplit(public_url).hostname
        if host:
            names.add(host.lower())
    names.update(h.strip().strip("[]").lower() for h in extra if h.strip())
    return frozenset(names)


def host_name(header: str) -> str:
    """The name part of a ``Host`` header value (``[::1]:8080`` -> ``::1``), lower case."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostAllowList:
    """ASGI middleware: a request whose ``Host`` is not served gets a 400 JSON error."""

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope.get("headers") or [])
            host = host_name(headers.get(b"host", b"").decode("latin-1"))
            if host not in self.hosts:
                await _refuse(send, host)
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, host: str) -> None:
    body = json.dumps(
        {
            "error": "ValidationException",
            "message": f"this server does not serve the host {host[:100]!r}; add it to "
            "PODIUM_ALLOWED_HOSTS (or set the public URL) to serve it",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
