"""Short-term memory: events, limits, idempotency, branches, filters, pagination, turns, search."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from podium.errors import Conflict, InvalidInput, NotFound
from podium.memory import Memory, MemoryService


def msg(role: str, text: str) -> dict[str, Any]:
    return {"conversational": {"role": role, "content": {"text": text}}}


@pytest.fixture
def mem(service: MemoryService) -> Memory:
    return service.create_memory("chat")


def test_create_get_delete_event(service: MemoryService, mem: Memory) -> None:
    event = service.create_event(
        mem.memory_id,
        "user:alice",
        "s-1",
        [
            msg("USER", "hello"),
            {"conversational": {"role": "ASSISTANT", "text": "hi"}},
            {"blob": {"k": [1]}},
        ],
        event_timestamp=1_700_000_000.5,
        metadata={"topic": "greeting", "lang": {"stringValue": "en"}},
    )
    assert event.event_id.startswith("1700000000500#")
    got = service.get_event(mem.memory_id, "user:alice", "s-1", event.event_id)
    assert got.payload[1] == msg("ASSISTANT", "hi")
    assert got.payload[2] == {"blob": {"k": [1]}}
    assert got.as_dict()["metadata"] == {
        "topic": {"stringValue": "greeting"},
        "lang": {"stringValue": "en"},
    }
    assert got.as_dict()["eventTimestamp"] == 1_700_000_000.5
    with pytest.raises(NotFound):
        service.get_event(mem.memory_id, "user:alice", "other", event.event_id)
    service.delete_event(mem.memory_id, "user:alice", "s-1", event.event_id)
    with pytest.raises(NotFound):
        service.get_event(mem.memory_id, "user:alice", "s-1", event.event_id)
    assert service.search_events(mem.memory_id, "user:alice", "hello") == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"payload": []}, "payload"),
        ({"payload": [msg("USER", "x")] * 101}, "100"),
        ({"payload": [msg("USER", "x" * 100_001)]}, "100000"),
        ({"payload": [msg("BOT", "x")]}, "role"),
        ({"payload": [{"conversational": {"role": "USER"}}]}, "text"),
        ({"payload": [{"other": 1}]}, "payload\\[0\\]"),
        ({"metadata": {f"k{i}": "v" for i in range(16)}}, "15"),
        ({"metadata": {"k": 1}}, "metadata"),
        ({"metadata": {"": "v"}}, "metadata key"),
        ({"actor_id": ""}, "actorId"),
        ({"actor_id": "a" * 256}, "actorId"),
        ({"actor_id": "-alice"}, "actorId"),
        ({"actor_id": "ali ce"}, "actorId"),
        ({"session_id": "s" * 101}, "sessionId"),
        ({"session_id": "s/1"}, "sessionId"),
        ({"session_id": ""}, "sessionId"),
        ({"branch": {"name": "b"}}, "rootEventId"),
        ({"branch": {"name": "b", "rootEventId": "nope"}}, "rootEventId"),
        ({"branch": {"name": "main", "rootEventId": "1700000000000#abcdef12"}}, "main"),
        ({"extraction": "later"}, "extraction"),
        ({"event_timestamp": "yesterday"}, "eventTimestamp"),
        ({"client_token": "x" * 257}, "clientToken"),
    ],
)
def test_limits_raise_invalid_input(
    service: MemoryService, mem: Memory, kwargs: dict[str, Any], match: str
) -> None:
    args: dict[str, Any] = {"actor_id": "alice", "session_id": "s1", "payload": [msg("USER", "x")]}
    args.update(kwargs)
    with pytest.raises(InvalidInput, match=match):
        service.create_event(mem.memory_id, **args)


def test_limits_at_the_edge_are_accepted(service: MemoryService, mem: Memory) -> None:
    event = service.create_event(
        mem.memory_id,
        "a" * 255,
        "s" * 100,
        [msg("USER", "x" * 100_000)] + [msg("ASSISTANT", "y")] * 99,
        metadata={f"k{i}": "v" for i in range(15)},
    )
    assert len(event.payload) == 100
    assert service.create_event(mem.memory_id, "user:alice/x_1", "s_1-2", [msg("USER", "x")])


def test_unknown_memory_is_not_found(service: MemoryService) -> None:
    with pytest.raises(NotFound):
        service.create_event("ghost-abcdefghij", "alice", "s1", [msg("USER", "x")])


def test_client_token_is_idempotent(service: MemoryService, mem: Memory) -> None:
    first = service.create_event(
        mem.memory_id, "alice", "s1", [msg("USER", "x")], client_token="tok-1"
    )
    again = service.create_event(
        mem.memory_id, "alice", "s1", [msg("USER", "x")], client_token="tok-1"
    )
    assert again.event_id == first.event_id
    events, _ = service.list_events(mem.memory_id, "alice", "s1")
    assert len(events) == 1
    with pytest.raises(Conflict):
        service.create_event(mem.memory_id, "alice", "s1", [msg("USER", "y")], client_token="tok-1")
    with pytest.raises(Conflict):
        service.create_event(mem.memory_id, "alice", "s2", [msg("USER", "x")], client_token="tok-1")
    assert len(service.list_events(mem.memory_id, "alice", "s1")[0]) == 1


def test_pagination_is_exhaustive_without_duplicates(service: MemoryService, mem: Memory) -> None:
    created = []
    for i in range(47):
        # Several events share a timestamp: the pk breaks ties.
        created.append(
            service.create_event(
                mem.memory_id, "alice", "s1", [msg("USER", f"m{i}")], event_timestamp=1000 + i // 3
            ).event_id
        )
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page, token = service.list_events(
            mem.memory_id, "alice", "s1", max_results=10, next_token=token, include_payloads=False
        )
        pages += 1
        assert all(e.payload == [] for e in page)
        seen += [e.event_id for e in page]
        if token is None:
            break
    assert pages == 5
    assert seen == created
    with pytest.raises(InvalidInput, match="nextToken"):
        service.list_events(mem.memory_id, "alice", "s1", next_token="garbage!")
    with pytest.raises(InvalidInput, match="nextToken"):
        service.list_events(
            mem.memory_id, "alice", "s1", next_token=base64.urlsafe_b64encode(b'{"a": 1}').decode()
        )
    for bad in (0, 101):
        with pytest.raises(InvalidInput, match="maxResults"):
            service.list_events(mem.memory_id, "alice", "s1", max_results=bad)


def test_branches_and_parent_branches(service: MemoryService, mem: Memory) -> None:
    def add(text: str, ts: float, branch: dict[str, str] | None = None) -> str:
        return service.create_event(
            mem.memory_id, "alice", "s1", [msg("USER", text)], event_timestamp=ts, branch=branch
        ).event_id

    m1, m2, m3 = add("m1", 1), add("m2", 2), add("m3", 3)
    b1 = add("b1", 4, {"name": "alt", "rootEventId": m2})
    b2 = add("b2", 5, {"name": "alt", "root_event_id": m2})
    b3 = add("b3", 6, {"name": "alt"})  # the branch already knows its root
    n1 = add("n1", 7, {"name": "nested", "rootEventId": b1})

    def ids(branch: Any) -> list[str]:
        return [
            e.event_id
            for e in service.list_events(
                mem.memory_id, "alice", "s1", branch=branch, max_results=100
            )[0]
        ]

    assert ids(None) == [m1, m2, m3, b1, b2, b3, n1]
    assert ids({"name": "main"}) == [m1, m2, m3]
    assert ids({"name": "alt"}) == [b1, b2, b3]
    assert ids({"name": "alt", "includeParentBranches": True}) == [m1, m2, b1, b2, b3]
    assert ids({"name": "nested", "includeParentBranches": True}) == [m1, m2, b1, n1]
    assert ids({"name": "missing"}) == []
    event = service.get_event(mem.memory_id, "alice", "s1", b1)
    assert event.as_dict()["branch"] == {"name": "alt", "rootEventId": m2}
    with pytest.raises(InvalidInput, match="already starts"):
        add("x", 8, {"name": "alt", "rootEventId": m1})
    other = service.create_event(mem.memory_id, "alice", "s2", [msg("USER", "o")]).event_id
    with pytest.raises(InvalidInput, match="not an event of this session"):
        add("x", 9, {"name": "cross", "rootEventId": other})


def test_metadata_filters(service: MemoryService, mem: Memory) -> None:
    a = service.create_event(
        mem.memory_id, "alice", "s1", [msg("USER", "a")], metadata={"topic": "jazz"}
    )
    b = service.create_event(
        mem.memory_id, "alice", "s1", [msg("USER", "b")], metadata={"topic": "rock"}
    )
    c = service.create_event(mem.memory_id, "alice", "s1", [msg("USER", "c")])

    def ids(filters: list[dict[str, Any]]) -> list[str]:
        return [
            e.event_id
            for e in service.list_events(mem.memory_id, "alice", "s1", metadata_filters=filters)[0]
        ]

    key = {"metadataKey": "topic"}
    assert ids(
        [
            {
                "left": key,
                "operator": "EQUALS_TO",
                "right": {"metadataValue": {"stringValue": "jazz"}},
            }
        ]
    ) == [a.event_id]
    assert ids([{"left": key, "operator": "EXISTS"}]) == [a.event_id, b.event_id]
    assert ids([{"left": key, "operator": "NOT_EXISTS"}]) == [c.event_id]
    assert ids(
        [
            {"left": key, "operator": "EXISTS"},
            {
                "left": key,
                "operator": "EQUALS_TO",
                "right": {"metadataValue": {"stringValue": "rock"}},
            },
        ]
    ) == [b.event_id]
    with pytest.raises(InvalidInput, match="operator"):
        ids([{"left": key, "operator": "LIKE"}])
    with pytest.raises(InvalidInput, match="stringValue"):
        ids([{"left": key, "operator": "EQUALS_TO"}])


def test_last_k_turns_groups_tool_messages(service: MemoryService, mem: Memory) -> None:
    mid = mem.memory_id
    service.create_event(mid, "alice", "s1", [msg("ASSISTANT", "welcome")], event_timestamp=1)
    service.create_event(
        mid, "alice", "s1", [msg("USER", "q1"), msg("ASSISTANT", "a1")], event_timestamp=2
    )
    service.create_event(mid, "alice", "s1", [msg("USER", "q2")], event_timestamp=3)
    service.create_event(
        mid,
        "alice",
        "s1",
        [msg("TOOL", "tool-out"), {"blob": {"x": 1}}, msg("ASSISTANT", "a2")],
        event_timestamp=4,
    )
    service.create_event(
        mid, "alice", "s1", [msg("USER", "q3"), msg("OTHER", "note")], event_timestamp=5
    )

    def texts(turns: list[list[dict[str, Any]]]) -> list[list[str]]:
        return [[f"{m['role']}:{m['content']['text']}" for m in turn] for turn in turns]

    assert texts(service.get_last_k_turns(mid, "alice", "s1", 2)) == [
        ["USER:q2", "TOOL:tool-out", "ASSISTANT:a2"],
        ["USER:q3", "OTHER:note"],
    ]
    assert texts(service.get_last_k_turns(mid, "alice", "s1", 1)) == [["USER:q3", "OTHER:note"]]
    assert texts(service.get_last_k_turns(mid, "alice", "s1", 10)) == [
        ["ASSISTANT:welcome"],
        ["USER:q1", "ASSISTANT:a1"],
        ["USER:q2", "TOOL:tool-out", "ASSISTANT:a2"],
        ["USER:q3", "OTHER:note"],
    ]
    assert service.get_last_k_turns(mid, "alice", "empty", 3) == []
    with pytest.raises(InvalidInput, match="k must"):
        service.get_last_k_turns(mid, "alice", "s1", 0)


def test_last_k_turns_pages_through_long_sessions(service: MemoryService, mem: Memory) -> None:
    for i in range(450):
        service.create_event(
            mem.memory_id, "alice", "long", [msg("USER", f"q{i}")], extraction="skip"
        )
        service.create_event(
            mem.memory_id, "alice", "long", [msg("ASSISTANT", f"a{i}")], extraction="skip"
        )
    turns = service.get_last_k_turns(mem.memory_id, "alice", "long", 100)
    assert len(turns) == 100
    assert turns[0][0]["content"]["text"] == "q350" and turns[-1][1]["content"]["text"] == "a449"


def test_sessions_and_actors(service: MemoryService, mem: Memory) -> None:
    mid = mem.memory_id
    service.create_event(mid, "alice", "old", [msg("USER", "x")], event_timestamp=100)
    service.create_event(mid, "alice", "old", [msg("USER", "x")], event_timestamp=150)
    service.create_event(mid, "alice", "new", [msg("USER", "x")], event_timestamp=200)
    service.create_event(mid, "bob", "b1", [msg("USER", "x")], event_timestamp=300)
    sessions = service.list_sessions(mid, "alice")
    assert [(s.session_id, s.event_count, s.first_event_at, s.last_event_at) for s in sessions] == [
        ("new", 1, 200, 200),
        ("old", 2, 100, 150),
    ]
    assert sessions[0].as_dict()["sessionId"] == "new"
    actors = service.list_actors(mid)
    assert [(a.actor_id, a.session_count) for a in actors] == [("bob", 1), ("alice", 2)]
    assert service.list_sessions(mid, "nobody") == []


def test_sweep_deletes_expired_events(service: MemoryService) -> None:
    short = service.create_memory("short", event_expiry_days=3)
    long = service.create_memory("long", event_expiry_days=365)
    e1 = service.create_event(short.memory_id, "alice", "s1", [msg("USER", "ephemeral words")])
    e2 = service.create_event(long.memory_id, "alice", "s1", [msg("USER", "durable words")])
    assert service.sweep_expired_events() == 0
    import time

    assert service.sweep_expired_events(now=time.time() + 4 * 86_400) == 1
    with pytest.raises(NotFound):
        service.get_event(short.memory_id, "alice", "s1", e1.event_id)
    assert service.get_event(long.memory_id, "alice", "s1", e2.event_id)
    assert service.search_events(short.memory_id, "alice", "ephemeral") == []


def test_search_events_finds_the_session(service: MemoryService, mem: Memory) -> None:
    mid = mem.memory_id
    talks = {
        "s-jazz": [
            "I want to see the late-night jazz concert",
            "The saxophone quartet was amazing",
        ],
        "s-food": ["Where can I get vegan ramen near the venue?", "The dumplings were great"],
        "s-code": ["Which talk covers Rust async runtimes?", "I liked the tokio deep dive"],
    }
    for sid, lines in talks.items():
        for line in lines:
            service.create_event(mid, "alice", sid, [msg("USER", line), msg("ASSISTANT", "Noted.")])
    service.create_event(mid, "bob", "s-bob", [msg("USER", "jazz jazz jazz saxophone")])

    hits = service.search_events(mid, "alice", "saxophone jazz")
    assert hits and hits[0].session_id == "s-jazz"
    assert all(h.actor_id == "alice" and h.session_id != "s-bob" for h in hits)

    assert service.embed_pending_events(mid) == 7
    assert service.embed_pending_events(mid) == 0
    hits = service.search_events(mid, "alice", "which session did we discuss noodles and dinner")
    assert hits[0].session_id == "s-food"
    hits = service.search_events(mid, "alice", "programming language concurrency", top_k=3)
    assert hits[0].session_id == "s-code"
    assert 0 < hits[0].score <= 1
    scoped = service.search_events(mid, "alice", "jazz", session_id="s-food")
    assert all(h.session_id == "s-food" for h in scoped)
    with pytest.raises(InvalidInput, match="query"):
        service.search_events(mid, "alice", "  ")


def test_message_count_trigger_enqueues_jobs_per_strategy(service: MemoryService) -> None:
    mem = service.create_memory(
        "jobs",
        strategies=[
            {"type": "semantic", "name": "facts"},
            {
                "type": "summary",
                "name": "sums",
                "configuration": {"triggers": {"message_count": 3}},
            },
        ],
    )
    facts, sums = (s.strategy_id for s in mem.strategies)
    mid = mem.memory_id
    e1 = service.create_event(mid, "alice", "s1", [msg("USER", "one")])
    e2 = service.create_event(mid, "alice", "s1", [msg("ASSISTANT", "reply")])
    e3 = service.create_event(mid, "alice", "s1", [msg("USER", "two"), msg("USER", "three")])
    service.create_event(mid, "alice", "s1", [msg("USER", "skipped")], extraction="skip")
    jobs = service.list_extraction_jobs(mid)
    ranges = sorted((j.strategy_id == facts, j.from_event_pk, j.to_event_pk) for j in jobs)
    assert ranges == sorted([(True, 1, e1.pk), (True, e1.pk + 1, e3.pk), (False, 1, e3.pk)])
    assert all(j.status == "PENDING" and j.trigger == "message_count" for j in jobs)
    job = next(j for j in jobs if j.strategy_id == facts and j.to_event_pk == e3.pk)
    assert [e.event_id for e in service.events_in_range(job)] == [e2.event_id, e3.event_id]

    # Nothing pending except the skipped event, which is never extracted.
    flushed = service.flush_extraction(mid, "alice", "s1")
    assert len(flushed) == 2
    for job_id in flushed:
        job = next(j for j in service.list_extraction_jobs(mid) if j.job_id == job_id)
        assert job.trigger == "manual" and service.events_in_range(job) == []
    assert service.flush_extraction(mid, "alice", "s1") == []
    assert service.list_extraction_jobs(mid, status="COMPLETED") == []
    with pytest.raises(InvalidInput, match="status"):
        service.list_extraction_jobs(mid, status="DONE")
    assert sums


def test_idle_trigger_and_redrive(service: MemoryService) -> None:
    import time

    import sqlalchemy as sa

    from podium.memory import _tables as t

    mem = service.create_memory(
        "idle",
        strategies=[
            {
                "type": "summary",
                "name": "sums",
                "configuration": {"triggers": {"message_count": 50, "idle_seconds": 30}},
            }
        ],
    )
    mid = mem.memory_id
    service.create_event(mid, "alice", "s1", [msg("USER", "hello")])
    assert service.list_extraction_jobs(mid) == []
    assert service.enqueue_idle_jobs() == 0
    assert service.enqueue_idle_jobs(now=time.time() + 31) == 1
    assert service.enqueue_idle_jobs(now=time.time() + 62) == 0
    (job,) = service.list_extraction_jobs(mid)
    assert job.trigger == "idle"
    assert service.wait_for_extraction(mid, "alice", "s1", timeout=0.05) is False

    with pytest.raises(InvalidInput, match="not FAILED"):
        service.start_extraction_job(mid, job.job_id)
    with service.db.begin() as conn:
        conn.execute(t.extraction_jobs.update().values(status="FAILED", attempts=3, error="boom"))
    redriven = service.start_extraction_job(mid, job.job_id)
    assert (redriven.status, redriven.attempts, redriven.error) == ("PENDING", 0, None)
    with pytest.raises(NotFound):
        service.start_extraction_job(mid, "job-missing")

    with service.db.begin() as conn:
        conn.execute(t.extraction_jobs.update().values(status="COMPLETED"))
    assert service.wait_for_extraction(mid, "alice", "s1", timeout=1) is True
    with service.db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.extraction_jobs)).scalar() == 1


def test_wait_for_extraction_drives_an_attached_worker(service: MemoryService) -> None:
    from podium.memory.extraction import ExtractionWorker

    mem = service.create_memory("w", strategies=[{"type": "user_preference", "name": "prefs"}])
    service.worker = ExtractionWorker(service)  # in-process, no background thread started
    service.create_event(
        mem.memory_id,
        "alice",
        "s1",
        [msg("USER", "I love late-night jazz concerts.")],
        wait_for_extraction=True,
        timeout=30,
    )
    jobs = service.list_extraction_jobs(mem.memory_id)
    assert jobs and all(j.status == "COMPLETED" for j in jobs)


def test_wait_for_extraction_without_a_worker_runs_the_session_inline(
    service: MemoryService,
) -> None:
    # Regression: with no worker attached, create_event(wait_for_extraction=True) used to poll
    # for 10 s and return as if it had succeeded, with no records.
    import time

    mem = service.create_memory("w", strategies=[{"type": "user_preference", "name": "prefs"}])
    assert service.worker is None
    started = time.monotonic()
    service.create_event(
        mem.memory_id,
        "alice",
        "s1",
        [msg("USER", "I love late-night jazz concerts.")],
        wait_for_extraction=True,
    )
    assert time.monotonic() - started < 9  # the old poll took 10 s; inline it is ~0.1 s
    jobs = service.list_extraction_jobs(mem.memory_id)
    assert jobs and all(j.status == "COMPLETED" for j in jobs)
    records, _ = service.list_memory_records(mem.memory_id, "/strategies/")
    assert any("jazz" in r.text.lower() for r in records)

    service.create_event(mem.memory_id, "alice", "s2", [msg("USER", "I enjoy hiking trips.")])
    assert [j.status for j in service.list_extraction_jobs(mem.memory_id, "PENDING")]
    assert service.wait_for_extraction(mem.memory_id, "alice", "s2", timeout=10) is True
    assert service.list_extraction_jobs(mem.memory_id, "PENDING") == []
    records, _ = service.list_memory_records(mem.memory_id, "/strategies/")
    assert any("hiking" in r.text.lower() for r in records)


def test_create_event_wait_timeout_raises_instead_of_pretending(service: MemoryService) -> None:
    from podium.errors import BackendError
    from podium.memory.extraction import ExtractionWorker

    mem = service.create_memory("w", strategies=[{"type": "user_preference", "name": "prefs"}])
    service.create_event(mem.memory_id, "alice", "s1", [msg("USER", "I love jazz.")])
    # Another live worker holds the actor's first job, so the next one cannot run before it.
    other = ExtractionWorker(service, worker_id="elsewhere", lease_s=60)
    assert other.claim_job(memory_id=mem.memory_id) is not None
    with pytest.raises(BackendError, match="is stored, but the extraction jobs"):
        service.create_event(
            mem.memory_id,
            "alice",
            "s1",
            [msg("USER", "I also like blues.")],
            wait_for_extraction=True,
            timeout=0.2,
        )
    # The event was written; its job is still queued for a worker.
    events, _ = service.list_events(mem.memory_id, "alice", "s1")
    assert len(events) == 2
    assert service.wait_for_extraction(mem.memory_id, "alice", "s1", timeout=0.1) is False
    assert [j.status for j in service.list_extraction_jobs(mem.memory_id)] == [
        "RUNNING",
        "PENDING",
    ]
