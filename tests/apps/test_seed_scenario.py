"""The seed's scenario, offline and end to end: two sessions of Alice, with Bob interleaved.

Real everything: the sessions KB (a slice of the sample catalog), memory in SQLite with the
background extraction worker, the offline model (recorded, not replaced) and ``stream_turn``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fixtures.assistant import RecordingOfflineModel, run_turn, services_in
from podium.agents import HISTORY_TAG, PROFILE_TAG
from podium.apps.event_assistant import AssistantServices, TurnResult, create_agent, load_profile

INTRO = (
    "My name is Alice, I'm a software engineer at TechCorp. I'm interested in AI and security "
    "and I prefer hands-on sessions."
)
RECOMMEND = "Which sessions should I attend?"
LAST_TIME = "What did we talk about last time?"
ALICE_WORDS = ("alice", "techcorp", "software engineer")


@dataclass(kw_only=True)
class Scenario:
    services: AssistantServices
    intro: TurnResult
    intro_user_event_id: str
    alice_prompt_s2: str
    alice_state_s2: dict[str, Any]
    recommend: TurnResult
    last_time: TurnResult
    bob: list[TurnResult] = field(default_factory=list)
    bob_models: list[RecordingOfflineModel] = field(default_factory=list)
    bob_prompts: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def scenario(
    tmp_path_factory: pytest.TempPathFactory,
    seed_home: Path,
    catalog_sessions: tuple[Path, dict[str, Any]],
) -> Iterator[Scenario]:
    # The shipped configuration: the extraction worker runs in the background.
    services = services_in(
        seed_home, tmp_path_factory.mktemp("seed"), catalog_sessions[0], background_worker=True
    )
    mem, mid = services.memory, services.memory_id

    def agent(actor: str, session: str, models: list[RecordingOfflineModel] | None = None) -> Any:
        model = RecordingOfflineModel()
        if models is not None:
            models.append(model)
        return create_agent(actor, session, services=services, model=model)

    bob_models: list[RecordingOfflineModel] = []
    alice1 = agent("alice", "alice-session-1")
    intro = run_turn(alice1, INTRO)
    bob1 = agent("bob", "bob-session-1", bob_models)
    bob = [run_turn(bob1, RECOMMEND)]
    assert mem.wait_for_extraction(mid, "alice", "alice-session-1", timeout=60)
    assert mem.wait_for_extraction(mid, "bob", "bob-session-1", timeout=60)
    events, _ = mem.list_events(mid, "alice", "alice-session-1")
    user_event = next(e for e in events if e.messages()[0]["role"] == "USER")

    alice2 = agent("alice", "alice-session-2")
    prompt_s2 = str(alice2.system_prompt)
    state_s2 = dict(alice2.state.get("profile") or {})
    recommend = run_turn(alice2, RECOMMEND)
    bob2 = agent("bob", "bob-session-2", bob_models)
    bob.append(run_turn(bob2, LAST_TIME))
    last_time = run_turn(alice2, LAST_TIME)
    bob.append(run_turn(bob2, RECOMMEND))
    yield Scenario(
        services=services,
        intro=intro,
        intro_user_event_id=user_event.event_id,
        alice_prompt_s2=prompt_s2,
        alice_state_s2=state_s2,
        recommend=recommend,
        last_time=last_time,
        bob=bob,
        bob_models=bob_models,
        bob_prompts=[str(bob1.system_prompt), str(bob2.system_prompt)],
    )
    services.close()


def _namespaces(services: AssistantServices, actor: str, kind: str) -> list[str]:
    strategies = services.memory.get_memory(services.memory_id).strategies
    return [f"/strategies/{s.strategy_id}/actors/{actor}/" for s in strategies if s.type == kind]


def _records(services: AssistantServices, actor: str, kind: str) -> list[Any]:
    out = []
    for ns in _namespaces(services, actor, kind):
        found, _ = services.memory.list_memory_records(services.memory_id, ns, max_results=50)
        out += found
    return out


def test_session_one_acknowledges_alice(scenario: Scenario) -> None:
    assert "Alice" in scenario.intro.text
    assert scenario.intro.tool_calls == []


def test_long_term_memory_holds_preference_and_facts_with_provenance(scenario: Scenario) -> None:
    preferences = _records(scenario.services, "alice", "user_preference")
    facts = _records(scenario.services, "alice", "semantic")
    assert preferences and facts
    pref_text = " ".join(r.text.lower() for r in preferences)
    assert "security" in pref_text and "hands-on" in pref_text
    fact_text = " ".join(r.text.lower() for r in facts)
    assert "alice" in fact_text and "techcorp" in fact_text and "software engineer" in fact_text
    for record in preferences + facts:
        assert record.source_event_ids == [scenario.intro_user_event_id]
        assert record.rationale and record.rationale.strip()
        assert record.actor_id == "alice"
    event = scenario.services.memory.get_event(
        scenario.services.memory_id, "alice", "alice-session-1", scenario.intro_user_event_id
    )
    assert event.messages() == [{"role": "USER", "content": {"text": INTRO}}]


def test_session_two_loads_the_profile_into_the_system_prompt(scenario: Scenario) -> None:
    prompt = scenario.alice_prompt_s2
    profile = re.search(rf"<{PROFILE_TAG}>\n(.*?)\n</{PROFILE_TAG}>", prompt, re.DOTALL)
    assert profile is not None
    lines = profile.group(1).splitlines()
    assert any(line.startswith("- preference:") and "security" in line for line in lines)
    assert any(line.startswith("- fact:") and "Alice" in line for line in lines)
    assert any(line.startswith("- fact:") and "TechCorp" in line for line in lines)
    history = re.search(rf"<{HISTORY_TAG}>\n(.*?)\n</{HISTORY_TAG}>", prompt, re.DOTALL)
    assert history is not None and "alice-session-1" in history.group(1)
    # The tools' boost reads this compact form.
    assert scenario.alice_state_s2["hands_on"] is True
    assert {"generative AI", "security"} <= set(scenario.alice_state_s2["topics"])


def test_session_two_recommends_hands_on_ai_and_security(
    scenario: Scenario, catalog: dict[str, Any]
) -> None:
    result = scenario.recommend
    assert [c["name"] for c in result.tool_calls] == ["search_sessions"]
    assert len(result.cited) >= 3
    assert set(result.cited) <= set(catalog), "only catalog codes may be cited"
    assert len(result.cited) == len(set(result.cited))
    fits = [
        code
        for code in result.cited
        if catalog[code]["type"] in {"workshop", "builders' session", "code talk"}
        and {"generative AI", "security"} & set(catalog[code]["topics"])
    ]
    assert len(fits) >= 0.8 * len(result.cited), (result.cited, fits)
    # The cards are the cited sessions, explained by her profile.
    assert [s["code"] for s in result.sessions] == result.cited
    assert all(any("your interest in" in why for why in s["why"]) for s in result.sessions)
    assert "your interest in" in result.text and "security" in result.text


def test_last_time_is_answered_from_memory(scenario: Scenario) -> None:
    text = scenario.last_time.text.lower()
    assert scenario.last_time.tool_calls == []
    # The earlier session is recalled in words, never by its raw id (issue 13).
    assert "alice-session-1" not in text
    assert "last time" in text or "earlier" in text
    assert "techcorp" in text or "security" in text


def test_bob_never_sees_anything_of_alice(scenario: Scenario) -> None:
    # Nothing of Alice in what Bob's model was shown, nor in what it answered.
    shown = list(scenario.bob_prompts)
    for model in scenario.bob_models:
        for system_prompt, messages in model.seen:
            shown.append(system_prompt or "")
            shown += [str(block) for m in messages for block in m["content"]]
    shown += [r.text for r in scenario.bob]
    for text in shown:
        for word in ALICE_WORDS:
            assert word not in text.lower(), (word, text[:300])
    assert PROFILE_TAG not in scenario.bob_prompts[1]
    # Bob's recommendations are not personalised with Alice's interests.
    assert scenario.bob[2].tool_calls and "your interest in" not in scenario.bob[2].text


def test_bob_profile_is_empty_and_memory_apis_scope_him(scenario: Scenario) -> None:
    services = scenario.services
    mem, mid = services.memory, services.memory_id
    assert load_profile(mem, mid, "bob", "bob-session-3").lines() == []
    for kind in ("user_preference", "semantic", "summary"):
        for record in _records(services, "bob", kind):
            assert record.actor_id == "bob"
            for word in ALICE_WORDS:
                assert word not in record.text.lower()
        for ns in _namespaces(services, "bob", kind):
            records = mem.retrieve_memory_records(
                mid, ns, "Alice software engineer TechCorp", top_k=20
            )
            assert all(r.actor_id == "bob" for r in records)
            assert not any("techcorp" in r.text.lower() for r in records)
    hits = mem.search_events(mid, "bob", "Alice TechCorp software engineer", top_k=20)
    assert all(hit.actor_id == "bob" and "techcorp" not in hit.text.lower() for hit in hits)
    assert {s.session_id for s in mem.list_sessions(mid, "bob")} == {
        "bob-session-1",
        "bob-session-2",
    }
    # The same searches in Alice's scope do find her: the checks above can fail.
    assert any("TechCorp" in hit.text for hit in mem.search_events(mid, "alice", "TechCorp"))
    alice_ns = _namespaces(services, "alice", "semantic")[0]
    assert any(
        "TechCorp" in r.text
        for r in mem.retrieve_memory_records(mid, alice_ns, "Alice software engineer TechCorp")
    )


def test_transcript_for_humans(scenario: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    """Not an assertion of wording: prints the dialogue (``pytest -s``) and checks it is whole."""
    turns = [
        ("alice", INTRO, scenario.intro),
        ("bob", RECOMMEND, scenario.bob[0]),
        ("alice", RECOMMEND, scenario.recommend),
        ("bob", LAST_TIME, scenario.bob[1]),
        ("alice", LAST_TIME, scenario.last_time),
        ("bob", RECOMMEND, scenario.bob[2]),
    ]
    for actor, prompt, result in turns:
        print(f"\n[{actor}] {prompt}\n{result.text}")
        assert result.text.strip() and result.model == {
            "model_id": "podium-offline",
            "offline": True,
        }
