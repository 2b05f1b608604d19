"""A scripted Strands ``Model`` for memory tests: replies with fixed texts, in order, and records calls."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from strands.models import Model
from strands.types.content import Messages
from strands.types.streaming import StreamEvent
from strands.types.tools import ToolSpec

T = TypeVar("T", bound=BaseModel)


class ScriptedModel(Model):
    """Yields the proper Strands stream events for each scripted reply, one reply per call.

    ``calls`` keeps (system_prompt, last user text) of every call, so tests can assert what the
    extractor asked. Running past the script raises, so an unexpected extra call fails the test.
    """

    def __init__(self, replies: Sequence[str], *, model_id: str = "scripted") -> None:
        self.replies = list(replies)
        self.calls: list[tuple[str | None, str]] = []
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
        """Stream the next scripted reply as text."""
        blocks = messages[-1]["content"] if messages else []
        user_text = "".join(str(block.get("text", "")) for block in blocks)
        self.calls.append((system_prompt, user_text))
        if not self.replies:
            raise AssertionError(f"scripted model ran out of replies (call {len(self.calls)})")
        reply = self.replies.pop(0)
        yield {"messageStart": {"role": "assistant"}}
        yield {"contentBlockStart": {"contentBlockIndex": 0, "start": {}}}
        for start in range(0, len(reply), 40):
            yield {
                "contentBlockDelta": {
                    "contentBlockIndex": 0,
                    "delta": {"text": reply[start : start + 40]},
                }
            }
        yield {"contentBlockStop": {"contentBlockIndex": 0}}
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
        """Not used by the memory extractor."""
        raise NotImplementedError
        yield {}
