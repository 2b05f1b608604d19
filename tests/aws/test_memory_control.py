"""bedrock-agentcore-control memories through real boto3 and the bedrock-agentcore SDK."""

from __future__ import annotations

import re

import pytest
from bedrock_agentcore.memory import MemoryClient

from fixtures.aws import REGION, AwsServer
from fixtures.aws_memory import point_sdk_at, unique

_ID = re.compile(r"[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}")


def test_create_get_update_delete_a_memory(aws: AwsServer) -> None:
    control = aws.client("bedrock-agentcore-control")
    name = unique("crud")
    created = control.create_memory(
        name=name,
        description="talks",
        eventExpiryDuration=30,
        memoryStrategies=[
            {
                "userPreferenceMemoryStrategy": {
                    "name": "prefs",
                    "namespaceTemplates": ["/users/{actorId}/preferences"],
                }
            },
            {"semanticMemoryStrategy": {"name": "facts"}},
            {"summaryMemoryStrategy": {"name": "summaries", "namespaces": ["/s/{sessionId}"]}},
            {
                "customMemoryStrategy": {
                    "name": "custom",
                    "configuration": {
                        "semanticOverride": {
                            "extraction": {"appendToPrompt": "Only food.", "modelId": "m"}
                        }
                    },
                }
            },
            {"episodicMemoryStrategy": {"name": "episodes"}},
        ],
    )["memory"]
    assert _ID.fullmatch(created["id"]) and created["id"].startswith(f"{name}-")
    assert (
        created["arn"] == f"arn:aws:bedrock-agentcore:{REGION}:000000000000:memory/{created['id']}"
    )
    assert created["status"] == "ACTIVE" and created["eventExpiryDuration"] == 30
    by_name = {s["name"]: s for s in created["strategies"]}
    assert {s["type"] for s in by_name.values()} == {
        "USER_PREFERENCE",
        "SEMANTIC",
        "SUMMARIZATION",
        "CUSTOM",
        "EPISODIC",
    }
    assert all(_ID.fullmatch(s["strategyId"]) for s in by_name.values())
    assert by_name["prefs"]["namespaces"] == ["/users/{actorId}/preferences"]
    assert by_name["prefs"]["namespaceTemplates"] == ["/users/{actorId}/preferences"]
    assert by_name["facts"]["namespaces"] == ["/strategies/{memoryStrategyId}/actors/{actorId}/"]
    assert by_name["summaries"]["namespaces"] == ["/s/{sessionId}"]
    custom = by_name["custom"]["configuration"]
    assert custom["type"] == "SEMANTIC_OVERRIDE"
    override = custom["extraction"]["customExtractionConfiguration"]["semanticExtractionOverride"]
    assert override == {"appendToPrompt": "Only food.", "modelId": "m"}

    got = control.get_memory(memoryId=created["id"])["memory"]
    assert got["name"] == name and len(got["strategies"]) == 5

    memory_id = created["id"]
    updated = control.update_memory(
        memoryId=memory_id,
        description="conference talks",
        eventExpiryDuration=60,
        memoryStrategies={
            "addMemoryStrategies": [{"semanticMemoryStrategy": {"name": "more"}}],
            "modifyMemoryStrategies": [
                {
                    "memoryStrategyId": by_name["prefs"]["strategyId"],
                    "description": "what they like",
                    "namespaceTemplates": ["/users/{actorId}/likes"],
                }
            ],
            "deleteMemoryStrategies": [{"memoryStrategyId": by_name["facts"]["strategyId"]}],
        },
    )["memory"]
    after = {s["name"]: s for s in updated["strategies"]}
    assert set(after) == {"prefs", "summaries", "custom", "episodes", "more"}
    assert after["prefs"]["namespaces"] == ["/users/{actorId}/likes"]
    assert after["prefs"]["description"] == "what they like"
    assert after["prefs"]["strategyId"] == by_name["prefs"]["strategyId"]
    assert updated["description"] == "conference talks" and updated["eventExpiryDuration"] == 60

    deleted = control.delete_memory(memoryId=memory_id)
    assert deleted["memoryId"] == memory_id
    with pytest.raises(control.exceptions.ResourceNotFoundException):
        control.get_memory(memoryId=memory_id)
    with pytest.raises(control.exceptions.ResourceNotFoundException):
        control.delete_memory(memoryId=memory_id)


