"""``GET /openapi.json``: it describes exactly the routes the gateway serves, no more, no less."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route

from fixtures.openapi import (
    documented_operations,
    fetch_document,
    served_operations,
    unresolved_refs,
)
from podium.config import Settings
from podium.runtime import create_gateway_app


@pytest.mark.parametrize("dev_idp", [True, False])
def test_the_document_lists_every_route_served(tmp_path: Path, dev_idp: bool) -> None:
    # Without the dev issuer, an external provider (never fetched while the app is built).
    external = None if dev_idp else "https://idp.example.test/.well-known/openid-configuration"
    settings = Settings(home=tmp_path / "home", auth_discovery_url=external)
    app = create_gateway_app(settings, dev_idp=dev_idp)
    document = fetch_document(app)
    assert document["openapi"].startswith("3.1")
    assert documented_operations(document) == served_operations(app.routes)
    assert ("GET /idp/jwks.json" in documented_operations(document)) is dev_idp
    assert unresolved_refs(document) == []


def test_secured_operations_declare_bearer_auth(tmp_path: Path) -> None:
    document = fetch_document(create_gateway_app(Settings(home=tmp_path / "home"), dev_idp=True))
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    secured = {
        p for p, item in document["paths"].items() for op in item.values() if "security" in op
    }
    assert {"/invocations", "/sessions/{session_id}/stop"} <= secured
    assert "/ping" not in secured
    errors = document["components"]["schemas"]
    assert errors["Error"]["required"] == ["error", "message"]
    assert errors["OAuthError"]["required"] == ["error", "error_description"]
    token_errors = document["paths"]["/idp/token"]["post"]["responses"]["400"]
    assert token_errors["content"]["application/json"]["schema"]["$ref"].endswith("/OAuthError")


def test_without_auth_no_operation_claims_a_token(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", auth_disabled=True)
    document = fetch_document(create_gateway_app(settings))
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert not [op for op in operations if "security" in op or "401" in op["responses"]]


def test_extra_fragments_are_merged_and_may_not_redefine_a_path(tmp_path: Path) -> None:
    async def hello(request: Any) -> Any:
        raise NotImplementedError

    fragment = {
        "paths": {"/hello": {"get": {"responses": {"200": {"description": "hi"}}}}},
        "components": {"schemas": {"Hello": {"type": "string"}}},
    }
    settings = Settings(home=tmp_path / "home", auth_disabled=True)
    app = create_gateway_app(
        settings,
        extra_routes=[Route("/hello", hello, methods=["GET"])],
        openapi=[fragment],
    )
    document = fetch_document(app)
    assert documented_operations(document) == served_operations(app.routes)
    assert document["components"]["schemas"]["Hello"] == {"type": "string"}
    with pytest.raises(ValueError, match="/ping"):
        create_gateway_app(
            settings,
            openapi=[{"paths": {"/ping": {"get": {"responses": {}}}}}],
        )
