"""Test agent app for InvokeAgentRuntime: echoes the payload, its session and actor; streams."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()


def _stream(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"i": i}


@app.entrypoint
def invoke(payload: dict[str, Any], context: Any) -> Any:
    if payload.get("op") == "fail":
        raise RuntimeError("the echo app was asked to fail")
    if payload.get("op") == "stream":
        return _stream(int(payload.get("n", 3)))
    headers = context.request_headers or {}
    return {
        "echo": payload,
        "pid": os.getpid(),
        "session_id": context.session_id,
        "actor": next(
            (v for k, v in headers.items() if k.lower().endswith("podium-actor-id")), None
        ),
    }
