"""The offline extractor's rules per strategy type (pure: stored records given as a list)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from podium.memory import readable_record_text
from podium.memory.extraction._extract_offline import (
    OfflineExtractor,
    extract_facts,
    extract_preferences,
    session_codes,
    summary_topics,
)
from podium.memory.extraction._extractor import Add, ExistingRecord, Message, Skip, Update


def _m(text: str, role: str = "USER", event_id: str = "e1") -> Message:
    return Message(event_id=event_id, role=role, text=text, timestamp=0.0)


class _Store:
    """Stored records keyed by namespace; lookups return every record of a namespace."""

    def __init__(self) -> None:
        self.records: list[ExistingRecord] = []

    def __call__(
        self, text: str, k: int, namespace: str | None = None
    ) -> list[tuple[ExistingRecord, float]]:
        ns = namespace or "/ns"
        return [(r, 0.5) for r in self.records if r.namespace == ns][:k]

    def apply(self, decisions: list[Any], default_ns: str = "/ns") -> None:
        for d in decisions:
            if isinstance(d, Add):
                self.records.append(
                    ExistingRecord(
                        record_id=f"r{len(self.records)}",
                        text=d.text,
                        content=d.content,
                        namespace=d.namespace or default_ns,
                        source_event_ids=d.source_event_ids,
                    )
                )
            elif isinstance(d, Update):
                i = next(i for i, r in enumerate(self.records) if r.record_id == d.record_id)
                old = self.records[i]
                self.records[i] = ExistingRecord(
                    record_id=old.record_id,
                    text=d.text,
                    content=d.content,
                    namespace=old.namespace,
                    source_event_ids=d.source_event_ids,
                )


@pytest.mark.parametrize(
    ("text", "preference", "categories"),
    [
        ("I love hands-on workshops about generative AI", "hands-on workshops about generative AI", ["generative-ai", "hands-on"]),
        ("I'm keen on Kubernetes, but short on time", "Kubernetes", ["containers"]),
        ("I want to learn about FinOps.", "FinOps", ["cost"]),
        ("I'm into 400-level deep dives on databases", "400-level deep dives on databases", ["databases", "deep-dive"]),
        ("I enjoy code talks", "code talks", ["hands-on"]),
        ("I prefer beginner sessions on IoT", "beginner sessions on IoT", ["iot", "beginner"]),
    ],
)  # fmt: skip
def test_positive_preferences(text: str, preference: str, categories: list[str]) -> None:
    (pref,) = extract_preferences(_m(text, event_id="ev-3"))
    assert pref.content["preference"] == preference
    assert pref.content["polarity"] == "positive"
    assert pref.content["categories"] == categories
    assert pref.content["context"] == text
    assert pref.source_event_ids == ("ev-3",)


def test_coordinated_topics_become_separate_preferences_sharing_the_format() -> None:
    prefs = extract_preferences(_m("I'm interested in hands-on AI and security workshops"))
    assert [p.content["preference"] for p in prefs] == [
        "hands-on AI workshops",
        "security workshops",
    ]
    assert [p.content["categories"] for p in prefs] == [
        ["generative-ai", "hands-on"],
        ["security", "hands-on"],
    ]


@pytest.mark.parametrize(
    "text",
    [
        "I'm not interested in networking",
        "I don't like networking",
        "I'm no longer interested in networking.",
        "Honestly, not a fan of networking",
    ],
)
def test_negative_preferences(text: str) -> None:
    (pref,) = extract_preferences(_m(text))
    assert pref.content["polarity"] == "negative"
    assert pref.content["preference"] == "networking"
    # The text is AgentCore's user-preference form: JSON with context, preference, categories.
    assert readable_record_text(pref.text) == "The user is not interested in networking."
    assert set(json.loads(pref.text)) == {"context", "preference", "categories"}


def test_requests_are_not_preferences() -> None:
    assert extract_preferences(_m("I'd like to find a session for tomorrow")) == []
    assert extract_preferences(_m("Can you recommend something?")) == []


def test_facts_from_an_introduction() -> None:
    facts = extract_facts(
        _m("Hi, I'm Alice, a software engineer at TechCorp. I'm based in Berlin.")
    )
    got = {f.content["slot"]: f.content["value"] for f in facts}
    assert got == {
        "name": "Alice",
        "role": "software engineer",
        "employer": "TechCorp",
        "location": "Berlin",
    }


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("My name is Dana Lee.", "name", "Dana Lee"),
        ("I work as a data scientist", "role", "data scientist"),
        ("I work for Acme Corp", "employer", "Acme Corp"),
        ("I live in Lisbon", "location", "Lisbon"),
        ("I have 12 years of experience in networking", "experience", "12 years in networking"),
        ("I'm new to serverless", "experience", "new to serverless"),
        ("I'm attending on Tuesday", "attendance", "on Tuesday"),
        ("I'll be here Monday to Wednesday", "attendance", "Monday to Wednesday"),
        ("It's my first time at the conference!", "first_time", "conference"),
    ],
)
def test_fact_slots(text: str, slot: str, value: str) -> None:
    facts = {f.content["slot"]: f.content["value"] for f in extract_facts(_m(text))}
    assert facts.get(slot) == value


def test_no_fact_from_plain_requests() -> None:
    assert extract_facts(_m("I'm looking for sessions about security")) == []
    assert extract_facts(_m("I'm a big fan of serverless")) == []


def test_summary_topics_and_codes() -> None:
    topics = summary_topics(["I need IAM policies help", "More about IAM policies and lambda"])
    assert topics[0] == "iam policies"
    assert "lambda" in topics
    codes = session_codes(
        ["Try SEC301: Zero Trust at Scale or SVS202 (Serverless Patterns). AIM401"]
    )
    assert codes == [
        {"code": "SEC301", "title": "Zero Trust at Scale"},
        {"code": "SVS202", "title": "Serverless Patterns"},
        {"code": "AIM401", "title": ""},
    ]


def test_summary_is_one_record_updated_as_the_session_grows() -> None:
    extractor = OfflineExtractor()
    store = _Store()
    strategy = {"type": "summary", "namespace": "/ns"}
    first = [
        _m("Show me serverless sessions", event_id="a"),
        _m("SVS202: Serverless patterns", "ASSISTANT", "b"),
    ]
    store.apply(extractor.extract(strategy, first, store))
    assert len(store.records) == 1
    more = [
        _m("And something on serverless security?", event_id="c"),
        _m("SEC301: Zero trust", "ASSISTANT", "d"),
    ]
    decisions = extractor.extract(strategy, more, store, history=first)
    assert [type(d) for d in decisions] == [Update]
    store.apply(decisions)
    (record,) = store.records
    assert record.content["sessions"] == [
        {"code": "SVS202", "title": "Serverless patterns"},
        {"code": "SEC301", "title": "Zero trust"},
    ]
    assert "serverless" in record.content["topics"]
    assert record.source_event_ids == ("a", "b", "c", "d")


def test_episode_and_reflection() -> None:
    extractor = OfflineExtractor()
    store = _Store()
    for session in ("s1", "s2"):
        strategy = {
            "type": "episodic",
            "namespace": f"/ep/{session}",
            "reflection_namespace": "/ep",
            "session_id": session,
        }
        turns = [
            _m("Find me hands-on security workshops", event_id=f"{session}-1"),
            _m("Here are two: SEC301 and SEC302.", "ASSISTANT", f"{session}-2"),
            _m("Booked SEC301 for you.", "ASSISTANT", f"{session}-3"),
        ]
        store.apply(extractor.extract(strategy, turns, store), default_ns=f"/ep/{session}")
    episodes = [r for r in store.records if r.namespace.startswith("/ep/")]
    reflections = [r for r in store.records if r.namespace == "/ep"]
    assert len(episodes) == 2 and len(reflections) == 1
    assert episodes[0].content["goal"] == "Find me hands-on security workshops"
    assert episodes[0].content["outcome"] == "Booked SEC301 for you."
    assert reflections[0].content["episodes"] == 2
    assert "usually asks for hands-on security sessions" in reflections[0].text


def test_custom_strategy_uses_its_base_type() -> None:
    extractor = OfflineExtractor()
    strategy = {
        "type": "custom",
        "configuration": {"base": "user_preference", "append_to_prompt": "x"},
    }
    decisions = extractor.extract(strategy, [_m("I love observability")], _Store())
    assert isinstance(decisions[0], Add)
    assert decisions[0].content["categories"] == ["observability"]


def test_nothing_to_remember_is_a_skip() -> None:
    decisions = OfflineExtractor().extract({"type": "semantic"}, [_m("what time is it?")], _Store())
    assert [type(d) for d in decisions] == [Skip]
