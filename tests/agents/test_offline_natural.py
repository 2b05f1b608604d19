"""Offline answers read as a person would write them: no tool names, argument names, ids or namespaces."""

from __future__ import annotations

import re
from typing import Any

from strands import Agent, tool

from podium.agents._offline_answer import ToolOutcome, memory_reply, tool_outcome_reply
from podium.agents._offline_model import OfflineModel, render_memory_context
from podium.agents._offline_phrasing import criteria, is_machine_id, item_nouns
from podium.agents._offline_text import UserFacts, parse_memory_context

_SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


@tool
def find_talks(query: str, track: str | None = None, max_results: int = 5) -> list[dict[str, Any]]:
    """Find talks in the programme by keywords and an optional track.

    Args:
        query: Keywords.
        track: Programme track.
        max_results: How many talks to return.
    """
    return [
        {
            "talkId": "3f2a9c1b-77d0-4e4b-9a1e-0c5d2b7f9e10",
            "code": "NET204",
            "title": "Designing resilient networks",
            "track": "networking",
            "namespace": "/actors/alice/talks",
        }
    ]


@tool
def explain_talk(code: str) -> dict[str, Any]:
    """Explain one talk by its code.

    Args:
        code: Talk code such as NET204.
    """
    return {"code": code, "title": "Designing resilient networks"}


def test_greeting_says_what_it_can_do_in_words_not_tool_names() -> None:
    agent = Agent(model=OfflineModel(), tools=[find_talks, explain_talk], callback_handler=None)
    text = str(agent("hello there"))
    assert text.startswith("Hello!")
    assert "find_talks" not in text and "explain_talk" not in text
    assert "\n-" not in text  # one sentence, not a list of tools
    assert "I can find talks in the programme by keywords and an optional track" in text
    assert ", and explain one talk by its code." in text
    assert "keep it in mind" in text


def test_list_answer_names_the_items_and_the_search_in_words() -> None:
    agent = Agent(model=OfflineModel(), tools=[find_talks, explain_talk], callback_handler=None)
    text = str(agent("find talks about resilient networks"))
    assert text.startswith('Here is the one talk I found for "')
    assert "[NET204] Designing resilient networks" in text
    assert "3f2a9c1b" not in text  # a generated id is not shown
    assert "/actors/" not in text and "namespace" not in text
    assert not _SNAKE.findall(text), _SNAKE.findall(text)


def test_an_unknown_tools_text_result_reads_naturally() -> None:
    # The shape a Converse caller sends: a tool the model has no spec for, plain text back.
    outcome = ToolOutcome(
        name="lookup_parking_zones",
        arguments={"query": "north garage", "zone_id": "a91f00c2e7"},
        status="success",
        content=[{"text": "Level 2 is reserved for speakers.\nEV chargers are on level 1."}],
    )
    text = tool_outcome_reply([outcome], profile=UserFacts(), max_results=5)
    # The tool answered in sentences: they are the answer, with no preamble.
    assert text.startswith("Level 2 is reserved for speakers.")
    assert "EV chargers are on level 1." in text
    assert "lookup_parking_zones" not in text and "returned" not in text


def test_an_unknown_tools_records_are_summarised_without_internals() -> None:
    outcome = ToolOutcome(
        name="list_memory_records",
        arguments={"namespace": "/actors/bob/preferences", "max_results": 10},
        status="success",
        content=[
            {
                "json": {
                    "memoryRecordSummaries": [
                        {
                            "memoryRecordId": "mem-7c1e9a2b4d",
                            "content": {"text": "Prefers evening meetups"},
                            "namespaces": ["/actors/bob/preferences"],
                            "memoryStrategyId": "prefs-x81kq2z9",
                            "createdAt": 1733059200.5,
                            "x-amz-bedrock-kb-chunk-id": "1%3A0%3Aabc123def456",
                        }
                    ]
                }
            }
        ],
    )
    text = tool_outcome_reply([outcome], profile=UserFacts(), max_results=5)
    assert text.startswith("Here is the one record I found")
    internals = ("mem-7c1e9a2b4d", "/actors/bob", "prefs-x81kq2z9", "list_memory_records", "1.733")
    for internal in (*internals, "abc123def456", "created"):
        assert internal not in text
    assert "Sources" not in text  # nothing a person could look up


