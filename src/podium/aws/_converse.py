"""``bedrock-runtime`` Converse and ConverseStream, answered by the configured Strands model.

A Converse request already is a Strands conversation: Bedrock's messages, content blocks
(text, toolUse, toolResult...), tool specs and tool choice are the shapes Strands uses, and a
Strands model's ``stream()`` yields Bedrock-Converse-shaped events. So the handler checks the
request as Bedrock does, picks the model through the alias table (``_models_alias``), streams
it, and reshapes the events onto the wire: content blocks numbered, a ``contentBlockStart`` only
for tool use (as Bedrock sends), ``stopSequences`` and (for the offline model, whose tokens are
words) ``maxTokens`` applied, and which model answered in ``additionalModelResponseFields.podium``
and ``trace.promptRouter.invokedModelId``.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from podium.errors import ModelError

from ._errors import AwsError
from ._models_alias import ResolvedModel, chat_model, resolve_chat_model, with_inference
from ._registry import Call, EventStream, operation

if TYPE_CHECKING:
    from strands.models import Model

__all__ = ["ConverseRequest", "converse_events", "parse_converse_request"]

_WORD = re.compile(r"\s*\S+\s*")


def _invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


@dataclass
class ConverseRequest:
    """A checked Converse request, in the terms of a Strands model's ``stream()``."""

    resolved: ResolvedModel
    messages: list[dict[str, Any]]
    tool_specs: list[dict[str, Any]] | None
    tool_choice: dict[str, Any] | None
    system_prompt: str | None
    system_content: list[dict[str, Any]] | None
    inference: dict[str, Any] = field(default_factory=dict)


def _check_messages(messages: list[dict[str, Any]], has_tools: bool) -> None:
    """Bedrock's conversation rules (its own messages, so callers' error handling matches)."""
    if not messages or messages[0]["role"] != "user":
        raise _invalid(
            "A conversation must start with a user message. Try again with a conversation "
            "that starts with a user message."
        )
    previous_uses: set[str] = set()
    for i, message in enumerate(messages):
        role = message["role"]
        if role == "system":
            raise _invalid(f"messages.{i}.role: use the system field for system prompts")
        if i and role == messages[i - 1]["role"]:
            raise _invalid(
                "A conversation must alternate between user and assistant roles. Make sure the "
                "conversation alternates between user and assistant roles and try again."
            )
        if not message["content"]:
            raise _invalid(f"The content field in the Message object at messages.{i} is empty.")
        uses: set[str] = set()
        for j, block in enumerate(message["content"]):
            if "text" in block and not block["text"].strip():
                raise _invalid(
                    f"The text field in the ContentBlock object at messages.{i}.content.{j} "
                    "is blank. Add text to the text field, and try again."
                )
            if ("toolUse" in block or "toolResult" in block) and not has_tools:
                raise _invalid(
                    "The toolConfig field must be defined when using toolUse and toolResult "
                    "content blocks."
                )
            if "toolUse" in block:
                if role != "assistant":
                    raise _invalid(f"messages.{i}.content.{j}: only the assistant uses tools")
                uses.add(block["toolUse"]["toolUseId"])
            if "toolResult" in block:
                tool_use_id = block["toolResult"]["toolUseId"]
                if role != "user" or tool_use_id not in previous_uses:
                    raise _invalid(
                        f"messages.{i}.content.{j}: toolResult {tool_use_id!r} answers no "
                        "toolUse of the previous turn"
                    )
        previous_uses = uses


def _tool_specs(config: dict[str, Any] | None) -> tuple[list[dict[str, Any]] | None, Any]:
    if not config:
        return None, None
    specs = []
    for i, tool in enumerate(config["tools"]):
        if "systemTool" in tool:
            raise _invalid(f"toolConfig.tools.{i}: Podium's models have no system tools")
        spec = tool.get("toolSpec")
        if spec is None:
            continue  # a cachePoint
        schema = spec["inputSchema"].get("json")
        if not isinstance(schema, dict):
            raise _invalid(f"toolConfig.tools.{i}.toolSpec.inputSchema.json must be an object")
        specs.append(
            {
                "name": spec["name"],
                "description": spec.get("description", spec["name"]),
                "inputSchema": {"json": schema},
            }
        )
    names = [s["name"] for s in specs]
    if len(set(names)) != len(names):
        raise _invalid("toolConfig.tools: tool names must be unique")
    choice = config.get("toolChoice")
    if choice and "tool" in choice and choice["tool"]["name"] not in names:
        raise _invalid(f"toolConfig.toolChoice.tool.name {choice['tool']['name']!r} is no tool")
    return specs, choice


