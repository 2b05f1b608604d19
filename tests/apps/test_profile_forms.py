"""The profile reads preference records in both forms: extracted, and AgentCore's JSON text only."""

from __future__ import annotations

import json

from fixtures.assistant import RecordingOfflineModel, run_turn
from podium.apps.event_assistant import AssistantServices, create_agent, load_profile


def test_extracted_and_agentcore_json_preferences(assistant: AssistantServices) -> None:
    mem, mid = assistant.memory, assistant.memory_id
    agent = create_agent("lena", "lena-s1", services=assistant, model=RecordingOfflineModel())
    run_turn(agent, "I'm interested in serverless.")
    assert mem.wait_for_extraction(mid, "lena", "lena-s1", timeout=60)
    memory = mem.get_memory(mid)
    pref = next(s for s in memory.strategies if s.type == "user_preference")
    # As a boto3 caller writes AgentCore's form: nothing but {"text": <JSON>}.
    body = {
        "context": "The user asked for database talks.",
        "preference": "The user is interested in databases.",
        "categories": ["databases"],
    }
    out = mem.batch_create_memory_records(
        mid,
        [
            {
                "requestIdentifier": "agentcore",
                "namespaces": [f"/strategies/{pref.strategy_id}/actors/lena/"],
                "memoryStrategyId": pref.strategy_id,
                "content": {"text": json.dumps(body)},
            }
        ],
    )
    assert out["failedRecords"] == []
    profile = load_profile(mem, mid, "lena", "lena-s2")
    assert {"serverless", "databases"} <= profile.topics
    lines = profile.lines()
    assert "preference: The user is interested in databases." in lines
    assert "preference: The user is interested in serverless." in lines
    assert not any("{" in line for line in lines)
