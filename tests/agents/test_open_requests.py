"""Open requests: asks that name nothing to look for search with what memory knows."""

from __future__ import annotations

import pytest
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
