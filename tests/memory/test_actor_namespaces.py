"""Actor ids in namespaces: escaped when substituted, and every actor read checked by actor_id.

Issue 11 item 3: actor ``bob/evil`` (AgentCore's actor pattern allows '/') resolved to
``/actors/bob/evil/``, under ``bob``'s prefix ``/actors/bob/``, so bob's reads returned it.
"""

from __future__ import annotations

from typing import Any

import pytest

from podium.errors import NotFound
from podium.memory import (
    MemoryService,
    actor_namespace_prefix,
    escape_namespace_value,
    resolve_namespace,
    unescape_namespace_value,
)
from podium.memory._namespaces import (
    DEFAULT_NAMESPACES,
    actor_from_namespace,
    namespace_matches,
    validate_namespace,
)
from podium.memory.extraction import ExtractionWorker

EVIL = "bob/evil"
EVIL_SAYS = "I prefer advanced 400-level sessions on IoT."
BOB_SAYS = "I prefer hands-on workshops on security."


# ------------------------------------------------------------------- escaping


@pytest.mark.parametrize(
    "value",
    [
        "bob/evil",
        "a/b/c/",
        "/leading",
        "100%",
        "a%2Fb",
        "x*y{z}",
        "tab\there\x7f",
        "über/ß/東京",
        "%%//%2F",
    ],
)
def test_escaping_round_trips_and_leaves_no_structural_character(value: str) -> None:
    escaped = escape_namespace_value(value)
    assert unescape_namespace_value(escaped) == value
    assert not any(ch in escaped for ch in "/*{}") and all(ord(ch) >= 32 for ch in escaped)
    # Every '%' left in the escaped form starts an escape of a structural character.
    assert escaped.count("%") == len([c for c in value.encode("utf-8") if chr(c) in "%/*{}"]) + len(
        [c for c in value if ord(c) < 32 or ord(c) == 0x7F]
    )


@pytest.mark.parametrize(
    "value", ["alice", "bob", "al", "user-1_x", "us-east-1:abc-123", "A0:b:c", "s1", "facts-ab12"]
)
def test_ordinary_ids_are_unchanged(value: str) -> None:
    assert escape_namespace_value(value) == value
    assert unescape_namespace_value(value) == value


def test_ordinary_ids_resolve_exactly_as_before() -> None:
    # The strings existing data was written under: these must never change.
    assert (
        resolve_namespace(DEFAULT_NAMESPACES["semantic"], "alice", None, "facts-0123456789")
        == "/strategies/facts-0123456789/actors/alice/"
    )
    assert (
        resolve_namespace(DEFAULT_NAMESPACES["summary"], "us-east-1:abc", "s-1", "sums-x")
        == "/strategies/sums-x/actors/us-east-1:abc/sessions/s-1/"
    )
    assert (
        actor_namespace_prefix(DEFAULT_NAMESPACES["summary"], "alice", "sums-x")
        == "/strategies/sums-x/actors/alice/sessions/"
    )
    assert resolve_namespace("/f/{actorId}-{sessionId}/", "al", "s1", "x") == "/f/al-s1/"


def test_an_id_with_a_slash_is_one_namespace_level_and_never_under_another_actor() -> None:
    for template in DEFAULT_NAMESPACES.values():
        evil = resolve_namespace(template, EVIL, "s1", "prefs-0123456789")
        assert "/actors/bob%2Fevil/" in evil
        validate_namespace(evil)
        assert actor_from_namespace(evil) == EVIL
        bob = actor_namespace_prefix(template, "bob", "prefs-0123456789")
        assert not namespace_matches(bob, evil)
        assert not namespace_matches(bob.rstrip("/"), evil)
    # Other placeholders are escaped too.
    assert resolve_namespace("/x/{sessionId}/", "a", "s/1", "st") == "/x/s%2F1/"


# ------------------------------------------------------------- actor reads


def _say(service: MemoryService, memory_id: str, actor: str, session: str, text: str) -> None:
    service.create_event(
        memory_id, actor, session, [{"conversational": {"role": "USER", "content": {"text": text}}}]
    )


