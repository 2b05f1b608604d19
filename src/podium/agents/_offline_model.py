"""Podium's offline model: a real Strands ``Model`` that needs no network and no weights.

It is the default model when no LLM is configured. It reads the conversation, the tool specs and
the memory context in the system prompt, and answers deterministically:

- a request a tool can serve → one tool call, with arguments filled from the tool's JSON schema;
- tool results → a grounded answer that cites item ids and explains each pick;
- greetings and self-introductions → an acknowledgement that reflects back what was said;
- "what did we talk about last time?" → an answer from the memory context;
- anything else → a plain "I can't help with that offline" with what the tools can do.

It streams exactly the events a Strands provider yields (messageStart, contentBlockStart/Delta/
Stop, messageStop, metadata), so agents, hooks and the UI cannot tell it from a hosted model,
except that it says so: ``get_config()["offline"]`` is True and the metadata event carries
``"offline": True``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar, cast

from pydantic import BaseModel, ValidationError
from strands.models.model import Model
from strands.types.content import Messages
from strands.types.streaming import StreamEvent
from strands.types.tools import ToolSpec

from podium.agents._offline_answer import (
    ToolOutcome,
    acknowledgement,
    cannot_help_reply,
    greeting_reply,
    memory_question_kind,
    memory_reply,
    missing_arguments_reply,
    small_talk_reply,
    strip_greeting,
    tool_outcome_reply,
)
from podium.agents._offline_arguments import searched_words
from podium.agents._offline_routing import is_request, open_request_call, route_tool
from podium.agents._offline_text import (
    HISTORY_TAG,
    PROFILE_TAG,
    STOPWORDS,
    extract_introduction,
    parse_memory_context,
    profile_from_memory,
    render_memory_context,
    words,
)
from podium.errors import InvalidInput, ModelError

__all__ = [
    "HISTORY_TAG",
    "OFFLINE_MODEL_ID",
    "PROFILE_TAG",
    "OfflineModel",
    "OfflineModelConfig",
    "render_memory_context",
]

logger = logging.getLogger(__name__)

OFFLINE_MODEL_ID = "podium-offline"
_WORDS_PER_CHUNK = 3
_STRUCTURED_OUTPUT_MARK = "StructuredOutputTool"
_MEMORY_TOOL_WORDS = ("memory", "memories", "history", "recall", "remember")

T = TypeVar("T", bound=BaseModel)


class OfflineModelConfig(TypedDict, total=False):
    """Configuration of :class:`OfflineModel`.

    Attributes:
        model_id: Always "podium-offline" unless overridden for display.
        max_results_in_answer: How many tool-result items an answer lists (>= 1).
        offline: Always True: marks answers as produced without an LLM.
        context_window_limit: Strands' context window hint (unused by the offline model).
    """

    model_id: str
    max_results_in_answer: int
    offline: bool
    context_window_limit: int | None


@dataclass(kw_only=True)
class _TextReply:
    text: str


@dataclass(kw_only=True)
class _ToolCall:
    name: str
    tool_use_id: str
    arguments: dict[str, Any]


class OfflineModel(Model):
    """A deterministic, rule-based Strands model for running Podium without any LLM."""

    def __init__(self, **model_config: Any) -> None:
        """Create the model; ``model_config`` may set ``max_results_in_answer`` and ``model_id``."""
        self.config: OfflineModelConfig = {
            "model_id": OFFLINE_MODEL_ID,
            "max_results_in_answer": 5,
            "offline": True,
        }
        self.update_config(**model_config)

    def update_config(self, **model_config: Any) -> None:
        """Update the configuration (``offline`` stays True whatever is passed)."""
        limit = model_config.get("max_results_in_answer", self.config["max_results_in_answer"])
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise InvalidInput("max_results_in_answer must be a positive integer")
        self.config.update(cast(OfflineModelConfig, model_config))
        self.config["offline"] = True

    def get_config(self) -> OfflineModelConfig:
        """Return the configuration, including ``offline: True`` and ``model_id``."""
        return self.config

    async def stream(
        self,
        messages: Messages,
        tool_specs: list[ToolSpec] | None = None,
        system_prompt: str | None = None,
        **kwargs: Any,
    ) -> AsyncGenerator[StreamEvent, None]:
        """Answer the conversation, streamed as Strands events (see the module docstring)."""
        started = time.perf_counter()
        if system_prompt is None and kwargs.get("system_prompt_content"):
            blocks = kwargs["system_prompt_content"]
            system_prompt = "\n".join(b["text"] for b in blocks if "text" in b) or None
        reply = _plan(
            messages,
            [cast(dict[str, Any], spec) for spec in tool_specs or []],
            system_prompt,
            tool_choice=kwargs.get("tool_choice"),
            max_results=self.config["max_results_in_answer"],
        )
        yield {"messageStart": {"role": "assistant"}}
        if isinstance(reply, _ToolCall):
            logger.debug("tool=<%s> | offline model calls tool", reply.name)
            arguments = json.dumps(reply.arguments, ensure_ascii=False)
            output_tokens = len(arguments.split())
            yield {
                "contentBlockStart": {
                    "contentBlockIndex": 0,
                    "start": {"toolUse": {"name": reply.name, "toolUseId": reply.tool_use_id}},
                }
            }
            yield {
                "contentBlockDelta": {
                    "contentBlockIndex": 0,
                    "delta": {"toolUse": {"input": arguments}},
                }
            }
            yield {"contentBlockStop": {"contentBlockIndex": 0}}
            yield {"messageStop": {"stopReason": "tool_use"}}
        else:
            output_tokens = len(reply.text.split())
            yield {"contentBlockStart": {"contentBlockIndex": 0, "start": {}}}
            for chunk in _chunks(reply.text):
                yield {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": chunk}}}
            yield {"contentBlockStop": {"contentBlockIndex": 0}}
            yield {"messageStop": {"stopReason": "end_turn"}}
        input_tokens = _count_input_tokens(messages, system_prompt)
        metadata: dict[str, Any] = {
            "usage": {
                "inputTokens": input_tokens,
                "outputTokens": output_tokens,
                "totalTokens": input_tokens + output_tokens,
            },
            "metrics": {"latencyMs": int((time.perf_counter() - started) * 1000)},
            "offline": True,
        }
        yield cast(StreamEvent, {"metadata": metadata})

    async def structured_output(
        self,
        output_model: type[T],
        prompt: Messages,
        system_prompt: str | None = None,
        **kwargs: Any,
    ) -> AsyncGenerator[dict[str, T | Any], None]:
        """Build ``output_model`` from its defaults; raise :class:`ModelError` when it has required fields."""
        try:
            instance = output_model()
        except ValidationError as e:
            fields = ", ".join(str(err["loc"][0]) for err in e.errors() if err.get("loc"))
            raise ModelError(
                f"Structured output needs a real LLM: the offline model cannot fill the required "
                f"fields ({fields}) of {output_model.__name__}. Configure a model provider."
            ) from e
        yield {"output": instance}


# --- planning ------------------------------------------------------------------------------------


def _plan(
    messages: Messages,
    tool_specs: list[dict[str, Any]],
    system_prompt: str | None,
    *,
    tool_choice: Any,
    max_results: int,
) -> _TextReply | _ToolCall:
    memory = parse_memory_context(system_prompt)
    known = profile_from_memory(memory)
    question = _last_user_text(messages)
    greeted, rest = strip_greeting(question)
    intro = extract_introduction(rest)
    profile = known.merged_with(intro)
    request_text = _cut(rest, intro.spans)
    ack = acknowledgement(intro, known, greeted=greeted)

    if messages and messages[-1]["role"] == "user":
        outcomes = _tool_outcomes(messages, tool_specs)
        if outcomes:
            return _TextReply(
                text=tool_outcome_reply(
                    outcomes, profile=profile, max_results=max_results, prefix=ack
                )
            )

    forced = _forced_tool(tool_choice)
    if forced is not None:
        return _forced_call(
            messages, tool_specs, forced, request_text or question, profile.interests
        )

    memory_kind = memory_question_kind(question)
    memory_tools = [
        s
        for s in tool_specs
        if any(w in str(s.get("name", "")).lower() for w in _MEMORY_TOOL_WORDS)
    ]
    if memory_kind and not memory_tools:
        return _TextReply(text=memory_reply(memory_kind, memory, known))

    if _has_content(request_text):
        call = route_tool(
            tool_specs, request_text, interests=profile.interests, request=is_request(request_text)
        )
        if call is not None and not call.missing:
            return _ToolCall(
                name=call.name, tool_use_id=_next_tool_use_id(messages), arguments=call.arguments
            )
        if call is not None:
            spec = next(s for s in tool_specs if s.get("name") == call.name)
            return _TextReply(text=missing_arguments_reply(spec, call.missing, prefix=ack))
    if memory_kind:
        return _TextReply(text=memory_reply(memory_kind, memory, known))
    if greeted or not intro.empty:
        return _TextReply(text=greeting_reply(intro, known, greeted=greeted, tool_specs=tool_specs))
    small_talk = small_talk_reply(question)
    if small_talk:
        return _TextReply(text=small_talk)
    open_call = open_request_call(tool_specs, request_text or question, profile.interests)
    if open_call is not None:
        return _ToolCall(
            name=open_call.name,
            tool_use_id=_next_tool_use_id(messages),
            arguments=open_call.arguments,
        )
    if not question.strip():
        return _TextReply(text="How can I help?")
    return _TextReply(text=cannot_help_reply(tool_specs))


def _forced_call(
    messages: Messages,
    tool_specs: list[dict[str, Any]],
    forced: str,
    text: str,
    interests: list[str],
) -> _ToolCall:
    """The call Strands forces via ``tool_choice``, or :class:`ModelError` when it cannot be made.

    Strands' structured-output tool is filled from schema defaults only: its fields describe the
    answer, which only a language model can write.
    """
    spec = next((s for s in tool_specs if s.get("name") == forced), None)
    if spec is not None and _STRUCTURED_OUTPUT_MARK in str(spec.get("description", "")):
        schema = spec.get("inputSchema", {}).get("json", {})
        properties = schema.get("properties", {})
        arguments = {k: v["default"] for k, v in properties.items() if "default" in v}
        missing = [name for name in schema.get("required", []) if name not in arguments]
    else:
        call = route_tool(
            tool_specs, text, interests=interests, forced=forced or None, any_tool=True
        )
        arguments = call.arguments if call else {}
        missing = call.missing if call else ["a tool to call"]
        forced = call.name if call else forced
    if missing:
        raise ModelError(
            f"The offline model cannot fill {', '.join(missing)} for {forced or 'a tool'}: forced "
            "tool use (such as structured output) needs a real LLM. Configure a model provider."
        )
    return _ToolCall(name=forced, tool_use_id=_next_tool_use_id(messages), arguments=arguments)


def _forced_tool(tool_choice: Any) -> str | None:
    """The tool name Strands forces ("" for "any tool"), or None when the choice is free."""
    if not isinstance(tool_choice, dict):
        return None
    if "tool" in tool_choice:
        return str(tool_choice["tool"].get("name", ""))
    return "" if "any" in tool_choice else None


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return re.sub(r"^[\s,.;:!-]+", "", " ".join(text.split()))


def _has_content(text: str) -> bool:
    return any(w not in STOPWORDS for w in words(text))


def _last_user_text(messages: Messages) -> str:
    for message in reversed(messages):
        if message["role"] != "user":
            continue
        texts = [block["text"] for block in message["content"] if "text" in block]
        if texts:
            return "\n".join(texts)
    return ""


def _tool_outcomes(messages: Messages, tool_specs: list[dict[str, Any]]) -> list[ToolOutcome]:
    results = [b["toolResult"] for b in messages[-1]["content"] if "toolResult" in b]
    if not results:
        return []
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    for message in messages[:-1]:
        for block in message["content"]:
            if "toolUse" in block:
                use = block["toolUse"]
                arguments = use["input"] if isinstance(use.get("input"), dict) else {}
                calls[use["toolUseId"]] = (use["name"], arguments)
    specs = {str(spec.get("name", "")): spec for spec in tool_specs}
    outcomes = []
    for result in results:
        name, arguments = calls.get(result.get("toolUseId", ""), ("the tool", {}))
        outcomes.append(
            ToolOutcome(
                name=name,
                arguments=arguments,
                status=str(result.get("status", "success")),
                content=cast(list[dict[str, Any]], result.get("content", [])),
                terms=searched_words(specs[name], arguments) if name in specs else [],
            )
        )
    return outcomes


def _next_tool_use_id(messages: Messages) -> str:
    used = sum(1 for m in messages for b in m["content"] if "toolUse" in b)
    return f"offline-{used + 1}"


def _chunks(text: str) -> list[str]:
    """Split text into word groups, keeping all whitespace, so the UI sees it stream."""
    pieces = re.findall(r"\s*\S+\s*", text) or [text]
    return [
        "".join(pieces[i : i + _WORDS_PER_CHUNK]) for i in range(0, len(pieces), _WORDS_PER_CHUNK)
    ]


def _count_input_tokens(messages: Messages, system_prompt: str | None) -> int:
    total = len((system_prompt or "").split())
    for message in messages:
        for block in message["content"]:
            if "text" in block:
                total += len(block["text"].split())
            if "toolUse" in block:
                total += len(json.dumps(block["toolUse"].get("input", {})).split())
            if "toolResult" in block:
                for item in block["toolResult"].get("content", []):
                    if "text" in item:
                        total += len(item["text"].split())
                    if "json" in item:
                        total += len(json.dumps(item["json"], default=str).split())
    return total
