"""Starlette's own errors (no such route, wrong method) are JSON ``{"error", "message"}`` too.

Found by the fuzz test (tests/fuzz): a session id with a newline in
``/sessions/{id}/stop`` matched no route and got a plain-text ``Not Found``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from podium.config import Settings
from podium.runtime import create_gateway_app


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    # No lifespan: routing errors need no worker.
    app = create_gateway_app(Settings(home=tmp_path / "home", auth_disabled=True))
    return TestClient(app, base_url="http://127.0.0.1")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no/such/route"),
        ("POST", "/sessions/a%0Ab/stop"),  # path converters do not match a newline
    ],
)
def test_no_route_is_a_json_404(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": "ResourceNotFoundException", "message": "Not Found"}


def test_a_wrong_method_is_a_json_405_with_allow(client: TestClient) -> None:
    response = client.put("/ping")
    assert response.status_code == 405
    assert response.json() == {
        "error": "MethodNotAllowedException",
        "message": "Method Not Allowed",
    }
    assert "GET" in response.headers["allow"]
