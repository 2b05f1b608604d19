"""Thin-worker services: the assistant over its host's JSON methods behaves exactly as in-process.

The socket itself is tested in tests/runtime/test_runtime_thin_workers.py; here a loopback client
sends every call through JSON into the host (what the socket does, minus the socket), so the
remote proxies are compared with the direct services on the same database: same profile, same
system prompt, same recommendations in the same order with the same scores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from fixtures.assistant import Loopback, run_turn, services_in
from podium.agents import ServiceClient
from podium.apps.event_assistant import AssistantServices, create_agent, preference_boost
from podium.apps.event_assistant._host import AssistantHost
from podium.apps.event_assistant._remote import (
    RemoteKnowledgeBase,
    RemoteMemory,
    RemoteNotes,
    RemoteServices,
)
from podium.errors import Forbidden, InvalidInput

INTRO = "I'm interested in AI and security and I prefer hands-on sessions."
RECOMMEND = "Which sessions should I attend?"


@pytest.fixture(scope="module")
def direct(
    tmp_path_factory: pytest.TempPathFactory,
    seed_home: Path,
    catalog_sessions: tuple[Path, dict[str, Any]],
) -> Iterator[AssistantServices]:
    services = services_in(
        seed_home, tmp_path_factory.mktemp("thin"), catalog_sessions[0], background_worker=False
    )
    run_turn(create_agent("alice", "alice-intro", services=services), INTRO)
    assert services.memory.wait_for_extraction(services.memory_id, "alice", "alice-intro", 60)
    yield services
    services.close()


@pytest.fixture(scope="module")
def loopback(direct: AssistantServices) -> Loopback:
    return Loopback(AssistantHost(direct))


@pytest.fixture(scope="module")
def remote(direct: AssistantServices, loopback: Loopback) -> RemoteServices:
    client = cast(ServiceClient, loopback)
    return RemoteServices(
        settings=direct.settings,
        memory=RemoteMemory(client),
        kb=RemoteKnowledgeBase(client),
        notes=RemoteNotes(client),
        memory_id=loopback.call("assistant.describe")["memory_id"],
        client=client,
    )


def test_a_remote_agent_recommends_exactly_what_a_direct_one_does(
    direct: AssistantServices, remote: RemoteServices, loopback: Loopback
) -> None:
    by_direct = create_agent("alice", "alice-direct", services=direct)
    by_remote = create_agent("alice", "alice-remote", services=remote)
    assert by_remote.system_prompt == by_direct.system_prompt
    profile = by_remote.state.get("profile")
    assert profile == by_direct.state.get("profile")
    assert profile["hands_on"] and {"security", "generative AI"} <= set(profile["topics"])
    want, got = run_turn(by_direct, RECOMMEND), run_turn(by_remote, RECOMMEND)
    assert got.sessions and got.sessions == want.sessions
    assert got.text == want.text
    assert {"memory.list_memory_records", "knowledge.retrieve", "memory.create_event"} <= set(
        loopback.calls
    )
    events, _ = direct.memory.list_events(direct.memory_id, "alice", "alice-remote")
    assert len(events) >= 2 and events[0].messages()[0]["role"] == "USER"


def test_a_remote_agent_keeps_the_agenda_and_feedback_in_the_gateway(
    direct: AssistantServices,
    remote: RemoteServices,
    loopback: Loopback,
    catalog_sessions: tuple[Path, dict[str, Any]],
) -> None:
    code = sorted(catalog_sessions[1])[3]
    agent = create_agent("alice", "alice-agenda", services=remote)
    said = run_turn(agent, f"add {code} to my agenda").text
    assert code in said
    assert {"notes.list", "notes.put"} <= set(loopback.calls)
    assert direct.notes is not None
    (item,) = direct.notes.list_notes(direct.memory_id, "alice", "agenda")
    assert item["code"] == code and item["source_event_ids"]
    # The same search from the worker leaves out the session now on the agenda.
    found = run_turn(create_agent("alice", "alice-agenda-2", services=remote), RECOMMEND)
    assert found.sessions and code not in [s["code"] for s in found.sessions]
    # The socket's actor check applies: notes.* are actor-scoped methods.
    assert all(
        loopback.host.methods[m].actor_scoped for m in ("notes.list", "notes.put", "notes.delete")
    )


def test_remote_retrieve_ranks_with_the_profile_boost_like_the_kb(
    direct: AssistantServices, remote: RemoteServices
) -> None:
    boost, _ = preference_boost({"topics": ["security"], "hands_on": True})
    flt = {"equals": {"key": "day", "value": "Tuesday"}}
    for args in (("secure my workloads", 9), ("data", 15)):
        assert remote.kb.retrieve(*args, boost=boost) == direct.kb.retrieve(*args, boost=boost)
        assert remote.kb.retrieve(*args, filter=flt) == direct.kb.retrieve(*args, filter=flt)
    assert remote.kb.retrieve("x", 3, "SEMANTIC") == direct.kb.retrieve("x", 3, "SEMANTIC")


def test_remote_calls_refuse_what_cannot_cross_the_socket(remote: RemoteServices) -> None:
    with pytest.raises(InvalidInput, match="PreferenceBoost"):
        remote.kb.retrieve("x", 3, boost=lambda meta: 1.0)
    with pytest.raises(InvalidInput, match="actor_id"):
        remote.memory.list_memory_records(remote.memory_id, "/strategies/")
    with pytest.raises(Forbidden, match="own memory"):
        remote.memory.get_memory("another-memory-0123456789")
