"""bedrock-agent knowledge bases, data sources and CUSTOM documents through real boto3."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest
import sqlalchemy as sa
from botocore.config import Config

from fixtures.aws import AwsServer
from fixtures.aws_kb import FIXED_300_20, ROLE, TITAN_V2, create_kb
from podium.storage import schema

VECTOR = {
    "type": "VECTOR",
    "vectorKnowledgeBaseConfiguration": {"embeddingModelArn": TITAN_V2},
}


def _custom(kb_id: str, agent: Any, name: str, chunking: dict[str, Any] | None = None) -> str:
    params: dict[str, Any] = {
        "knowledgeBaseId": kb_id,
        "name": name,
        "dataSourceConfiguration": {"type": "CUSTOM"},
    }
    if chunking is not None:
        params["vectorIngestionConfiguration"] = {"chunkingConfiguration": chunking}
    return str(agent.create_data_source(**params)["dataSource"]["dataSourceId"])


def _text_doc(doc_id: str, text: str, **metadata: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "content": {
            "dataSourceType": "CUSTOM",
            "custom": {
                "customDocumentIdentifier": {"id": doc_id},
                "sourceType": "IN_LINE",
                "inlineContent": {"type": "TEXT", "textContent": {"data": text}},
            },
        }
    }
    if metadata:
        doc["metadata"] = {
            "type": "IN_LINE_ATTRIBUTE",
            "inlineAttributes": [{"key": k, "value": v} for k, v in metadata.items()],
        }
    return doc


def test_knowledge_base_lifecycle(aws: AwsServer) -> None:
    agent = aws.client("bedrock-agent")
    created = agent.create_knowledge_base(
        name="kb-life",
        description="first",
        roleArn=ROLE,
        knowledgeBaseConfiguration=VECTOR,
        storageConfiguration={
            "type": "S3_VECTORS",
            "s3VectorsConfiguration": {
                "vectorBucketArn": "arn:aws:s3vectors:us-east-1:000000000000:bucket/vb",
                "indexName": "talks",
            },
        },
        tags={"team": "events"},
    )
    kb = created["knowledgeBase"]
    assert kb["status"] == "CREATING"
    assert len(kb["knowledgeBaseId"]) == 10 and kb["knowledgeBaseId"].isalnum()
    assert kb["knowledgeBaseArn"].endswith(f":knowledge-base/{kb['knowledgeBaseId']}")
    headers = created["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-podium-requested-embedding-model"] == TITAN_V2
    assert headers["x-podium-effective-embedding-model"] == "podium/test-hash-64"

    got = agent.get_knowledge_base(knowledgeBaseId=kb["knowledgeBaseId"])["knowledgeBase"]
    assert got["status"] == "ACTIVE"
    assert got["knowledgeBaseConfiguration"] == VECTOR
    assert got["storageConfiguration"]["s3VectorsConfiguration"]["indexName"] == "talks"
    assert got["roleArn"] == ROLE and got["description"] == "first"

    updated = agent.update_knowledge_base(
        knowledgeBaseId=kb["knowledgeBaseId"],
        name="kb-life-renamed",
        description="second",
        roleArn=ROLE,
        knowledgeBaseConfiguration=VECTOR,
    )["knowledgeBase"]
    assert (updated["name"], updated["description"]) == ("kb-life-renamed", "second")
    with pytest.raises(agent.exceptions.ValidationException):
        agent.update_knowledge_base(
            knowledgeBaseId=kb["knowledgeBaseId"],
            name="kb-life-renamed",
            roleArn=ROLE,
            knowledgeBaseConfiguration={
                "type": "VECTOR",
                "vectorKnowledgeBaseConfiguration": {
                    "embeddingModelArn": "arn:aws:bedrock:us-east-1::foundation-model/"
                    "podium/all-MiniLM-L6-v2-int8"
                },
            },
        )

    names = [s["name"] for s in agent.list_knowledge_bases()["knowledgeBaseSummaries"]]
    assert "kb-life-renamed" in names
    pages = agent.get_paginator("list_knowledge_bases").paginate(PaginationConfig={"PageSize": 1})
    paged = [s["name"] for p in pages for s in p["knowledgeBaseSummaries"]]
    assert paged == names

    with pytest.raises(agent.exceptions.ConflictException):
        create_kb(agent, "kb-life-renamed")
    deleted = agent.delete_knowledge_base(knowledgeBaseId=kb["knowledgeBaseId"])
    assert deleted["status"] == "DELETING"
    with pytest.raises(agent.exceptions.ResourceNotFoundException):
        agent.get_knowledge_base(knowledgeBaseId=kb["knowledgeBaseId"])
    with pytest.raises(agent.exceptions.ResourceNotFoundException):
        agent.delete_knowledge_base(knowledgeBaseId=kb["knowledgeBaseId"])


def test_a_podium_kb_is_a_bedrock_kb(aws: AwsServer) -> None:
    handle = aws.backend.knowledge.create("made-by-podium")
    got = aws.client("bedrock-agent").get_knowledge_base(knowledgeBaseId=handle.id)
    kb = got["knowledgeBase"]
    assert kb["status"] == "ACTIVE" and kb["name"] == "made-by-podium"
    arn = kb["knowledgeBaseConfiguration"]["vectorKnowledgeBaseConfiguration"]["embeddingModelArn"]
    assert arn.endswith("foundation-model/podium/test-hash-64")


def test_unknown_and_podium_embedding_models(aws: AwsServer) -> None:
    agent = aws.client("bedrock-agent")
    odd = agent.create_knowledge_base(
        name="kb-odd-model",
        roleArn=ROLE,
        knowledgeBaseConfiguration={
            "type": "VECTOR",
            "vectorKnowledgeBaseConfiguration": {
                "embeddingModelArn": "arn:aws:bedrock:us-east-1::foundation-model/acme.embed-x"
            },
        },
    )
    assert odd["ResponseMetadata"]["HTTPHeaders"]["x-podium-effective-embedding-model"] == (
        "podium/test-hash-64"
    )
    direct = agent.create_knowledge_base(
        name="kb-direct-model",
        roleArn=ROLE,
        knowledgeBaseConfiguration={
            "type": "VECTOR",
            "vectorKnowledgeBaseConfiguration": {
                "embeddingModelArn": "arn:aws:bedrock:us-east-1::foundation-model/"
                "podium/test-hash-32"
            },
        },
    )
    kb_id = direct["knowledgeBase"]["knowledgeBaseId"]
    assert aws.backend.knowledge.info(kb_id).dimension == 32
    with pytest.raises(agent.exceptions.ValidationException):
        agent.create_knowledge_base(
            name="kb-kendra",
            roleArn=ROLE,
            knowledgeBaseConfiguration={
                "type": "KENDRA",
                "kendraKnowledgeBaseConfiguration": {
                    "kendraIndexArn": "arn:aws:kendra:us-east-1:000000000000:index/" + "a" * 36
                },
            },
        )


def _chunk_stats(aws: AwsServer, kb_id: str, uri: str) -> tuple[int, int, int]:
    """(searchable chunks, parent chunks, largest searchable token count) of a document."""
    c, d = schema.chunks, schema.documents
    with aws.backend.database.connect() as conn:
        rows = conn.execute(
            sa.select(c.c.searchable, c.c.token_count)
            .join(d, d.c.id == c.c.document_id)
            .where(d.c.kb_id == kb_id, d.c.uri == uri)
        ).all()
    searchable = [t for s, t in rows if s]
    return len(searchable), len(rows) - len(searchable), max(searchable)


def test_data_sources_and_all_five_chunking_configurations(aws: AwsServer) -> None:
    agent = aws.client("bedrock-agent")
    kb_id = create_kb(agent, "kb-chunking")["knowledgeBaseId"]
    text = " ".join(f"Sentence {i} talks about topic {i % 5} in some detail." for i in range(120))
    configs: dict[str, dict[str, Any] | None] = {
        "default": None,
        "fixed": FIXED_300_20["chunkingConfiguration"],
        "fixed-small": {
            "chunkingStrategy": "FIXED_SIZE",
            "fixedSizeChunkingConfiguration": {"maxTokens": 40, "overlapPercentage": 10},
        },
        "none": {"chunkingStrategy": "NONE"},
        "hierarchical": {
            "chunkingStrategy": "HIERARCHICAL",
            "hierarchicalChunkingConfiguration": {
                "levelConfigurations": [{"maxTokens": 300}, {"maxTokens": 60}],
                "overlapTokens": 6,
            },
        },
        "semantic": {
            "chunkingStrategy": "SEMANTIC",
            "semanticChunkingConfiguration": {
                "maxTokens": 100,
                "bufferSize": 1,
                "breakpointPercentileThreshold": 90,
            },
        },
    }
    found: dict[str, tuple[int, int, int]] = {}
    for name, chunking in configs.items():
        ds_id = _custom(kb_id, agent, f"ds-{name}", chunking)
        got = agent.get_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)["dataSource"]
        if chunking is not None:
            assert got["vectorIngestionConfiguration"]["chunkingConfiguration"] == chunking
        out = agent.ingest_knowledge_base_documents(
            knowledgeBaseId=kb_id, dataSourceId=ds_id, documents=[_text_doc(name, text)]
        )
        assert out["documentDetails"][0]["status"] == "INDEXED"
        found[name] = _chunk_stats(aws, kb_id, f"custom://{ds_id}/{name}")
    assert found["none"][0] == 1
    assert found["default"] == found["fixed"] and found["fixed"][2] <= 300
    assert found["fixed-small"][0] > found["fixed"][0] and found["fixed-small"][2] <= 40
    assert found["hierarchical"][1] >= 2 and found["hierarchical"][2] <= 60
    assert found["semantic"][0] >= 1 and found["semantic"][2] <= 100

    summaries = agent.list_data_sources(knowledgeBaseId=kb_id)["dataSourceSummaries"]
    assert [s["name"] for s in summaries] == [f"ds-{n}" for n in configs]
    with pytest.raises(agent.exceptions.ConflictException):
        _custom(kb_id, agent, "ds-none")
    with pytest.raises(agent.exceptions.ValidationException):
        _custom(
            kb_id,
            agent,
            "ds-bad-hierarchy",
            {
                "chunkingStrategy": "HIERARCHICAL",
                "hierarchicalChunkingConfiguration": {
                    "levelConfigurations": [{"maxTokens": 50}, {"maxTokens": 300}],
                    "overlapTokens": 6,
                },
            },
        )
    with pytest.raises(agent.exceptions.ValidationException):
        _custom(kb_id, agent, "ds-no-fixed", {"chunkingStrategy": "FIXED_SIZE"})

    ds_id = summaries[0]["dataSourceId"]
    updated = agent.update_data_source(
        knowledgeBaseId=kb_id,
        dataSourceId=ds_id,
        name="ds-default-renamed",
        description="renamed",
        dataSourceConfiguration={"type": "CUSTOM"},
        dataDeletionPolicy="RETAIN",
    )["dataSource"]
    assert (updated["name"], updated["description"], updated["dataDeletionPolicy"]) == (
        "ds-default-renamed",
        "renamed",
        "RETAIN",
    )
    with pytest.raises(agent.exceptions.ValidationException):
        agent.update_data_source(
            knowledgeBaseId=kb_id,
            dataSourceId=ds_id,
            name="ds-default-renamed",
            dataSourceConfiguration={"type": "CUSTOM"},
            vectorIngestionConfiguration={"chunkingConfiguration": {"chunkingStrategy": "NONE"}},
        )
    with pytest.raises(agent.exceptions.ValidationException):
        agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id)

    # RETAIN keeps the documents; DELETE (the default) removes them.
    before = aws.backend.knowledge.info(kb_id).document_count
    agent.delete_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)
    assert aws.backend.knowledge.info(kb_id).document_count == before
    none_id = summaries[3]["dataSourceId"]
    assert agent.delete_data_source(knowledgeBaseId=kb_id, dataSourceId=none_id)["status"] == (
        "DELETING"
    )
    assert aws.backend.knowledge.info(kb_id).document_count == before - 1
    with pytest.raises(agent.exceptions.ResourceNotFoundException):
        agent.get_data_source(knowledgeBaseId=kb_id, dataSourceId=none_id)


def test_custom_documents_ingest_get_list_delete(aws: AwsServer) -> None:
    agent = aws.client("bedrock-agent")
    kb_id = create_kb(agent, "kb-docs")["knowledgeBaseId"]
    ds_id = _custom(kb_id, agent, "docs")
    html = {
        "content": {
            "dataSourceType": "CUSTOM",
            "custom": {
                "customDocumentIdentifier": {"id": "page/1"},
                "sourceType": "IN_LINE",
                "inlineContent": {
                    "type": "BYTE",
                    "byteContent": {"mimeType": "text/html", "data": b"<p>Hello HTML talk</p>"},
                },
            },
        }
    }
    image = {
        "content": {
            "dataSourceType": "CUSTOM",
            "custom": {
                "customDocumentIdentifier": {"id": "img"},
                "sourceType": "IN_LINE",
                "inlineContent": {
                    "type": "BYTE",
                    "byteContent": {"mimeType": "image/png", "data": b"\x89PNG"},
                },
            },
        }
    }
    out = agent.ingest_knowledge_base_documents(
        knowledgeBaseId=kb_id,
        dataSourceId=ds_id,
        documents=[
            _text_doc(
                "t1",
                "Quantum computing keynote.",
                track={"type": "STRING", "stringValue": "science"},
                level={"type": "NUMBER", "numberValue": 3},
                live={"type": "BOOLEAN", "booleanValue": True},
                tags={"type": "STRING_LIST", "stringListValue": ["q", "k"]},
            ),
            html,
            image,
        ],
    )
    statuses = {d["identifier"]["custom"]["id"]: d["status"] for d in out["documentDetails"]}
    assert statuses == {"t1": "INDEXED", "page/1": "INDEXED", "img": "FAILED"}
    assert "image/png" in out["documentDetails"][2]["statusReason"]

    handle = aws.backend.knowledge.get(kb_id)
    hits = handle.retrieve("quantum", 5, filter={"equals": {"key": "level", "value": 3}})
    assert [h.source_uri for h in hits] == [f"custom://{ds_id}/t1"]
    assert {k: hits[0].metadata[k] for k in ("track", "live", "tags")} == {
        "track": "science",
        "live": True,
        "tags": ["q", "k"],
    }

    listed = agent.list_knowledge_base_documents(
        knowledgeBaseId=kb_id, dataSourceId=ds_id, maxResults=1
    )
    assert len(listed["documentDetails"]) == 1 and listed["nextToken"]
    pages = agent.get_paginator("list_knowledge_base_documents").paginate(
        knowledgeBaseId=kb_id, dataSourceId=ds_id, PaginationConfig={"PageSize": 1}
    )
    ids = [d["identifier"]["custom"]["id"] for p in pages for d in p["documentDetails"]]
    assert sorted(ids) == ["page/1", "t1"]

    ident = [
        {"dataSourceType": "CUSTOM", "custom": {"id": "t1"}},
        {"dataSourceType": "CUSTOM", "custom": {"id": "nope"}},
    ]
    got = agent.get_knowledge_base_documents(
        knowledgeBaseId=kb_id, dataSourceId=ds_id, documentIdentifiers=ident
    )
    assert [d["status"] for d in got["documentDetails"]] == ["INDEXED", "NOT_FOUND"]
    deleted = agent.delete_knowledge_base_documents(
        knowledgeBaseId=kb_id, dataSourceId=ds_id, documentIdentifiers=ident
    )
    assert [d["status"] for d in deleted["documentDetails"]] == ["DELETING", "NOT_FOUND"]
    assert not handle.retrieve("quantum", 5, filter={"equals": {"key": "level", "value": 3}})

    s3_doc = {"content": {"dataSourceType": "S3", "s3": {"s3Location": {"uri": "s3://b/k.md"}}}}
    with pytest.raises(agent.exceptions.ValidationException):
        agent.ingest_knowledge_base_documents(
            knowledgeBaseId=kb_id, dataSourceId=ds_id, documents=[s3_doc]
        )
    with pytest.raises(agent.exceptions.ValidationException):
        agent.ingest_knowledge_base_documents(
            knowledgeBaseId=kb_id,
            dataSourceId=ds_id,
            documents=[_text_doc("dup", "a"), _text_doc("dup", "b")],
        )


def test_not_found_errors(aws: AwsServer) -> None:
    agent = aws.client("bedrock-agent")
    with pytest.raises(agent.exceptions.ResourceNotFoundException):
        agent.get_knowledge_base(knowledgeBaseId="NOSUCHKB00")
    with pytest.raises(agent.exceptions.ResourceNotFoundException):
        agent.list_data_sources(knowledgeBaseId="NOSUCHKB00")
    kb_id = create_kb(agent, "kb-notfound")["knowledgeBaseId"]
    with pytest.raises(agent.exceptions.ResourceNotFoundException):
        agent.get_data_source(knowledgeBaseId=kb_id, dataSourceId="NOSUCHDS00")
    with pytest.raises(agent.exceptions.ResourceNotFoundException):
        agent.list_knowledge_base_documents(knowledgeBaseId=kb_id, dataSourceId="NOSUCHDS00")


def test_bad_input_is_a_validation_error_never_a_5xx(aws: AwsServer) -> None:
    raw = aws.client(
        "bedrock-agent", config=Config(parameter_validation=False, retries={"max_attempts": 1})
    )
    kb_id = create_kb(aws.client("bedrock-agent"), "kb-bad-input")["knowledgeBaseId"]
    bad_calls: list[tuple[str, dict[str, Any]]] = [
        ("create_knowledge_base", {"name": "x", "roleArn": ROLE}),
        (
            "create_knowledge_base",
            {"name": "x", "roleArn": ROLE, "knowledgeBaseConfiguration": {"type": 7}},
        ),
        (
            "create_knowledge_base",
            {"name": "bad name!", "roleArn": ROLE, "knowledgeBaseConfiguration": VECTOR},
        ),
        ("list_knowledge_bases", {"nextToken": "not-a-token"}),
        ("list_knowledge_bases", {"maxResults": 0}),
        (
            "create_data_source",
            {
                "knowledgeBaseId": kb_id,
                "name": "d",
                "dataSourceConfiguration": {"type": "S3", "s3Configuration": {"bucketArn": "x"}},
            },
        ),
        (
            "create_data_source",
            {"knowledgeBaseId": kb_id, "name": "d", "dataSourceConfiguration": {"type": "S3"}},
        ),
        (
            "create_data_source",
            {
                "knowledgeBaseId": kb_id,
                "name": "d",
                "dataSourceConfiguration": {"type": "CONFLUENCE"},
            },
        ),
        (
            "create_data_source",
            {
                "knowledgeBaseId": kb_id,
                "name": "d",
                "dataSourceConfiguration": {"type": "CUSTOM"},
                "vectorIngestionConfiguration": {
                    "chunkingConfiguration": {
                        "chunkingStrategy": "FIXED_SIZE",
                        "fixedSizeChunkingConfiguration": {"maxTokens": 0, "overlapPercentage": 0},
                    }
                },
            },
        ),
        (
            "create_data_source",
            {
                "knowledgeBaseId": kb_id,
                "name": "d",
                "dataSourceConfiguration": {"type": "CUSTOM"},
                "vectorIngestionConfiguration": {
                    "chunkingConfiguration": {"chunkingStrategy": "ODD"}
                },
            },
        ),
    ]
    for method, params in bad_calls:
        with pytest.raises(botocore.exceptions.ClientError) as info:
            getattr(raw, method)(**params)
        response = info.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] < 500, (method, params, response)
        assert response["Error"]["Code"] == "ValidationException", (method, params, response)
