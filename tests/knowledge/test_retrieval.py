"""Retrieval over a real KB: search types, filters, hierarchical parents, boosts, generation."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from podium.embeddings import TestEmbedder
from podium.errors import InvalidInput
from podium.knowledge import KnowledgeBase, KnowledgeService

SESSIONS = [
    {
        "code": "SEC301",
        "title": "Zero trust for Kubernetes clusters",
        "abstract": "Lock down pods with network policies, workload identity and admission control.",
        "type": "workshop",
        "level": 300,
        "topics": ["security", "containers"],
        "day": "Monday",
        "date": "2026-12-07T09:00:00",
    },
    {
        "code": "SEC101",
        "title": "Security basics for builders",
        "abstract": "An introduction to identity and access management, least privilege and MFA.",
        "type": "breakout",
        "level": 100,
        "topics": ["security"],
        "day": "Tuesday",
        "date": "2026-12-08T10:00:00",
    },
    {
        "code": "AIM401",
        "title": "Fine-tuning small language models",
        "abstract": "Deep dive into LoRA adapters, evaluation harnesses and GPU cost trade-offs.",
        "type": "chalk talk",
        "level": 400,
        "topics": ["generative AI", "MLOps"],
        "day": "Wednesday",
        "date": "2026-12-09T13:00:00",
    },
    {
        "code": "AIM202",
        "title": "Building RAG chatbots",
        "abstract": "Retrieval augmented generation with vector search, chunking and citations.",
        "type": "builders' session",
        "level": 200,
        "topics": ["generative AI"],
        "day": "Monday",
        "date": "2026-12-07T15:00:00",
    },
    {
        "code": "DAT305",
        "title": "Streaming analytics with Kafka",
        "abstract": "Real-time dashboards fed by Kafka topics and exactly-once stream processing.",
        "type": "breakout",
        "level": 300,
        "topics": ["analytics"],
        "day": "Thursday",
        "date": "2026-12-10T11:00:00",
    },
]

FORMAT = {
    "id_field": "code",
    "title_field": "title",
    "text_fields": ["abstract"],
    "metadata_fields": {
        "code": "string",
        "type": "string",
        "level": "number",
        "topics": "string_list",
        "day": "string",
        "date": "datetime",
    },
}


@pytest.fixture
def kb(knowledge: KnowledgeService, tmp_path: Path) -> KnowledgeBase:
    path = tmp_path / "sessions.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in SESSIONS) + "\n")
    kb = knowledge.create("sessions", record_format=FORMAT)
    job = kb.ingest([path])
    assert job.stats.new == len(SESSIONS)
    return kb


def codes(results: list) -> list[str]:  # type: ignore[type-arg]
    return [r.metadata["code"] for r in results]


@pytest.mark.parametrize("search_type", ["HYBRID", "SEMANTIC", "KEYWORD", "hybrid"])
def test_search_types_find_the_obvious_match(kb: KnowledgeBase, search_type: str) -> None:
    results = kb.retrieve("kafka streaming dashboards", 3, search_type)
    assert codes(results)[0] == "DAT305"
    r = results[0]
    assert r.text.startswith("Streaming analytics with Kafka")
    assert r.source_uri.endswith("sessions.jsonl#DAT305")
    assert r.metadata["level"] == 300 and r.metadata["x-podium-chunk-id"] == str(r.chunk_id)
    assert all(a.score >= b.score for a, b in itertools.pairwise(results))


def test_semantic_finds_paraphrase_without_shared_words(kb: KnowledgeBase) -> None:
    assert codes(kb.retrieve("adapting LLMs to my own data cheaply", 1, "SEMANTIC")) == ["AIM401"]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"equals": {"key": "day", "value": "Monday"}}, {"SEC301", "AIM202"}),
        ({"notEquals": {"key": "day", "value": "Monday"}}, {"SEC101", "AIM401", "DAT305"}),
        ({"greaterThan": {"key": "level", "value": 300}}, {"AIM401"}),
        ({"greaterThanOrEquals": {"key": "level", "value": 300}}, {"SEC301", "AIM401", "DAT305"}),
        ({"lessThan": {"key": "level", "value": 200}}, {"SEC101"}),
        ({"lessThanOrEquals": {"key": "level", "value": 200}}, {"SEC101", "AIM202"}),
        ({"in": {"key": "type", "value": ["workshop", "builders' session"]}}, {"SEC301", "AIM202"}),
        ({"notIn": {"key": "type", "value": ["breakout"]}}, {"SEC301", "AIM401", "AIM202"}),
        ({"startsWith": {"key": "code", "value": "AIM"}}, {"AIM401", "AIM202"}),
        ({"listContains": {"key": "topics", "value": "security"}}, {"SEC301", "SEC101"}),
        ({"stringContains": {"key": "topics", "value": "AI"}}, {"AIM401", "AIM202"}),
        ({"greaterThanOrEquals": {"key": "date", "value": "2026-12-09"}}, {"AIM401", "DAT305"}),
        (
            {
                "andAll": [
                    {"equals": {"key": "day", "value": "Monday"}},
                    {"listContains": {"key": "topics", "value": "security"}},
                ]
            },
            {"SEC301"},
        ),
        (
            {
                "orAll": [
                    {"equals": {"key": "level", "value": 400}},
                    {"equals": {"key": "code", "value": "SEC101"}},
                ]
            },
            {"AIM401", "SEC101"},
        ),
    ],
)
def test_filters_on_every_search_type(kb: KnowledgeBase, flt: dict, expected: set[str]) -> None:  # type: ignore[type-arg]
    for search_type in ("HYBRID", "SEMANTIC"):
        assert set(codes(kb.retrieve("session", 10, search_type, flt))) == expected
    keyword = set(codes(kb.retrieve("security kafka rag tuning builders", 10, "KEYWORD", flt)))
    assert keyword <= expected


@pytest.mark.parametrize(
    "flt",
    [
        {"eq": {"key": "day", "value": "Monday"}},
        {"equals": {"key": "day"}},
        {"in": {"key": "type", "value": "workshop"}},
        {"andAll": "nope"},
        "{not json",
    ],
)
def test_invalid_filters_are_clear_errors(kb: KnowledgeBase, flt: object) -> None:
    with pytest.raises(InvalidInput):
        kb.retrieve("x", 3, "HYBRID", flt)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [0, 101, "5"])
def test_number_of_results_bounds(kb: KnowledgeBase, n: object) -> None:
    with pytest.raises(InvalidInput):
        kb.retrieve("security", n)  # type: ignore[arg-type]


def test_bad_search_type_and_empty_query(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidInput, match="search_type"):
        kb.retrieve("security", 3, "FUZZY")
    with pytest.raises(InvalidInput):
        kb.retrieve("   ", 3)


def test_boost_reorders_by_metadata(kb: KnowledgeBase) -> None:
    plain = codes(kb.retrieve("security", 2))
    assert plain[0] in {"SEC101", "SEC301"}
    boosted = codes(
        kb.retrieve("security", 2, boost=lambda m: 2.0 if m.get("type") == "workshop" else 0.0)
    )
    assert boosted[0] == "SEC301"


def test_mmr_returns_requested_count(kb: KnowledgeBase) -> None:
    assert len(kb.retrieve("security", 3, mmr=True)) == 3


def test_hierarchical_returns_parent_text(knowledge: KnowledgeService) -> None:
    kb = knowledge.create(
        "hier",
        chunking={
            "strategy": "hierarchical",
            "parent_max_tokens": 120,
            "child_max_tokens": 30,
            "overlap_tokens": 5,
        },
    )
    paragraphs = [
        "Kubernetes operators automate day two operations for stateful workloads. " * 3,
        "Sourdough bread needs a lively starter and a long cold fermentation. " * 3,
    ]
    kb.ingest_documents(
        [{"uri": "doc://k8s", "text": paragraphs[0]}, {"uri": "doc://bread", "text": paragraphs[1]}]
    )
    top = kb.retrieve("fermentation of sourdough", 1)[0]
    assert top.source_uri == "doc://bread"
    assert "Sourdough" in top.text and len(top.text) > 60


def test_retrieve_and_generate_extractive_with_citations(kb: KnowledgeBase) -> None:
    answer = kb.retrieve_and_generate("How do I secure Kubernetes pods?", number_of_results=3)
    assert answer.generator == "extractive"
    assert answer.citations
    for c in answer.citations:
        assert answer.output[c.start : c.end] == c.text
        assert c.references and c.references[0].source_uri
    shape = answer.as_dict()
    assert shape["citations"][0]["generatedResponsePart"]["textResponsePart"]["span"]["end"] > 0
    assert "network policies" in answer.output


def test_every_metadata_key_a_result_shows_is_filterable(knowledge: KnowledgeService) -> None:
    kb = knowledge.create(
        "uris",
        embedding_model=TestEmbedder().model_id,  # filters, not ranking quality, are checked here
        chunking={"strategy": "fixed_size", "max_tokens": 12},
    )
    kb.ingest_documents(
        [
            {"uri": "doc://mesh", "text": "Service meshes route traffic between pods. " * 4},
            {"uri": "doc://bread", "text": "Sourdough needs a lively starter and patience. " * 4},
        ]
    )
    flt = {"equals": {"key": "x-podium-source-uri", "value": "doc://mesh"}}
    for search_type in ("HYBRID", "SEMANTIC", "KEYWORD"):
        found = kb.retrieve("traffic sourdough starter pods", 20, search_type, flt)
        assert found and {r.source_uri for r in found} == {"doc://mesh"}
        assert {r.metadata["x-podium-source-uri"] for r in found} == {"doc://mesh"}
    everything = kb.retrieve("traffic sourdough starter pods", 20, "SEMANTIC")
    mesh_chunks = {r.chunk_id for r in everything if r.source_uri == "doc://mesh"}
    assert len(mesh_chunks) > 1
    assert {r.chunk_id for r in kb.retrieve("pods", 20, "SEMANTIC", flt)} == mesh_chunks
    one = everything[0]
    by_chunk = {"equals": {"key": "x-podium-chunk-id", "value": one.metadata["x-podium-chunk-id"]}}
    assert [r.chunk_id for r in kb.retrieve("pods", 20, "SEMANTIC", by_chunk)] == [one.chunk_id]
    for key, value in one.metadata.items():  # what a result shows is what a filter sees
        shown = kb.retrieve("pods", 20, "SEMANTIC", {"equals": {"key": key, "value": value}})
        assert one.chunk_id in {r.chunk_id for r in shown}
