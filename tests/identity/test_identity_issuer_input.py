"""Malformed requests to the dev issuer get its documented error shapes, never a 500.

Found by the fuzz test (tests/fuzz): a non-ASCII ``Authorization: Basic`` value was a plain-text
500, and a form Starlette refuses to parse (over 1000 fields, broken multipart) a plain-text
400 instead of OAuth's JSON error (token endpoint) or the HTML error page (login form).
"""

from __future__ import annotations

import pytest

from fixtures.identity import HTTP, Issuer

_FORM = {"content-type": "application/x-www-form-urlencoded"}
_TOO_MANY_FIELDS = "&".join(f"f{i}=x" for i in range(1001))


@pytest.mark.parametrize("credentials", [b"Basic \xe9", b"Basic \xff\xfe", b"Basic 6Q=="])
def test_undecodable_basic_credentials_are_invalid_client(
    issuer: Issuer, credentials: bytes
) -> None:
    # \xe9 decodes (Latin-1) to a non-ASCII character; "6Q==" is base64 of a lone \xe9 byte,
    # which is not UTF-8.
    response = HTTP.post(
        f"{issuer.issuer_url}/token",
        content="grant_type=client_credentials",
        # Bytes, sent as they are (a str header would have to be ASCII).
        headers={b"content-type": _FORM["content-type"].encode(), b"authorization": credentials},
    )
    assert response.status_code == 401, response.text
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "malformed Basic credentials",
    }


def test_an_unparsable_token_form_is_an_oauth_error(issuer: Issuer) -> None:
    response = HTTP.post(f"{issuer.issuer_url}/token", content=_TOO_MANY_FIELDS, headers=_FORM)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "fields" in response.json()["error_description"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (_TOO_MANY_FIELDS, "application/x-www-form-urlencoded"),
        ("garbage", "multipart/form-data; boundary=x"),
    ],
)
def test_an_unparsable_login_form_is_the_error_page(
    issuer: Issuer, body: str, content_type: str
) -> None:
    response = HTTP.post(
        f"{issuer.issuer_url}/authorize", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Sign-in request rejected" in response.text
