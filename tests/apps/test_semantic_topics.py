"""The semantic topic classifier: nearest catalog sessions vote with their tracks."""

from __future__ import annotations

from typing import Any

from podium.apps.event_assistant._semantic_topics import classify_topic, with_semantic_topics
from podium.knowledge import RetrievalResult


class VotingKB:
    """Returns sessions whose tracks are fixed per phrase."""

    def __init__(self, tracks: dict[str, list[str]]) -> None:
        self.tracks = tracks
        self.calls = 0

    def retrieve(self, query: str, number_of_results: int = 5, search_type: Any = None,
                 filter: Any = None, *, mmr: bool = False, boost: Any = None) -> list[Any]:  # fmt: skip
        self.calls += 1
        return [
            RetrievalResult(
                chunk_id=i,
                text="",
                score=1.0,
                source_uri=f"S{i}",
                metadata={"code": f"S{i}", "topics": [track, "other"]},
            )
            for i, track in enumerate(self.tracks.get(query, []))
        ]


def test_the_nearest_sessions_track_wins_and_is_cached() -> None:
    kb = VotingKB({"telemetry tractors": ["IoT"] * 6 + ["analytics"] * 2})
    assert classify_topic(kb, "telemetry from tractors") == "IoT"
    assert classify_topic(kb, "Telemetry from tractors ") == "IoT"
    assert kb.calls == 1


def test_no_majority_abstains() -> None:
    kb = VotingKB({"odd phrase": ["IoT", "cost", "storage", "DevOps"] * 2})
    assert classify_topic(kb, "odd phrase") is None


def test_profile_gains_the_topic_unless_avoided() -> None:
    kb = VotingKB({"ledger reconciliation": ["cost"] * 8})
    profile = {"topics": [], "phrases": ["ledger reconciliation"]}
    assert with_semantic_topics(kb, profile)["topics"] == ["cost"]


def test_a_guessed_topic_does_not_dilute_named_ones() -> None:
    kb = VotingKB({"backend engineer at a game studio": ["industry"] * 8})
    profile = {"topics": ["containers"], "phrases": ["backend engineer at a game studio"]}
    assert with_semantic_topics(kb, profile)["topics"] == ["containers"]
    avoided = {"avoided_topics": ["cost"], "phrases": ["ledger reconciliation"]}
    assert with_semantic_topics(kb, avoided).get("topics") == []


def test_a_clear_plurality_wins() -> None:
    kb = VotingKB({"plural": ["cost"] * 3 + ["IoT", "storage", "DevOps", "analytics", "MLOps"]})
    assert classify_topic(kb, "plural") == "cost"


def test_avoided_phrases_become_exclusions() -> None:
    kb = VotingKB({"model training jobs": ["MLOps"] * 8})
    profile = {"topics": ["MLOps", "cost"], "avoided_phrases": ["model training jobs"]}
    out = with_semantic_topics(kb, profile)
    assert out["avoided_topics"] == ["MLOps"] and out["topics"] == ["cost"]
