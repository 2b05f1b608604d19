"""An actor id containing '/' cannot personalise another actor (issue 11 item 3).

Actor ``bob/evil`` states a preference; bob's next session must know nothing of it: not in the
profile, the system prompt, the tools' boosts, nor the recommendations.
"""

from __future__ import annotations

from fixtures.assistant import RecordingOfflineModel, run_turn
from podium.agents import HISTORY_TAG, PROFILE_TAG
from podium.apps.event_assistant import AssistantServices, create_agent, load_profile

EVIL = "bob/evil"
EVIL_SAYS = "I prefer advanced 400-level sessions on IoT."
RECOMMEND = "Which sessions should I attend?"


def _strategy(services: AssistantServices, kind: str) -> str:
    memory = services.memory.get_memory(services.memory_id)
    return next(s.strategy_id for s in memory.strategies if s.type == kind)


def test_bob_slash_evil_preference_never_reaches_bob(assistant: AssistantServices) -> None:
    mem, mid = assistant.memory, assistant.memory_id
    evil = create_agent(EVIL, "evil-s1", services=assistant, model=RecordingOfflineModel())
    run_turn(evil, EVIL_SAYS)
    assert mem.wait_for_extraction(mid, EVIL, "evil-s1", timeout=60)
    # Also a record where unescaped extraction put it before the fix, under bob's prefix.
    pref = _strategy(assistant, "user_preference")
    out = mem.batch_create_memory_records(
        mid,
        [
            {
                "requestIdentifier": "legacy",
                "namespaces": [f"/strategies/{pref}/actors/bob/evil/"],
                "memoryStrategyId": pref,
                "actorId": EVIL,
                "content": {"text": EVIL_SAYS, "categories": ["iot", "deep-dive"]},
            }
        ],
    )
    assert out["failedRecords"] == []

    # The preference was extracted for bob/evil (so the checks below can fail)...
    own = load_profile(mem, mid, EVIL, "evil-s2")
    assert any("IoT" in line for line in own.lines()) and "IoT" in own.topics

    # ...and bob's new session holds nothing of it.
    profile = load_profile(mem, mid, "bob", "bob-s1")
    assert profile.empty and profile.lines() == [] and profile.history_lines() == []
    assert not (profile.topics or profile.deep_dive)
    model = RecordingOfflineModel()
    bob = create_agent("bob", "bob-s1", services=assistant, model=model)
    prompt = str(bob.system_prompt)
    assert PROFILE_TAG not in prompt and HISTORY_TAG not in prompt
    assert "IoT" not in prompt and "400" not in prompt
    assert bob.state.get("profile") == profile.as_state()
    answer = run_turn(bob, RECOMMEND)
    assert answer.tool_calls
    assert "your interest in IoT" not in answer.text
    assert "400-level depth you asked for" not in answer.text
