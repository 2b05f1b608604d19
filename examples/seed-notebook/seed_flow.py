"""The seed's flow end to end, written only against boto3, bedrock-agentcore and Strands.

Run it after ``eval "$(podium aws-env)"`` with ``AWS_ENDPOINT_URL_S3`` pointing at any
S3-compatible store (AWS S3, MinIO, Ceph...)::

    python seed_flow.py
    KB_ID=... MEMORY_ID=... podium serve --agent agent_app.py:app --name seed_assistant &
    python seed_flow.py --invoke seed_assistant

It puts one file per session (plus its ``.metadata.json`` sidecar) in an S3 bucket, creates an
S3 Vectors bucket and index, a knowledge base on them with an S3 data source (fixed-size
300-token chunks, 20 % overlap), ingests and retrieves (also with a metadata filter), creates a
memory with a user-preference strategy, then talks to the Strands agent of ``agent_app.py``
in two sessions of one attendee and one of another. ``--invoke NAME`` calls the same app
served by ``podium serve --name NAME`` (with the printed ``KB_ID`` and ``MEMORY_ID``) through
``InvokeAgentRuntime``. It exits non-zero, saying
which step failed, when a check does not hold.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
from bedrock_agentcore.memory import MemoryClient

HERE = Path(__file__).resolve().parent
REGION = os.environ.get("AWS_REGION", "us-east-1")
#: Hands-on AI-security sessions: what alice's preferences should bring up.
PERSONAL = ("SEC301", "AIM305", "AIM320", "SEC415")
TITAN_V2 = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"


def check(condition: bool, what: str) -> None:
    """Stop with a message when a step's result is not what the flow expects."""
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def wait_for(fn: Any, done: Any, timeout_s: float = 120.0, every_s: float = 0.5) -> Any:
    """Poll ``fn()`` until ``done(result)``; returns the last result."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = fn()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(every_s)


def put_sessions(bucket: str) -> int:
    """One markdown file and one metadata sidecar per session."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=bucket)
    sessions = json.loads((HERE / "sessions.json").read_text())
    for s in sessions:
        body = (
            f"# {s['code']}: {s['title']}\n\n{s['abstract']}\n\n"
            f"Track: {s['track']}. Level: {s['level']}. Format: {s['format']}. Day: {s['day']}.\n"
        )
        key = f"sessions/{s['code']}.md"
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
        sidecar = {
            "metadataAttributes": {
                "code": s["code"],
                "track": s["track"],
                "level": s["level"],
                "format": s["format"],
                "day": s["day"],
            }
        }
        s3.put_object(Bucket=bucket, Key=f"{key}.metadata.json", Body=json.dumps(sidecar).encode())
    return len(sessions)


def create_knowledge_base(tag: str, bucket: str) -> tuple[str, str]:
    """S3 Vectors storage, a KB on it and an S3 data source; returns (kb id, data source id)."""
    vectors = boto3.client("s3vectors", region_name=REGION)
    vectors.create_vector_bucket(vectorBucketName=f"seed-vectors-{tag}")
    index = vectors.create_index(
        vectorBucketName=f"seed-vectors-{tag}",
        indexName="sessions",
        dataType="float32",
        dimension=1024,
        distanceMetric="cosine",
    )
    agent = boto3.client("bedrock-agent", region_name=REGION)
    kb = agent.create_knowledge_base(
        name=f"seed-sessions-{tag}",
        roleArn="arn:aws:iam::000000000000:role/seed-kb",
        knowledgeBaseConfiguration={
            "type": "VECTOR",
            "vectorKnowledgeBaseConfiguration": {"embeddingModelArn": TITAN_V2},
        },
        storageConfiguration={
            "type": "S3_VECTORS",
            "s3VectorsConfiguration": {"indexArn": index["indexArn"]},
        },
    )["knowledgeBase"]
    kb_id = kb["knowledgeBaseId"]
    kb = wait_for(
        lambda: agent.get_knowledge_base(knowledgeBaseId=kb_id)["knowledgeBase"],
        lambda k: k["status"] == "ACTIVE",
    )
    check(kb["status"] == "ACTIVE", "the knowledge base is ACTIVE")
    source = agent.create_data_source(
        knowledgeBaseId=kb_id,
        name="sessions-bucket",
        dataSourceConfiguration={
            "type": "S3",
            "s3Configuration": {
                "bucketArn": f"arn:aws:s3:::{bucket}",
                "inclusionPrefixes": ["sessions/"],
            },
        },
        vectorIngestionConfiguration={
            "chunkingConfiguration": {
                "chunkingStrategy": "FIXED_SIZE",
                "fixedSizeChunkingConfiguration": {"maxTokens": 300, "overlapPercentage": 20},
            }
        },
    )["dataSource"]
    return kb_id, source["dataSourceId"]


def ingest(kb_id: str, source_id: str, expected: int) -> None:
    """Run one ingestion job and check that its statistics count every document."""
    agent = boto3.client("bedrock-agent", region_name=REGION)
    job = agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=source_id)["ingestionJob"]
    job = wait_for(
        lambda: agent.get_ingestion_job(
            knowledgeBaseId=kb_id, dataSourceId=source_id, ingestionJobId=job["ingestionJobId"]
        )["ingestionJob"],
        lambda j: j["status"] in ("COMPLETE", "FAILED", "STOPPED"),
    )
    stats = job.get("statistics", {})
    check(job["status"] == "COMPLETE", f"ingestion completed ({job['status']})")
    check(
        stats.get("numberOfDocumentsScanned") == expected
        and stats.get("numberOfNewDocumentsIndexed") == expected,
        f"the statistics count every document ({stats})",
    )


