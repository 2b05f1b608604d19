"""``podium up``'s ``/openapi.json`` describes its web routes too, and exactly the ones served."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

from fixtures.openapi import (
    documented_operations,
    fetch_document,
    served_operations,
    unresolved_refs,
)
from podium.config import Settings
from podium.web import build_app


def test_the_web_app_documents_every_route_it_serves(tmp_path: Path) -> None:
    # A services future never completed: building the app and its document needs none.
    services: Future[Any] = Future()
    app = build_app(Settings(home=tmp_path / "home"), services)
    document = fetch_document(app)
    assert documented_operations(document) == served_operations(app.routes)
    assert {"GET /api/catalog/search", "GET /idp/jwks.json", "POST /invocations"} <= (
        documented_operations(document)
    )
    assert unresolved_refs(document) == []
    search = document["paths"]["/api/catalog/search"]["get"]
    assert [p["name"] for p in search["parameters"]] == [
        "q",
        "limit",
        "day",
        "level",
        "type",
        "topic",
    ]
