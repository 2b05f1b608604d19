"""The tools over the real sessions KB: filters, one card per session, and personalisation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fixtures.assistant import HANDS_ON_TYPES
from fixtures.scripted_model import ScriptedModel, ToolCall
from podium.apps.event_assistant import AssistantServices, create_agent
from podium.apps.event_assistant._profile import preference_boost
from podium.apps.event_assistant._tools import ToolTimeout, call_with_deadline

NO_PROFILE: dict[str, Any] = {}
SECURITY_HANDS_ON = {"topics": ["security"], "hands_on": True}


def _call(
    services: AssistantServices,
    name: str,
    arguments: dict[str, Any],
    profile: dict[str, Any] | None = None,
) -> tuple[str, Any]:
    """(status, decoded result) of one tool call made through a real agent loop."""
    model = ScriptedModel([ToolCall(name=name, input=arguments), "done"])
    agent = create_agent("tester", "tools", services=services, model=model)
    if profile is not None:
        agent.state.set("profile", profile)
    agent("go")
    (block,) = agent.messages[-2]["content"]
    result = block["toolResult"]
    text = result["content"][0]["text"]
    try:
        return result["status"], json.loads(text)
    except ValueError:
        return result["status"], text


def test_preference_boost_favours_hands_on_formats_and_topics() -> None:
    boost, reasons = preference_boost(
        {"topics": ["security", "generative AI"], "avoided_topics": ["cost"], "hands_on": True}
    )

    def meta(kind: str, *topics: str, level: int = 200) -> dict[str, Any]:
        return {"type": kind, "topics": list(topics), "level": level}

    for kind in ("workshop", "builders' session", "code talk"):
        assert boost(meta(kind, "databases")) == pytest.approx(0.6)
    for kind in ("breakout", "chalk talk", "lightning talk", "keynote"):
        assert boost(meta(kind, "databases")) == 0.0
    assert boost(meta("breakout", "security")) == pytest.approx(0.5)
    assert boost(meta("workshop", "security", "generative AI")) == pytest.approx(1.6)
    assert boost(meta("breakout", "cost")) < 0
    assert reasons(meta("code talk", "security")) == [
        "your interest in security",
        "hands-on format (code talk) you prefer",
    ]
    assert reasons(meta("breakout", "databases")) == []
    # No profile, no boost.
    empty_boost, empty_reasons = preference_boost(NO_PROFILE)
    assert empty_boost(meta("workshop", "security")) == 0.0
    assert empty_reasons(meta("workshop", "security")) == []


def test_depth_preferences_boost_by_level() -> None:
    deep, _ = preference_boost({"deep_dive": True})
    beginner, _ = preference_boost({"beginner": True})
    assert deep({"type": "breakout", "topics": [], "level": 400}) > 0
    assert deep({"type": "breakout", "topics": [], "level": 200}) == 0
    assert beginner({"type": "breakout", "topics": [], "level": 100}) > 0
    assert beginner({"type": "breakout", "topics": [], "level": 300}) == 0


def test_a_profile_changes_the_ranking_of_search_sessions(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    args = {"query": "practical sessions for engineers", "max_results": 5}
    status, plain = _call(assistant, "search_sessions", args, NO_PROFILE)
    assert status == "success"
    status, personal = _call(assistant, "search_sessions", args, SECURITY_HANDS_ON)
    assert status == "success"

    def fits(card: dict[str, Any]) -> bool:
        session = catalog[card["code"]]
        return session["type"] in HANDS_ON_TYPES and "security" in session["topics"]

    shown = [(c["code"], c["type"]) for c in personal]
    # The boost is a ranking signal, not a filter: relevance still counts, so "mostly".
    assert fits(personal[0]) and sum(map(fits, personal)) >= 4, shown
    assert sum(map(fits, personal)) > sum(map(fits, plain)), ([c["code"] for c in plain], shown)
    assert [c["code"] for c in plain] != [c["code"] for c in personal]
    for card in filter(fits, personal):
        assert "your interest in security" in card["why"]
        assert f"hands-on format ({card['type']}) you prefer" in card["why"]
    assert all(card["why"] == [] for card in plain)


def test_search_filters_and_one_card_per_session(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    status, cards = _call(
        assistant, "search_sessions", {"query": "security", "max_results": 10}, NO_PROFILE
    )
    assert status == "success"
    codes = [c["code"] for c in cards]
    assert len(codes) == 10 and len(set(codes)) == 10

    status, cards = _call(
        assistant,
        "search_sessions",
        {"query": "hands-on", "day": "Thursday", "session_type": "workshop"},
    )
    assert status == "success" and cards
    assert all(catalog[c["code"]]["day"] == "Thursday" for c in cards)
    assert all(catalog[c["code"]]["type"] == "workshop" for c in cards)

    status, cards = _call(
        assistant, "search_sessions", {"query": "sessions", "topic": "security", "level": 300}
    )
    assert status == "success" and cards
    for card in cards:
        assert "security" in catalog[card["code"]]["topics"]
        assert catalog[card["code"]]["level"] == 300


def test_invalid_arguments_are_error_results(assistant: AssistantServices) -> None:
    status, text = _call(assistant, "search_sessions", {"query": "x", "max_results": 11})
    assert status == "error" and "max_results must be between 1 and 10" in text
    status, text = _call(assistant, "search_sessions", {"query": "x", "day": "Sunday"})
    assert status == "error"
    status, text = _call(assistant, "get_session", {"code": "not a code"})
    assert status == "error" and "AIM301" in text


def test_get_session(assistant: AssistantServices, catalog: dict[str, Any]) -> None:
    status, card = _call(assistant, "get_session", {"code": "sec314"})
    assert status == "success"
    assert card["code"] == "SEC314"
    assert card["title"] == catalog["SEC314"]["title"]
    assert card["room"] == catalog["SEC314"]["room"]
    assert catalog["SEC314"]["abstract"][:60] in card["abstract"]
    status, card = _call(assistant, "get_session", {"code": "XYZ999"})
    assert status == "success" and card == {"error": "no session with code XYZ999"}


def test_call_with_deadline() -> None:
    assert call_with_deadline(lambda: 42, 1.0, "answer") == 42
    empty: dict[str, int] = {}
    with pytest.raises(KeyError):
        call_with_deadline(lambda: empty["missing"], 1.0, "lookup")
    import threading

    gate = threading.Event()
    try:
        with pytest.raises(ToolTimeout, match=r"slow did not finish within 0\.05 s"):
            call_with_deadline(lambda: gate.wait(10), 0.05, "slow")
    finally:
        gate.set()


def test_get_session_returns_the_whole_abstract(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    # Long abstracts span several chunks; the card must hold all of it, exactly once.
    for code in ("SEC314", "AIM203", "COP214"):
        status, card = _call(assistant, "get_session", {"code": code})
        assert status == "success"
        assert card["abstract"] == catalog[code]["abstract"], code


def test_tool_literals_match_the_catalog_vocabulary() -> None:
    from typing import get_args

    from podium.apps.event_assistant import _catalog, _tools

    assert get_args(_tools.Day) == _catalog.DAYS
    assert get_args(_tools.Level) == _catalog.LEVELS
    assert get_args(_tools.SessionType) == _catalog.SESSION_TYPES
    assert get_args(_tools.Topic) == _catalog.TOPICS
