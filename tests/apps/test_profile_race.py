"""No race: a session started right after an introduction already uses what it said.

The extraction jobs an introduction queues may still be pending when the next session's agent
loads the profile; the hook runs or waits for them first (directly, and over a thin worker's
service socket).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from fixtures.assistant import Loopback, run_turn, services_in
from podium.agents import ServiceClient
from podium.apps.event_assistant import AssistantServices, create_agent
from podium.apps.event_assistant._host import AssistantHost
from podium.apps.event_assistant._remote import RemoteKnowledgeBase, RemoteMemory, RemoteServices

INTRO = "Hello! I build event-driven backends and I am really interested in serverless."


@pytest.fixture
def services(
    tmp_path_factory: pytest.TempPathFactory,
    seed_home: Path,
    catalog_sessions: tuple[Path, dict[str, Any]],
) -> Iterator[AssistantServices]:
    # No background worker: the introduction's jobs stay PENDING until someone runs them.
    found = services_in(
        seed_home, tmp_path_factory.mktemp("race"), catalog_sessions[0], background_worker=False
    )
    yield found
    found.close()


def _open_jobs(services: AssistantServices) -> int:
    jobs = services.memory.list_extraction_jobs(services.memory_id)
    return sum(1 for job in jobs if job.status in ("PENDING", "RUNNING"))


def test_the_next_session_waits_for_the_introductions_extraction(
    services: AssistantServices,
) -> None:
    run_turn(create_agent("nils", "nils-intro", services=services), INTRO)
    assert _open_jobs(services) > 0  # the race: nothing extracted yet
    agent = create_agent("nils", "nils-next", services=services)
    assert "serverless" in agent.state.get("profile")["topics"]
    assert "serverless" in str(agent.system_prompt)
    assert _open_jobs(services) == 0


def test_a_thin_worker_asks_the_gateway_to_finish_extraction_first(
    services: AssistantServices,
) -> None:
    run_turn(create_agent("tove", "tove-intro", services=services), INTRO)
    loopback = Loopback(AssistantHost(services, owns_services=False))
    client = cast(ServiceClient, loopback)
    remote = RemoteServices(
        settings=services.settings,
        memory=RemoteMemory(client),
        kb=RemoteKnowledgeBase(client),
        memory_id=services.memory_id,
        client=client,
    )
    agent = create_agent("tove", "tove-next", services=remote)
    assert "serverless" in agent.state.get("profile")["topics"]
    waited = loopback.calls.index("memory.wait_for_actor_extraction")
    assert waited < loopback.calls.index("memory.list_memory_records")


def test_an_actor_with_nothing_pending_starts_at_once(services: AssistantServices) -> None:
    assert services.memory.wait_for_actor_extraction(services.memory_id, "nobody", timeout=0.1)


def test_the_answer_says_which_profile_it_used(services: AssistantServices) -> None:
    run_turn(
        create_agent("ines", "ines-intro", services=services),
        "I am really interested in serverless and I prefer workshops.",
    )
    greeting = run_turn(create_agent("ines", "ines-next", services=services), "hi")
    assert greeting.profile == []  # nothing was searched, so nothing was personalised
    answer = run_turn(
        create_agent("ines", "ines-next", services=services), "Which sessions should I attend?"
    )
    assert "serverless" in answer.profile
    assert answer.as_dict()["profile"] == answer.profile


def test_profile_terms_read_as_words() -> None:
    from podium.apps.event_assistant._turn import profile_terms

    state = {
        "topics": ["generative AI", "security"],
        "avoided_topics": ["databases"],
        "hands_on": True,
        "deep_dive": False,
        "days": ["Tuesday"],
    }
    assert profile_terms(state) == [
        "generative AI",
        "security",
        "Tuesday",
        "hands-on",
        "not databases",
    ]
    assert profile_terms(None) == [] and profile_terms({}) == []


def test_the_last_answer_of_a_session_is_in_its_summary(services: AssistantServices) -> None:
    # The summary job fires on the user's message; the answer after it is flushed when the
    # next session starts, so "last time" can say what was suggested.
    first = create_agent("olga", "olga-1", services=services)
    answer = run_turn(first, "Which serverless sessions do you recommend?")
    assert answer.cited
    later = create_agent("olga", "olga-2", services=services)
    recall = run_turn(later, "What did we talk about last time?")
    assert recall.text.startswith("Last time you asked for serverless sessions; I suggested ")
    assert answer.cited[0] in recall.text
    assert "olga-1" not in recall.text
