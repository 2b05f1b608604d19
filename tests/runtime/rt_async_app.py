"""Test agent app (async generator entrypoint): tokens streamed with pauses."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()
SEEN: list[str] = []


@app.entrypoint
async def invoke(payload: dict[str, Any], context: Any) -> AsyncIterator[dict[str, Any]]:
    SEEN.append(str(payload.get("prompt", "")))
    for i in range(int(payload.get("n", 3))):
        await asyncio.sleep(float(payload.get("delay", 0.0)))
        yield {"token": i, "seen": len(SEEN), "pid": os.getpid()}
