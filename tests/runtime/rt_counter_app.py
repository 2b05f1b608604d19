"""Test agent app (sync entrypoint): module state, streaming, slowness, failures on demand."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()
COUNTER = {"n": 0}


def _stream(n: int, delay: float, fail_at: int | None) -> Iterator[dict[str, Any]]:
    for i in range(n):
        if fail_at is not None and i == fail_at:
            raise RuntimeError("boom in the middle")
        yield {"i": i, "t": time.time()}
        time.sleep(delay)


@app.entrypoint
def invoke(payload: dict[str, Any], context: Any) -> Any:
    op = payload.get("op", "count")
    if op == "count":
        COUNTER["n"] += 1
        return {
            "count": COUNTER["n"],
            "pid": os.getpid(),
            "session_id": context.session_id,
            "headers": context.request_headers or {},
        }
    if op == "sleep":
        time.sleep(float(payload.get("s", 1.0)))
        return {"slept": payload.get("s"), "pid": os.getpid()}
    if op == "hold":
        # Runs until the test creates the file ``until`` (at most ``max_s``), so a test can keep
        # an invocation in flight for exactly as long as it needs, whatever the machine's load.
        release = Path(str(payload["until"]))
        deadline = time.monotonic() + float(payload.get("max_s", 60.0))
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return {"released": release.exists(), "pid": os.getpid()}
    if op == "stream":
        return _stream(int(payload.get("n", 3)), float(payload.get("delay", 0.0)), None)
    if op == "fail_stream":
        return _stream(5, 0.0, int(payload.get("at", 2)))
    if op == "raise":
        raise ValueError("handler refused")
    return {"echo": payload}


if __name__ == "__main__":
    app.run()
