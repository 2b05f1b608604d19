"""MemoryHookProvider with a scripted model: the exact events written and the exact context loaded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fixtures.assistant import role_text
from fixtures.scripted_model import ScriptedModel, ToolCall
from podium.apps.event_assistant import AssistantServices, MemoryHookProvider, create_agent
from podium.apps.event_assistant._hooks import message_to_payload
from podium.apps.event_assistant._prompts import SYSTEM_PROMPT
from podium.errors import InvalidInput


def _conv(role: str, text: str) -> list[dict[str, Any]]:
    return [{"conversational": {"role": role, "content": {"text": text}}}]


def _events(services: AssistantServices, actor: str, session: str) -> list[Any]:
    events, _ = services.memory.list_events(services.memory_id, actor, session, max_results=100)
    return events


def _strategy(services: AssistantServices, kind: str) -> str:
    memory = services.memory.get_memory(services.memory_id)
    return next(s.strategy_id for s in memory.strategies if s.type == kind)


def test_a_turn_with_a_tool_call_writes_one_event_per_message(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    model = ScriptedModel(
        [
            ToolCall(
                name="search_sessions",
                input={"query": "security workshop", "max_results": 3},
                text="Let me look.",
            ),
            "Try [SEC314].",
        ]
    )
    agent = create_agent("hana", "hooks-tool-turn", services=assistant, model=model)
    assert _events(assistant, "hana", "hooks-tool-turn") == []

    agent("Any security workshops?")

    # Strands' four messages: user text, assistant text + toolUse, user toolResult, assistant text.
    assert [m["role"] for m in agent.messages] == ["user", "assistant", "user", "assistant"]
    tool_result = agent.messages[2]["content"][0]["toolResult"]
    assert tool_result["status"] == "success"
    result_text = tool_result["content"][0]["text"]
    cards = json.loads(result_text)
    assert len(cards) == 3 and len({c["code"] for c in cards}) == 3
    assert all(c["code"] in catalog for c in cards)

    events = _events(assistant, "hana", "hooks-tool-turn")
    # Exactly one create_event per message, each with exactly one conversational item.
    assert len(events) == len(agent.messages) == 4
    assert [e.payload for e in events] == [
        _conv("USER", "Any security workshops?"),
        _conv(
            "ASSISTANT",
            'Let me look.\n[tool call] search_sessions({"max_results": 3, "query": '
            '"security workshop"})',
        ),
        _conv("TOOL", "[tool result success] " + result_text),
        _conv("ASSISTANT", "Try [SEC314]."),
    ]
    assert [e.session_id for e in events] == ["hooks-tool-turn"] * 4
    assert {e.actor_id for e in events} == {"hana"}

    # A second turn adds exactly its own two messages.
    model.script.append("You're welcome.")
    agent("Thanks!")
    events = _events(assistant, "hana", "hooks-tool-turn")
    assert [e.payload for e in events[4:]] == [
        _conv("USER", "Thanks!"),
        _conv("ASSISTANT", "You're welcome."),
    ]


def test_the_context_loaded_is_exactly_profile_history_and_last_k_turns(
    assistant: AssistantServices,
) -> None:
    mem, mid = assistant.memory, assistant.memory_id
    pref, fact, summ = (_strategy(assistant, k) for k in ("user_preference", "semantic", "summary"))
    created = mem.batch_create_memory_records(
        mid,
        [
            {
                "requestIdentifier": "p1",
                "namespaces": [f"/strategies/{pref}/actors/ivy/"],
                "memoryStrategyId": pref,
                "content": {
                    "text": "Likes hands-on security workshops.",
                    "categories": ["security", "hands-on"],
                },
            },
            {
                "requestIdentifier": "f1",
                "namespaces": [f"/strategies/{fact}/actors/ivy/"],
                "memoryStrategyId": fact,
                "content": {"text": "Works at Initech as an SRE."},
            },
            {
                "requestIdentifier": "s1",
                "namespaces": [f"/strategies/{summ}/actors/ivy/sessions/ivy-old/"],
                "memoryStrategyId": summ,
                "sessionId": "ivy-old",
                "content": {"text": "Talked about Kubernetes cost."},
            },
            {
                # A summary of the session being resumed is history of *this* session: its
                # turns come back as messages, so it must not be repeated as history.
                "requestIdentifier": "s2",
                "namespaces": [f"/strategies/{summ}/actors/ivy/sessions/ivy-now/"],
                "memoryStrategyId": summ,
                "sessionId": "ivy-now",
                "content": {"text": "Asked about serverless."},
            },
            {
                "requestIdentifier": "z1",
                "namespaces": [f"/strategies/{pref}/actors/zoe/"],
                "memoryStrategyId": pref,
                "content": {"text": "Zoe loves IoT.", "categories": ["iot"]},
            },
        ],
    )
    assert created["failedRecords"] == []
    turns = [
        [("USER", "u1"), ("ASSISTANT", "a1")],
        [
            ("USER", "u2"),
            ("ASSISTANT", '[tool call] search_sessions({"query": "serverless"})'),
            ("TOOL", '[tool result success] [{"code": "SVS202"}]'),
            ("ASSISTANT", "a2 [SVS202]"),
        ],
        [("USER", "u3"), ("ASSISTANT", "a3")],
    ]
    for turn in turns:
        for role, text in turn:
            mem.create_event(mid, "ivy", "ivy-now", _conv(role, text), extraction="skip")
    before = len(_events(assistant, "ivy", "ivy-now"))

    model = ScriptedModel(["ok"])
    agent = create_agent("ivy", "ivy-now", services=assistant, model=model, last_k_turns=2)

    expected_prompt = (
        SYSTEM_PROMPT
        + "\n\n<user_profile>\n"
        + "- preference: Likes hands-on security workshops.\n"
        + "- fact: Works at Initech as an SRE.\n"
        + "</user_profile>\n"
        + "<conversation_history>\n"
        + "- session ivy-old: Talked about Kubernetes cost.\n"
        + "</conversation_history>"
    )
    restored = [
        {"role": "user", "content": [{"text": "u2"}]},
        {"role": "assistant", "content": [{"text": "a2 [SVS202]"}]},
        {"role": "user", "content": [{"text": "u3"}]},
        {"role": "assistant", "content": [{"text": "a3"}]},
    ]
    assert agent.system_prompt == expected_prompt
    assert role_text(agent.messages) == restored
    assert agent.state.get("profile") == {
        "topics": ["security"],
        "avoided_topics": [],
        "hands_on": True,
        "deep_dive": False,
        "beginner": False,
    }
    assert agent.state.get("actor_id") == "ivy" and agent.state.get("session_id") == "ivy-now"
    # Loading writes nothing.
    assert len(_events(assistant, "ivy", "ivy-now")) == before

    agent("next?")
    (call,) = model.calls
    assert call.system_prompt == expected_prompt
    assert role_text(call.messages) == [*restored, {"role": "user", "content": [{"text": "next?"}]}]
    # Issue 13 added the agenda and feedback tools after the two catalog ones.
    assert call.tool_names == [
        "search_sessions",
        "get_session",
        "add_to_agenda",
        "remove_from_agenda",
        "show_agenda",
        "record_session_feedback",
    ]
    # Only the new turn was written.
    assert [e.payload for e in _events(assistant, "ivy", "ivy-now")[before:]] == [
        _conv("USER", "next?"),
        _conv("ASSISTANT", "ok"),
    ]


def test_a_new_actor_gets_the_bare_prompt_and_no_messages(assistant: AssistantServices) -> None:
    agent = create_agent("newcomer", "first-visit", services=assistant, model=ScriptedModel([]))
    assert agent.system_prompt == SYSTEM_PROMPT
    assert agent.messages == []
    assert agent.state.get("profile") == {
        "topics": [],
        "avoided_topics": [],
        "hands_on": False,
        "deep_dive": False,
        "beginner": False,
    }


def test_ids_must_come_from_agent_state(assistant: AssistantServices) -> None:
    from strands import Agent

    hooks = MemoryHookProvider(assistant.memory, assistant.memory_id, base_prompt="x")
    with pytest.raises(InvalidInput, match=r"agent\.state"):
        Agent(model=ScriptedModel([]), hooks=[hooks], callback_handler=None)
    with pytest.raises(InvalidInput):
        create_agent("bad actor id!", "s", services=assistant, model=ScriptedModel([]))


def test_message_to_payload_roles() -> None:
    assert message_to_payload({"role": "user", "content": [{"text": "hi"}]}) == _conv("USER", "hi")
    assert message_to_payload(
        {
            "role": "user",
            "content": [
                {
                    "toolResult": {
                        "toolUseId": "t1",
                        "status": "error",
                        "content": [{"text": "Error: boom"}, {"json": {"b": 1, "a": 2}}],
                    }
                }
            ],
        }
    ) == _conv("TOOL", '[tool result error] Error: boom\n{"a": 2, "b": 1}')
    # Nothing storable (e.g. only an image) writes nothing.
    assert message_to_payload({"role": "user", "content": [{"image": {}}]}) == []


def test_restored_turns_keep_text_and_drop_tool_traffic() -> None:
    from podium.apps.event_assistant._hooks import _turns_to_messages

    def item(role: str, text: str) -> dict[str, Any]:
        return {"role": role, "content": {"text": text}}

    turns = [
        # Interrupted after the tool call: nothing the assistant said, so nothing to restore.
        [item("USER", "u1"), item("ASSISTANT", '[tool call] search_sessions({"query": "x"})')],
        # Text and a tool call in one message, then the tool result, then no final answer.
        [
            item("USER", "u2"),
            item("ASSISTANT", 'Let me look.\n[tool call] search_sessions({"query": "y"})'),
            item("TOOL", "[tool result error] Tool was interrupted."),
        ],
        [item("USER", "u3"), item("ASSISTANT", "a3")],
    ]
    assert _turns_to_messages(turns) == [
        {"role": "user", "content": [{"text": "u2"}]},
        {"role": "assistant", "content": [{"text": "Let me look."}]},
        {"role": "user", "content": [{"text": "u3"}]},
        {"role": "assistant", "content": [{"text": "a3"}]},
    ]
