"""``bedrock-agentcore-control``: memories (create, get, list, update, delete).

AgentCore's strategy inputs (``semanticMemoryStrategy``, ``summaryMemoryStrategy``,
``userPreferenceMemoryStrategy``, ``episodicMemoryStrategy``, ``customMemoryStrategy`` with
one of its overrides) map onto Podium's strategy types; their namespace templates (given as
``namespaceTemplates`` or the older ``namespaces``) are kept as they are. A memory is ACTIVE as
soon as it is created. Encryption keys, execution roles, record schemas, indexed keys, namespace
keys, stream delivery and tags are accepted and not used.
"""

from __future__ import annotations

from typing import Any

from podium.errors import Conflict, InvalidInput

from ._errors import AwsError
from ._memory_common import page
from ._registry import Call, operation

__all__ = ["memory_summary", "wire_memory"]

# AgentCore's strategy wrapper keys (Podium's memory service takes the same ones).
_KINDS = frozenset(
    {
        "semanticMemoryStrategy",
        "summaryMemoryStrategy",
        "userPreferenceMemoryStrategy",
        "episodicMemoryStrategy",
        "customMemoryStrategy",
    }
)
_WIRE_TYPES = {
    "semantic": "SEMANTIC",
    "summary": "SUMMARIZATION",
    "user_preference": "USER_PREFERENCE",
    "episodic": "EPISODIC",
    "custom": "CUSTOM",
}
# customMemoryStrategy overrides -> (the built-in type they behave as, the output's override type)
_OVERRIDES = {
    "semanticOverride": ("semantic", "SEMANTIC_OVERRIDE"),
    "summaryOverride": ("summary", "SUMMARY_OVERRIDE"),
    "userPreferenceOverride": ("user_preference", "USER_PREFERENCE_OVERRIDE"),
    "episodicOverride": ("episodic", "EPISODIC_OVERRIDE"),
}
_OVERRIDE_TYPES = {base: wire for base, wire in _OVERRIDES.values()}
_WIRE_OVERRIDE_KEY = {
    "semantic": "semantic",
    "summary": "summary",
    "user_preference": "userPreference",
    "episodic": "episodic",
}


def _templates(body: dict[str, Any], field: str) -> list[str] | None:
    found = body.get("namespaceTemplates") or body.get("namespaces")
    if found is None:
        return None
    if not isinstance(found, list):
        raise InvalidInput(f"{field}.namespaceTemplates must be a list")
    return list(found)


def _prompt_config(step: object) -> dict[str, Any]:
    """``appendToPrompt`` / ``modelId`` of an override's extraction or consolidation step."""
    if not isinstance(step, dict):
        return {}
    out: dict[str, Any] = {}
    if step.get("appendToPrompt") is not None:
        out["append_to_prompt"] = step["appendToPrompt"]
    if step.get("modelId") is not None:
        out["model_id"] = step["modelId"]
    return out


