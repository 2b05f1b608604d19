"""Long-term records: batch APIs, history, hybrid retrieval, namespace-prefix isolation."""

from __future__ import annotations

from typing import Any

import pytest

from podium.errors import InvalidInput, NotFound
from podium.memory import Memory, MemoryService
from podium.memory.records import NewRecord


@pytest.fixture
def mem(service: MemoryService) -> Memory:
    return service.create_memory("recs", strategies=[{"type": "semantic", "name": "facts"}])


def ns(actor: str) -> str:
    return f"/strategies/facts/actors/{actor}/"


def create(
    service: MemoryService, mem: Memory, actor: str, texts: list[str], **extra: Any
) -> list[str]:
    out = service.batch_create_memory_records(
        mem.memory_id,
        [
            {
                "requestIdentifier": f"r{i}",
                "namespaces": [ns(actor)],
                "content": {"text": t},
                **extra,
            }
            for i, t in enumerate(texts)
        ],
    )
    assert out["failedRecords"] == []
    return [r["memoryRecordId"] for r in out["successfulRecords"]]


def test_crud_and_history(service: MemoryService, mem: Memory) -> None:
    mid = mem.memory_id
    (rid,) = create(service, mem, "alice", ["Alice works at TechCorp"], metadata={"source": "api"})
    record = service.get_memory_record(mid, rid)
    assert record.actor_id == "alice" and record.namespace == ns("alice")
    assert record.as_dict()["namespaces"] == [ns("alice")]
    assert record.as_dict()["content"] == {"text": "Alice works at TechCorp"}

    out = service.batch_update_memory_records(
        mid, [{"memoryRecordId": rid, "content": {"text": "Alice works at Initech"}}]
    )
    assert out == {
        "successfulRecords": [{"memoryRecordId": rid, "status": "SUCCEEDED"}],
        "failedRecords": [],
    }
    assert service.get_memory_record(mid, rid).text == "Alice works at Initech"
    hits = service.retrieve_memory_records(mid, ns("alice"), "Initech employer")
    assert hits[0].record_id == rid and hits[0].score is not None

    service.delete_memory_record(mid, rid)
    with pytest.raises(NotFound):
        service.get_memory_record(mid, rid)
    assert service.retrieve_memory_records(mid, ns("alice"), "Initech") == []
    history = service.get_memory_record_history(mid, rid)
    assert [h.operation for h in history] == ["ADD", "UPDATE", "DELETE"]
    texts = [
        (h.before and h.before["content"]["text"], h.after and h.after["content"]["text"])
        for h in history
    ]
    assert texts == [
        (None, "Alice works at TechCorp"),
        ("Alice works at TechCorp", "Alice works at Initech"),
        ("Alice works at Initech", None),
    ]
    assert all(h.actor_id == "alice" and h.rationale for h in history)
    with pytest.raises(NotFound):
        service.delete_memory_record(mid, rid)
    with pytest.raises(NotFound):
        service.get_memory_record_history(mid, "mem-nothing")