def retrieve(kb_id: str) -> None:
    """Run one ingestion job and check that its statistics count every document."""
    runtime = boto3.client("bedrock-agent-runtime", region_name=REGION)
    out = runtime.retrieve(
        knowledgeBaseId=kb_id,
        retrievalQuery={"text": "guardrails for LLM chatbots"},
        retrievalConfiguration={"vectorSearchConfiguration": {"numberOfResults": 3}},
    )["retrievalResults"]
    check(
        bool(out) and "SEC301" in out[0]["content"]["text"], "retrieve finds the guardrails session"
    )
    check(out[0]["location"]["s3Location"]["uri"].startswith("s3://"), "results carry S3 locations")
    filtered = runtime.retrieve(
        knowledgeBaseId=kb_id,
        retrievalQuery={"text": "hands-on workshop"},
        retrievalConfiguration={
            "vectorSearchConfiguration": {
                "numberOfResults": 5,
                "filter": {"equals": {"key": "day", "value": "Thursday"}},
            }
        },
    )["retrievalResults"]
    check(
        bool(filtered) and all(r["metadata"]["day"] == "Thursday" for r in filtered),
        "a metadata filter keeps Thursday's sessions only",
    )


def create_memory(tag: str) -> str:
    """Retrieve with and without a metadata filter."""
    client = MemoryClient(region_name=REGION)
    memory = client.create_memory_and_wait(
        name=f"SeedAssistant_{tag}",
        strategies=[
            {
                "userPreferenceMemoryStrategy": {
                    "name": "preferences",
                    "namespaces": ["/users/{actorId}/preferences"],
                }
            }
        ],
        poll_interval=1,
    )
    return str(memory["id"])


def talk(actor_id: str, prompt: str) -> str:
    """A memory with a user-preference strategy on ``/users/{actorId}/preferences``."""
    from agent_app import create_agent

    agent = create_agent(actor_id, f"{actor_id}-{uuid.uuid4()}")
    return str(agent(prompt))


def preferences(memory_id: str, actor_id: str) -> list[dict[str, Any]]:
    """One turn of the agent in a new session of ``actor_id``."""
    client = MemoryClient(region_name=REGION)
    return list(
        client.retrieve_memories(
            memory_id=memory_id,
            namespace=f"/users/{actor_id}/preferences",
            query="session preferences",
            top_k=5,
        )
    )


def invoke(runtime_name: str) -> None:
    """The preference records stored for ``actor_id``."""
    """Ask the app served as ``runtime_name`` through InvokeAgentRuntime."""
    client = boto3.client("bedrock-agentcore", region_name=REGION)
    out = client.invoke_agent_runtime(
        agentRuntimeArn=f"arn:aws:bedrock-agentcore:{REGION}:000000000000:runtime/{runtime_name}",
        runtimeSessionId=f"seed-session-{uuid.uuid4()}",
        runtimeUserId="alice",
        payload=json.dumps({"prompt": "Which sessions should I attend?", "actor_id": "alice"}),
    )
    answer = json.loads(out["response"].read())["answer"]
    check(
        any(code in answer for code in PERSONAL), f"InvokeAgentRuntime answers alice ({answer!r})"
    )


def run() -> dict[str, str]:
    """Every step up to the two attendees' sessions; returns the resources the app needs."""
    tag = uuid.uuid4().hex[:8]
    bucket = f"seed-sessions-{tag}"
    count = put_sessions(bucket)
    kb_id, source_id = create_knowledge_base(tag, bucket)
    ingest(kb_id, source_id, count)
    retrieve(kb_id)
    memory_id = create_memory(tag)
    resources = {"KB_ID": kb_id, "MEMORY_ID": memory_id}
    os.environ.update(resources)

    talk("alice", "Hi! I'm into AI security and I prefer hands-on workshops over talks.")
    found = wait_for(lambda: preferences(memory_id, "alice"), bool, timeout_s=60)
    check(bool(found), f"a preference was extracted for alice ({len(found)} records)")
    answer = talk("alice", "Which sessions should I attend?")
    check(any(code in answer for code in PERSONAL), f"alice's new session is personal ({answer!r})")
    check(not preferences(memory_id, "bob"), "bob sees nothing of alice's memory")
    generic = talk("bob", "Which sessions should I attend?")
    check(generic != answer, f"bob, who said nothing, gets other picks ({generic!r})")
    return resources


def main() -> int:
    """Run the flow (or only the InvokeAgentRuntime step)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--invoke",
        metavar="RUNTIME_NAME",
        help="only call the app served under this name (podium serve --name) as alice",
    )
    args = parser.parse_args()
    if args.invoke:
        invoke(args.invoke)
        return 0
    resources = run()
    print("the seed flow ran; serve the agent with:")
    print(
        " ".join(f"{k}={v}" for k, v in resources.items()),
        "podium serve --agent agent_app.py:app --name seed_assistant",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
