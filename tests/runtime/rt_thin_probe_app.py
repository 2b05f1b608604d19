"""Test agent app: the event assistant, plus probes of the worker's own state and socket.

``{"probe": "state"}`` reports what the worker process holds (SQLAlchemy engines, embedders);
``{"probe": "call", "method": ..., "params": ...}`` sends one raw call over the gateway's
service socket and returns the answer or the error it raised; anything else is an assistant turn.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from bedrock_agentcore.runtime import BedrockAgentCoreApp

from podium.agents import SERVICE_HOST_STATE, service_client
from podium.apps.event_assistant import app as assistant
from podium.config import process_settings
from podium.errors import PodiumError

app = BedrockAgentCoreApp()
setattr(app.state, SERVICE_HOST_STATE, getattr(assistant.app.state, SERVICE_HOST_STATE))


def _state() -> dict[str, Any]:
    import sqlalchemy.engine

    def named(o: Any, module: str, suffix: str) -> bool:
        kind = type(o)
        where, name = getattr(kind, "__module__", ""), getattr(kind, "__name__", "")
        return isinstance(where, str) and where.startswith(module) and str(name).endswith(suffix)

    gc.unfreeze()  # the zygote froze what it imported: count that too
    objects = gc.get_objects()
    return {
        "pid": os.getpid(),
        "engines": sum(isinstance(o, sqlalchemy.engine.Engine) for o in objects),
        "embedders": sum(named(o, "podium.embeddings", "Embedder") for o in objects),
        "inference_sessions": sum(named(o, "onnxruntime", "InferenceSession") for o in objects),
        "snapshots": sum(named(o, "podium.knowledge", "Snapshot") for o in objects),
        "service_socket": process_settings().service_socket,
    }


@app.entrypoint
async def invoke(payload: dict[str, Any], context: Any) -> Any:
    probe = payload.get("probe")
    if probe == "state":
        return _state()
    if probe == "call":
        client = service_client(str(process_settings().service_socket))
        try:
            return {"result": client.call(payload["method"], **payload.get("params", {}))}
        except PodiumError as e:
            return {"error": e.code, "message": e.message}
    return await assistant.invoke(payload, context)
