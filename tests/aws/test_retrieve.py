"""bedrock-agent-runtime Retrieve / RetrieveAndGenerate(Stream) through real boto3 clients."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from fixtures.aws import REGION, AwsServer

DOCS = [
    {
        "uri": "s3://talks/kubernetes.txt",
        "text": "Kubernetes operators automate day two operations for stateful workloads. "
        "Network policies isolate pods from each other inside a cluster.",
        "metadata": {"track": "cloud", "year": 2024, "tags": ["k8s", "ops"], "room": "A1"},
    },
    {
        "uri": "https://example.com/bread",
        "text": "Sourdough bread needs a lively starter and a long cold fermentation. "
        "Bakers feed the starter flour and water every day.",
        "metadata": {"track": "food", "year": 2023, "tags": ["baking"], "room": "B2"},
    },
    {
        "uri": "doc://rust",
        "text": "Rust gives memory safety without a garbage collector. "
        "The borrow checker rejects data races at compile time.",
        "metadata": {"track": "languages", "year": 2025, "tags": ["rust", "systems"]},
    },
    {
        "uri": "doc://python",
        "text": "Python type hints let mypy find bugs before the program runs. "
        "Gradual typing keeps old untyped modules working.",
        "metadata": {"track": "languages", "year": 2024, "tags": ["python", "typing"]},
    },
]
QUERY = "sourdough starter fermentation kubernetes pods rust memory python typing"


@pytest.fixture(scope="module")
def kb_id(aws: AwsServer) -> str:
    kb = aws.backend.knowledge.create("retrieve-kb")
    kb.ingest_documents(DOCS)
    return kb.id


@pytest.fixture(scope="module")
def runtime(aws: AwsServer) -> Any:
    return aws.client("bedrock-agent-runtime")


def _retrieve(runtime: Any, kb_id: str, text: str = QUERY, **search: Any) -> dict[str, Any]:
    config = {"vectorSearchConfiguration": {"numberOfResults": 10, **search}}
    return runtime.retrieve(  # type: ignore[no-any-return]
        knowledgeBaseId=kb_id, retrievalQuery={"text": text}, retrievalConfiguration=config
    )


def _uris(out: dict[str, Any]) -> set[str]:
    return {r["metadata"]["x-amz-bedrock-kb-source-uri"] for r in out["retrievalResults"]}


def _code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response["Error"]["Code"])


def test_results_are_shaped_like_bedrocks(runtime: Any, kb_id: str) -> None:
    out = _retrieve(runtime, kb_id, "sourdough starter fermentation")
    top = out["retrievalResults"][0]
    assert top["content"]["type"] == "TEXT"
    assert "Sourdough" in top["content"]["text"]
    assert top["location"] == {"type": "WEB", "webLocation": {"url": "https://example.com/bread"}}
    meta = top["metadata"]
    assert meta["x-amz-bedrock-kb-source-uri"] == "https://example.com/bread"
    assert meta["x-amz-bedrock-kb-chunk-id"]
    assert meta["track"] == "food" and meta["year"] == 2023 and meta["tags"] == ["baking"]
    assert not any(k.startswith("x-podium-") for k in meta)
    assert isinstance(top["score"], float) and top["score"] > 0
    by_uri = {r["metadata"]["x-amz-bedrock-kb-source-uri"]: r for r in out["retrievalResults"]}
    assert by_uri["s3://talks/kubernetes.txt"]["location"] == {
        "type": "S3",
        "s3Location": {"uri": "s3://talks/kubernetes.txt"},
    }
    assert by_uri["doc://rust"]["location"] == {
        "type": "CUSTOM",
        "customDocumentLocation": {"id": "doc://rust"},
    }


def test_documents_of_a_data_source_name_it(aws: AwsServer, runtime: Any, tmp_path: Path) -> None:
    kb = aws.backend.knowledge.create("retrieve-folder-kb")
    (tmp_path / "notes.txt").write_text(
        "Quantum annealing finds low energy states of spin glasses."
    )
    kb.ingest(tmp_path)
    (top,) = runtime.retrieve(knowledgeBaseId=kb.id, retrievalQuery={"text": "quantum annealing"})[
        "retrievalResults"
    ]
    uri = (tmp_path / "notes.txt").resolve().as_uri()
    assert top["location"] == {"type": "CUSTOM", "customDocumentLocation": {"id": uri}}
    assert top["metadata"]["x-amz-bedrock-kb-source-uri"] == uri
    assert re.fullmatch(r"[A-Z0-9]{10}", top["metadata"]["x-amz-bedrock-kb-data-source-id"])


def test_each_search_type_and_number_of_results(runtime: Any, kb_id: str) -> None:
    for search_type in ("HYBRID", "SEMANTIC"):
        out = _retrieve(runtime, kb_id, "borrow checker data races", overrideSearchType=search_type)
        assert out["retrievalResults"][0]["metadata"]["x-amz-bedrock-kb-source-uri"] == "doc://rust"
        scores = [r["score"] for r in out["retrievalResults"]]
        assert scores == sorted(scores, reverse=True)
        two = _retrieve(runtime, kb_id, overrideSearchType=search_type, numberOfResults=2)
        assert len(two["retrievalResults"]) == 2
    # The default (no configuration) is five results, HYBRID.
    out = runtime.retrieve(knowledgeBaseId=kb_id, retrievalQuery={"text": QUERY})
    assert len(out["retrievalResults"]) == 4


def test_a_knowledge_base_arn_is_an_identifier(runtime: Any, kb_id: str) -> None:
    arn = f"arn:aws:bedrock:{REGION}:000000000000:knowledge-base/{kb_id}"
    out = runtime.retrieve(knowledgeBaseId=arn, retrievalQuery={"text": "pods"})
    assert out["retrievalResults"]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"equals": {"key": "track", "value": "languages"}}, {"doc://rust", "doc://python"}),
        (
            {"notEquals": {"key": "track", "value": "languages"}},
            {"s3://talks/kubernetes.txt", "https://example.com/bread"},
        ),
        ({"greaterThan": {"key": "year", "value": 2024}}, {"doc://rust"}),
        (
            {"greaterThanOrEquals": {"key": "year", "value": 2024}},
            {"doc://rust", "doc://python", "s3://talks/kubernetes.txt"},
        ),
        ({"lessThan": {"key": "year", "value": 2024}}, {"https://example.com/bread"}),
        (
            {"lessThanOrEquals": {"key": "year", "value": 2024}},
            {"https://example.com/bread", "doc://python", "s3://talks/kubernetes.txt"},
        ),
        (
            {"in": {"key": "room", "value": ["A1", "B2"]}},
            {"s3://talks/kubernetes.txt", "https://example.com/bread"},
        ),
        (
            {"notIn": {"key": "track", "value": ["cloud", "food"]}},
            {"doc://rust", "doc://python"},
        ),
        ({"startsWith": {"key": "track", "value": "lang"}}, {"doc://rust", "doc://python"}),
        ({"listContains": {"key": "tags", "value": "rust"}}, {"doc://rust"}),
        ({"stringContains": {"key": "track", "value": "oo"}}, {"https://example.com/bread"}),
        (
            {
                "andAll": [
                    {"equals": {"key": "track", "value": "languages"}},
                    {"lessThan": {"key": "year", "value": 2025}},
                ]
            },
            {"doc://python"},
        ),
        (
            {
                "orAll": [
                    {"equals": {"key": "track", "value": "food"}},
                    {
                        "andAll": [
                            {"listContains": {"key": "tags", "value": "k8s"}},
                            {"equals": {"key": "room", "value": "A1"}},
                        ]
                    },
                ]
            },
            {"https://example.com/bread", "s3://talks/kubernetes.txt"},
        ),
        # Bedrock's own metadata keys filter too.
        (
            {"equals": {"key": "x-amz-bedrock-kb-source-uri", "value": "doc://rust"}},
            {"doc://rust"},
        ),
    ],
)
def test_filters(runtime: Any, kb_id: str, flt: dict[str, Any], expected: set[str]) -> None:
    for search_type in ("HYBRID", "SEMANTIC"):
        assert _uris(_retrieve(runtime, kb_id, filter=flt, overrideSearchType=search_type)) == (
            expected
        )


@pytest.mark.parametrize(
    "flt",
    [
        {"greaterThan": {"key": "year", "value": ["2024"]}},
        {"in": {"key": "track", "value": "cloud"}},
        {"startsWith": {"key": "track", "value": 3}},
        {
            "andAll": [
                {"equals": {"key": "track", "value": "food"}},
                {"listContains": {"key": "tags", "value": {"nested": "object"}}},
            ]
        },
    ],
)
def test_bad_filters_are_validation_exceptions(
    runtime: Any, kb_id: str, flt: dict[str, Any]
) -> None:
    with pytest.raises(runtime.exceptions.ValidationException) as info:
        _retrieve(runtime, kb_id, filter=flt)
    assert "filter" in info.value.response["Error"]["Message"]


def test_unknown_knowledge_base_and_bad_input(runtime: Any, kb_id: str) -> None:
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.retrieve(knowledgeBaseId="NOSUCHKB00", retrievalQuery={"text": "pods"})
    with pytest.raises(runtime.exceptions.ValidationException):
        runtime.retrieve(knowledgeBaseId=kb_id, retrievalQuery={"text": "pods"}, nextToken="junk")
    with pytest.raises(runtime.exceptions.ValidationException):
        runtime.retrieve(knowledgeBaseId=kb_id, retrievalQuery={"type": "TEXT"})


def test_next_token_pages(runtime: Any, kb_id: str) -> None:
    first = _retrieve(runtime, kb_id, numberOfResults=3)
    assert len(first["retrievalResults"]) == 3 and first["nextToken"]
    config = {"vectorSearchConfiguration": {"numberOfResults": 3}}
    second = runtime.retrieve(
        knowledgeBaseId=kb_id,
        retrievalQuery={"text": QUERY},
        retrievalConfiguration=config,
        nextToken=first["nextToken"],
    )
    assert len(second["retrievalResults"]) == 1 and "nextToken" not in second
    assert _uris(first) | _uris(second) == {d["uri"] for d in DOCS}
    # A token belongs to its query.
    with pytest.raises(runtime.exceptions.ValidationException):
        runtime.retrieve(
            knowledgeBaseId=kb_id,
            retrievalQuery={"text": "something else"},
            retrievalConfiguration=config,
            nextToken=first["nextToken"],
        )


def _rag_config(kb_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "KNOWLEDGE_BASE",
        "knowledgeBaseConfiguration": {
            "knowledgeBaseId": kb_id,
            "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            **extra,
        },
    }


def test_retrieve_and_generate_cites_retrieved_chunks(runtime: Any, kb_id: str) -> None:
    question = "How does sourdough fermentation work and what do bakers feed the starter?"
    out = runtime.retrieve_and_generate(
        input={"text": question}, retrieveAndGenerateConfiguration=_rag_config(kb_id)
    )
    text = out["output"]["text"]
    assert "starter" in text
    assert out["sessionId"]
    headers = out["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-podium-model"] == "podium-offline"
    retrieved = _retrieve(runtime, kb_id, question)["retrievalResults"]
    chunk_ids = {r["metadata"]["x-amz-bedrock-kb-chunk-id"] for r in retrieved}
    assert out["citations"]
    for citation in out["citations"]:
        part = citation["generatedResponsePart"]["textResponsePart"]
        assert text[part["span"]["start"] : part["span"]["end"]] == part["text"]
        for ref in citation["retrievedReferences"]:
            assert ref["metadata"]["x-amz-bedrock-kb-chunk-id"] in chunk_ids
            assert part["text"] in ref["content"]["text"]
            assert ref["location"]["type"] in ("S3", "WEB", "CUSTOM")
    # A filter applies to the retrieval behind the answer; a session id is kept.
    flt = {"equals": {"key": "track", "value": "languages"}}
    filtered = runtime.retrieve_and_generate(
        input={"text": question},
        sessionId=out["sessionId"],
        retrieveAndGenerateConfiguration=_rag_config(
            kb_id, retrievalConfiguration={"vectorSearchConfiguration": {"filter": flt}}
        ),
    )
    assert filtered["sessionId"] == out["sessionId"]
    refs = [r for c in filtered["citations"] for r in c["retrievedReferences"]]
    assert refs and {r["metadata"]["track"] for r in refs} == {"languages"}


def test_retrieve_and_generate_stream(runtime: Any, kb_id: str) -> None:
    question = "What does the borrow checker reject in Rust?"
    whole = runtime.retrieve_and_generate(
        input={"text": question}, retrieveAndGenerateConfiguration=_rag_config(kb_id)
    )
    out = runtime.retrieve_and_generate_stream(
        input={"text": question}, retrieveAndGenerateConfiguration=_rag_config(kb_id)
    )
    assert out["sessionId"]
    events = list(out["stream"])
    names = [next(iter(e)) for e in events]
    assert set(names) == {"output", "citation"} and names[0] == "output"
    text = "".join(e["output"]["text"] for e in events if "output" in e)
    assert text == whole["output"]["text"]
    citations = [e["citation"] for e in events if "citation" in e]
    assert len(citations) == len(whole["citations"])
    for citation in citations:
        part = citation["generatedResponsePart"]["textResponsePart"]
        assert text[part["span"]["start"] : part["span"]["end"]] == part["text"]
        assert citation["retrievedReferences"][0]["content"]["text"]


def test_retrieve_and_generate_rejects_what_podium_cannot_do(runtime: Any, kb_id: str) -> None:
    with pytest.raises(runtime.exceptions.ValidationException):
        runtime.retrieve_and_generate(
            input={"text": "q"},
            retrieveAndGenerateConfiguration={
                "type": "EXTERNAL_SOURCES",
                "externalSourcesConfiguration": {
                    "modelArn": "anthropic.claude-3-haiku-20240307-v1:0",
                    "sources": [{"sourceType": "S3", "s3Location": {"uri": "s3://b/k"}}],
                },
            },
        )
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.retrieve_and_generate(
            input={"text": "q"}, retrieveAndGenerateConfiguration=_rag_config("NOSUCHKB00")
        )
    with pytest.raises(runtime.exceptions.ValidationException):
        runtime.retrieve_and_generate(
            input={"text": "q"},
            retrieveAndGenerateConfiguration=_rag_config(
                kb_id, generationConfiguration={"promptTemplate": {"textPromptTemplate": "hi"}}
            ),
        )