def _custom_configuration(raw: object, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise InvalidInput(f"{field}.configuration must hold exactly one override")
    ((key, override),) = raw.items()
    if key == "selfManagedConfiguration":
        raise InvalidInput(
            f"{field}: self-managed strategies (SNS/S3 delivery to your own extractor) are "
            "not supported by Podium; use a built-in strategy or an override"
        )
    if key not in _OVERRIDES or not isinstance(override, dict):
        raise InvalidInput(f"{field}.configuration: unknown override {key!r}")
    base = _OVERRIDES[key][0]
    config: dict[str, Any] = {"base": base}
    # One prompt addition and model for the strategy: extraction's, else consolidation's.
    config.update(_prompt_config(override.get("consolidation")))
    config.update(_prompt_config(override.get("extraction")))
    reflection = override.get("reflection")
    if isinstance(reflection, dict):
        templates = _templates(reflection, f"{field}.configuration.{key}.reflection")
        if templates:
            config["reflection_namespace"] = templates[0]
    return config


def podium_strategy(raw: object, field: str) -> dict[str, Any]:
    """An AgentCore ``MemoryStrategyInput`` as the strategy dict Podium's memory service takes."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise InvalidInput(f"{field} must hold exactly one strategy")
    ((key, body),) = raw.items()
    if key not in _KINDS or not isinstance(body, dict):
        raise InvalidInput(f"{field}: unknown strategy {key!r}")
    out: dict[str, Any] = {"name": body.get("name")}
    if body.get("description"):
        out["description"] = body["description"]
    templates = _templates(body, field)
    if templates is not None:
        out["namespaces"] = templates
    if key == "customMemoryStrategy":
        out["configuration"] = _custom_configuration(body.get("configuration"), field)
    elif key == "episodicMemoryStrategy":
        reflection = body.get("reflectionConfiguration")
        if isinstance(reflection, dict):
            found = _templates(reflection, f"{field}.reflectionConfiguration")
            if found:
                out["configuration"] = {"reflection_namespace": found[0]}
    return {key: out}


def _modification(raw: dict[str, Any], field: str) -> dict[str, Any]:
    change: dict[str, Any] = {"memoryStrategyId": raw.get("memoryStrategyId")}
    if raw.get("description") is not None:
        change["description"] = raw["description"]
    templates = _templates(raw, field)
    if templates is not None:
        change["namespaces"] = templates
    config = raw.get("configuration")
    if isinstance(config, dict):
        if config.get("selfManagedConfiguration"):
            raise InvalidInput(f"{field}: self-managed strategies are not supported by Podium")
        update: dict[str, Any] = {}
        for step in ("consolidation", "extraction"):
            wrapped = config.get(step)
            if isinstance(wrapped, dict):
                # {"customExtractionConfiguration": {"semanticExtractionOverride": {...}}}
                for inner in wrapped.values():
                    if isinstance(inner, dict):
                        for prompt in inner.values():
                            update.update(_prompt_config(prompt))
        reflection = config.get("reflection")
        if isinstance(reflection, dict):
            for inner in reflection.values():
                if isinstance(inner, dict):
                    found = _templates(inner, f"{field}.configuration.reflection")
                    if found is None:
                        found = next(
                            (
                                _templates(v, f"{field}.configuration.reflection")
                                for v in inner.values()
                                if isinstance(v, dict)
                            ),
                            None,
                        )
                    if found:
                        update["reflection_namespace"] = found[0]
        if update:
            change["configuration"] = update
    return change


# ---------------------------------------------------------------- outputs


def _wire_configuration(strategy: Any) -> dict[str, Any] | None:
    config = strategy.configuration or {}
    if strategy.type != "custom":
        return None
    base = str(config.get("base") or "semantic")
    out: dict[str, Any] = {"type": _OVERRIDE_TYPES.get(base, "SEMANTIC_OVERRIDE")}
    prompt = {"appendToPrompt": config.get("append_to_prompt"), "modelId": config.get("model_id")}
    if prompt["appendToPrompt"] and prompt["modelId"]:
        key = _WIRE_OVERRIDE_KEY.get(base, "semantic")
        if base == "summary":
            out["consolidation"] = {
                "customConsolidationConfiguration": {f"{key}ConsolidationOverride": prompt}
            }
        else:
            out["extraction"] = {
                "customExtractionConfiguration": {f"{key}ExtractionOverride": prompt}
            }
    return out


def wire_strategy(strategy: Any, created_at: float, updated_at: float) -> dict[str, Any]:
    """A ``MemoryStrategy`` output."""
    return {
        "strategyId": strategy.strategy_id,
        "name": strategy.name,
        "description": strategy.description or None,
        "configuration": _wire_configuration(strategy),
        "type": _WIRE_TYPES.get(strategy.type, "CUSTOM"),
        "namespaces": list(strategy.namespaces),
        "namespaceTemplates": list(strategy.namespaces),
        "createdAt": created_at,
        "updatedAt": updated_at,
        "status": strategy.status or "ACTIVE",
    }


def wire_memory(call: Call, memory: Any) -> dict[str, Any]:
    """A ``Memory`` output."""
    return {
        "arn": call.arn("bedrock-agentcore", f"memory/{memory.memory_id}"),
        "id": memory.memory_id,
        "name": memory.name,
        "description": memory.description or None,
        "eventExpiryDuration": memory.event_expiry_days,
        "status": "ACTIVE",
        "createdAt": memory.created_at,
        "updatedAt": memory.updated_at,
        "strategies": [
            wire_strategy(s, memory.created_at, memory.updated_at) for s in memory.strategies
        ],
    }


def memory_summary(call: Call, memory: Any) -> dict[str, Any]:
    """A ``MemorySummary``."""
    return {
        "arn": call.arn("bedrock-agentcore", f"memory/{memory.memory_id}"),
        "id": memory.memory_id,
        "status": "ACTIVE",
        "createdAt": memory.created_at,
        "updatedAt": memory.updated_at,
    }


# ------------------------------------------------------------- operations


@operation("bedrock-agentcore-control", "CreateMemory")
def create_memory(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Create a memory (ACTIVE at once); a duplicate name is a ValidationException."""
    strategies = [
        podium_strategy(s, f"memoryStrategies[{i}]")
        for i, s in enumerate(params.get("memoryStrategies") or [])
    ]
    try:
        memory = call.backend.memory.create_memory(
            params["name"],
            description=params.get("description") or "",
            event_expiry_days=params["eventExpiryDuration"],
            strategies=strategies,
        )
    except Conflict as e:
        # AgentCore answers a taken name with a ValidationException whose message says
        # "already exists"; the SDKs' create_or_get_memory depends on exactly that.
        raise AwsError("ValidationException", e.message, 400) from None
    return {"memory": wire_memory(call, memory)}


@operation("bedrock-agentcore-control", "GetMemory")
def get_memory(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """One memory with its strategies."""
    return {"memory": wire_memory(call, call.backend.memory.get_memory(params["memoryId"]))}


@operation("bedrock-agentcore-control", "ListMemories")
def list_memories(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """A page of memories, oldest first."""
    memories, token = page(call.backend.memory.list_memories(), params, default=100)
    return {"memories": [memory_summary(call, m) for m in memories], "nextToken": token}


@operation("bedrock-agentcore-control", "UpdateMemory")
def update_memory(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Change the description or event expiry; add, modify or delete strategies."""
    changes = params.get("memoryStrategies") or {}
    memory = call.backend.memory.update_memory(
        params["memoryId"],
        description=params.get("description"),
        event_expiry_days=params.get("eventExpiryDuration"),
        add_strategies=[
            podium_strategy(s, f"memoryStrategies.addMemoryStrategies[{i}]")
            for i, s in enumerate(changes.get("addMemoryStrategies") or [])
        ]
        or None,
        modify_strategies=[
            _modification(m, f"memoryStrategies.modifyMemoryStrategies[{i}]")
            for i, m in enumerate(changes.get("modifyMemoryStrategies") or [])
        ]
        or None,
        delete_strategy_ids=[
            d["memoryStrategyId"] for d in changes.get("deleteMemoryStrategies") or []
        ]
        or None,
    )
    return {"memory": wire_memory(call, memory)}


@operation("bedrock-agentcore-control", "DeleteMemory")
def delete_memory(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete a memory and everything in it (gone at once; the status says DELETING)."""
    call.backend.memory.delete_memory(params["memoryId"])
    return {"memoryId": params["memoryId"], "status": "DELETING"}
