"""``bedrock-agentcore``: long-term memory records and extraction jobs.

``namespace`` reads exactly one namespace (a trailing '/' is insignificant) and
``namespacePath`` a namespace and everything under it ('/' boundaries). A key limited to some
actors gets AccessDeniedException when a namespace, a record or a batch item belongs to an
actor it may not touch, and listings and retrievals across actors leave such records out.
Records written without an actor (under a namespace naming none) are nobody's: any key sees them.
"""

from __future__ import annotations

from typing import Any

from podium.errors import InvalidInput, PodiumError

from ._memory_common import (
    actor_of_namespace,
    allowed,
    check_record_actor,
    flat_metadata,
    memory_id_of,
    page,
    record_actor,
    scoped,
    wire_metadata,
)
from ._registry import Call, operation

__all__ = ["wire_record"]

#: How many records a cross-actor retrieval ranks before dropping what the key may not see.
_SCOPED_POOL = 100


def wire_record(record: Any) -> dict[str, Any]:
    """A ``MemoryRecord`` / ``MemoryRecordSummary`` output."""
    out: dict[str, Any] = {
        "memoryRecordId": record.record_id,
        "content": {"text": record.text},
        "memoryStrategyId": record.strategy_id,
        "namespaces": [record.namespace],
        "createdAt": record.created_at,
        "timestamp": record.updated_at,
        "metadata": wire_metadata(record.metadata),
    }
    if record.score is not None:
        out["score"] = record.score
    return out


def _namespace(params: dict[str, Any]) -> tuple[str, bool]:
    """(namespace, exact) from ``namespace`` (exact) or ``namespacePath`` (prefix)."""
    exact, path = params.get("namespace"), params.get("namespacePath")
    if exact is not None and path is not None:
        raise InvalidInput("namespace and namespacePath are mutually exclusive")
    if exact is None and path is None:
        raise InvalidInput("one of namespace (exact) or namespacePath (prefix) is required")
    return (str(exact), True) if exact is not None else (str(path), False)


def _scope(call: Call, memory: Any, namespace: str, exact: bool) -> str | None:
    """The actor the namespace pins (checked against the key), if it names one."""
    actor = actor_of_namespace(memory.strategies, namespace, prefix=not exact)
    if actor is not None:
        call.require_actor(actor)
    return actor


def _visible(call: Call, memory: Any, records: list[Any]) -> list[Any]:
    if not scoped(call):
        return records
    return [r for r in records if allowed(call, record_actor(memory, r))]


