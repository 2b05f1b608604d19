"""Consolidation rules: pure decisions from a candidate and the similar stored records."""

from __future__ import annotations

import json

from podium.memory import readable_record_text
from podium.memory.extraction._consolidate import (
    Candidate,
    consolidate,
    consolidate_batch,
    normalize_text,
)
from podium.memory.extraction._extract_offline import extract_facts, extract_preferences
from podium.memory.extraction._extractor import Add, ExistingRecord, Skip, Update


def _msg(text: str, event_id: str = "e1"):
    from podium.memory.extraction._extractor import Message

    return Message(event_id=event_id, role="USER", text=text, timestamp=0.0)


def _stored(candidate: Candidate, record_id: str) -> ExistingRecord:
    return ExistingRecord(record_id=record_id, text=candidate.text, content=candidate.content)


def _by_slot(candidates: list[Candidate], slot: str) -> Candidate:
    return next(c for c in candidates if c.content.get("slot") == slot)


def test_new_fact_is_added_with_rationale_and_source() -> None:
    facts = extract_facts(_msg("I'm Alice, a software engineer at TechCorp.", "ev-1"))
    employer = _by_slot(facts, "employer")
    decision = consolidate(employer, [])
    assert isinstance(decision, Add)
    assert decision.content["fact"] == "works as a software engineer at TechCorp"
    assert decision.rationale == "the user stated they work as a software engineer at TechCorp"
    assert decision.source_event_ids == ("ev-1",)


def test_employer_change_updates_the_slot_and_keeps_previous_value() -> None:
    old = _by_slot(extract_facts(_msg("I'm Alice, a software engineer at TechCorp.")), "employer")
    new = _by_slot(extract_facts(_msg("I moved to Acme", "ev-2")), "employer")
    decision = consolidate(new, [(_stored(old, "mem-1"), 0.62)])
    assert isinstance(decision, Update)
    assert decision.record_id == "mem-1"
    assert decision.content["value"] == "Acme"
    assert decision.content["previous"] == "TechCorp"
    assert "moved to Acme" in decision.rationale
    assert "TechCorp" in decision.rationale
    assert decision.source_event_ids == ("ev-2",)


def test_same_slot_same_value_is_skipped() -> None:
    first = _by_slot(extract_facts(_msg("I work for Acme.")), "employer")
    again = _by_slot(extract_facts(_msg("I work at Acme")), "employer")
    assert isinstance(consolidate(again, [(_stored(first, "mem-1"), 0.97)]), Skip)


def test_near_duplicate_and_identical_text_are_skipped() -> None:
    pref = extract_preferences(_msg("I love serverless"))[0]
    other = Candidate(
        content={"note": "x"}, text="The user likes chess.", rationale="", source_event_ids=()
    )
    stored_other = ExistingRecord(
        record_id="m2", text="The user enjoys chess!", content={"note": "y"}
    )
    assert isinstance(consolidate(other, [(stored_other, 0.93)]), Skip)
    assert isinstance(consolidate(other, [(stored_other, 0.5)]), Add)
    same_text = ExistingRecord(record_id="m3", text="the user LIKES chess", content={})
    assert isinstance(consolidate(other, [(same_text, 0.1)]), Skip)
    assert isinstance(consolidate(pref, [(_stored(pref, "m1"), 1.0)]), Skip)


def test_negation_updates_the_stored_positive_preference() -> None:
    positive = extract_preferences(_msg("I'm interested in security"))[0]
    negative = extract_preferences(_msg("I'm no longer interested in security.", "ev-9"))[0]
    assert negative.content["polarity"] == "negative"
    decision = consolidate(negative, [(_stored(positive, "mem-7"), 0.7)])
    assert isinstance(decision, Update)
    assert decision.record_id == "mem-7"
    assert decision.content["polarity"] == "negative"
    assert decision.content["previous"] == {"preference": "security", "polarity": "positive"}
    # The text is AgentCore's user-preference form: JSON with context, preference, categories.
    assert readable_record_text(decision.text) == "The user is not interested in security."
    assert json.loads(decision.text)["categories"] == ["security"]
    # Saying it again changes nothing.
    updated = ExistingRecord(record_id="mem-7", text=decision.text, content=decision.content)
    assert isinstance(consolidate(negative, [(updated, 1.0)]), Skip)
    # Changing one's mind back flips it again.
    back = extract_preferences(_msg("I'm interested in security"))[0]
    assert isinstance(consolidate(back, [(updated, 0.8)]), Update)


def test_negation_of_one_topic_leaves_other_topics_alone() -> None:
    prefs = extract_preferences(_msg("I like AI and security sessions"))
    assert [p.content["categories"] for p in prefs] == [["generative-ai"], ["security"]]
    stored = [(_stored(prefs[0], "m-ai"), 0.55), (_stored(prefs[1], "m-sec"), 0.6)]
    negative = extract_preferences(_msg("not a fan of security anymore"))[0]
    decision = consolidate(negative, stored)
    assert isinstance(decision, Update) and decision.record_id == "m-sec"


def test_negation_with_nothing_stored_is_added() -> None:
    negative = extract_preferences(_msg("I don't like beginner talks"))[0]
    decision = consolidate(negative, [])
    assert isinstance(decision, Add)
    assert decision.content["categories"] == ["beginner"]


def test_batch_supersedes_its_own_earlier_candidates() -> None:
    facts = extract_facts(_msg("I work at TechCorp.", "e1")) + extract_facts(
        _msg("Actually I joined Acme last month.", "e2")
    )
    decisions = consolidate_batch(facts, lambda text, k, ns: [])
    adds = [d for d in decisions if isinstance(d, Add)]
    assert len(adds) == 1
    assert adds[0].content["value"] == "Acme"
    assert adds[0].content["previous"] == "TechCorp"
    assert adds[0].source_event_ids == ("e1", "e2")


def test_batch_dedupes_repeats() -> None:
    prefs = extract_preferences(_msg("I love Kubernetes. I really love Kubernetes!"))
    decisions = consolidate_batch(prefs, lambda text, k, ns: [])
    assert [type(d) for d in decisions] == [Add, Skip]


def test_normalize_text() -> None:
    assert normalize_text("  The user, likes   AI! ") == "the user likes ai"