def test_batch_per_item_failures(service: MemoryService, mem: Memory) -> None:
    mid = mem.memory_id
    strategy = mem.strategies[0].strategy_id
    out = service.batch_create_memory_records(
        mid,
        [
            {
                "requestIdentifier": "ok",
                "namespaces": [ns("alice")],
                "content": {"text": "likes tea"},
                "memoryStrategyId": strategy,
            },
            {
                "requestIdentifier": "wild",
                "namespaces": ["/strategies/*"],
                "content": {"text": "x"},
            },
            {"requestIdentifier": "empty", "namespaces": [ns("alice")], "content": {"text": ""}},
            {
                "requestIdentifier": "two-ns",
                "namespaces": [ns("a"), ns("b")],
                "content": {"text": "x"},
            },
            {
                "requestIdentifier": "strategy",
                "namespaces": [ns("a")],
                "content": {"text": "x"},
                "memoryStrategyId": "nope",
            },
            {"namespaces": [ns("a")], "content": {"text": "x"}},
        ],
    )
    assert [r["requestIdentifier"] for r in out["successfulRecords"]] == ["ok"]
    failed = {f.get("requestIdentifier"): f for f in out["failedRecords"]}
    assert set(failed) == {"wild", "empty", "two-ns", "strategy", None}
    assert failed["wild"]["errorCode"] == 400 and "wildcard" in failed["wild"]["errorMessage"]
    assert failed["strategy"]["errorCode"] == 404
    good = out["successfulRecords"][0]["memoryRecordId"]
    assert service.get_memory_record(mid, good).strategy_id == strategy

    upd = service.batch_update_memory_records(
        mid,
        [
            {"memoryRecordId": good, "namespaces": [ns("alice") + "drinks/"]},
            {"memoryRecordId": "mem-missing", "content": {"text": "x"}},
            {"memoryRecordId": "bad id"},
        ],
    )
    assert [r["memoryRecordId"] for r in upd["successfulRecords"]] == [good]
    assert [f["errorCode"] for f in upd["failedRecords"]] == [404, 400]
    assert service.get_memory_record(mid, good).namespace == ns("alice") + "drinks/"

    dele = service.batch_delete_memory_records(
        mid, [{"memoryRecordId": good}, {"memoryRecordId": good}]
    )
    assert len(dele["successfulRecords"]) == 1
    assert dele["failedRecords"][0]["memoryRecordId"] == good
    with pytest.raises(InvalidInput, match="1-100"):
        service.batch_delete_memory_records(mid, [{"memoryRecordId": good}] * 101)
    with pytest.raises(InvalidInput):
        service.batch_create_memory_records(mid, [])


def test_namespace_prefix_never_crosses_a_segment(service: MemoryService, mem: Memory) -> None:
    mid = mem.memory_id
    create(service, mem, "al", ["al likes jazz music"])
    create(service, mem, "alice", ["alice likes jazz music", "alice likes jazz festivals"])
    for prefix in (ns("al"), ns("al").rstrip("/")):
        hits = service.retrieve_memory_records(mid, prefix, "jazz music", top_k=10)
        assert [h.actor_id for h in hits] == ["al"]
        listed, _ = service.list_memory_records(mid, prefix)
        assert [r.actor_id for r in listed] == ["al"]
    both = service.retrieve_memory_records(mid, "/strategies/facts/actors/", "jazz", top_k=10)
    assert sorted(str(h.actor_id) for h in both) == ["al", "alice", "alice"]
    assert service.retrieve_memory_records(mid, "/strategies/facts/actors/a", "jazz") == []
    # Case matters: SQLite's LIKE would have matched this.
    assert service.retrieve_memory_records(mid, "/STRATEGIES/facts/actors/", "jazz") == []
    with pytest.raises(InvalidInput, match="wildcard"):
        service.retrieve_memory_records(mid, "/strategies/*/actors/al/", "jazz")


def test_a_precomputed_query_vector_gives_the_same_ranking(
    service: MemoryService, mem: Memory
) -> None:
    create(service, mem, "alice", ["Prefers vegetarian food", "Lives in Lisbon", "Rides a bike"])
    query = "what does she eat"
    vector = service.lookup.embedder(mem.embedding_model).embed([query], kind="query")[0]
    plain = service.retrieve_memory_records(mem.memory_id, ns("alice"), query, top_k=3)
    given = service.retrieve_memory_records(
        mem.memory_id, ns("alice"), query, top_k=3, query_vector=vector
    )
    assert [(h.text, h.score) for h in given] == [(h.text, h.score) for h in plain]
    # A vector that points elsewhere changes the dense half: the argument is really used.
    other = service.lookup.embedder(mem.embedding_model).embed(["bicycle"], kind="query")[0]
    moved = service.retrieve_memory_records(
        mem.memory_id, ns("alice"), query, top_k=3, query_vector=other
    )
    assert [h.text for h in moved] != [h.text for h in plain]


