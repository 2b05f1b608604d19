"""``bedrock-agentcore-control``: memories (create, get, list, update, delete)."""

from __future__ import annotations

from typing import Any

from ._registry import Call, operation

__all__: list[str] = []


def memory_summary(call: Call, memory: Any) -> dict[str, Any]:
    """A ``MemorySummary``."""
    return {
        "arn": call.arn("bedrock-agentcore", f"memory/{memory.memory_id}"),
        "id": memory.memory_id,
        "status": "ACTIVE",
        "createdAt": memory.created_at,
        "updatedAt": memory.updated_at,
    }


@operation("bedrock-agentcore-control", "ListMemories")
def list_memories(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Every memory (one page)."""
    return {"memories": [memory_summary(call, m) for m in call.backend.memory.list_memories()]}