@operation("bedrock-agentcore", "RetrieveMemoryRecords")
def retrieve_memory_records(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Hybrid (keyword + vector) search of records, best first, with scores in 0..1."""
    memory_id = memory_id_of(params["memoryId"])
    memory = call.backend.memory.get_memory(memory_id)
    namespace, exact = _namespace(params)
    pinned = _scope(call, memory, namespace, exact)
    criteria = params["searchCriteria"]
    top_k = criteria.get("topK") or 10
    # Across actors, a scoped key's records are found among a larger pool.
    pool = top_k if pinned is not None or not scoped(call) else max(top_k, _SCOPED_POOL)
    records = call.backend.memory.retrieve_memory_records(
        memory_id,
        namespace,
        criteria["searchQuery"],
        top_k=pool,
        strategy_id=criteria.get("memoryStrategyId"),
        metadata_filters=criteria.get("metadataFilters"),
        exact=exact,
    )
    found, token = page(_visible(call, memory, records)[:top_k], params, default=top_k)
    return {"memoryRecordSummaries": [wire_record(r) for r in found], "nextToken": token}


@operation("bedrock-agentcore", "ListMemoryRecords")
def list_memory_records(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """A page of records, newest first, optionally of one strategy and by metadata."""
    memory_id = memory_id_of(params["memoryId"])
    memory = call.backend.memory.get_memory(memory_id)
    namespace, exact = _namespace(params)
    _scope(call, memory, namespace, exact)
    size = params.get("maxResults") or 20
    token = params.get("nextToken")
    found: list[Any] = []
    while True:
        # A scoped key's pages drop records it may not see, so keep reading to fill one.
        batch, token = call.backend.memory.list_memory_records(
            memory_id,
            namespace,
            params.get("memoryStrategyId"),
            max_results=size - len(found),
            next_token=token,
            exact=exact,
            metadata_filters=params.get("metadataFilters"),
        )
        found += _visible(call, memory, batch)
        if token is None or len(found) >= size:
            break
    return {"memoryRecordSummaries": [wire_record(r) for r in found], "nextToken": token}


def _own_record(call: Call, params: dict[str, Any]) -> tuple[str, Any]:
    memory_id = memory_id_of(params["memoryId"])
    record = call.backend.memory.get_memory_record(memory_id, params["memoryRecordId"])
    check_record_actor(call, call.backend.memory.get_memory(memory_id), record)
    return memory_id, record


@operation("bedrock-agentcore", "GetMemoryRecord")
def get_memory_record(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """One record."""
    _, record = _own_record(call, params)
    return {"memoryRecord": wire_record(record)}


@operation("bedrock-agentcore", "DeleteMemoryRecord")
def delete_memory_record(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete one record (its history keeps the last state)."""
    memory_id, record = _own_record(call, params)
    call.backend.memory.delete_memory_record(memory_id, record.record_id)
    return {"memoryRecordId": record.record_id}


def _check_existing(call: Call, memory: Any, record_id: object) -> None:
    """The key may touch the record (a missing one fails later, as that item's failure)."""
    try:
        record = call.backend.memory.get_memory_record(memory.memory_id, str(record_id))
    except PodiumError:
        return
    check_record_actor(call, memory, record)


def _check_namespaces(call: Call, memory: Any, namespaces: object) -> str | None:
    if not isinstance(namespaces, list) or not namespaces or not isinstance(namespaces[0], str):
        return None
    actor = actor_of_namespace(memory.strategies, namespaces[0])
    if actor is not None:
        call.require_actor(actor)
    return actor


@operation("bedrock-agentcore", "BatchCreateMemoryRecords")
def batch_create_memory_records(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Create up to 100 records, each succeeding or failing on its own.

    A record belongs to the actor its namespace names; the whole call is denied when any item
    names an actor the key may not touch.
    """
    memory_id = memory_id_of(params["memoryId"])
    memory = call.backend.memory.get_memory(memory_id)
    items: list[dict[str, Any]] = []
    for raw in params["records"]:
        actor = _check_namespaces(call, memory, raw.get("namespaces"))
        item = {k: v for k, v in raw.items() if k != "timestamp"}
        item["metadata"] = flat_metadata(raw.get("metadata"))
        if actor is not None:
            item["actorId"] = actor
        items.append(item)
    result: dict[str, Any] = call.backend.memory.batch_create_memory_records(memory_id, items)
    return result


@operation("bedrock-agentcore", "BatchUpdateMemoryRecords")
def batch_update_memory_records(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Update up to 100 records (content, namespace, strategy, metadata) item by item."""
    memory_id = memory_id_of(params["memoryId"])
    memory = call.backend.memory.get_memory(memory_id)
    items: list[dict[str, Any]] = []
    for raw in params["records"]:
        _check_existing(call, memory, raw.get("memoryRecordId"))
        _check_namespaces(call, memory, raw.get("namespaces"))
        item = {k: v for k, v in raw.items() if k not in ("timestamp", "sourceNamespaces")}
        if "metadata" in raw:
            item["metadata"] = flat_metadata(raw["metadata"])
        items.append(item)
    result: dict[str, Any] = call.backend.memory.batch_update_memory_records(memory_id, items)
    return result


@operation("bedrock-agentcore", "BatchDeleteMemoryRecords")
def batch_delete_memory_records(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Delete up to 100 records item by item."""
    memory_id = memory_id_of(params["memoryId"])
    memory = call.backend.memory.get_memory(memory_id)
    for raw in params["records"]:
        _check_existing(call, memory, raw.get("memoryRecordId"))
    items = [{"memoryRecordId": raw["memoryRecordId"]} for raw in params["records"]]
    result: dict[str, Any] = call.backend.memory.batch_delete_memory_records(memory_id, items)
    return result


# ----------------------------------------------------------- extraction jobs


def _wire_job(call: Call, job: Any) -> dict[str, Any]:
    events = call.backend.memory.events_in_range(job)
    messages = [
        {"eventId": e.event_id, "messageIndex": i}
        for e in events
        for i, item in enumerate(e.payload)
        if "conversational" in item or "blob" in item
    ]
    return {
        "jobID": job.job_id,
        "messages": {"messagesList": messages},
        "status": job.status,
        "failureReason": job.error,
        "strategyId": job.strategy_id,
        "sessionId": job.session_id,
        "actorId": job.actor_id,
    }


@operation("bedrock-agentcore", "ListMemoryExtractionJobs")
def list_memory_extraction_jobs(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Failed extraction jobs (the ones StartMemoryExtractionJob can run again)."""
    memory_id = memory_id_of(params["memoryId"])
    wanted = params.get("filter") or {}
    if wanted.get("actorId"):
        call.require_actor(wanted["actorId"])
    jobs = [
        j
        for j in call.backend.memory.list_extraction_jobs(memory_id, "FAILED")
        if allowed(call, j.actor_id)
        and all(
            wanted.get(key) in (None, getattr(j, attr))
            for key, attr in (
                ("strategyId", "strategy_id"),
                ("sessionId", "session_id"),
                ("actorId", "actor_id"),
            )
        )
    ]
    found, token = page(jobs, params, default=50)
    return {"jobs": [_wire_job(call, j) for j in found], "nextToken": token}


@operation("bedrock-agentcore", "StartMemoryExtractionJob")
def start_memory_extraction_job(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Run a failed extraction job again (back to the queue with its attempts reset)."""
    memory_id = memory_id_of(params["memoryId"])
    job_id = params["extractionJob"]["jobId"]
    for job in call.backend.memory.list_extraction_jobs(memory_id):
        if job.job_id == job_id:
            call.require_actor(job.actor_id)
    job = call.backend.memory.start_extraction_job(memory_id, job_id)
    return {"jobId": job.job_id}
