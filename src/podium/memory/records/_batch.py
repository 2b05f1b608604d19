"""Batch record APIs: create, update and delete up to 100 records, each item on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from podium.errors import InvalidInput, NotFound, PodiumError

from .. import _tables as t
from .._namespaces import actor_from_namespace, validate_namespace
from .._validation import validate_actor_id, validate_record_id, validate_session_id
from ._writes import NewRecord, api_rationale

if TYPE_CHECKING:
    from podium.storage import Database

    from .._lookup import MemoryLookup
    from ._writes import RecordStore

__all__ = ["RecordBatch"]

_R = t.memory_records
_MAX_BATCH = 100
_MAX_TEXT = 100_000


def _content_text(content: object, field: str) -> tuple[dict[str, Any], str]:
    if not isinstance(content, dict) or not isinstance(content.get("text"), str):
        raise InvalidInput(f"{field} must be an object with a 'text' string")
    text = content["text"]
    if not text.strip() or len(text) > _MAX_TEXT:
        raise InvalidInput(f"{field}.text must be 1-{_MAX_TEXT} characters")
    return dict(content), text


def _check_batch(records: object, name: str) -> list[Any]:
    if not isinstance(records, list) or not 1 <= len(records) <= _MAX_BATCH:
        raise InvalidInput(f"records must be a list of 1-{_MAX_BATCH} items for {name}")
    return records


def _failure(item: object, error: PodiumError, id_key: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": "FAILED",
        "errorCode": error.http_status,
        "errorMessage": error.message,
    }
    if isinstance(item, dict) and isinstance(item.get(id_key), str):
        out[id_key] = item[id_key]
    return out


def _parse_create(memory_strategies: set[str], item: object, i: int) -> dict[str, Any]:
    field = f"records[{i}]"
    if not isinstance(item, dict):
        raise InvalidInput(f"{field} must be an object")
    request_id = item.get("requestIdentifier")
    if not isinstance(request_id, str) or not 1 <= len(request_id) <= 80:
        raise InvalidInput(f"{field}.requestIdentifier must be a 1-80 character string")
    namespaces = item.get("namespaces")
    if not isinstance(namespaces, list) or len(namespaces) != 1:
        raise InvalidInput(f"{field}.namespaces must be a list with exactly one namespace")
    namespace = validate_namespace(namespaces[0], f"{field}.namespaces[0]")
    if "{" in namespace or "}" in namespace:
        raise InvalidInput(f"{field}.namespaces[0] must be concrete, not a template")
    content, text = _content_text(item.get("content"), f"{field}.content")
    strategy_id = item.get("memoryStrategyId")
    if strategy_id is not None and strategy_id not in memory_strategies:
        raise NotFound(f"{field}.memoryStrategyId {strategy_id!r} is not a strategy of this memory")
    actor_id = item.get("actorId") or actor_from_namespace(namespace)
    if actor_id is not None:
        validate_actor_id(actor_id)
    session_id = item.get("sessionId")
    if session_id is not None:
        validate_session_id(session_id)
    metadata = item.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise InvalidInput(f"{field}.metadata must be an object")
    return {
        "requestIdentifier": request_id,
        "namespace": namespace,
        "content": content,
        "text": text,
        "strategy_id": strategy_id,
        "actor_id": actor_id,
        "session_id": session_id,
        "metadata": metadata,
    }


class RecordBatch:
    """Batch record operations over ``db``: per-item success/failure, one transaction per item."""

    db: Database
    lookup: MemoryLookup
    records: RecordStore

    def batch_create_memory_records(
        self, memory_id: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Create up to 100 records with per-item success/failure."""
        items = _check_batch(records, "batch_create_memory_records")
        memory = self.lookup.get(memory_id)
        strategy_ids = {s.strategy_id for s in memory.strategies}
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        parsed: list[tuple[int, dict[str, Any]]] = []
        for i, item in enumerate(items):
            try:
                parsed.append((i, _parse_create(strategy_ids, item, i)))
            except PodiumError as e:
                failed.append(_failure(item, e, "requestIdentifier"))
        if parsed:
            vectors = self.lookup.embedder(memory.embedding_model).embed(
                [p["text"] for _, p in parsed], kind="document"
            )
            for (_i, p), vector in zip(parsed, vectors, strict=True):
                try:
                    with self.db.begin() as conn:
                        record_id = self.records.add_record(
                            conn,
                            NewRecord(
                                memory_id=memory_id,
                                actor_id=p["actor_id"],
                                session_id=p["session_id"],
                                strategy_id=p["strategy_id"],
                                namespace=p["namespace"],
                                content=p["content"],
                                text=p["text"],
                                embedding=vector,
                                metadata=p["metadata"],
                                rationale=api_rationale("batch_create_memory_records"),
                            ),
                        )
                    ok.append(
                        {
                            "memoryRecordId": record_id,
                            "status": "SUCCEEDED",
                            "requestIdentifier": p["requestIdentifier"],
                        }
                    )
                except PodiumError as e:
                    failed.append(_failure(p, e, "requestIdentifier"))
        return {"successfulRecords": ok, "failedRecords": failed}

    def batch_update_memory_records(
        self, memory_id: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Update up to 100 records (content, namespaces, memoryStrategyId, metadata) item by item."""
        items = _check_batch(records, "batch_update_memory_records")
        memory = self.lookup.get(memory_id)
        strategy_ids = {s.strategy_id for s in memory.strategies}
        embedder = self.lookup.embedder(memory.embedding_model)
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            field = f"records[{i}]"
            try:
                if not isinstance(item, dict):
                    raise InvalidInput(f"{field} must be an object")
                record_id = validate_record_id(item.get("memoryRecordId"))
                namespace = None
                if "namespaces" in item:
                    ns = item["namespaces"]
                    if not isinstance(ns, list) or len(ns) != 1:
                        raise InvalidInput(
                            f"{field}.namespaces must be a list with exactly one namespace"
                        )
                    namespace = validate_namespace(ns[0], f"{field}.namespaces[0]")
                strategy_id = item.get("memoryStrategyId")
                if strategy_id is not None and strategy_id not in strategy_ids:
                    raise NotFound(
                        f"{field}.memoryStrategyId {strategy_id!r} is not a strategy of this memory"
                    )
                metadata = item.get("metadata")
                if metadata is not None and not isinstance(metadata, dict):
                    raise InvalidInput(f"{field}.metadata must be an object")
                with self.db.begin() as conn:
                    current = self.records.get_record(conn, record_id)
                    if current is None or current.memory_id != memory_id:
                        raise NotFound(f"memory record {record_id!r} not found")
                    if "content" in item:
                        content, text = _content_text(item["content"], f"{field}.content")
                        vector = embedder.embed([text], kind="document")[0]
                    else:
                        content, text = current.content, current.text
                        vector = None
                    if vector is None:
                        row = conn.execute(
                            sa.select(_R.c.embedding).where(_R.c.pk == current.pk)
                        ).scalar()
                        vector = (
                            np.frombuffer(row, dtype=np.float32)
                            if row
                            else embedder.embed([text])[0]
                        )
                    self.records.update_record(
                        conn,
                        record_id,
                        content,
                        text=text,
                        embedding=vector,
                        rationale=api_rationale("batch_update_memory_records"),
                        namespace=namespace,
                        metadata=metadata,
                        strategy_id=strategy_id,
                    )
                ok.append({"memoryRecordId": record_id, "status": "SUCCEEDED"})
            except PodiumError as e:
                failed.append(_failure(item, e, "memoryRecordId"))
        return {"successfulRecords": ok, "failedRecords": failed}

    def batch_delete_memory_records(
        self, memory_id: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Delete up to 100 records (``{"memoryRecordId"}`` items) with per-item success/failure."""
        items = _check_batch(records, "batch_delete_memory_records")
        self.lookup.get(memory_id)
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            try:
                if not isinstance(item, dict):
                    raise InvalidInput(f"records[{i}] must be an object")
                record_id = validate_record_id(item.get("memoryRecordId"))
                with self.db.begin() as conn:
                    current = self.records.get_record(conn, record_id)
                    if current is None or current.memory_id != memory_id:
                        raise NotFound(f"memory record {record_id!r} not found")
                    self.records.delete_record(
                        conn, record_id, rationale=api_rationale("batch_delete_memory_records")
                    )
                ok.append({"memoryRecordId": record_id, "status": "SUCCEEDED"})
            except PodiumError as e:
                failed.append(_failure(item, e, "memoryRecordId"))
        return {"successfulRecords": ok, "failedRecords": failed}
