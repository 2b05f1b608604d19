"""DNS rebinding: only served host names get an answer; the dev issuer allows loopback origins only."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fixtures.runtime import Gateway
from podium.runtime._hosts import host_name, served_hosts


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8080", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("[::1]:8080", "::1"),
        ("rebind.attacker.test:18080", "rebind.attacker.test"),
    ],
)
def test_host_name_drops_the_port(header: str, name: str) -> None:
    assert host_name(header) == name


def test_served_hosts_are_loopback_bind_public_and_configured() -> None:
    hosts = served_hosts("0.0.0.0", "https://podium.example.org/", ["Assist.Internal "])
    assert hosts == {"127.0.0.1", "localhost", "::1", "podium.example.org", "assist.internal"}


def test_a_rebinding_host_is_refused_on_every_route(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(dev_idp=True)
    port = gw.url.rsplit(":", 1)[1]
    evil = {"Host": f"rebind.attacker.test:{port}"}
    for method, path in (
        ("GET", "/ping"),
        ("POST", "/invocations"),
        ("GET", "/idp/.well-known/openid-configuration"),
        ("POST", "/idp/token"),
    ):
        response = gw.client.request(method, f"{gw.url}{path}", headers=evil)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"] == "ValidationException"
        assert "PODIUM_ALLOWED_HOSTS" in response.json()["message"]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert gw.client.get(f"{gw.url}/ping", headers={"Host": host}).status_code == 200


def test_configured_hosts_are_served(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(allowed_hosts=["podium.internal"])
    port = gw.url.rsplit(":", 1)[1]
    ok = gw.client.get(f"{gw.url}/ping", headers={"Host": f"podium.internal:{port}"})
    assert ok.status_code == 200


def test_dev_issuer_cors_allows_loopback_origins_only(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(dev_idp=True)
    preflight = {"Access-Control-Request-Method": "POST"}
    url = f"{gw.url}/idp/token"
    local = gw.client.options(url, headers={**preflight, "Origin": "http://127.0.0.1:5173"})
    assert local.headers.get("access-control-allow-origin") == "http://127.0.0.1:5173"
    evil = gw.client.options(url, headers={**preflight, "Origin": "http://rebind.attacker.test"})
    assert "access-control-allow-origin" not in evil.headers
    jwks = gw.client.get(f"{gw.url}/idp/jwks.json", headers={"Origin": "http://evil.test"})
    assert jwks.status_code == 200
    assert "access-control-allow-origin" not in jwks.headers
