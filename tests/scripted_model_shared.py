"""A scripted Strands ``Model`` for tests: fixed text replies and tool calls, no LLM.

Shared by the memory (LLM extractor) and event-assistant tests. Each call to
:meth:`ScriptedModel.stream` plays the next scripted step as the exact
event sequence a Strands provider yields (messageStart, contentBlockStart/Delta/Stop,
messageStop, metadata) and records what the agent sent, so tests can assert the context.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from strands.models import Model
from strands.types.content import Messages
from strands.types.streaming import StreamEvent
from strands.types.tools import ToolSpec

T = TypeVar("T", bound=BaseModel)


@dataclass(kw_only=True)
class ToolCall:
    """One scripted tool call, optionally preceded by a text block in the same message."""

    name: str
    input: dict[str, Any]
    tool_use_id: str = "tooluse-1"
    text: str = ""


@dataclass(kw_only=True)
class ModelCall:
    """What the caller sent on one model call."""

    system_prompt: str | None
    messages: Messages
    tool_names: list[str] = field(default_factory=list)

    @property
    def user_text(self) -> str:
        """The text of the last message (what the caller asked this time)."""
        blocks = self.messages[-1]["content"] if self.messages else []
        return "".join(str(block.get("text", "")) for block in blocks)


class ScriptedModel(Model):
    """Plays ``script`` one step per model call; running past its end fails the test."""

    def __init__(self, script: Sequence[str | ToolCall], *, model_id: str = "scripted") -> None:
        self.script = list(script)
        self.calls: list[ModelCall] = []
        self.config: dict[str, Any] = {"model_id": model_id}

    def update_config(self, **model_config: Any) -> None:
        """Merge configuration."""
        self.config.update(model_config)

    def get_config(self) -> dict[str, Any]:
        """The configuration."""
        return self.config

    async def stream(
        self,
        messages: Messages,
        tool_specs: list[ToolSpec] | None = None,
        system_prompt: str | None = None,
        **kwargs: Any,
    ) -> AsyncGenerator[StreamEvent, None]:
        """Stream the next scripted step."""
        self.calls.append(
            ModelCall(
                system_prompt=system_prompt,
                messages=copy.deepcopy(messages),
                tool_names=[str(spec["name"]) for spec in tool_specs or []],
            )
        )
        if not self.script:
            raise AssertionError(f"scripted model ran out of steps (call {len(self.calls)})")
        step = self.script.pop(0)
        yield {"messageStart": {"role": "assistant"}}
        index = 0
        text = step if isinstance(step, str) else step.text
        if text:
            yield {"contentBlockStart": {"contentBlockIndex": index, "start": {}}}
            for start in range(0, len(text), 16):
                yield {
                    "contentBlockDelta": {
                        "contentBlockIndex": index,
                        "delta": {"text": text[start : start + 16]},
                    }
                }
            yield {"contentBlockStop": {"contentBlockIndex": index}}
            index += 1
        if isinstance(step, ToolCall):
            yield {
                "contentBlockStart": {
                    "contentBlockIndex": index,
                    "start": {"toolUse": {"name": step.name, "toolUseId": step.tool_use_id}},
                }
            }
            yield {
                "contentBlockDelta": {
                    "contentBlockIndex": index,
                    "delta": {"toolUse": {"input": json.dumps(step.input)}},
                }
            }
            yield {"contentBlockStop": {"contentBlockIndex": index}}
            yield {"messageStop": {"stopReason": "tool_use"}}
        else:
            yield {"messageStop": {"stopReason": "end_turn"}}
        yield {
            "metadata": {
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
                "metrics": {"latencyMs": 1},
            }
        }

    async def structured_output(
        self,
        output_model: type[T],
        prompt: Messages,
        system_prompt: str | None = None,
        **kwargs: Any,
    ) -> AsyncGenerator[dict[str, T | Any], None]:
        """Not used by these tests."""
        raise NotImplementedError
        yield {}
