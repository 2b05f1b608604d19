"""Strands agents on AgentCoreMemorySessionManager against Podium (real SDK, real HTTP)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bedrock_agentcore.memory.integrations.strands.config import (
    AgentCoreMemoryConfig,
    RetrievalConfig,
)
from bedrock_agentcore.memory.integrations.strands.session_manager import (
    AgentCoreMemorySessionManager,
)
from strands import Agent, tool

from fixtures.aws import REGION, AwsServer, start_aws_server
from fixtures.aws_memory import point_sdk_at, poll, unique
from fixtures.scripted_model import ScriptedModel, ToolCall


def _agent(
    memory_id: str,
    actor_id: str,
    session_id: str,
    script: list[Any],
    retrieval: dict[str, RetrievalConfig] | None = None,
    tools: list[Any] | None = None,
) -> tuple[Agent, ScriptedModel]:
    model = ScriptedModel(script)
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            actor_id=actor_id,
            session_id=session_id,
            retrieval_config=retrieval,
        ),
        region_name=REGION,
    )
    agent = Agent(model=model, session_manager=manager, tools=tools or [], callback_handler=None)
    return agent, model


def _texts(messages: list[dict[str, Any]]) -> list[str]:
    return [block["text"] for m in messages for block in m["content"] if "text" in block]


@tool
def find_sessions(topic: str) -> str:
    """Find conference sessions about a topic."""
    return f"SVS301 is a workshop about {topic}."


def test_a_session_is_restored_after_the_gateway_restarts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    first = start_aws_server(home)
    try:
        point_sdk_at(first, monkeypatch)
        control = first.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name=unique("restart"), eventExpiryDuration=7)["memory"][
            "id"
        ]
        agent, _ = _agent(
            memory_id,
            "ivy",
            "session-1",
            [ToolCall(name="find_sessions", input={"topic": "serverless"}), "Try SVS301."],
            tools=[find_sessions],
        )
        agent("Any serverless sessions?")
    finally:
        first.stop()

    second = start_aws_server(home)
    try:
        point_sdk_at(second, monkeypatch)
        agent, model = _agent(
            memory_id, "ivy", "session-1", ["Welcome back."], tools=[find_sessions]
        )
        # user, assistant tool use, tool result, assistant answer: all four, in order.
        assert [m["role"] for m in agent.messages] == ["user", "assistant", "user", "assistant"]
        assert _texts(agent.messages) == ["Any serverless sessions?", "Try SVS301."]
        assert agent.messages[1]["content"][0]["toolUse"]["name"] == "find_sessions"
        agent("And tomorrow?")
        sent = _texts(model.calls[0].messages)
        assert sent == ["Any serverless sessions?", "Try SVS301.", "And tomorrow?"]
    finally:
        second.stop()


def test_long_term_records_reach_the_next_session(
    aws: AwsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_sdk_at(aws, monkeypatch)
    control = aws.client("bedrock-agentcore-control")
    memory = control.create_memory(
        name=unique("ltm"),
        eventExpiryDuration=7,
        memoryStrategies=[
            {
                "userPreferenceMemoryStrategy": {
                    "name": "prefs",
                    "namespaceTemplates": ["/users/{actorId}/preferences"],
                }
            }
        ],
    )["memory"]
    agent, _ = _agent(memory["id"], "jack", "day-1", ["Noted!"])
    agent("I'm interested in serverless and security workshops.")

    # The server's extraction worker reads the Strands messages (stored as JSON) as text.
    data = aws.client("bedrock-agentcore")
    records = poll(
        lambda: data.list_memory_records(
            memoryId=memory["id"], namespace="/users/jack/preferences"
        )["memoryRecordSummaries"],
        lambda found: len(found) >= 2,
    )
    preferences = [json.loads(r["content"]["text"]) for r in records]
    assert {c for p in preferences for c in p["categories"]} >= {"serverless", "security"}
    # What the user said, not the JSON the session manager wrapped it in.
    assert all("{" not in p["context"] and "message_id" not in p["context"] for p in preferences)

    agent, model = _agent(
        memory["id"],
        "jack",
        "day-2",
        ["Here are some picks."],
        retrieval={"/users/{actorId}/preferences": RetrievalConfig(top_k=5)},
    )
    agent("What should I attend?")
    (call,) = model.calls
    last = _texts([call.messages[-1]])
    assert last[-1] == "What should I attend?"
    context = last[0]
    assert context.startswith("<user_context>") and "serverless" in context
    assert "security" in context

    # Another actor's session gets nothing of jack's.
    agent, model = _agent(
        memory["id"],
        "kim",
        "day-2",
        ["Hello."],
        retrieval={"/users/{actorId}/preferences": RetrievalConfig(top_k=5)},
    )
    agent("What should I attend?")
    assert _texts([model.calls[0].messages[-1]]) == ["What should I attend?"]
