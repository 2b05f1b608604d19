"""The profile's constraints in search: exclusions, days, levels, time windows, formats, relaxing.

A fake retriever over a handful of synthetic sessions keeps these tests independent of the
catalog and of any embedder: it applies the real filter grammar and the real boost.
"""

from __future__ import annotations

from typing import Any

from podium.apps.event_assistant._constraints import (
    format_types,
    in_time_window,
    profile_clauses,
    topic_clause,
    without_avoided,
)
from podium.apps.event_assistant._profile import Profile, _constraint
from podium.apps.event_assistant._tools import _constrained_search
from podium.apps.event_assistant._understanding import spot_topics
from podium.knowledge import RetrievalResult
from podium.knowledge.filters import compile_filter


def _session(code: str, topics: list[str], kind: str, level: int, day: str, start: str) -> Any:
    return {"code": code, "title": code, "topics": topics, "type": kind, "level": level,
            "day": day, "start": start}  # fmt: skip


SESSIONS = [
    _session("AAA101", ["storage"], "breakout", 100, "Monday", "09:00"),
    _session("AAA201", ["storage"], "workshop", 200, "Tuesday", "14:00"),
    _session("AAA301", ["storage", "generative AI"], "code talk", 300, "Tuesday", "10:00"),
    _session("AAA302", ["storage"], "chalk talk", 300, "Wednesday", "15:00"),
    _session("BBB401", ["networking"], "breakout", 400, "Thursday", "11:00"),
    _session("BBB402", ["networking"], "builders' session", 400, "Thursday", "16:00"),
    _session("CCC201", ["generative AI"], "workshop", 200, "Monday", "13:00"),
]


class FakeKB:
    """Every session matching the filter, scored by the boost (then catalog order)."""

    def __init__(self) -> None:
        self.filters: list[Any] = []

    def retrieve(self, query: str, number_of_results: int = 5, search_type: Any = None,
                 filter: Any = None, *, mmr: bool = False, boost: Any = None) -> list[Any]:  # fmt: skip
        self.filters.append(filter)
        keep = compile_filter(filter) if filter else (lambda m: True)
        found = [
            RetrievalResult(
                chunk_id=i,
                text=s["code"],
                score=1.0 - i / 100 + (boost(s) if boost else 0),
                source_uri=s["code"],
                metadata=s,
            )
            for i, s in enumerate(SESSIONS)
            if keep(s)
        ]
        return sorted(found, key=lambda r: -r.score)[:number_of_results]


def _search(profile: dict[str, Any], query: str = "sessions", **kw: Any) -> list[str]:
    args = {"day": None, "level": None, "session_type": None, "topic": None} | kw
    cards = _constrained_search(FakeKB(), query, profile, 5, 5.0, **args)
    return [c["code"] for c in cards]


def test_exclusions_never_appear() -> None:
    codes = _search({"topics": ["storage"], "avoided_topics": ["generative AI"]})
    assert "AAA301" not in codes and "CCC201" not in codes


def test_days_and_level_bounds_hold() -> None:
    codes = _search({"topics": ["storage"], "days": ["Tuesday", "Wednesday"], "min_level": 300})
    assert codes[:2] == ["AAA301", "AAA302"] or set(codes[:2]) == {"AAA301", "AAA302"}


def test_a_requested_day_overrides_the_profile_days() -> None:
    codes = _search({"days": ["Monday"]}, day="Thursday")
    assert codes and all(c.startswith("BBB") for c in codes)


def test_preferred_formats_come_first() -> None:
    codes = _search({"topics": ["storage"], "hands_on": True})
    assert set(codes[:2]) == {"AAA201", "AAA301"}


def test_too_few_matches_relax_and_say_which_constraint() -> None:
    kb = FakeKB()
    profile = {"topics": ["networking"], "max_level": 100, "days": ["Thursday"]}
    cards = _constrained_search(kb, "x", profile, 5, 5.0, day=None, level=None,
                                session_type=None, topic=None)  # fmt: skip
    # Nothing at level 100 on Thursday: the level bound relaxes first (two Thursday sessions),
    # then, still too few, the days; each card found that way says what was relaxed.
    assert [c["code"] for c in cards[:2]] == ["BBB402", "BBB401"] or {
        c["code"] for c in cards[:2]
    } == {"BBB401", "BBB402"}
    assert all("outside your stated level" in " ".join(c["why"]) for c in cards[:2])
    assert all("outside your stated days" in " ".join(c["why"]) for c in cards[2:])


def test_time_window() -> None:
    assert in_time_window({"times": ["morning"]}, {"start": "09:30"})
    assert not in_time_window({"times": ["morning"]}, {"start": "13:00"})
    assert in_time_window({"times": ["afternoon"]}, {"start": "16:00"})
    assert in_time_window({}, {"start": "16:00"})


def test_clause_builders() -> None:
    assert profile_clauses({"days": ["Monday"], "min_level": 300}, day=None, level=None,
                           keep=("days", "level")) == [
        {"in": {"key": "day", "value": ["Monday"]}},
        {"greaterThanOrEquals": {"key": "level", "value": 300}},
    ]  # fmt: skip
    assert topic_clause({"topics": []}) is None
    assert topic_clause({"topics": ["IoT", "cost"]}) == {"orAll": [
        {"listContains": {"key": "topics", "value": "IoT"}},
        {"listContains": {"key": "topics", "value": "cost"}},
    ]}  # fmt: skip
    assert "workshop" in format_types({"hands_on": True})
    assert format_types({"formats": ["chalk-talk"]}) == ["chalk talk"]
    assert not without_avoided({"avoided_topics": ["cost"]}, {"topics": ["cost", "IoT"]})


def test_profile_reads_constraint_categories() -> None:
    profile = Profile()
    for category in ("day-tuesday", "level-min-400", "afternoon", "chalk-talk", "day-nonsense"):
        _constraint(profile, category)
    state = profile.as_state()
    assert state["days"] == ["Tuesday"] and state["min_level"] == 400 and state["deep_dive"]
    assert state["times"] == ["afternoon"] and state["formats"] == ["chalk-talk"]


def test_request_topics_in_catalog_terms() -> None:
    assert spot_topics("anything on EKS autoscaling or Aurora?") == ["containers", "databases"]


def test_the_attendees_topics_hold_longest_while_relaxing() -> None:
    # Storage at level 400: there is none. Storage at another level comes before 400-level
    # sessions on other topics (which fill only what storage cannot).
    codes = _search({"topics": ["storage"], "min_level": 400})
    assert codes[:4] and all(c.startswith("AAA") for c in codes[:4])


def test_topics_named_in_the_request_hold_instead_of_the_profiles() -> None:
    codes = _search({"topics": ["storage"], "min_level": 400}, query="networking please")
    assert codes[:2] and all(c.startswith("BBB") for c in codes[:2])


def test_a_turn_applies_to_its_own_search() -> None:
    from podium.apps.event_assistant._profile import with_turn

    stored = {"topics": ["storage"], "avoided_topics": [], "hands_on": False,
              "deep_dive": False, "beginner": False, "days": ["Monday"]}  # fmt: skip
    now = with_turn(stored, "These days I'm more into BGP and VPC peering, no longer storage. "
                            "I'm only here Thursday.")  # fmt: skip
    assert now["topics"] == ["networking"] and now["avoided_topics"] == ["storage"]
    assert now["days"] == ["Thursday"]
    assert with_turn(stored, "thanks!") is stored