def test_retrieve_ranks_filters_and_validates(service: MemoryService, mem: Memory) -> None:
    mid = mem.memory_id
    strategy = mem.strategies[0].strategy_id
    create(
        service,
        mem,
        "alice",
        ["Prefers vegetarian food", "Works as a data engineer", "Lives in Lisbon"],
    )
    create(
        service,
        mem,
        "alice",
        ["Enjoys hiking in the mountains"],
        memoryStrategyId=strategy,
        metadata={"kind": "hobby"},
    )
    hits = service.retrieve_memory_records(
        mid, ns("alice"), "what does she eat? vegetarian diet", top_k=2
    )
    assert hits[0].text == "Prefers vegetarian food"
    assert len(hits) == 2 and hits[0].score >= hits[1].score  # type: ignore[operator]
    only = service.retrieve_memory_records(mid, ns("alice"), "food", strategy_id=strategy, top_k=10)
    assert [h.text for h in only] == ["Enjoys hiking in the mountains"]
    hobby = service.retrieve_memory_records(
        mid,
        ns("alice"),
        "food",
        top_k=10,
        metadata_filters=[
            {
                "left": {"metadataKey": "kind"},
                "operator": "EQUALS_TO",
                "right": {"metadataValue": {"stringValue": "hobby"}},
            }
        ],
    )
    assert [h.text for h in hobby] == ["Enjoys hiking in the mountains"]
    for bad in ({"top_k": 0}, {"top_k": 101}, {"search_query": ""}, {"namespace": ""}):
        args: dict[str, Any] = {"namespace": ns("alice"), "search_query": "x", **bad}
        with pytest.raises(InvalidInput):
            service.retrieve_memory_records(mid, **args)
    with pytest.raises(NotFound):
        service.retrieve_memory_records("ghost-abcdefghij", ns("alice"), "x")


def test_list_pagination(service: MemoryService, mem: Memory) -> None:
    ids = create(service, mem, "alice", [f"fact number {i}" for i in range(25)])
    seen: list[str] = []
    token = None
    while True:
        page, token = service.list_memory_records(
            mem.memory_id, ns("alice"), max_results=7, next_token=token
        )
        seen += [r.record_id for r in page]
        if token is None:
            break
    assert seen == list(reversed(ids))
    with pytest.raises(InvalidInput, match="nextToken"):
        service.list_memory_records(mem.memory_id, ns("alice"), next_token="%%%")


def test_record_store_helpers_write_history_in_the_callers_transaction(
    service: MemoryService, mem: Memory
) -> None:
    store = service.records
    mid = mem.memory_id
    with service.db.begin() as conn:
        rid = store.add_record(
            conn,
            NewRecord(
                memory_id=mid,
                actor_id="alice",
                session_id="s1",
                strategy_id=mem.strategies[0].strategy_id,
                namespace=ns("alice"),
                content={
                    "text": "The user works as a software engineer at TechCorp",
                    "category": "job",
                },
                metadata={"confidence": "0.9"},
                source_event_ids=["1700000000000#abcdef12"],
                rationale="the user stated they work as a software engineer at TechCorp",
                job_id="job-1",
            ),
        )
        # Visible inside the writer's transaction, before commit.
        inside = service.similar_records(mid, ns("alice"), "software engineer job", 3, conn=conn)
        assert inside[0][0].record_id == rid
    similar = service.similar_records(mid, ns("alice"), "where does the user work", 3)
    assert similar[0][0].record_id == rid and similar[0][1] > 0.3
    with pytest.raises(RuntimeError), service.db.begin() as conn:
        store.update_record(conn, rid, {"text": "rolled back"}, rationale="x", job_id="job-2")
        raise RuntimeError("abort")
    assert service.get_memory_record(mid, rid).content["category"] == "job"
    with service.db.begin() as conn:
        store.update_record(
            conn,
            rid,
            {"text": "The user now works at Initech"},
            source_event_ids=["1700000000001#abcdef12"],
            rationale="the user said they changed jobs",
            job_id="job-3",
        )
    record = service.get_memory_record(mid, rid)
    assert record.source_event_ids == ["1700000000000#abcdef12", "1700000000001#abcdef12"]
    assert record.rationale == "the user said they changed jobs"
    hits = service.retrieve_memory_records(mid, ns("alice"), "Initech")
    assert hits[0].record_id == rid
    with service.db.begin() as conn:
        store.delete_record(conn, rid, rationale="the user asked to forget it", job_id="job-4")
    history = service.get_memory_record_history(mid, rid)
    assert [(h.operation, h.job_id) for h in history] == [
        ("ADD", "job-1"),
        ("UPDATE", "job-3"),
        ("DELETE", "job-4"),
    ]
    assert history[0].rationale == "the user stated they work as a software engineer at TechCorp"
    assert service.similar_records(mid, ns("alice"), "Initech", 3) == []
