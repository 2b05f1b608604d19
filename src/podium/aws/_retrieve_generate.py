"""``bedrock-agent-runtime`` RetrieveAndGenerate and RetrieveAndGenerateStream.

:meth:`podium.knowledge.KnowledgeBase.retrieve_and_generate` does the work: retrieval as in
``Retrieve``, then an answer from the model ``modelArn`` maps to (``_models_alias``). The offline
model answers extractively (the sentences of the retrieved chunks closest to the question, each
cited); a hosted LLM writes the answer and cites sources as ``[n]``. Citations carry
``generatedResponsePart.textResponsePart`` (text and span) and the ``retrievedReferences`` it
came from. The ``x-podium-model`` response header says which model answered.

The stream is the finished answer in parts: an ``output`` event for each cited part followed by
its ``citation`` event (the answer is generated whole, then sent).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from starlette.responses import Response, StreamingResponse

from ._errors import AwsError
from ._eventstream import CONTENT_TYPE, encode_event
from ._models_alias import ResolvedModel, chat_model, resolve_chat_model, with_inference
from ._protocol import serialize_output, serialize_value, service_model
from ._registry import Call, operation
from ._retrieve import bedrock_results, open_knowledge_base, retrieval_options

if TYPE_CHECKING:
    from podium.knowledge import GenerationResult

__all__: list[str] = []

MODEL_HEADER = "x-podium-model"
_SERVICE = "bedrock-agent-runtime"


def _generate(call: Call, params: dict[str, Any]) -> tuple[GenerationResult, ResolvedModel]:
    """Retrieve and answer; the answer and the model that wrote it."""
    config = params.get("retrieveAndGenerateConfiguration") or {}
    if config.get("type", "KNOWLEDGE_BASE") != "KNOWLEDGE_BASE":
        raise AwsError(
            "ValidationException",
            "Podium answers from knowledge bases only (type KNOWLEDGE_BASE); "
            "EXTERNAL_SOURCES is not supported",
            400,
        )
    kb_config = config.get("knowledgeBaseConfiguration")
    if kb_config is None:
        raise AwsError(
            "ValidationException",
            "retrieveAndGenerateConfiguration.knowledgeBaseConfiguration is required",
            400,
        )
    options = retrieval_options(kb_config.get("retrievalConfiguration"))
    generation = kb_config.get("generationConfiguration") or {}
    template = (generation.get("promptTemplate") or {}).get("textPromptTemplate")
    if template is not None and "$search_results$" not in template:
        raise AwsError(
            "ValidationException",
            "promptTemplate.textPromptTemplate must contain $search_results$",
            400,
        )
    inference = (generation.get("inferenceConfig") or {}).get("textInferenceConfig") or {}
    resolved = resolve_chat_model(kb_config["modelArn"], call.settings)
    kb = open_knowledge_base(call, kb_config["knowledgeBaseId"])
    # The offline model's answer is the extractive one: the retrieval's own best sentences.
    model = (
        None if resolved.offline else with_inference(chat_model(call.settings, resolved), inference)
    )
    answer = kb.retrieve_and_generate(
        params["input"]["text"],
        model=model,
        number_of_results=options.number_of_results,
        search_type=options.search_type,
        filter=options.filter,
        prompt_template=template,
    )
    return answer, resolved


def _citations(call: Call, answer: GenerationResult) -> list[dict[str, Any]]:
    out = []
    for citation in answer.citations:
        references = bedrock_results(call, citation.references)
        for reference in references:
            reference.pop("score", None)  # a RetrievedReference has no score
        out.append(
            {
                "generatedResponsePart": {
                    "textResponsePart": {
                        "text": citation.text,
                        "span": {"start": citation.start, "end": citation.end},
                    }
                },
                "retrievedReferences": references,
            }
        )
    return out


def _session_id(params: dict[str, Any]) -> str:
    # Bedrock makes a session when none is given; later turns name it. Podium keeps no
    # conversation state: each turn is answered from its own retrieval.
    return str(params.get("sessionId") or uuid.uuid4())


def _headers(resolved: ResolvedModel, answer: GenerationResult) -> dict[str, str]:
    return {MODEL_HEADER: resolved.answered_by, "x-podium-generator": answer.generator}


@operation(_SERVICE, "RetrieveAndGenerate")
def retrieve_and_generate(call: Call, params: dict[str, Any]) -> Response:
    """A cited answer from a knowledge base."""
    answer, resolved = _generate(call, params)
    result = {
        "output": {"text": answer.output},
        "citations": _citations(call, answer),
        "sessionId": _session_id(params),
    }
    if "guardrailConfiguration" in (
        params["retrieveAndGenerateConfiguration"]
        .get("knowledgeBaseConfiguration", {})
        .get("generationConfiguration", {})
    ):
        result["guardrailAction"] = "NONE"
    op = service_model(_SERVICE).operation_model("RetrieveAndGenerate")
    status, headers, body = serialize_output(op, result)
    return Response(
        json.dumps(body),
        status_code=status,
        headers={**headers, **_headers(resolved, answer)},
        media_type="application/json",
    )


def _stream_events(
    answer: GenerationResult, citations: list[dict[str, Any]]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``output`` parts, each cited part followed by its ``citation``."""
    text, cursor = answer.output, 0
    for citation, shaped in zip(answer.citations, citations, strict=True):
        if citation.end > cursor:
            yield "output", {"text": text[cursor : citation.end]}
            cursor = citation.end
        yield "citation", {**shaped, "citation": shaped}
    if cursor < len(text):
        yield "output", {"text": text[cursor:]}


@operation(_SERVICE, "RetrieveAndGenerateStream")
def retrieve_and_generate_stream(call: Call, params: dict[str, Any]) -> Response:
    """The cited answer as an AWS event stream (``output`` and ``citation`` events)."""
    answer, resolved = _generate(call, params)
    citations = _citations(call, answer)
    op = service_model(_SERVICE).operation_model("RetrieveAndGenerateStream")
    members = op.output_shape.members["stream"].members
    frames = [
        encode_event(name, serialize_value(members[name], event) or {})
        for name, event in _stream_events(answer, citations)
    ]
    guardrail = (
        params["retrieveAndGenerateConfiguration"]
        .get("knowledgeBaseConfiguration", {})
        .get("generationConfiguration", {})
        .get("guardrailConfiguration")
    )
    if guardrail is not None:
        frames.append(encode_event("guardrail", {"action": "NONE"}))
    headers = {
        "x-amzn-bedrock-knowledge-base-session-id": _session_id(params),
        **_headers(resolved, answer),
    }
    return StreamingResponse(iter(frames), headers=headers, media_type=CONTENT_TYPE)
