"""The LLM extractor: any Strands model extracts candidates, then consolidates each against similar records.

The model is called directly (``model.stream``), without an agent loop: extraction is one
request and one JSON reply. Replies are validated with pydantic; an invalid reply is retried
with the validation error (``max_attempts`` in all) and then raises :class:`ModelError`, which
the worker records on the job (FAILED) so ``start_extraction_job`` can re-drive it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from podium.errors import ModelError

from ._extractor import (
    Add,
    Decision,
    Delete,
    ExistingRecord,
    ExistingRecords,
    Extractor,
    Message,
    Skip,
    Update,
    base_type,
)
from ._prompts import (
    CONSOLIDATION_PROMPT,
    consolidation_request,
    extraction_prompt,
    extraction_request,
    retry_request,
)

if TYPE_CHECKING:
    from strands.models import Model

__all__ = ["ConsolidationOutput", "ExtractionOutput", "LLMExtractor", "ModelFactory"]

logger = logging.getLogger(__name__)

#: Builds the Strands model for a strategy's ``model_id`` (None: the default model).
ModelFactory = Callable[[str | None], "Model"]

_M = TypeVar("_M", bound=BaseModel)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class ExtractedMemory(BaseModel):
    """One candidate memory in an extraction reply."""

    text: str = Field(min_length=1, max_length=2000)
    content: dict[str, Any] = Field(default_factory=dict)
    rationale: str = ""
    source_event_ids: list[str] = Field(default_factory=list)


class ExtractionOutput(BaseModel):
    """The extraction reply."""

    memories: list[ExtractedMemory]


class ConsolidationOutput(BaseModel):
    """The consolidation reply."""

    operation: Literal["ADD", "UPDATE", "SKIP", "DELETE"]
    record_id: str | None = None
    text: str | None = None
    rationale: str = ""


def _json_object(reply: str) -> str:
    fenced = _FENCE.search(reply)
    body = fenced.group(1) if fenced else reply
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no JSON object in the reply")
    return body[start : end + 1]


async def _stream_text(model: Model, system_prompt: str, user_text: str) -> str:
    parts: list[str] = []
    messages: Any = [{"role": "user", "content": [{"text": user_text}]}]
    async for event in model.stream(messages, None, system_prompt):
        delta = event.get("contentBlockDelta", {}).get("delta", {})
        if "text" in delta:
            parts.append(str(delta["text"]))
    return "".join(parts)


def _complete(model: Model, system_prompt: str, user_text: str) -> str:
    """Run one model call to completion from sync code (also when a loop is already running)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_stream_text(model, system_prompt, user_text))
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["text"] = asyncio.run(_stream_text(model, system_prompt, user_text))
        except BaseException as e:
            box["error"] = e

    thread = threading.Thread(target=run, name="podium-llm-extract")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return str(box["text"])


class LLMExtractor(Extractor):
    """Extraction and consolidation by a Strands model chosen per strategy.

    ``model_factory(model_id)`` builds the model; ``model_id`` comes from the strategy's
    configuration (custom strategies) or is None for the default.
    """

    def __init__(
        self, model_factory: ModelFactory, *, max_attempts: int = 3, top_k: int = 5
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.model_factory = model_factory
        self.max_attempts = max_attempts
        self.top_k = top_k

    def _ask(self, model: Model, system: str, request: str, schema: type[_M]) -> _M:
        prompt = request
        error = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                reply = _complete(model, system, prompt)
            except ModelError:
                raise
            except Exception as e:  # providers raise their own error types
                raise ModelError(f"model call failed: {e.__class__.__name__}: {e}") from e
            try:
                return schema.model_validate_json(_json_object(reply))
            except (ValueError, ValidationError) as e:
                error = str(e).splitlines()[0] if str(e) else e.__class__.__name__
                logger.info("attempt=<%d> | model reply failed validation, retrying", attempt)
                prompt = retry_request(request, error)
        raise ModelError(
            f"model output invalid after {self.max_attempts} attempts ({schema.__name__}): {error}"
        )

    def extract(
        self,
        strategy: Mapping[str, Any],
        messages: Sequence[Message],
        existing: ExistingRecords,
        *,
        history: Sequence[Message] = (),
    ) -> list[Decision]:
        """Extract candidates with the strategy's prompt, then consolidate each one."""
        config = dict(strategy.get("configuration") or {})
        model = self.model_factory(config.get("model_id"))
        system = extraction_prompt(base_type(strategy), config.get("append_to_prompt"))
        extracted = self._ask(
            model, system, extraction_request(messages, history), ExtractionOutput
        )
        batch_ids = [m.event_id for m in messages]
        valid_ids = set(batch_ids) | {m.event_id for m in history}
        decisions: list[Decision] = []
        for memory in extracted.memories:
            sources = tuple(dict.fromkeys(e for e in memory.source_event_ids if e in valid_ids))
            decisions.append(
                self._consolidate(
                    model, memory, sources or tuple(dict.fromkeys(batch_ids)), existing
                )
            )
        return decisions or [Skip(reason="the model found nothing to remember")]

    def _consolidate(
        self,
        model: Model,
        memory: ExtractedMemory,
        sources: tuple[str, ...],
        existing: ExistingRecords,
    ) -> Decision:
        content = dict(memory.content)
        rationale = memory.rationale or "extracted by the model"
        similar = existing(memory.text, self.top_k)
        if not similar:
            return Add(
                content=content, text=memory.text, rationale=rationale, source_event_ids=sources
            )
        known = {record.record_id: record for record, _ in similar}
        request = consolidation_request(memory.text, similar)
        output = self._ask(model, CONSOLIDATION_PROMPT, request, ConsolidationOutput)
        return _decision(output, known, content, memory.text, rationale, sources)


def _decision(
    output: ConsolidationOutput,
    known: Mapping[str, ExistingRecord],
    content: dict[str, Any],
    text: str,
    rationale: str,
    sources: tuple[str, ...],
) -> Decision:
    why = output.rationale or rationale
    if output.operation in ("UPDATE", "DELETE") and output.record_id not in known:
        # An unknown id would touch someone else's record: fall back to the safe operation.
        logger.info(
            "operation=<%s> | model named an unknown record id, adding instead", output.operation
        )
        return Add(content=content, text=text, rationale=rationale, source_event_ids=sources)
    if output.operation == "SKIP":
        return Skip(reason=why)
    if output.operation == "DELETE":
        assert output.record_id is not None
        return Delete(record_id=output.record_id, rationale=why, source_event_ids=sources)
    final = output.text or text
    if output.operation == "UPDATE":
        assert output.record_id is not None
        return Update(
            record_id=output.record_id,
            content=content,
            text=final,
            rationale=why,
            source_event_ids=sources,
        )
    return Add(content=content, text=final, rationale=why, source_event_ids=sources)
