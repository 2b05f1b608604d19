"""Open requests: asks that name nothing to look for search with what memory knows."""

from __future__ import annotations

from typing import Any

import pytest
from strands import tool
from test_offline_model import event_tools, make_agent

PROFILE = "<user_profile>\n- preference: The user is interested in FinOps.\n</user_profile>"


@pytest.mark.parametrize(
    "ask",
    [
        "What would you put on my schedule?",
        "Got anything good?",
        "Plan my afternoon.",
        "Choose for me",
    ],
)
def test_an_open_request_searches(ask: str) -> None:
    agent, calls = make_agent(event_tools, system_prompt=PROFILE)
    agent(ask)
    assert [name for name, _ in calls] == ["search_sessions"]


@pytest.mark.parametrize("text", ["How are you?", "Thanks!", "Please book me a taxi"])
def test_small_talk_and_actions_do_not_search(text: str) -> None:
    agent, calls = make_agent(event_tools, system_prompt=PROFILE)
    agent(text)
    assert calls == []


@pytest.mark.parametrize(
    "ask",
    [
        "ok so what's worth seeing",
        "alright, what should I see",
        "ok, go",
        "hook me up",
        "what's on?",
    ],
)
def test_vague_asks_after_interjections_search_on_the_profile(ask: str) -> None:
    agent, calls = make_agent(event_tools, system_prompt=PROFILE)
    agent(ask)
    assert [name for name, _ in calls] == ["search_sessions"]
    assert "finops" in calls[0][1]["query"].lower()


def test_a_stored_exclusion_is_not_read_as_an_interest() -> None:
    prompt = (
        "<user_profile>\n- preference: The user is interested in queues.\n"
        "- preference: The user is not interested in FinOps.\n</user_profile>"
    )
    agent, calls = make_agent(event_tools, system_prompt=prompt)
    agent("Anything for me?")
    assert calls and "finops" not in calls[0][1]["query"].lower()


def library_tools(calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """A reading list: books named by ISBN-like code or by title, and reviews of them."""

    @tool
    def find_books(query: str) -> list[dict[str, Any]]:
        """Search the library catalogue for books.

        Args:
            query: What to look for.
        """
        calls.append(("find_books", {"query": query}))
        return []

    @tool
    def borrow_book(code: str) -> str:
        """Borrow a book, named by its code or title, onto the reader's shelf.

        Args:
            code: The book's code (for example BK1234) or its title.
        """
        calls.append(("borrow_book", {"code": code}))
        return f"borrowed {code}"

    @tool
    def review_book(code: str, opinion: str) -> str:
        """Record that the reader read a book, or rated it.

        Args:
            code: The book's code (for example BK1234) or its title.
            opinion: The reader's words about it.
        """
        calls.append(("review_book", {"code": code, "opinion": opinion}))
        return "noted"

    return [find_books, borrow_book, review_book]


def test_a_title_fills_a_parameter_that_takes_one() -> None:
    agent, calls = make_agent(library_tools)
    agent("borrow The Quiet Harbour of Lisbon onto my shelf")
    assert calls == [("borrow_book", {"code": "The Quiet Harbour of Lisbon"})]


def test_an_experience_report_is_not_a_search() -> None:
    agent, calls = make_agent(library_tools)
    agent("I read Winter Orchards last week and it was brilliant, five stars")
    assert [name for name, _ in calls] == ["review_book"]
    assert "Winter Orchards" in calls[0][1]["code"]
