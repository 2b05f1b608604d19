"""Robustness: a tool that raises, hangs or is interrupted mid-turn leaves the session usable.

The knowledge base is the real one behind a fault switch (``FaultyKB``); the model is the real
offline model. After each failure the next turn must work, and memory must stay consistent:
every stored tool call is followed by a stored tool result, and an agent restored from memory
holds no ``toolUse`` without its ``toolResult``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.assistant import FaultyKB, message_blocks, run_turn, with_kb
from podium.apps.event_assistant import AssistantServices, TurnResult, create_agent, stream_turn

ASK = "Find security workshops"


@pytest.fixture
def faulty(assistant: AssistantServices) -> Iterator[FaultyKB]:
    kb = FaultyKB(assistant.kb)
    yield kb
    kb.release()


def _roles_and_texts(
    services: AssistantServices, actor: str, session: str
) -> list[tuple[str, str]]:
    events, _ = services.memory.list_events(services.memory_id, actor, session, max_results=100)
    out = []
    for event in events:
        (item,) = event.payload
        out.append((item["conversational"]["role"], item["conversational"]["content"]["text"]))
    return out


def _assert_tool_pairs(messages: list[Any]) -> None:
    """Every toolUse is answered by a toolResult with its id in the next message."""
    for i, message in enumerate(messages):
        uses = [b["toolUse"]["toolUseId"] for b in message["content"] if "toolUse" in b]
        if uses:
            following = messages[i + 1]["content"] if i + 1 < len(messages) else []
            answered = {b["toolResult"]["toolUseId"] for b in following if "toolResult" in b}
            assert set(uses) <= answered, (i, uses, answered)


def _assert_memory_consistent(services: AssistantServices, actor: str, session: str) -> None:
    stored = _roles_and_texts(services, actor, session)
    for i, (role, text) in enumerate(stored):
        if role == "ASSISTANT" and "[tool call]" in text:
            assert stored[i + 1][0] == "TOOL", stored
    # A worker restarted on this session gets only text turns: nothing dangling.
    restored = create_agent(actor, session, services=services)
    assert all(kinds == ["text"] for _, kinds in message_blocks(restored.messages))
    roles = [m["role"] for m in restored.messages]
    assert roles == ["user", "assistant"] * (len(roles) // 2)
    after = run_turn(restored, ASK)
    assert after.cited, after.text


def test_a_tool_that_raises_leaves_the_session_usable(
    assistant: AssistantServices, faulty: FaultyKB, catalog: dict[str, Any]
) -> None:
    agent = create_agent("rob", "raises", services=with_kb(assistant, faulty))
    faulty.mode = "raise"
    failed = run_turn(agent, ASK)
    assert [c["name"] for c in failed.tool_calls] == ["search_sessions"]
    assert failed.text.startswith("Sorry, I couldn't get that done:")
    assert "search_sessions" not in failed.text  # no tool names in answers
    assert "database disk image is malformed" in failed.text  # a PodiumError's message is shown
    assert failed.cited == [] and failed.sessions == []

    faulty.mode = "crash"
    crashed = run_turn(agent, ASK)
    assert "unavailable right now (RuntimeError)" in crashed.text
    assert "unexpected bug" not in crashed.text  # internals of other errors are not

    faulty.mode = "ok"
    ok = run_turn(agent, ASK)
    assert ok.cited and set(ok.cited) <= set(catalog)
    _assert_tool_pairs(agent.messages)
    stored = _roles_and_texts(assistant, "rob", "raises")
    assert [role for role, _ in stored] == ["USER", "ASSISTANT", "TOOL", "ASSISTANT"] * 3
    assert stored[2][1].startswith("[tool result error] Error: database disk image is malformed")
    assert stored[10][1].startswith("[tool result success] [")
    _assert_memory_consistent(assistant, "rob", "raises")


def test_a_tool_that_hangs_times_out_and_the_next_turn_works(
    assistant: AssistantServices, faulty: FaultyKB, catalog: dict[str, Any]
) -> None:
    agent = create_agent("rob", "hangs", services=with_kb(assistant, faulty), tool_timeout_s=0.5)
    faulty.mode = "hang"
    started = time.monotonic()
    stalled = run_turn(agent, ASK)
    # The KB stalls for 30 s; the turn must not wait for it.
    assert time.monotonic() - started < 20
    assert "did not answer in time" in stalled.text
    assert stalled.cited == []

    faulty.mode = "ok"  # the stalled call is still running in the background
    ok = run_turn(agent, ASK)
    assert ok.cited and set(ok.cited) <= set(catalog)
    _assert_tool_pairs(agent.messages)
    stored = _roles_and_texts(assistant, "rob", "hangs")
    assert [role for role, _ in stored] == ["USER", "ASSISTANT", "TOOL", "ASSISTANT"] * 2
    assert "did not finish within 0.5 s" in stored[2][1]
    _assert_memory_consistent(assistant, "rob", "hangs")


def test_a_turn_abandoned_mid_tool_call_is_repaired_on_the_next_turn(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    agent = create_agent("rob", "abandoned", services=assistant)

    async def disconnect_after_tool_call() -> list[str]:
        seen = []
        events = stream_turn(agent, ASK, TurnResult())
        async for event in events:
            seen.append(event["type"])
            if event["type"] == "tool_call":
                break  # the client went away while the tool was about to run
        await events.aclose()
        return seen

    assert asyncio.run(disconnect_after_tool_call())[-1] == "tool_call"
    assert message_blocks(agent.messages)[-1] == ("assistant", ["toolUse"])

    ok = run_turn(agent, ASK)
    assert ok.cited and set(ok.cited) <= set(catalog)
    _assert_tool_pairs(agent.messages)
    stored = _roles_and_texts(assistant, "rob", "abandoned")
    # Strands answers the dangling call with an error result; the hook stores it like any other.
    assert [role for role, _ in stored[:4]] == ["USER", "ASSISTANT", "TOOL", "USER"]
    assert stored[2][1].startswith("[tool result error]")
    _assert_memory_consistent(assistant, "rob", "abandoned")
