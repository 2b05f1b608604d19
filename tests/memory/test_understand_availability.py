"""The grammar's second layer of phrasing: arrivals and departures, busy days, relative levels,
anaphora and exclusions said sideways.

Every sentence here was written for this file, in words of its own: none comes from an
evaluation file, so these cases check the rules, not a memorised phrasing.
"""

from __future__ import annotations

import pytest

from podium.memory.extraction import understand_sentence
from podium.memory.extraction._extract_offline import extract_preferences
from podium.memory.extraction._extractor import Message


def _constraints(sentence: str) -> list[str]:
    return list(dict.fromkeys(c for s in understand_sentence(sentence) for c in s.constraints))


def _days(sentence: str) -> list[str]:
    return [c.removeprefix("day-") for c in _constraints(sentence) if c.startswith("day-")]


def _levels(sentence: str) -> list[str]:
    return [c for c in _constraints(sentence) if c.startswith("level-")]


def _avoided(sentence: str) -> list[str]:
    return [t for s in understand_sentence(sentence) for t in s.avoided]


def _liked(sentence: str) -> list[str]:
    return [t for s in understand_sentence(sentence) for t in s.topics]


@pytest.mark.parametrize(
    ("sentence", "days"),
    [
        ("My train back leaves Wednesday, so I'm leaving Wednesday", ["monday", "tuesday", "wednesday"]),
        ("We land Tuesday evening", ["wednesday", "thursday", "friday"]),
        ("I'm flying in Monday night", ["tuesday", "wednesday", "thursday", "friday"]),
        ("Thursday onwards works for me", ["thursday", "friday"]),
        ("Manning our stand Monday and Tuesday, so it's Wednesday onwards", ["wednesday", "thursday", "friday"]),
        ("I'm only in town Tuesday and Wednesday, with a wedding on Friday", ["tuesday", "wednesday"]),
        ("I can only do Monday through Wednesday", ["monday", "tuesday", "wednesday"]),
        ("Heading home after Tuesday", ["monday", "tuesday"]),
        ("I have to leave Thursday morning", ["monday", "tuesday", "wednesday"]),
        ("Only the last two days for me", ["thursday", "friday"]),
        ("Between Monday and Wednesday I'm around, from Monday to Wednesday really", ["monday", "tuesday", "wednesday"]),
    ],
)  # fmt: skip
def test_arrivals_departures_and_busy_days(sentence: str, days: list[str]) -> None:
    assert _days(sentence) == days


def test_a_departure_time_is_not_a_time_of_day_preference() -> None:
    assert "morning" not in _constraints("I have to leave Thursday morning")
    assert "morning" in _constraints("Mornings suit me best")


@pytest.mark.parametrize(
    ("sentence", "levels"),
    [
        ("Intermediate material is my sweet spot", ["level-min-200", "level-max-300"]),
        ("The 400 talks always lose me", ["level-max-300"]),
        ("Anything at 300 is too hard for me right now", ["level-max-200"]),
        ("I've covered the basics already", ["level-min-300"]),
        ("Serious architecture-level content please, not the intros", ["level-min-300"]),
        ("I'm in sales, not an engineer", ["level-max-200"]),
        ("Nothing too advanced for me", ["level-max-200"]),
        ("Still learning, so nothing hardcore", ["level-max-300"]),
        ("It's my first time at a cloud event", ["level-max-200"]),
        ("We look after a 300-bed clinic", []),  # a number that is no level
    ],
)  # fmt: skip
def test_relative_and_indirect_levels(sentence: str, levels: list[str]) -> None:
    assert _levels(sentence) == levels


@pytest.mark.parametrize(
    ("sentence", "avoided"),
    [
        ("Containers belong to the other team's problem list; containers are the other team's job", ["containers"]),
        ("Please don't send me to anything on Kubernetes", ["containers"]),
        ("Keep me away from FinOps talks", ["cost"]),
        ("I honestly cannot stand hearing about chatbots", ["generative-ai"]),
        ("Serverless isn't really our thing", ["serverless"]),
        ("I'm allergic to data lake sessions", ["analytics"]),
    ],
)  # fmt: skip
def test_exclusions_said_sideways(sentence: str, avoided: list[str]) -> None:
    assert _avoided(sentence) == avoided


def test_a_pronoun_carries_the_previous_clause_topic_into_an_exclusion() -> None:
    sentence = "Half the agenda seems to be about LLMs - I'll pass on those"
    assert _avoided(sentence) == ["generative-ai"]
    assert _liked(sentence) == []


def test_a_topic_ruled_out_is_not_also_liked_in_passing() -> None:
    message = Message(
        event_id="ev-1",
        role="USER",
        text="Steer clear of security talks for me - our CISO already runs plenty of security drills.",
        timestamp=0.0,
    )
    prefs = extract_preferences(message)
    positive = [p for p in prefs if p.content["polarity"] == "positive"]
    assert not [p for p in positive if "security" in p.content["categories"]]
    assert any("security" in p.content["categories"] for p in prefs)


def test_a_weak_word_yields_to_a_specific_topic_elsewhere_in_the_sentence() -> None:
    sentence = "I run the branch network of a bank - mostly IAM reviews and encryption audits"
    assert _liked(sentence) == ["security"]


@pytest.mark.parametrize(
    "sentence",
    [
        "I learn by breaking things, not by reading slides",
        "I'd much rather build something than sit and listen",
        "I just want to tinker with real code",
    ],
)
def test_hands_on_said_in_other_words(sentence: str) -> None:
    assert "hands-on" in _constraints(sentence)


@pytest.mark.parametrize(
    ("sentence", "topic"),
    [
        ("We ship everything through GitHub Actions and Argo CD", "devops"),
        ("I maintain our MLflow model registry", "mlops"),
        ("Our thermostats talk MQTT to the backend", "iot"),
        ("I live in Grafana and PagerDuty", "observability"),
        ("We must get the Oracle estate moved to the cloud by next summer", "migration"),
    ],
)
def test_products_and_tools_name_their_topics(sentence: str, topic: str) -> None:
    assert topic in _liked(sentence)
