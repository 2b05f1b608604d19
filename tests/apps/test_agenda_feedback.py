"""Agenda and feedback: the tools (offline model and scripted), notes in memory, and their effect
on recommendations (attended and clashing sessions left out, highly rated ones' topics boosted)."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.scripted_model import ScriptedModel, ToolCall
from podium.apps.event_assistant import AssistantServices, create_agent
from podium.apps.event_assistant._agenda import (
    Attendee,
    overlaps,
    parse_feedback,
    recommendation_state,
)
from podium.apps.event_assistant._notes import notes_namespace


def _person(services: AssistantServices, actor: str) -> Attendee:
    assert services.notes is not None
    return Attendee(
        memory=services.memory,
        notes=services.notes,
        kb=services.kb,
        memory_id=services.memory_id,
        actor_id=actor,
    )


def _clashing_pair(catalog: dict[str, Any]) -> tuple[str, str]:
    sessions = sorted(catalog.values(), key=lambda s: s["code"])
    for a in sessions:
        for b in sessions:
            if a["code"] < b["code"] and overlaps(a, b):
                return a["code"], b["code"]
    raise AssertionError("the small catalog has no two sessions at the same time")


def _search(services: AssistantServices, actor: str, query: str, **args: Any) -> list[str]:
    model = ScriptedModel(
        [ToolCall(name="search_sessions", input={"query": query, "max_results": 10, **args}), "ok"]
    )
    agent = create_agent(actor, "search-1", services=services, model=model)
    agent("go")
    (block,) = agent.messages[-2]["content"]
    import json

    return [c["code"] for c in json.loads(block["toolResult"]["content"][0]["text"])]


def _offline(services: AssistantServices, actor: str, session: str, text: str) -> str:
    agent = create_agent(actor, session, services=services)
    return str(agent(text))


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("five stars", (5, True)),
        ("4/5, solid", (4, True)),
        ("was great", (5, True)),
        ("pretty boring honestly", (2, True)),
        ("I went to it", (None, True)),
        ("", (None, False)),
    ],
)
def test_parse_feedback(words: str, expected: tuple[int | None, bool]) -> None:
    assert parse_feedback(words) == expected


def test_agenda_add_show_remove_with_clash_by_offline_model(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    first, second = _clashing_pair(catalog)
    said = _offline(assistant, "ada", "ag-1", f"Please add {first} to my agenda")
    assert first in said and "agenda" in said.lower()
    said = _offline(assistant, "ada", "ag-1", f"put {second} on my agenda too")
    assert "clash" in said.lower() and first in said
    said = _offline(assistant, "ada", "ag-1", "What's next on my agenda?")
    assert first in said and second in said
    agenda = _person(assistant, "ada").agenda()
    assert {a["code"] for a in agenda} == {first, second}
    assert all(a["clashes_with"] for a in agenda)
    said = _offline(assistant, "ada", "ag-1", f"remove {second} from my agenda")
    assert [a["code"] for a in _person(assistant, "ada").agenda()] == [first]


def test_notes_are_records_with_event_provenance(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    code = sorted(catalog)[0]
    _person(assistant, "prov").record_feedback(code, rating=5)
    records, _ = assistant.memory.list_memory_records(
        assistant.memory_id, notes_namespace("feedback", "prov"), actor_id="prov", exact=True
    )
    (record,) = records
    assert record.metadata == {"kind": "feedback", "code": code}
    assert record.content["note"]["rating"] == 5
    (event_id,) = record.source_event_ids
    (event,) = assistant.memory.get_actor_events(assistant.memory_id, "prov", [event_id])
    assert code in event.payload[0]["conversational"]["content"]["text"]
    # Rating again replaces the note (one per session) and keeps both sources.
    _person(assistant, "prov").record_feedback(code, rating=2)
    records, _ = assistant.memory.list_memory_records(
        assistant.memory_id, notes_namespace("feedback", "prov"), actor_id="prov", exact=True
    )
    (record,) = records
    assert record.content["note"]["rating"] == 2 and len(record.source_event_ids) == 2


def test_attended_session_is_never_recommended(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    before = _search(assistant, "att", "security")
    assert before
    said = _offline(assistant, "att", "fb-1", f"I attended {before[0]}")
    assert before[0] in said
    after = _search(assistant, "att", "security")
    assert before[0] not in after
    # Another actor is unaffected.
    assert before[0] in _search(assistant, "other-att", "security")


def test_sessions_overlapping_the_agenda_are_left_out(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    first, second = _clashing_pair(catalog)
    day = catalog[first]["day"]
    assert second in _search(assistant, "busy", "session", day=day)
    _person(assistant, "busy").add_to_agenda(first)
    found = _search(assistant, "busy", "session", day=day)
    assert first not in found and second not in found
    assert not any(overlaps(catalog[c], catalog[first]) for c in found)


def test_highly_rated_session_boosts_similar_ones(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    rated = next(s for s in catalog.values() if s["topics"])
    topic = rated["topics"][0]
    query = "practical lessons for teams"
    base = _search(assistant, "fan", query)
    said = _offline(assistant, "fan", "fb-2", f"{rated['code']} was great, five stars")
    assert "5/5" in said
    boosted = _search(assistant, "fan", query)
    assert rated["code"] not in boosted

    def share(codes: list[str]) -> float:
        top = codes[:5]
        return sum(topic in catalog[c]["topics"] for c in top) / max(1, len(top))

    assert share(boosted) >= share([c for c in base if c != rated["code"]])
    assert share(boosted) > 0.5


def test_recommendation_state_is_json() -> None:
    import json

    state = recommendation_state(
        [{"code": "AAA100", "day": "Monday", "start": "09:00", "end": "10:00"}],
        [
            {
                "code": "BBB200",
                "rating": 5,
                "attended": True,
                "topics": ["security"],
                "type": "workshop",
            }
        ],
    )
    assert json.loads(json.dumps(state)) == state
    assert state["exclude_codes"] == ["AAA100", "BBB200"]
    assert state["liked_topics"] == ["security"]


def test_actor_isolation_of_agenda_and_feedback(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    code = sorted(catalog)[1]
    _person(assistant, "alice-iso").add_to_agenda(code)
    _person(assistant, "alice-iso").record_feedback(code, rating=4)
    assert _person(assistant, "bob-iso").agenda() == []
    assert _person(assistant, "bob-iso").feedback() == []
    said = _offline(assistant, "bob-iso", "iso-1", "what's next on my agenda?")
    assert code not in said


def test_next_on_agenda_is_the_first_not_yet_over(
    assistant: AssistantServices, catalog: dict[str, Any]
) -> None:
    from datetime import datetime

    dated = sorted(
        (s for s in catalog.values() if s.get("date")), key=lambda s: (s["date"], s["start"])
    )
    early, late = dated[0], dated[-1]
    assert (early["date"], early["end"]) < (late["date"], late["start"])
    person = _person(assistant, "nexter")
    person.add_to_agenda(late["code"])
    person.add_to_agenda(early["code"])
    before = datetime.fromisoformat(early["date"]).replace(hour=0)
    assert person.next_on_agenda(before)["next"]["code"] == early["code"]
    after_early = datetime.fromisoformat(late["date"]).replace(hour=0)
    assert person.next_on_agenda(after_early)["next"]["code"] == late["code"]
    assert person.next_on_agenda(datetime(2100, 1, 1))["next"] is None
