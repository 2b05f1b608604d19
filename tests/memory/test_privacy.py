"""Privacy: actor isolation under random interleavings, and "forget me" leaving no trace."""

from __future__ import annotations

import random
from typing import Any

import pytest

from podium.errors import NotFound
from podium.memory import Memory, MemoryService
from podium.storage import Database
from podium.storage._keyword import scope_token

# Each actor's text carries a marker word no other actor uses. "al" is a prefix of "alice".
MARKERS = {"alice": "zebracorn", "al": "quokkafin", "bob": "marmotide"}


def msg(role: str, text: str) -> dict[str, Any]:
    return {"conversational": {"role": role, "content": {"text": text}}}


def ns(mem: Memory, actor: str) -> str:
    return f"/strategies/{mem.strategies[0].strategy_id}/actors/{actor}/"


@pytest.fixture
def mem(service: MemoryService) -> Memory:
    return service.create_memory("privacy", strategies=[{"type": "semantic", "name": "facts"}])


def populate(service: MemoryService, mem: Memory, seed: int) -> dict[str, list[str]]:
    """A seeded random interleaving of event and record operations by three actors."""
    rng = random.Random(seed)
    events: dict[str, list[tuple[str, str]]] = {a: [] for a in MARKERS}
    records: dict[str, list[str]] = {a: [] for a in MARKERS}
    for step in range(90):
        actor = rng.choice(list(MARKERS))
        word = MARKERS[actor]
        op = rng.random()
        if op < 0.55:
            session = f"s{rng.randrange(3)}"
            role = rng.choice(["USER", "USER", "ASSISTANT", "TOOL"])
            event = service.create_event(
                mem.memory_id,
                actor,
                session,
                [msg(role, f"{word} jazz conference talk {step}")],
                metadata={"owner": actor} if rng.random() < 0.5 else None,
            )
            events[actor].append((session, event.event_id))
        elif op < 0.8:
            out = service.batch_create_memory_records(
                mem.memory_id,
                [
                    {
                        "requestIdentifier": f"r{step}",
                        "namespaces": [ns(mem, actor)],
                        "content": {"text": f"{word} likes jazz talks {step}"},
                    }
                ],
            )
            records[actor] += [r["memoryRecordId"] for r in out["successfulRecords"]]
        elif op < 0.9 and records[actor]:
            rid = rng.choice(records[actor])
            service.batch_update_memory_records(
                mem.memory_id,
                [{"memoryRecordId": rid, "content": {"text": f"{word} updated jazz {step}"}}],
            )
        elif events[actor]:
            session, event_id = events[actor].pop(rng.randrange(len(events[actor])))
            service.delete_event(mem.memory_id, actor, session, event_id)
    service.embed_pending_events(mem.memory_id)
    return {a: [e for _, e in evs] for a, evs in events.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reads_in_an_actors_scope_never_return_another_actor(
    service: MemoryService, mem: Memory, seed: int
) -> None:
    events = populate(service, mem, seed)
    mid = mem.memory_id
    everyone = " ".join(MARKERS.values()) + " jazz conference talk"
    for actor, word in MARKERS.items():
        others = [w for a, w in MARKERS.items() if a != actor]

        def clean(text: str) -> bool:
            return not any(o in text for o in others)  # noqa: B023

        sessions = service.list_sessions(mid, actor)
        seen: list[str] = []
        for s in sessions:
            assert s.actor_id == actor
            token = None
            while True:
                page, token = service.list_events(
                    mid, actor, s.session_id, max_results=5, next_token=token
                )
                for e in page:
                    assert e.actor_id == actor and clean(
                        e.payload[0]["conversational"]["content"]["text"]
                    )
                    seen.append(e.event_id)
                if token is None:
                    break
            for turn in service.get_last_k_turns(mid, actor, s.session_id, 50):
                assert all(clean(m["content"]["text"]) for m in turn)
        assert sorted(seen) == sorted(events[actor])
        hits = service.search_events(mid, actor, everyone, top_k=100)
        assert {h.event_id for h in hits} <= set(events[actor])
        assert all(clean(h.text) and h.actor_id == actor for h in hits)
        filtered, _ = service.list_events(
            mid,
            actor,
            "s0",
            metadata_filters=[{"left": {"metadataKey": "owner"}, "operator": "EXISTS"}],
            max_results=100,
        )
        assert all(e.metadata == {"owner": actor} for e in filtered)
        for record in service.retrieve_memory_records(mid, ns(mem, actor), everyone, top_k=100):
            assert record.actor_id == actor and clean(record.text) and word in record.text
        listed, _ = service.list_memory_records(mid, ns(mem, actor), max_results=100)
        assert all(r.actor_id == actor and clean(r.text) for r in listed)
        for other, other_events in events.items():
            if other != actor and other_events:
                for session in ("s0", "s1", "s2"):
                    with pytest.raises(NotFound):
                        service.get_event(mid, actor, session, other_events[0])


def all_rows(db: Database) -> dict[str, list[bytes]]:
    """Every row of every table (FTS virtual and shadow tables included) as bytes."""
    out: dict[str, list[bytes]] = {}
    listing = (
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        if db.dialect == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'table'"
    )
    with db.connect() as conn:
        tables = [r[0] for r in conn.exec_driver_sql(listing)]
        for table in tables:
            rows = conn.exec_driver_sql(f'SELECT * FROM "{table}"').all()
            out[table] = [
                b"\x00".join(v if isinstance(v, bytes) else str(v).encode("utf-8") for v in row)
                for row in rows
            ]
    return out


def test_forget_me_leaves_no_row_behind(service: MemoryService, mem: Memory, db: Database) -> None:
    populate(service, mem, seed=7)
    mid = mem.memory_id
    service.flush_extraction(mid, "alice", "s0")
    before = all_rows(db)
    needles = [b"alice", b"zebracorn", scope_token(f"{mid}|alice").encode()]
    assert any(n in row for rows in before.values() for row in rows for n in needles[:2])
    # FTS5 keeps a row's scope tokens in its content shadow table; PostgreSQL in the row itself.
    pg = db.dialect == "postgresql"
    content = "fts_events" if pg else "fts_events_content"
    indexes = {"fts_events", "fts_records"} if pg else {"fts_events_data", "fts_records_data"}
    assert any(needles[2] in row for row in before[content])

    counts = service.delete_actor(mid, "alice")
    assert (
        counts["events"] > 0
        and counts["memory_records"] > 0
        and counts["memory_record_history"] > 0
    )
    assert counts["extraction_cursors"] > 0 and counts["extraction_jobs"] > 0

    after = all_rows(db)
    assert {*indexes, "events", "memory_records"} <= set(after)
    # The marker is checked by stem too: FTS segments store porter-stemmed terms.
    for table, rows in after.items():
        for row in rows:
            for needle in [*needles, b"zebracorn"[:7]]:
                assert needle not in row, (table, needle)
    # The other actors are untouched, including the one whose id is a prefix of "alice".
    assert service.list_sessions(mid, "al") and service.list_sessions(mid, "bob")
    assert service.retrieve_memory_records(mid, ns(mem, "al"), "quokkafin jazz")
    assert service.search_events(mid, "bob", "marmotide")
    assert service.list_sessions(mid, "alice") == []
    assert service.retrieve_memory_records(mid, ns(mem, "alice"), "zebracorn jazz") == []
    assert [a.actor_id for a in service.list_actors(mid)] != [] and "alice" not in {
        a.actor_id for a in service.list_actors(mid)
    }


def test_delete_memory_removes_every_row_and_fts_row(
    service: MemoryService, mem: Memory, db: Database
) -> None:
    populate(service, mem, seed=11)
    service.delete_memory(mem.memory_id)
    after = all_rows(db)
    for table in (
        "memories",
        "events",
        "memory_records",
        "memory_record_history",
        "extraction_jobs",
        "extraction_cursors",
        "fts_events",
        "fts_records",
    ):
        assert after[table] == [], table


def test_actor_records_hold_only_the_actors_own_and_deletes_refuse_others(
    service: MemoryService,
) -> None:
    mem = service.create_memory(
        "owned",
        strategies=[
            {"type": "semantic", "name": "facts"},
            {"type": "summary", "name": "sums"},
            {"type": "custom", "name": "shared", "namespaces": ["/shared/"]},
        ],
    )
    facts, sums, shared = mem.strategies
    mid = mem.memory_id

    def create(namespace: str, text: str, **extra: Any) -> str:
        item = {
            "requestIdentifier": text[:20],
            "namespaces": [namespace],
            "content": {"text": text},
            **extra,
        }
        out = service.batch_create_memory_records(mid, [item])
        assert out["failedRecords"] == []
        return str(out["successfulRecords"][0]["memoryRecordId"])

    fact = create(f"/strategies/{facts.strategy_id}/actors/al/", "al works at Initech",
                  memoryStrategyId=facts.strategy_id)  # fmt: skip
    summary = create(
        f"/strategies/{sums.strategy_id}/actors/al/sessions/s1/",
        "al asked about jazz",
        memoryStrategyId=sums.strategy_id,
    )
    alices = create(f"/strategies/{facts.strategy_id}/actors/alice/", "alice likes jazz",
                    memoryStrategyId=facts.strategy_id)  # fmt: skip
    common = create("/shared/", "the venue opens at nine", memoryStrategyId=shared.strategy_id)
    # Under al's namespace but written for another actor: not al's own.
    planted = create(
        f"/strategies/{facts.strategy_id}/actors/al/",
        "planted for bob",
        memoryStrategyId=facts.strategy_id,
        actorId="bob",
    )

    owned = service.list_actor_records(mid, "al")
    assert {r.record_id for r in owned} == {fact, summary}
    assert [r.updated_at for r in owned] == sorted((r.updated_at for r in owned), reverse=True)
    assert {r.record_id for r in service.list_actor_records(mid, "alice")} == {alices}

    for other in (alices, common, planted, "mem-doesnotexist", "", "x" * 200, "not-an-id"):
        with pytest.raises(NotFound):
            service.delete_actor_record(mid, "al", other)
    assert service.get_memory_record(mid, alices).record_id == alices
    service.delete_actor_record(mid, "al", fact)
    with pytest.raises(NotFound):
        service.get_memory_record(mid, fact)
    with pytest.raises(NotFound):
        service.delete_actor_record(mid, "al", fact)


def test_get_actor_events_reads_only_the_actors_events(service: MemoryService, mem: Memory) -> None:
    mid = mem.memory_id
    a1 = service.create_event(mid, "al", "s1", [msg("USER", "one")], extraction="skip")
    a2 = service.create_event(mid, "al", "s2", [msg("USER", "two")], extraction="skip")
    b1 = service.create_event(mid, "alice", "s1", [msg("USER", "three")], extraction="skip")
    found = service.get_actor_events(mid, "al", [a1.event_id, a2.event_id, b1.event_id])
    assert [(e.event_id, e.session_id) for e in found] == [(a1.event_id, "s1"), (a2.event_id, "s2")]
    assert found[0].payload == [msg("USER", "one")]
    assert service.get_actor_events(mid, "al", []) == []
