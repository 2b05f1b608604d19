"""bedrock-agentcore events, sessions and actors through real boto3 and MemorySessionManager."""

from __future__ import annotations

import json
import time

import pytest
from bedrock_agentcore.memory import MemorySessionManager
from bedrock_agentcore.memory.constants import ConversationalMessage, MessageRole

from fixtures.aws import REGION, AwsServer
from fixtures.aws_memory import conversational, point_sdk_at, unique


def _memory(aws: AwsServer) -> str:
    control = aws.client("bedrock-agentcore-control")
    return str(control.create_memory(name=unique("ev"), eventExpiryDuration=7)["memory"]["id"])


def test_create_get_list_delete_events(aws: AwsServer) -> None:
    data = aws.client("bedrock-agentcore")
    memory_id = _memory(aws)
    ids = dict(memoryId=memory_id, actorId="alice", sessionId="s1")
    base = time.time() - 100
    made = []
    for i in range(5):
        event = data.create_event(
            **ids,
            eventTimestamp=base + i,
            payload=[conversational(f"message {i}"), {"blob": json.dumps({"n": i})}],
            metadata={"topic": {"stringValue": "odd" if i % 2 else "even"}},
        )["event"]
        made.append(event)
    first = made[0]
    assert first["actorId"] == "alice" and first["sessionId"] == "s1"
    assert first["payload"][0] == conversational("message 0")
    assert json.loads(first["payload"][1]["blob"]) == {"n": 0}
    assert first["metadata"] == {"topic": {"stringValue": "even"}}

    got = data.get_event(**ids, eventId=first["eventId"])["event"]
    assert got["eventId"] == first["eventId"] and got["payload"] == first["payload"]

    # Newest first, paged.
    seen: list[str] = []
    token = None
    while True:
        page = data.list_events(
            **ids, maxResults=2, includePayloads=False, **({"nextToken": token} if token else {})
        )
        assert all(e["payload"] == [] for e in page["events"])
        seen += [e["eventId"] for e in page["events"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == [e["eventId"] for e in reversed(made)]

    odd = data.list_events(
        **ids,
        filter={
            "eventMetadata": [
                {
                    "left": {"metadataKey": "topic"},
                    "operator": "EQUALS_TO",
                    "right": {"metadataValue": {"stringValue": "odd"}},
                }
            ]
        },
    )["events"]
    assert [e["eventId"] for e in odd] == [made[3]["eventId"], made[1]["eventId"]]
    assert odd[0]["payload"][0] == conversational("message 3")  # payloads by default

    assert data.delete_event(**ids, eventId=first["eventId"])["eventId"] == first["eventId"]
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.get_event(**ids, eventId=first["eventId"])
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.delete_event(**ids, eventId=first["eventId"])


def test_branches_sessions_and_actors(aws: AwsServer) -> None:
    data = aws.client("bedrock-agentcore")
    memory_id = _memory(aws)
    now = time.time()
    root = data.create_event(
        memoryId=memory_id,
        actorId="bob",
        sessionId="s1",
        eventTimestamp=now - 10,
        payload=[conversational("hello")],
    )["event"]
    branched = data.create_event(
        memoryId=memory_id,
        actorId="bob",
        sessionId="s1",
        eventTimestamp=now - 9,
        payload=[conversational("what if", "USER")],
        branch={"name": "alt", "rootEventId": root["eventId"]},
    )["event"]
    assert branched["branch"] == {"name": "alt", "rootEventId": root["eventId"]}
    alt = data.list_events(
        memoryId=memory_id,
        actorId="bob",
        sessionId="s1",
        filter={"branch": {"name": "alt", "includeParentBranches": True}},
    )["events"]
    assert [e["eventId"] for e in alt] == [branched["eventId"], root["eventId"]]
    data.create_event(
        memoryId=memory_id,
        actorId="bob",
        sessionId="s2",
        eventTimestamp=now - 5,
        payload=[conversational("again")],
    )
    data.create_event(
        memoryId=memory_id,
        actorId="carol",
        sessionId="c1",
        eventTimestamp=now,
        payload=[conversational("hi")],
    )
    sessions = data.list_sessions(memoryId=memory_id, actorId="bob")["sessionSummaries"]
    assert [s["sessionId"] for s in sessions] == ["s2", "s1"]
    assert all(s["actorId"] == "bob" and s["createdAt"] for s in sessions)
    one = data.list_sessions(memoryId=memory_id, actorId="bob", maxResults=1)
    assert len(one["sessionSummaries"]) == 1 and one["nextToken"]
    actors = data.list_actors(memoryId=memory_id)["actorSummaries"]
    assert [a["actorId"] for a in actors] == ["carol", "bob"]
    # The data plane also takes the memory's ARN.
    arn = f"arn:aws:bedrock-agentcore:{REGION}:000000000000:memory/{memory_id}"
    assert len(data.list_actors(memoryId=arn)["actorSummaries"]) == 2


def test_event_errors_arrive_as_modelled_exceptions(aws: AwsServer) -> None:
    data = aws.client("bedrock-agentcore")
    memory_id = _memory(aws)
    ids = dict(memoryId=memory_id, actorId="dan", sessionId="s1")
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.list_events(memoryId="missing-0123456789", actorId="dan", sessionId="s1")
    with pytest.raises(data.exceptions.ValidationException):
        data.create_event(**ids, eventTimestamp=time.time(), payload=[])
    with pytest.raises(data.exceptions.ValidationException):
        data.create_event(
            **ids,
            eventTimestamp=time.time(),
            payload=[conversational("x")],
            branch={"name": "b", "rootEventId": "1234567890123#deadbeef"},
        )
    with pytest.raises(data.exceptions.ValidationException):
        data.list_events(**ids, nextToken="not-a-token")
    data.create_event(
        **ids, eventTimestamp=1000.0, payload=[conversational("once")], clientToken="tok-1"
    )
    with pytest.raises(data.exceptions.ConflictException):
        data.create_event(
            **ids, eventTimestamp=1000.0, payload=[conversational("twice")], clientToken="tok-1"
        )


def test_memory_session_manager_turns(aws: AwsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    point_sdk_at(aws, monkeypatch)
    memory_id = _memory(aws)
    manager = MemorySessionManager(memory_id=memory_id, region_name=REGION)
    session = manager.create_memory_session(actor_id="erin", session_id="talks")
    for i in range(3):
        session.add_turns(
            [
                ConversationalMessage(f"question {i}", MessageRole.USER),
                ConversationalMessage(f"answer {i}", MessageRole.ASSISTANT),
            ]
        )
    turns = session.get_last_k_turns(k=2)
    texts = [[m["content"]["text"] for m in turn] for turn in turns]
    # AgentCore's order: the newest turn first.
    assert texts == [["question 2", "answer 2"], ["question 1", "answer 1"]]
    events = session.list_events()
    assert len(events) == 3
    event = session.get_event(events[0]["eventId"])
    assert event["eventId"] == events[0]["eventId"]
    assert [s["sessionId"] for s in manager.list_actor_sessions("erin")] == ["talks"]
    assert [a["actorId"] for a in manager.list_actors()] == ["erin"]
    session.delete_event(events[0]["eventId"])
    assert len(session.list_events()) == 2
