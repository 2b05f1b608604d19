"""One conversational turn: stream the agent and collect text, tool calls, cards and citations.

Shared by the AgentCore app module, ``podium chat`` / ``podium ask`` and the benchmarks, so every
surface reports a turn the same way. ``profile`` lists, in words, the stored preferences that
personalised the turn's search ("generative AI", "security", "hands-on"), so the UI can show
them and offer a correction; it is empty when no tool ran (nothing was personalised).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TurnResult", "profile_terms", "stream_turn"]

_CITATION = re.compile(r"\[([A-Z]{3}\d{3})\]")


@dataclass(kw_only=True)
class TurnResult:
    """What one turn produced."""

    text: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    profile: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (``podium ask --json`` and the final SSE event)."""
        return {
            "text": self.text,
            "tool_calls": self.tool_calls,
            "sessions": self.sessions,
            "cited": self.cited,
            "model": self.model,
            "profile": self.profile,
        }


def profile_terms(state: Any) -> list[str]:
    """The profile kept in ``agent.state["profile"]`` as short phrases a person reads.

    Unknown keys are ignored; list-valued ones a newer profile may add (``days``, ``formats``)
    are shown as they are.
    """
    if not isinstance(state, dict):
        return []
    terms = [str(t) for t in state.get("topics") or []]
    for key in ("formats", "days"):
        terms += [str(v) for v in state.get(key) or [] if isinstance(v, str | int)]
    flags = (("hands_on", "hands-on"), ("deep_dive", "deep dives"), ("beginner", "beginner level"))
    terms += [label for key, label in flags if state.get(key) and label not in terms]
    terms += [f"not {t}" for t in state.get("avoided_topics") or []]
    return list(dict.fromkeys(terms))


def _tool_results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Session cards returned by tools in ``messages`` (newest last)."""
    cards: list[dict[str, Any]] = []
    for message in messages:
        for block in message.get("content", []):
            result = block.get("toolResult")
            if not result or result.get("status") != "success":
                continue
            for item in result.get("content", []):
                data: Any = item.get("json")
                if data is None and "text" in item:
                    try:
                        data = json.loads(item["text"])
                    except (ValueError, TypeError):
                        continue
                if isinstance(data, dict) and "code" in data:
                    data = [data]
                if isinstance(data, list):
                    cards += [d for d in data if isinstance(d, dict) and d.get("code")]
    return cards


async def stream_turn(
    agent: Any, prompt: str, result: TurnResult
) -> AsyncGenerator[dict[str, Any], None]:
    """Run one turn, yielding UI events; ``result`` is filled in as the turn goes."""
    start = len(agent.messages)
    async for event in agent.stream_async(prompt):
        if "data" in event and isinstance(event["data"], str):
            result.text += event["data"]
            yield {"type": "text", "data": event["data"]}
        elif "current_tool_use" in event and event.get("delta", {}).get("toolUse") is not None:
            continue
        elif "message" in event and isinstance(event["message"], dict):
            for block in event["message"].get("content", []):
                use = block.get("toolUse")
                if use:
                    call = {"name": use.get("name"), "input": use.get("input", {})}
                    result.tool_calls.append(call)
                    yield {"type": "tool_call", **call}
    cards = _tool_results(agent.messages[start:])
    cited = list(dict.fromkeys(_CITATION.findall(result.text)))
    by_code = {c["code"]: c for c in cards}
    result.cited = cited
    result.sessions = [by_code[c] for c in cited if c in by_code] or cards
    config = agent.model.get_config() if hasattr(agent.model, "get_config") else {}
    result.model = {"model_id": config.get("model_id"), "offline": bool(config.get("offline"))}
    if result.tool_calls:
        state = agent.state.get("profile") if hasattr(agent, "state") else None
        result.profile = profile_terms(state)
    yield {"type": "final", **result.as_dict()}