def test_a_taken_name_is_a_validation_error_saying_already_exists(aws: AwsServer) -> None:
    control = aws.client("bedrock-agentcore-control")
    name = unique("dupe")
    control.create_memory(name=name, eventExpiryDuration=7)
    with pytest.raises(control.exceptions.ValidationException) as info:
        control.create_memory(name=name, eventExpiryDuration=7)
    assert "already exists" in info.value.response["Error"]["Message"]


def test_bad_input_is_a_validation_error_never_a_5xx(aws: AwsServer) -> None:
    control = aws.client("bedrock-agentcore-control")
    with pytest.raises(control.exceptions.ValidationException):
        control.create_memory(name=unique("ttl"), eventExpiryDuration=3651)
    with pytest.raises(control.exceptions.ValidationException):
        control.create_memory(
            name=unique("ns"),
            eventExpiryDuration=7,
            memoryStrategies=[
                {"semanticMemoryStrategy": {"name": "s", "namespaces": ["/x/{userId}"]}}
            ],
        )
    with pytest.raises(control.exceptions.ValidationException):
        control.create_memory(
            name=unique("two"),
            eventExpiryDuration=7,
            memoryStrategies=[
                {"semanticMemoryStrategy": {"name": "same"}},
                {"summaryMemoryStrategy": {"name": "same"}},
            ],
        )
    memory_id = control.create_memory(name=unique("upd"), eventExpiryDuration=7)["memory"]["id"]
    with pytest.raises(control.exceptions.ResourceNotFoundException):
        control.update_memory(
            memoryId=memory_id,
            memoryStrategies={"deleteMemoryStrategies": [{"memoryStrategyId": "nope-0123456789"}]},
        )
    with pytest.raises(control.exceptions.ResourceNotFoundException):
        control.get_memory(memoryId="missing-0123456789")


def test_list_memories_pages(aws: AwsServer) -> None:
    control = aws.client("bedrock-agentcore-control")
    for _ in range(3):
        control.create_memory(name=unique("page"), eventExpiryDuration=7)
    seen: list[str] = []
    token = None
    while True:
        kwargs = {"maxResults": 2, **({"nextToken": token} if token else {})}
        out = control.list_memories(**kwargs)
        assert len(out["memories"]) <= 2
        assert all(m["status"] == "ACTIVE" and m["arn"].endswith(m["id"]) for m in out["memories"])
        seen += [m["id"] for m in out["memories"]]
        token = out.get("nextToken")
        if not token:
            break
    assert len(seen) == len(set(seen))
    assert set(seen) == {m.memory_id for m in aws.backend.memory.list_memories()}
    with pytest.raises(control.exceptions.ValidationException):
        control.list_memories(nextToken="garbage")


def test_the_sdk_creates_finds_and_edits_strategies(
    aws: AwsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_sdk_at(aws, monkeypatch)
    client = MemoryClient(region_name=REGION)
    name = unique("sdk")
    memory = client.create_memory_and_wait(
        name=name,
        strategies=[{"userPreferenceMemoryStrategy": {"name": "prefs"}}],
        poll_interval=0,
    )
    assert memory["status"] == "ACTIVE"
    # create_or_get_memory finds the existing memory by its id prefix ("already exists").
    again = client.create_or_get_memory(name=name)
    assert again["id"] == memory["id"]
    client.add_semantic_strategy_and_wait(memory["id"], name="facts")
    strategies = client.get_memory_strategies(memory["id"])
    assert {s["name"] for s in strategies} == {"prefs", "facts"}
    prefs = next(s for s in strategies if s["name"] == "prefs")
    assert prefs["namespaces"] == ["/strategies/{memoryStrategyId}/actors/{actorId}/"]
    client.delete_strategy(memory["id"], prefs["strategyId"])
    assert [s["name"] for s in client.get_memory_strategies(memory["id"])] == ["facts"]
    assert memory["id"] in {m["id"] for m in client.list_memories()}
    client.delete_memory(memory["id"])
    assert memory["id"] not in {m["id"] for m in client.list_memories()}