def parse_converse_request(call: Call, params: dict[str, Any]) -> ConverseRequest:
    """Check a Converse(Stream) input the way Bedrock does and map it for a Strands model."""
    specs, choice = _tool_specs(params.get("toolConfig"))
    messages = params.get("messages") or []
    _check_messages(messages, specs is not None)
    system = params.get("system") or []
    texts = [b["text"] for b in system if "text" in b]
    texts += [b["guardContent"]["text"]["text"] for b in system if "guardContent" in b]
    inference = dict(params.get("inferenceConfig") or {})
    return ConverseRequest(
        resolved=resolve_chat_model(params["modelId"], call.settings),
        messages=messages,
        tool_specs=specs,
        tool_choice=choice,
        system_prompt="\n".join(texts) or None,
        system_content=[b for b in system if "text" in b or "cachePoint" in b] or None,
        inference=inference,
    )


class _Shaper:
    """Model events → Converse wire events: numbered blocks, output limits, who answered."""

    def __init__(self, request: ConverseRequest, started: float) -> None:
        self.request = request
        self.started = started
        self.offline = request.resolved.offline
        stops = request.inference.get("stopSequences") or []
        self.stops = [s for s in stops if s]
        self.max_tokens = request.inference.get("maxTokens") if self.offline else None
        self.index = 0
        self.open = False
        self.block_text = ""
        self.emitted_len = 0
        self.words = 0
        self.cut: str | None = None
        self.stop_reason: str | None = None
        self.reported_output: int | None = None

    def feed(self, event: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Wire events for one model event (none, one, or several)."""
        if "messageStart" in event:
            return [("messageStart", {"role": "assistant"})]
        if "metadata" in event:
            return [("metadata", self._metadata(event["metadata"]))]
        if self.cut is not None:
            return []  # past a stop sequence / maxTokens: the rest is not sent
        if "contentBlockStart" in event:
            self.open = True
            start = event["contentBlockStart"].get("start") or {}
            if "toolUse" in start:
                body = {"contentBlockIndex": self.index, "start": {"toolUse": start["toolUse"]}}
                return [("contentBlockStart", body)]
            return []
        if "contentBlockDelta" in event:
            self.open = True
            delta = event["contentBlockDelta"].get("delta") or {}
            if "text" in delta:
                return self._text(delta["text"])
            return [("contentBlockDelta", {"contentBlockIndex": self.index, "delta": delta})]
        if "contentBlockStop" in event:
            return self._ended(self._close())
        if "messageStop" in event:
            stop = event["messageStop"]
            self.stop_reason = stop.get("stopReason", "end_turn")
            return [("messageStop", self._message_stop(stop))]
        return []  # redactContent and provider-specific events have no Converse counterpart

    def _text(self, text: str) -> list[tuple[str, dict[str, Any]]]:
        self.block_text += text
        end = len(self.block_text)
        if self.stops:
            hits = [p for p in (self.block_text.find(s) for s in self.stops) if p >= 0]
            if hits:
                end = min(hits)
                self.cut = "stop_sequence"
            else:
                # Hold back what could be the start of a stop sequence split across deltas.
                end = max(self.emitted_len, end - max(len(s) for s in self.stops) + 1)
        return self._ended(self._emit(self.block_text[self.emitted_len : end]))

    def _ended(self, out: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
        """``out``, closed with the block and message stop once an output limit cut it."""
        if self.cut is not None:
            if self.open:
                out += self._close(flush=False)
            out.append(("messageStop", self._message_stop({"stopReason": self.cut})))
        return out

    def _emit(self, piece: str) -> list[tuple[str, dict[str, Any]]]:
        self.emitted_len += len(piece)
        if self.max_tokens is not None:
            pieces = _WORD.findall(piece)
            room = max(self.max_tokens - self.words, 0)
            if len(pieces) > room:
                piece = "".join(pieces[:room]).rstrip()
                self.cut = "max_tokens"
            self.words += min(len(pieces), room)
        if not piece:
            return []
        return [("contentBlockDelta", {"contentBlockIndex": self.index, "delta": {"text": piece}})]

    def _close(self, flush: bool = True) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        if flush and self.emitted_len < len(self.block_text):
            out += self._emit(self.block_text[self.emitted_len :])
        if self.open:
            out.append(("contentBlockStop", {"contentBlockIndex": self.index}))
            self.index += 1
        self.open, self.block_text, self.emitted_len = False, "", 0
        return out

    def _message_stop(self, stop: dict[str, Any]) -> dict[str, Any]:
        fields = dict(stop.get("additionalModelResponseFields") or {})
        fields.update(self.request.resolved.as_fields())
        return {
            "stopReason": stop.get("stopReason", "end_turn"),
            "additionalModelResponseFields": fields,
        }

    def _metadata(self, metadata: dict[str, Any]) -> dict[str, Any]:
        usage = dict(metadata.get("usage") or {})
        usage.setdefault("inputTokens", 0)
        usage.setdefault("outputTokens", 0)
        if self.cut is not None and self.offline:
            usage["outputTokens"] = self.words
        usage["totalTokens"] = usage["inputTokens"] + usage["outputTokens"]
        trace = dict(metadata.get("trace") or {})
        trace["promptRouter"] = {"invokedModelId": self.request.resolved.answered_by}
        return {
            "usage": usage,
            "metrics": {"latencyMs": int((time.perf_counter() - self.started) * 1000)},
            "trace": trace,
        }


async def converse_events(
    model: Model, request: ConverseRequest
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """The ConverseStream events of ``model`` answering ``request``."""
    started = time.perf_counter()
    shaper = _Shaper(request, started)
    try:
        stream = model.stream(
            request.messages,  # type: ignore[arg-type]
            request.tool_specs,  # type: ignore[arg-type]
            request.system_prompt,
            tool_choice=request.tool_choice,  # type: ignore[arg-type]
            system_prompt_content=request.system_content,  # type: ignore[arg-type]
        )
        async for event in stream:
            for wire in shaper.feed(dict(event)):
                yield wire
    except ModelError as e:
        raise AwsError("modelStreamErrorException", e.message, 424) from None


async def _model(call: Call, request: ConverseRequest) -> Model:
    # Building a provider imports strands (about a second the first time): off the event loop.
    model = await asyncio.to_thread(chat_model, call.settings, request.resolved)
    return with_inference(model, request.inference)


def _message(events: list[tuple[str, dict[str, Any]]]) -> tuple[list[dict[str, Any]], bool]:
    """The assistant message's content blocks, and whether every tool input was valid JSON."""
    blocks: dict[int, dict[str, Any]] = {}
    tool_inputs: dict[int, str] = {}
    for name, body in events:
        if name == "contentBlockStart" and "toolUse" in body["start"]:
            use = body["start"]["toolUse"]
            blocks[body["contentBlockIndex"]] = {
                "toolUse": {"toolUseId": use["toolUseId"], "name": use["name"]}
            }
        elif name == "contentBlockDelta":
            i, delta = body["contentBlockIndex"], body["delta"]
            if "text" in delta:
                blocks.setdefault(i, {"text": ""})["text"] += delta["text"]
            elif "toolUse" in delta:
                tool_inputs[i] = tool_inputs.get(i, "") + delta["toolUse"].get("input", "")
            elif "reasoningContent" in delta:
                reasoning = blocks.setdefault(i, {"reasoningContent": {"reasoningText": {}}})
                text = reasoning["reasoningContent"]["reasoningText"]
                for key in ("text", "signature"):
                    if key in delta["reasoningContent"]:
                        text[key] = text.get(key, "") + delta["reasoningContent"][key]
    valid = True
    for i, block in blocks.items():
        if "toolUse" in block:
            try:
                block["toolUse"]["input"] = json.loads(tool_inputs.get(i) or "{}")
            except ValueError:
                block["toolUse"]["input"], valid = {}, False
    return [blocks[i] for i in sorted(blocks)], valid


@operation("bedrock-runtime", "Converse")
async def converse(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """One assistant message from the configured model."""
    request = parse_converse_request(call, params)
    model = await _model(call, request)
    try:
        events = [e async for e in converse_events(model, request)]
    except AwsError as e:
        if e.code == "modelStreamErrorException":
            raise AwsError("ModelErrorException", e.message, 424) from None
        raise
    content, valid = _message(events)
    stop = next((b for n, b in events if n == "messageStop"), {"stopReason": "end_turn"})
    meta = next((b for n, b in reversed(events) if n == "metadata"), None)
    if meta is None:
        meta = _Shaper(request, time.perf_counter())._metadata({})
    stop_reason = stop["stopReason"] if valid else "malformed_tool_use"
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": meta["usage"],
        "metrics": meta["metrics"],
        "trace": meta["trace"],
        "additionalModelResponseFields": stop.get("additionalModelResponseFields")
        or request.resolved.as_fields(),
    }


@operation("bedrock-runtime", "ConverseStream")
async def converse_stream(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """The assistant message as an AWS event stream."""
    request = parse_converse_request(call, params)
    model = await _model(call, request)
    return {"stream": EventStream(converse_events(model, request))}