def _create(service: MemoryService, memory_id: str, namespace: str, text: str, **extra: Any) -> str:
    item = {
        "requestIdentifier": text[:20],
        "namespaces": [namespace],
        "content": {"text": text},
        **extra,
    }
    out = service.batch_create_memory_records(memory_id, [item])
    assert out["failedRecords"] == []
    return str(out["successfulRecords"][0]["memoryRecordId"])


def test_records_of_bob_slash_evil_never_reach_bob(service: MemoryService) -> None:
    mem = service.create_memory(
        "slashes",
        strategies=[
            {"type": "user_preference", "name": "prefs"},
            {"type": "semantic", "name": "facts"},
            {"type": "summary", "name": "sums"},
            {"type": "custom", "name": "users", "namespaces": ["/users/{actorId}/"]},
        ],
    )
    mid = mem.memory_id
    prefs, _, _, users = mem.strategies
    _say(service, mid, EVIL, "evil-s1", EVIL_SAYS)
    _say(service, mid, "bob", "bob-s1", BOB_SAYS)
    assert ExtractionWorker(service).run_until_idle(timeout=30)

    # Written the way unescaped extraction wrote them (data from before the fix), and one record
    # under bob's own namespace that has no actor (a batch write without actorId).
    legacy = _create(
        service,
        mid,
        f"/strategies/{prefs.strategy_id}/actors/bob/evil/",
        "Prefers 400-level IoT talks.",
        memoryStrategyId=prefs.strategy_id,
        actorId=EVIL,
    )
    actorless = _create(
        service, mid, "/users/bob/", "Likes IoT keynotes.", memoryStrategyId=users.strategy_id
    )
    assert service.get_memory_record(mid, actorless).actor_id is None

    everything, _ = service.list_memory_records(mid, "/", max_results=100)
    evil_ids = {r.record_id for r in everything if r.actor_id == EVIL}
    assert legacy in evil_ids and len(evil_ids) >= 3  # the preference and the summary too
    extracted = [r for r in everything if r.actor_id == EVIL and r.record_id != legacy]
    assert all("/actors/bob%2Fevil/" in r.namespace for r in extracted)
    bob_ids = {r.record_id for r in everything if r.actor_id == "bob"}
    assert bob_ids  # the checks below can see bob's records

    prefixes = [
        actor_namespace_prefix(template, "bob", s.strategy_id)
        for s in mem.strategies
        for template in s.namespaces
    ]
    for prefix in prefixes:
        # The escaped namespaces are out of bob's prefixes even without an actor check...
        plain, _ = service.list_memory_records(mid, prefix, max_results=100)
        assert not {r.record_id for r in plain} & (evil_ids - {legacy})
        # ...and with the check, nothing but bob's own comes back (no legacy, no actorless).
        checked, _ = service.list_memory_records(mid, prefix, max_results=100, actor_id="bob")
        assert {r.actor_id for r in checked} <= {"bob"}
        found = service.retrieve_memory_records(
            mid, prefix, "advanced 400-level IoT sessions", top_k=50, actor_id="bob"
        )
        assert {r.actor_id for r in found} <= {"bob"}
        assert not any("IoT" in r.text for r in found)
    assert {r.record_id for r in service.list_actor_records(mid, "bob")} == bob_ids
    for other in (*evil_ids, actorless):
        with pytest.raises(NotFound):
            service.delete_actor_record(mid, "bob", other)

    # bob/evil reads its own extracted records under its escaped prefix (the checks can fail).
    own = {r.record_id for r in service.list_actor_records(mid, EVIL)}
    assert own == evil_ids - {legacy}
    evil_prefix = actor_namespace_prefix(prefs.namespaces[0], EVIL, prefs.strategy_id)
    hits = service.retrieve_memory_records(mid, evil_prefix, "IoT", top_k=5, actor_id=EVIL)
    assert hits and all(r.actor_id == EVIL for r in hits)
