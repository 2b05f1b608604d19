"""Streaming body limits, and the app's own logging under Podium's log level."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import pytest

from fixtures.runtime import SESSION, Gateway, new_session_id
from podium.config import Settings
from podium.runtime import _payload, create_gateway_app

LIMIT = 64 * 1024


@pytest.fixture
def low_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(_payload, "MAX_PAYLOAD_BYTES", LIMIT)
    return LIMIT


def _raw_post(gw: Gateway, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    """POST /invocations on a raw socket; send ``body``, then read the whole response."""
    host, port = gw.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(
            f"POST /invocations HTTP/1.1\r\nHost: {host}:{port}\r\n{head}\r\n".encode() + body
        )
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, json.loads(data.split(b"\r\n\r\n", 1)[1])


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 1 << 30


def test_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    make_gateway: Callable[..., Gateway], low_limit: int
) -> None:
    gw = make_gateway()
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(low_limit + 1),
        SESSION: new_session_id("big"),
    }
    # Not one byte of the body is sent: the answer must come from the headers alone.
    status, body = _raw_post(gw, headers, b"")
    assert status == 400
    assert body == {
        "error": "ValidationException",
        "message": f"payload larger than {low_limit} bytes",
    }
    assert gw.invoke({"op": "count"}).status_code == 200


def test_streamed_body_is_refused_once_it_passes_the_limit(low_limit: int, tmp_path: Any) -> None:
    app = create_gateway_app(Settings(home=tmp_path, auth_disabled=True), "rt_counter_app:app")
    chunk = b" " * 4096
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled > 4 * low_limit // len(chunk):  # 4x the limit in all
            return {"type": "http.request", "body": b"{}", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/invocations",
        "raw_path": b"/invocations",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    import asyncio

    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 400
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert body["error"] == "ValidationException" and "payload larger" in body["message"]
    # It stopped reading right after the limit, not at the end of the body.
    assert pulled == low_limit // len(chunk) + 1


def test_body_at_the_limit_is_accepted(
    make_gateway: Callable[..., Gateway], low_limit: int
) -> None:
    gw = make_gateway()
    payload = {"op": "echo", "pad": "x" * (low_limit - 40)}
    raw = json.dumps(payload).encode()
    assert len(raw) <= low_limit
    response = gw.client.post(
        f"{gw.url}/invocations", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text


def test_app_logs_follow_podiums_level_one_warning_line_per_exception(
    make_gateway: Callable[..., Gateway], capfd: pytest.CaptureFixture[str]
) -> None:
    gw = make_gateway()
    sid = new_session_id("logs")
    capfd.readouterr()
    assert gw.invoke({"op": "count"}, sid).status_code == 200
    assert gw.invoke({"op": "raise"}, sid).status_code == 500
    gw.stop()  # workers exit, so whatever they wrote is out
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if "bedrock_agentcore" in line]
    assert not [line for line in lines if '"level": "INFO"' in line], lines
    failures = [json.loads(line) for line in lines if "Invocation failed" in line]
    assert len(failures) == 1, lines
    assert failures[0]["level"] == "WARNING"
    assert "ValueError: handler refused" in failures[0]["message"]
    assert "stackTrace" not in failures[0]
    assert "Traceback" not in err


def test_app_tracebacks_are_kept_at_debug(
    make_gateway: Callable[..., Gateway], capfd: pytest.CaptureFixture[str]
) -> None:
    gw = make_gateway(log_level="DEBUG")
    capfd.readouterr()
    assert gw.invoke({"op": "raise"}, new_session_id("debug")).status_code == 500
    gw.stop()
    err = capfd.readouterr().err
    failures = [json.loads(x) for x in err.splitlines() if "Invocation failed" in x]
    assert len(failures) == 1 and failures[0]["level"] == "WARNING"
    assert "stackTrace" in failures[0]
    assert any('"level": "DEBUG"' in x for x in err.splitlines() if "bedrock_agentcore" in x)
