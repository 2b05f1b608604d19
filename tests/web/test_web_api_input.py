"""Bad input to the UI API is a 4xx JSON error, never a 500 (found by tests/fuzz).

* ``limit`` / ``level`` were checked with ``str.isdigit()``, which accepts "²" (and 5000-digit
  numbers) that ``int()`` then refuses: a 503 "internal error".
* ``DELETE /api/memory/records/`` (an empty id) was redirected to the list route and answered
  405; an id with a "/" matched no route and got a plain-text 404.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fixtures.web import UpProcess
from podium.errors import InvalidInput
from podium.identity import issue_token
from podium.web._api import search_catalog


@pytest.mark.parametrize(
    "params",
    [
        {"q": "ai", "limit": "\u00b2"},
        {"q": "ai", "limit": "\u0661\u0660"},
        {"q": "ai", "limit": "9" * 5000},
        {"level": "\u00b2"},
        {"level": "9" * 5000},
    ],
)
def test_catalog_numbers_must_be_ascii_digits(params: dict[str, str]) -> None:
    # Validation happens before the services are touched.
    with pytest.raises(InvalidInput):
        search_catalog(None, params)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def api(podium: UpProcess) -> Any:
    token = issue_token(podium.home, f"{podium.url}/idp", user="alice")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=podium.url, headers=headers, timeout=30) as client:
        yield client


def test_catalog_search_refuses_unicode_digits_over_http(api: httpx.Client) -> None:
    response = api.get("/api/catalog/search", params={"q": "ai", "limit": "\u00b2"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "ValidationException",
        "message": "limit must be between 1 and 50",
    }


@pytest.mark.parametrize("path", ["/api/memory/records/", "/api/memory/records/a%2Fb"])
def test_deleting_an_odd_record_id_is_a_json_404(api: httpx.Client, path: str) -> None:
    response = api.delete(path, follow_redirects=False)
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "ResourceNotFoundException"


def test_a_missing_static_file_is_a_json_404(api: httpx.Client) -> None:
    response = api.get("/static/no-such-file.js")
    assert response.status_code == 404
    assert response.json() == {"error": "ResourceNotFoundException", "message": "Not Found"}
