"""bedrock-agentcore long-term records and extraction jobs through real boto3 and the SDK."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import sqlalchemy as sa
from bedrock_agentcore.memory import MemoryClient

from fixtures.aws import REGION, AwsServer
from fixtures.aws_memory import conversational, point_sdk_at, poll, unique
from podium.memory import _tables as t


def _memory(aws: AwsServer, *strategies: dict[str, Any]) -> dict[str, Any]:
    control = aws.client("bedrock-agentcore-control")
    memory: dict[str, Any] = control.create_memory(
        name=unique("rec"), eventExpiryDuration=7, memoryStrategies=list(strategies)
    )["memory"]
    return memory


def _create(data: Any, memory_id: str, *items: tuple[str, str, dict[str, Any]]) -> list[str]:
    out = data.batch_create_memory_records(
        memoryId=memory_id,
        records=[
            {
                "requestIdentifier": f"r{i}",
                "namespaces": [namespace],
                "content": {"text": text},
                "timestamp": time.time(),
                **({"metadata": meta} if meta else {}),
            }
            for i, (namespace, text, meta) in enumerate(items)
        ],
    )
    assert out["failedRecords"] == []
    by_request = {r["requestIdentifier"]: r["memoryRecordId"] for r in out["successfulRecords"]}
    return [by_request[f"r{i}"] for i in range(len(items))]


def test_records_retrieve_list_get_and_delete(aws: AwsServer) -> None:
    data = aws.client("bedrock-agentcore")
    memory_id = _memory(aws)["id"]
    high = {"priority": {"stringValue": "high"}}
    ids = _create(
        data,
        memory_id,
        ("/team/alice", "Prefers vegetarian food", high),
        ("/team/alice/trips", "Enjoys hiking in the mountains", {}),
        ("/team/bob", "Likes spicy vegetarian curries", {}),
    )
    assert all(40 <= len(i) <= 50 and i.startswith("mem-") for i in ids)

    def retrieve(**kwargs: Any) -> list[dict[str, Any]]:
        criteria = {"searchQuery": "vegetarian food", "topK": 5, **kwargs.pop("criteria", {})}
        found: list[dict[str, Any]] = data.retrieve_memory_records(
            memoryId=memory_id, searchCriteria=criteria, **kwargs
        )["memoryRecordSummaries"]
        return found

    # namespace: exactly that namespace (the trailing '/' does not matter).
    exact = retrieve(namespace="/team/alice/")
    assert [r["memoryRecordId"] for r in exact] == [ids[0]]
    assert 0 < exact[0]["score"] <= 1 and exact[0]["content"]["text"] == "Prefers vegetarian food"
    assert exact[0]["namespaces"] == ["/team/alice"]
    assert exact[0]["metadata"] == high
    # namespacePath: the namespace and everything under it, at '/' boundaries.
    assert {r["memoryRecordId"] for r in retrieve(namespacePath="/team/alice")} == set(ids[:2])
    assert {r["memoryRecordId"] for r in retrieve(namespacePath="/team")} == set(ids)
    assert retrieve(namespacePath="/team/ali") == []
    filtered = retrieve(
        namespacePath="/team",
        criteria={
            "metadataFilters": [
                {
                    "left": {"metadataKey": "priority"},
                    "operator": "EQUALS_TO",
                    "right": {"metadataValue": {"stringValue": "high"}},
                }
            ]
        },
    )
    assert [r["memoryRecordId"] for r in filtered] == [ids[0]]
    assert len(retrieve(namespacePath="/team", criteria={"topK": 1})) == 1

    listed = data.list_memory_records(memoryId=memory_id, namespacePath="/team", maxResults=2)
    assert [r["memoryRecordId"] for r in listed["memoryRecordSummaries"]] == [ids[2], ids[1]]
    rest = data.list_memory_records(
        memoryId=memory_id, namespacePath="/team", nextToken=listed["nextToken"]
    )
    assert [r["memoryRecordId"] for r in rest["memoryRecordSummaries"]] == [ids[0]]
    assert "nextToken" not in rest
    only = data.list_memory_records(memoryId=memory_id, namespace="/team/alice")
    assert [r["memoryRecordId"] for r in only["memoryRecordSummaries"]] == [ids[0]]

    record = data.get_memory_record(memoryId=memory_id, memoryRecordId=ids[1])["memoryRecord"]
    assert record["content"] == {"text": "Enjoys hiking in the mountains"}
    assert (
        data.delete_memory_record(memoryId=memory_id, memoryRecordId=ids[1])["memoryRecordId"]
        == ids[1]
    )
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.get_memory_record(memoryId=memory_id, memoryRecordId=ids[1])

    with pytest.raises(data.exceptions.ValidationException):
        data.retrieve_memory_records(
            memoryId=memory_id, searchCriteria={"searchQuery": "x"}
        )  # neither namespace nor namespacePath
    with pytest.raises(data.exceptions.ValidationException):
        data.retrieve_memory_records(
            memoryId=memory_id,
            namespace="/a",
            namespacePath="/a",
            searchCriteria={"searchQuery": "x"},
        )
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.list_memory_records(memoryId="missing-0123456789", namespacePath="/")


def test_batch_update_and_delete(aws: AwsServer) -> None:
    data = aws.client("bedrock-agentcore")
    memory = _memory(aws, {"semanticMemoryStrategy": {"name": "facts"}})
    memory_id, strategy_id = memory["id"], memory["strategies"][0]["strategyId"]
    (rid,) = _create(data, memory_id, ("/notes", "Works at Initech", {}))
    missing = "mem-00000000-0000-0000-0000-000000000000"
    updated = data.batch_update_memory_records(
        memoryId=memory_id,
        records=[
            {
                "memoryRecordId": rid,
                "timestamp": time.time(),
                "content": {"text": "Works at Acme"},
                "namespaces": ["/notes/work"],
                "memoryStrategyId": strategy_id,
                "metadata": {"source": {"stringValue": "hr"}},
            },
            {"memoryRecordId": missing, "timestamp": time.time(), "content": {"text": "x"}},
        ],
    )
    assert [r["memoryRecordId"] for r in updated["successfulRecords"]] == [rid]
    assert updated["failedRecords"][0]["memoryRecordId"] == missing
    assert updated["failedRecords"][0]["errorCode"] == 404
    record = data.get_memory_record(memoryId=memory_id, memoryRecordId=rid)["memoryRecord"]
    assert record["content"]["text"] == "Works at Acme"
    assert record["namespaces"] == ["/notes/work"] and record["memoryStrategyId"] == strategy_id
    assert record["metadata"] == {"source": {"stringValue": "hr"}}
    bad = data.batch_create_memory_records(
        memoryId=memory_id,
        records=[
            {
                "requestIdentifier": "bad",
                "namespaces": ["/x"],
                "content": {"text": "x"},
                "timestamp": time.time(),
                "memoryStrategyId": "nope-0123456789",
            }
        ],
    )
    assert bad["successfulRecords"] == [] and bad["failedRecords"][0]["requestIdentifier"] == "bad"
    deleted = data.batch_delete_memory_records(
        memoryId=memory_id, records=[{"memoryRecordId": rid}, {"memoryRecordId": missing}]
    )
    assert [r["memoryRecordId"] for r in deleted["successfulRecords"]] == [rid]
    assert [r["memoryRecordId"] for r in deleted["failedRecords"]] == [missing]


def _preference_records(data: Any, memory_id: str, namespace: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data.list_memory_records(memoryId=memory_id, namespace=namespace)[
        "memoryRecordSummaries"
    ]
    return found


def test_extraction_writes_agentcore_shaped_preferences_and_failed_jobs_rerun(
    aws: AwsServer,
) -> None:
    data = aws.client("bedrock-agentcore")
    memory = _memory(
        aws,
        {
            "userPreferenceMemoryStrategy": {
                "name": "prefs",
                "namespaceTemplates": ["/users/{actorId}/preferences"],
            }
        },
    )
    memory_id, strategy_id = memory["id"], memory["strategies"][0]["strategyId"]
    data.create_event(
        memoryId=memory_id,
        actorId="frank",
        sessionId="s1",
        eventTimestamp=time.time(),
        payload=[conversational("I'm really interested in serverless and security.")],
    )
    records = poll(
        lambda: _preference_records(data, memory_id, "/users/frank/preferences"),
        lambda found: len(found) >= 2,
    )
    assert len(records) == 2
    for record in records:
        assert record["memoryStrategyId"] == strategy_id
        body = json.loads(record["content"]["text"])
        assert set(body) == {"context", "preference", "categories"}
        assert "interested in" in body["preference"] and body["categories"]
    assert {c for r in records for c in json.loads(r["content"]["text"])["categories"]} >= {
        "serverless",
        "security",
    }

    # A job that failed is listed (with its messages) and runs again when started.
    memory_service = aws.backend.memory
    (job,) = memory_service.list_extraction_jobs(memory_id)
    with aws.backend.database.begin() as conn:
        conn.execute(
            t.extraction_jobs.update()
            .where(t.extraction_jobs.c.id == job.job_id)
            .values(status="FAILED", error="model timed out")
        )
    listed = data.list_memory_extraction_jobs(memoryId=memory_id, filter={"actorId": "frank"})
    (wire,) = listed["jobs"]
    assert wire["jobID"] == job.job_id and wire["status"] == "FAILED"
    assert wire["failureReason"] == "model timed out" and wire["strategyId"] == strategy_id
    assert wire["messages"]["messagesList"][0]["messageIndex"] == 0
    assert (
        data.list_memory_extraction_jobs(memoryId=memory_id, filter={"sessionId": "x"})["jobs"]
        == []
    )
    assert (
        data.start_memory_extraction_job(memoryId=memory_id, extractionJob={"jobId": job.job_id})[
            "jobId"
        ]
        == job.job_id
    )
    done = poll(
        lambda: memory_service.list_extraction_jobs(memory_id)[0].status,
        lambda status: status == "COMPLETED",
    )
    assert done == "COMPLETED"
    with pytest.raises(data.exceptions.ValidationException):  # not FAILED any more
        data.start_memory_extraction_job(memoryId=memory_id, extractionJob={"jobId": job.job_id})
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.start_memory_extraction_job(memoryId=memory_id, extractionJob={"jobId": "nope"})


def test_memory_client_retrieves_and_the_sdk_reads_records(
    aws: AwsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_sdk_at(aws, monkeypatch)
    client = MemoryClient(region_name=REGION)
    memory = client.create_memory_and_wait(
        name=unique("client"),
        strategies=[{"semanticMemoryStrategy": {"name": "facts"}}],
        poll_interval=0,
    )
    strategy_id = memory["strategies"][0]["strategyId"]
    client.create_event(
        memory_id=memory["id"],
        actor_id="gina",
        session_id="s1",
        messages=[("I work at Initech as a data engineer.", "USER"), ("Nice!", "ASSISTANT")],
    )
    namespace = f"/strategies/{strategy_id}/actors/gina/"
    found = poll(
        lambda: client.retrieve_memories(memory_id=memory["id"], namespace=namespace, query="job"),
        bool,
    )
    assert any("Initech" in r["content"]["text"] for r in found)
    with aws.backend.database.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.memory_records)).scalar()
