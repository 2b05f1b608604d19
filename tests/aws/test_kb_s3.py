"""An S3 data source against a real S3-compatible server (moto, on 127.0.0.1): ingest, re-sync."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from fixtures.aws import AwsServer
from fixtures.aws_kb import (
    FIXED_300_20,
    S3Server,
    create_kb,
    expected,
    run_job,
    s3_server,
    stats,
)
from podium.storage import schema

BUCKET = "event-sessions"


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


def _words(n: int, seed: str) -> str:
    return " ".join(f"{seed}{i % 97}" for i in range(n)) + "."


def _sidecar(attributes: dict[str, Any]) -> bytes:
    return json.dumps({"metadataAttributes": attributes}).encode()


def _chunks(aws: AwsServer, kb_id: str) -> list[Any]:
    c, d = schema.chunks, schema.documents
    with aws.backend.database.connect() as conn:
        return list(
            conn.execute(
                sa.select(d.c.uri, c.c.token_count, c.c.text)
                .join(d, d.c.id == c.c.document_id)
                .where(c.c.kb_id == kb_id, c.c.searchable.is_(True))
                .order_by(d.c.uri, c.c.ordinal)
            )
        )


def test_s3_source_ingests_then_resyncs_incrementally(aws: AwsServer, s3: S3Server) -> None:
    bucket = s3.client()
    bucket.create_bucket(Bucket=BUCKET)
    put = bucket.put_object
    put(Bucket=BUCKET, Key="sessions/keynote.md", Body=_words(700, "keynote").encode())
    put(
        Bucket=BUCKET,
        Key="sessions/keynote.md.metadata.json",
        Body=_sidecar({"track": {"value": {"type": "STRING", "stringValue": "ai"}}}),
    )
    put(Bucket=BUCKET, Key="sessions/rust.txt", Body=b"Rust ownership and borrowing workshop.")
    put(
        Bucket=BUCKET,
        Key="sessions/rust.txt.metadata.json",
        Body=_sidecar({"track": "systems", "level": 2, "tags": ["rust", "memory"]}),
    )
    put(Bucket=BUCKET, Key="sessions/closing.md", Body=b"# Closing\n\nThanks for coming.")
    put(Bucket=BUCKET, Key="sessions/", Body=b"")  # a folder marker: not a document
    put(Bucket=BUCKET, Key="elsewhere/ignored.md", Body=b"Outside the inclusion prefix.")

    agent = aws.client("bedrock-agent")
    kb = create_kb(agent, "s3-sessions")
    source = agent.create_data_source(
        knowledgeBaseId=kb["knowledgeBaseId"],
        name="sessions-bucket",
        dataSourceConfiguration={
            "type": "S3",
            "s3Configuration": {
                "bucketArn": f"arn:aws:s3:::{BUCKET}",
                "inclusionPrefixes": ["sessions/"],
            },
        },
        vectorIngestionConfiguration=FIXED_300_20,
    )["dataSource"]
    assert source["status"] == "AVAILABLE"
    kb_id, ds_id = kb["knowledgeBaseId"], source["dataSourceId"]

    first = run_job(agent, kb_id, ds_id)
    assert first["status"] == "COMPLETE", first
    assert stats(first) == expected(scanned=3, new=3, metadata=2)

    chunks = _chunks(aws, kb_id)
    keynote = [c for c in chunks if c.uri.endswith("keynote.md")]
    assert len(keynote) >= 3 and all(c.token_count <= 300 for c in keynote)
    assert {c.uri for c in chunks} == {
        f"s3://{BUCKET}/sessions/keynote.md",
        f"s3://{BUCKET}/sessions/rust.txt",
        f"s3://{BUCKET}/sessions/closing.md",
    }

    handle = aws.backend.knowledge.get(kb_id)
    ai = handle.retrieve("keynote", 10, filter={"equals": {"key": "track", "value": "ai"}})
    assert ai and {r.source_uri for r in ai} == {f"s3://{BUCKET}/sessions/keynote.md"}
    assert ai[0].metadata["x-amz-bedrock-kb-source-uri"] == f"s3://{BUCKET}/sessions/keynote.md"
    assert ai[0].metadata["x-amz-bedrock-kb-data-source-id"] == ds_id
    rust = handle.retrieve("rust", 5, filter={"listContains": {"key": "tags", "value": "rust"}})
    assert [r.metadata["level"] for r in rust] == [2]

    # Add one, modify one (content), modify one (its sidecar only), delete one.
    put(Bucket=BUCKET, Key="sessions/new-talk.md", Body=b"A brand new talk on vector search.")
    put(Bucket=BUCKET, Key="sessions/closing.md", Body=b"# Closing\n\nSee you next year.")
    put(
        Bucket=BUCKET,
        Key="sessions/rust.txt.metadata.json",
        Body=_sidecar({"track": "systems", "level": 3, "tags": ["rust"]}),
    )
    bucket.delete_object(Bucket=BUCKET, Key="sessions/keynote.md")
    bucket.delete_object(Bucket=BUCKET, Key="sessions/keynote.md.metadata.json")

    second = run_job(agent, kb_id, ds_id)
    assert second["status"] == "COMPLETE", second
    assert stats(second) == expected(scanned=3, new=1, modified=2, deleted=1, metadata=1)
    rust = handle.retrieve("rust", 5, filter={"equals": {"key": "level", "value": 3}})
    assert [r.source_uri for r in rust] == [f"s3://{BUCKET}/sessions/rust.txt"]
    assert not [c for c in _chunks(aws, kb_id) if c.uri.endswith("keynote.md")]

    third = run_job(agent, kb_id, ds_id)
    assert stats(third) == expected(scanned=3, metadata=1)

    # An object Podium cannot parse fails alone, with its reason.
    put(Bucket=BUCKET, Key="sessions/logo.png", Body=b"\x89PNG....")
    fourth = run_job(agent, kb_id, ds_id)
    assert fourth["status"] == "COMPLETE"
    assert stats(fourth) == expected(scanned=4, failed=1, metadata=1)
    assert any("logo.png" in r for r in fourth["failureReasons"])

    listed = agent.list_knowledge_base_documents(knowledgeBaseId=kb_id, dataSourceId=ds_id)
    assert sorted(d["identifier"]["s3"]["uri"] for d in listed["documentDetails"]) == [
        f"s3://{BUCKET}/sessions/closing.md",
        f"s3://{BUCKET}/sessions/new-talk.md",
        f"s3://{BUCKET}/sessions/rust.txt",
    ]
    assert {d["status"] for d in listed["documentDetails"]} == {"INDEXED"}

    jobs = agent.list_ingestion_jobs(knowledgeBaseId=kb_id, dataSourceId=ds_id)
    ids = [j["ingestionJobId"] for j in jobs["ingestionJobSummaries"]]
    assert ids == [
        fourth["ingestionJobId"],
        third["ingestionJobId"],
        second["ingestionJobId"],
        first["ingestionJobId"],
    ]
    oldest = agent.list_ingestion_jobs(
        knowledgeBaseId=kb_id,
        dataSourceId=ds_id,
        sortBy={"attribute": "STARTED_AT", "order": "ASCENDING"},
        maxResults=1,
    )
    assert [j["ingestionJobId"] for j in oldest["ingestionJobSummaries"]] == [
        first["ingestionJobId"]
    ]
    assert oldest["nextToken"]


def test_s3_documents_ingest_get_and_delete(aws: AwsServer, s3: S3Server) -> None:
    bucket = s3.client()
    bucket.create_bucket(Bucket="direct-docs")
    bucket.put_object(Bucket="direct-docs", Key="a.md", Body=b"Direct S3 ingestion of a talk.")
    bucket.put_object(
        Bucket="direct-docs",
        Key="meta/a.json",
        Body=_sidecar({"room": {"value": {"type": "STRING", "stringValue": "R1"}}}),
    )
    agent = aws.client("bedrock-agent")
    kb = create_kb(agent, "s3-direct")
    kb_id = kb["knowledgeBaseId"]
    ds_id = agent.create_data_source(
        knowledgeBaseId=kb_id,
        name="direct",
        dataSourceConfiguration={
            "type": "S3",
            "s3Configuration": {"bucketArn": "arn:aws:s3:::direct-docs"},
        },
    )["dataSource"]["dataSourceId"]
    uri = "s3://direct-docs/a.md"
    out = agent.ingest_knowledge_base_documents(
        knowledgeBaseId=kb_id,
        dataSourceId=ds_id,
        documents=[
            {
                "content": {"dataSourceType": "S3", "s3": {"s3Location": {"uri": uri}}},
                "metadata": {
                    "type": "S3_LOCATION",
                    "s3Location": {"uri": "s3://direct-docs/meta/a.json"},
                },
            },
            {
                "content": {
                    "dataSourceType": "S3",
                    "s3": {"s3Location": {"uri": "s3://direct-docs/missing.md"}},
                }
            },
        ],
    )
    statuses = {d["identifier"]["s3"]["uri"]: d["status"] for d in out["documentDetails"]}
    assert statuses == {uri: "INDEXED", "s3://direct-docs/missing.md": "FAILED"}
    results = aws.backend.knowledge.get(kb_id).retrieve(
        "talk", 3, filter={"equals": {"key": "room", "value": "R1"}}
    )
    assert [r.source_uri for r in results] == [uri]

    ident = [{"dataSourceType": "S3", "s3": {"uri": uri}}]
    got = agent.get_knowledge_base_documents(
        knowledgeBaseId=kb_id, dataSourceId=ds_id, documentIdentifiers=ident
    )
    assert got["documentDetails"][0]["status"] == "INDEXED"
    deleted = agent.delete_knowledge_base_documents(
        knowledgeBaseId=kb_id, dataSourceId=ds_id, documentIdentifiers=ident
    )
    assert deleted["documentDetails"][0]["status"] == "DELETING"
    got = agent.get_knowledge_base_documents(
        knowledgeBaseId=kb_id, dataSourceId=ds_id, documentIdentifiers=ident
    )
    assert got["documentDetails"][0]["status"] == "NOT_FOUND"


def test_a_missing_bucket_fails_the_job_with_a_reason(aws: AwsServer, s3: S3Server) -> None:
    agent = aws.client("bedrock-agent")
    kb_id = create_kb(agent, "s3-missing")["knowledgeBaseId"]
    ds_id = agent.create_data_source(
        knowledgeBaseId=kb_id,
        name="nowhere",
        dataSourceConfiguration={
            "type": "S3",
            "s3Configuration": {"bucketArn": "arn:aws:s3:::no-such-bucket"},
        },
    )["dataSource"]["dataSourceId"]
    job = run_job(agent, kb_id, ds_id)
    assert job["status"] == "FAILED"
    assert any("NoSuchBucket" in r for r in job["failureReasons"])