def test_an_empty_and_a_failed_result_say_so_plainly() -> None:
    empty = ToolOutcome(
        name="search_recipes",
        arguments={"query": "vegan ramen"},
        status="success",
        content=[{"json": []}],
    )
    assert tool_outcome_reply([empty], profile=UserFacts(), max_results=5).startswith(
        'I couldn\'t find any recipes for "vegan ramen".'
    )
    failed = ToolOutcome(
        name="book_table",
        arguments={},
        status="error",
        content=[{"text": "Error: TimeoutError: slow"}],
    )
    text = tool_outcome_reply([failed], profile=UserFacts(), max_results=5)
    assert text.startswith("Sorry, I couldn't get that done: slow.")
    assert "book_table" not in text


def test_last_time_is_answered_from_the_summary_without_session_ids() -> None:
    summary = "You asked for hands-on networking talks; I suggested NET204 and NET310."
    prompt = render_memory_context([], [f"session 9b1f2c3d-aa: {summary}"])
    text = memory_reply("history", parse_memory_context(prompt), UserFacts())
    assert (
        text == "Last time you asked for hands-on networking talks; I suggested NET204 and NET310."
    )


def test_phrasing_helpers() -> None:
    assert item_nouns("search_sessions") == ("session", "sessions")
    assert item_nouns("find_recipes") == ("recipe", "recipes")
    assert item_nouns("retrieve") == ("result", "results")
    assert item_nouns("getMatches") == ("match", "matches")
    assert (
        criteria({"query": "ai", "day": "Tuesday", "max_results": 3})
        == ' for "ai" with day Tuesday'
    )
    assert is_machine_id("3f2a9c1b-77d0-4e4b-9a1e-0c5d2b7f9e10") and is_machine_id("mem-7c1e9a2b4d")
    assert not is_machine_id("AIM301") and not is_machine_id("9780062225740")
    assert not is_machine_id("ORD-004211")


def test_a_miss_reported_as_data_is_an_apology() -> None:
    outcome = ToolOutcome(
        name="get_talk",
        arguments={"code": "NET999"},
        status="success",
        content=[{"json": {"error": "no talk with code NET999"}}],
    )
    text = tool_outcome_reply([outcome], profile=UserFacts(), max_results=5)
    assert text == "Sorry, no talk with code NET999."


def test_profile_facts_are_told_to_the_user_in_the_second_person() -> None:
    prompt = render_memory_context(
        ["preference: The user is interested in networking.", "fact: The user works at Initech."],
        [],
    )
    text = memory_reply("profile", parse_memory_context(prompt), UserFacts())
    assert "- You are interested in networking." in text
    assert "- You work at Initech." in text
    assert "The user" not in text


def test_examples_in_a_description_are_not_repeated_to_the_user() -> None:
    @tool
    def get_badge(code: str) -> str:
        """Print a badge for an attendee code (for example ATT123).

        Args:
            code: Attendee code.
        """
        return "printed"

    agent = Agent(model=OfflineModel(), tools=[get_badge], callback_handler=None)
    text = str(agent("good morning"))
    assert "I can print a badge for an attendee code." in text and "ATT123" not in text


def test_a_generic_query_word_is_not_quoted_back() -> None:
    outcome = ToolOutcome(
        name="search_sessions",
        arguments={"query": "sessions", "day": "Monday"},
        status="success",
        content=[{"json": [{"code": "SVS201", "title": "Serverless patterns"}]}],
    )
    text = tool_outcome_reply([outcome], profile=UserFacts(), max_results=5)
    assert text.startswith("Here is the one session I found with day Monday:")
