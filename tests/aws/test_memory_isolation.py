"""An actor-scoped access key cannot read or write another actor's events or records."""

from __future__ import annotations

import time
from typing import Any

import pytest

from fixtures.aws import AwsServer
from fixtures.aws_memory import conversational, poll, unique


@pytest.fixture(scope="module")
def setup(aws: AwsServer) -> dict[str, Any]:
    """A memory where bob and alice-1 each have events, records and an extraction job."""
    control = aws.client("bedrock-agentcore-control")
    memory = control.create_memory(
        name=unique("iso"),
        eventExpiryDuration=7,
        memoryStrategies=[
            {
                "userPreferenceMemoryStrategy": {
                    "name": "prefs",
                    "namespaceTemplates": ["/users/{actorId}/preferences"],
                }
            },
            {"semanticMemoryStrategy": {"name": "facts"}},
        ],
    )["memory"]
    data = aws.client("bedrock-agentcore")
    events = {}
    for actor in ("bob", "alice-1"):
        events[actor] = data.create_event(
            memoryId=memory["id"],
            actorId=actor,
            sessionId="s1",
            eventTimestamp=time.time(),
            payload=[conversational("I love security workshops. I work at Initech.")],
        )["event"]
    for actor in ("bob", "alice-1"):
        poll(
            lambda a=actor: data.list_memory_records(
                memoryId=memory["id"], namespace=f"/users/{a}/preferences"
            )["memoryRecordSummaries"],
            bool,
        )
    bob_records = data.list_memory_records(memoryId=memory["id"], namespacePath="/users/bob")[
        "memoryRecordSummaries"
    ]
    assert bob_records
    return {"memory": memory, "events": events, "bob_record": bob_records[0]["memoryRecordId"]}


def _denied(call: Any, **kwargs: Any) -> None:
    with pytest.raises(Exception) as info:
        call(**kwargs)
    assert type(info.value).__name__ == "AccessDeniedException", info.value


def test_events_of_another_actor_are_denied(aws: AwsServer, setup: dict[str, Any]) -> None:
    data = aws.client("bedrock-agentcore", key=aws.new_key("alice*"))
    memory_id = setup["memory"]["id"]
    bob = dict(memoryId=memory_id, actorId="bob", sessionId="s1")
    event_id = setup["events"]["bob"]["eventId"]
    _denied(data.create_event, **bob, eventTimestamp=time.time(), payload=[conversational("hi")])
    _denied(data.get_event, **bob, eventId=event_id)
    _denied(data.list_events, **bob)
    _denied(data.delete_event, **bob, eventId=event_id)
    _denied(data.list_sessions, memoryId=memory_id, actorId="bob")
    # Its own actors work, and it sees only them.
    mine = dict(memoryId=memory_id, actorId="alice-1", sessionId="s1")
    assert data.list_events(**mine)["events"]
    data.create_event(**mine, eventTimestamp=time.time(), payload=[conversational("ok")])
    actors = data.list_actors(memoryId=memory_id)["actorSummaries"]
    assert [a["actorId"] for a in actors] == ["alice-1"]
    # bob's event is untouched.
    every = aws.client("bedrock-agentcore")
    assert every.get_event(**bob, eventId=event_id)["event"]["eventId"] == event_id


def test_records_of_another_actor_are_denied_or_left_out(
    aws: AwsServer, setup: dict[str, Any]
) -> None:
    data = aws.client("bedrock-agentcore", key=aws.new_key("alice*"))
    memory = setup["memory"]
    memory_id, record_id = memory["id"], setup["bob_record"]
    facts = next(s for s in memory["strategies"] if s["name"] == "facts")["strategyId"]
    query = {"searchQuery": "security workshops", "topK": 10}
    _denied(data.get_memory_record, memoryId=memory_id, memoryRecordId=record_id)
    _denied(data.delete_memory_record, memoryId=memory_id, memoryRecordId=record_id)
    _denied(
        data.retrieve_memory_records,
        memoryId=memory_id,
        namespace="/users/bob/preferences",
        searchCriteria=query,
    )
    _denied(
        data.list_memory_records,
        memoryId=memory_id,
        namespacePath=f"/strategies/{facts}/actors/bob",
    )
    record = {"content": {"text": "x"}, "timestamp": time.time()}
    _denied(
        data.batch_create_memory_records,
        memoryId=memory_id,
        records=[{"requestIdentifier": "r", "namespaces": ["/users/bob/preferences"], **record}],
    )
    _denied(
        data.batch_update_memory_records,
        memoryId=memory_id,
        records=[{"memoryRecordId": record_id, **record}],
    )
    _denied(
        data.batch_delete_memory_records,
        memoryId=memory_id,
        records=[{"memoryRecordId": record_id}],
    )
    # Across actors it sees only its own actors' records.
    for kwargs in ({"namespacePath": "/"}, {"namespacePath": "/users"}):
        found = data.retrieve_memory_records(memoryId=memory_id, searchCriteria=query, **kwargs)
        texts = found["memoryRecordSummaries"]
        assert texts and all("/alice-1/" in r["namespaces"][0] for r in texts)
        listed = data.list_memory_records(memoryId=memory_id, **kwargs)["memoryRecordSummaries"]
        assert listed and all("/alice-1/" in r["namespaces"][0] for r in listed)
    # bob's record is untouched.
    every = aws.client("bedrock-agentcore")
    assert every.get_memory_record(memoryId=memory_id, memoryRecordId=record_id)


def test_extraction_jobs_of_another_actor(aws: AwsServer, setup: dict[str, Any]) -> None:
    memory_id = setup["memory"]["id"]
    jobs = aws.backend.memory.list_extraction_jobs(memory_id)
    bob_job = next(j for j in jobs if j.actor_id == "bob")
    from podium.memory import _tables as t

    with aws.backend.database.begin() as conn:
        conn.execute(
            t.extraction_jobs.update()
            .where(t.extraction_jobs.c.memory_id == memory_id)
            .values(status="FAILED", error="boom")
        )
    data = aws.client("bedrock-agentcore", key=aws.new_key("alice*"))
    listed = data.list_memory_extraction_jobs(memoryId=memory_id)["jobs"]
    assert listed and {j["actorId"] for j in listed} == {"alice-1"}
    _denied(data.list_memory_extraction_jobs, memoryId=memory_id, filter={"actorId": "bob"})
    _denied(
        data.start_memory_extraction_job,
        memoryId=memory_id,
        extractionJob={"jobId": bob_job.job_id},
    )
