"""Long-term memory records: writes with history, hybrid retrieval, listing and batch APIs.

Namespaces are matched as prefixes at a '/' boundary (:func:`namespace_matches`), so the
namespace of actor ``al`` never reaches the records of actor ``alice``. Dense retrieval scans
an in-process matrix per (memory, namespace prefix), reloaded when ``memories.records_version``
(bumped by every record write, in the writer's transaction) moves.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from podium.errors import InvalidInput, NotFound, PodiumError

from . import _tables as t
from ._models import MemoryRecord, RecordHistoryEntry
from ._sql import metadata_clauses, rrf_scores
from ._validation import (
    decode_token,
    encode_token,
    namespace_prefixes,
    validate_actor_id,
    validate_max_results,
    validate_namespace,
    validate_record_id,
    validate_session_id,
)

if TYPE_CHECKING:
    from podium.storage import Database

    from ._resources import MemoryResources

__all__ = ["RecordStore", "actor_from_namespace", "namespace_clause", "record_scopes"]

_QUERY_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="podium-embed")
_R = t.memory_records
_H = t.memory_record_history
_MAX_BATCH = 100
_MAX_TEXT = 100_000
_CACHE_ENTRIES = 32
_CACHE_ROWS = 250_000
_ACTOR_SEGMENT = re.compile(r"/actors/([^/]+)")
_API_RATIONALE = "written through the {} API"


def actor_from_namespace(namespace: str) -> str | None:
    """The actor id in an ``.../actors/<id>/...`` namespace, if any."""
    m = _ACTOR_SEGMENT.search(namespace)
    return m.group(1) if m else None


def record_scopes(memory_id: str, actor_id: str | None, namespace: str) -> list[str]:
    """FTS scopes of a record: memory, actor, and every namespace prefix that matches it."""
    scopes = [memory_id]
    if actor_id:
        scopes.append(f"{memory_id}|{actor_id}")
    scopes += [f"{memory_id}|ns|{p}" for p in namespace_prefixes(namespace)]
    return scopes


def namespace_clause(column: Any, prefix: str, dialect: str) -> sa.ColumnElement[bool]:
    """SQL for the '/'-boundary prefix rule (case-sensitive, unlike LIKE on SQLite)."""
    head = prefix if prefix.endswith("/") else prefix + "/"
    clause = sa.or_(column == prefix, sa.func.substr(column, 1, len(head)) == head)
    if dialect == "sqlite":
        # A range on the (memory_id, namespace) index; BINARY collation compares UTF-8 bytes.
        clause = sa.and_(column >= prefix, column < prefix + "\U0010ffff", clause)
    return clause


def _row_to_record(m: Any, score: float | None = None) -> MemoryRecord:
    return MemoryRecord(
        record_id=m["record_id"],
        memory_id=m["memory_id"],
        strategy_id=m["strategy_id"],
        namespace=m["namespace"],
        actor_id=m["actor_id"],
        session_id=m["session_id"],
        content=dict(m["content"]),
        text=m["text"],
        metadata=dict(m["metadata"] or {}),
        source_event_ids=list(m["source_event_ids"] or []),
        rationale=m["rationale"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        score=score,
        pk=m["pk"],
    )


_RECORD_COLUMNS = [c for c in _R.c if c.name != "embedding"]


@dataclass(kw_only=True)
class _Matrix:
    version: int
    pks: np.ndarray
    strategy_ids: np.ndarray
    matrix: np.ndarray


def _to_vector(embedding: np.ndarray) -> bytes:
    return np.asarray(embedding, dtype=np.float32).reshape(-1).tobytes()


def _content_text(content: object, field: str) -> tuple[dict[str, Any], str]:
    if not isinstance(content, dict) or not isinstance(content.get("text"), str):
        raise InvalidInput(f"{field} must be an object with a 'text' string")
    text = content["text"]
    if not text.strip() or len(text) > _MAX_TEXT:
        raise InvalidInput(f"{field}.text must be 1-{_MAX_TEXT} characters")
    return dict(content), text


class RecordStore:
    """Record writes (in the caller's transaction, with history) and record read APIs."""

    def __init__(self, db: Database, resources: MemoryResources) -> None:
        self.db = db
        self.resources = resources
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], _Matrix] = OrderedDict()

    # ------------------------------------------------------- write helpers
    def _embed(self, conn: sa.Connection, memory_id: str, texts: Sequence[str]) -> np.ndarray:
        memory = self.resources.load(conn, memory_id)
        return self.resources.embedder(memory.embedding_model).embed(list(texts), kind="document")

    @staticmethod
    def _bump(conn: sa.Connection, memory_id: str) -> None:
        conn.execute(
            t.memories.update()
            .where(t.memories.c.id == memory_id)
            .values(records_version=t.memories.c.records_version + 1)
        )

    @staticmethod
    def _history(
        conn: sa.Connection,
        record: MemoryRecord,
        operation: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        source_event_ids: Sequence[str],
        rationale: str | None,
        job_id: str | None,
        now: float,
    ) -> None:
        conn.execute(
            _H.insert().values(
                memory_id=record.memory_id,
                actor_id=record.actor_id,
                record_id=record.record_id,
                operation=operation,
                before=before,
                after=after,
                source_event_ids=list(source_event_ids),
                rationale=rationale,
                job_id=job_id,
                created_at=now,
            )
        )

    def get_record(self, conn: sa.Connection, record_id: str) -> MemoryRecord | None:
        """The record ``record_id`` read on ``conn`` (None if absent)."""
        row = conn.execute(sa.select(*_RECORD_COLUMNS).where(_R.c.record_id == record_id)).first()
        return _row_to_record(row._mapping) if row else None

    def add_record(
        self,
        conn: sa.Connection,
        memory_id: str,
        actor_id: str | None,
        session_id: str | None,
        strategy_id: str | None,
        namespace: str,
        content: dict[str, Any],
        text: str | None,
        embedding: np.ndarray | None,
        metadata: dict[str, Any] | None,
        source_event_ids: Sequence[str],
        rationale: str | None,
        job_id: str | None,
    ) -> str:
        """Insert a record plus its ADD history row and FTS row; returns the new record id.

        ``text`` defaults to ``content["text"]``; ``embedding`` None embeds it now (pass a
        precomputed vector to keep the write transaction short).
        """
        validate_namespace(namespace)
        text = text if text is not None else str(content.get("text", ""))
        if embedding is None:
            embedding = self._embed(conn, memory_id, [text])[0]
        now = time.time()
        record = MemoryRecord(
            record_id=f"mem-{uuid.uuid4().hex}",
            memory_id=memory_id,
            strategy_id=strategy_id,
            namespace=namespace,
            actor_id=actor_id,
            session_id=session_id,
            content=dict(content),
            text=text,
            metadata=dict(metadata or {}),
            source_event_ids=list(source_event_ids),
            rationale=rationale,
            created_at=now,
            updated_at=now,
        )
        pk: int = conn.execute(  # type: ignore[index]
            _R.insert().values(
                record_id=record.record_id,
                memory_id=memory_id,
                strategy_id=strategy_id,
                namespace=namespace,
                actor_id=actor_id,
                session_id=session_id,
                content=record.content,
                text=text,
                embedding=_to_vector(embedding),
                metadata=record.metadata,
                source_event_ids=record.source_event_ids,
                rationale=rationale,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        t.RECORDS_FTS.add(conn, pk, record_scopes(memory_id, actor_id, namespace), text)
        self._history(
            conn, record, "ADD", None, record.snapshot(), source_event_ids, rationale, job_id, now
        )
        self._bump(conn, memory_id)
        return record.record_id

    def update_record(
        self,
        conn: sa.Connection,
        record_id: str,
        content: dict[str, Any],
        text: str | None,
        embedding: np.ndarray | None,
        source_event_ids: Sequence[str],
        rationale: str | None,
        job_id: str | None,
        *,
        namespace: str | None = None,
        metadata: dict[str, Any] | None = None,
        strategy_id: str | None = None,
    ) -> None:
        """Replace a record's content (and optionally namespace/metadata) with an UPDATE history row."""
        current = self.get_record(conn, record_id)
        if current is None:
            raise NotFound(f"memory record {record_id!r} not found")
        text = text if text is not None else str(content.get("text", ""))
        if embedding is None:
            embedding = self._embed(conn, current.memory_id, [text])[0]
        before = current.snapshot()
        current.content = dict(content)
        current.text = text
        current.namespace = namespace or current.namespace
        current.metadata = dict(metadata) if metadata is not None else current.metadata
        current.strategy_id = strategy_id or current.strategy_id
        # Provenance accumulates: the record now rests on both the old and the new events.
        current.source_event_ids = list(
            dict.fromkeys([*current.source_event_ids, *source_event_ids])
        )
        current.rationale = rationale if rationale is not None else current.rationale
        current.updated_at = time.time()
        conn.execute(
            _R.update()
            .where(_R.c.pk == current.pk)
            .values(
                content=current.content,
                text=text,
                namespace=current.namespace,
                metadata=current.metadata,
                strategy_id=current.strategy_id,
                embedding=_to_vector(embedding),
                source_event_ids=current.source_event_ids,
                rationale=current.rationale,
                updated_at=current.updated_at,
            )
        )
        t.RECORDS_FTS.delete(conn, [current.pk])
        t.RECORDS_FTS.add(
            conn,
            current.pk,
            record_scopes(current.memory_id, current.actor_id, current.namespace),
            text,
        )
        self._history(
            conn,
            current,
            "UPDATE",
            before,
            current.snapshot(),
            source_event_ids,
            rationale,
            job_id,
            current.updated_at,
        )
        self._bump(conn, current.memory_id)

    def delete_record(
        self,
        conn: sa.Connection,
        record_id: str,
        rationale: str | None,
        source_event_ids: Sequence[str],
        job_id: str | None,
    ) -> None:
        """Delete a record and its FTS row, writing a DELETE history row."""
        current = self.get_record(conn, record_id)
        if current is None:
            raise NotFound(f"memory record {record_id!r} not found")
        conn.execute(_R.delete().where(_R.c.pk == current.pk))
        t.RECORDS_FTS.delete(conn, [current.pk])
        self._history(
            conn,
            current,
            "DELETE",
            current.snapshot(),
            None,
            source_event_ids,
            rationale,
            job_id,
            time.time(),
        )
        self._bump(conn, current.memory_id)

    # ------------------------------------------------------- vector matrix
    def _load_matrix(
        self, conn: sa.Connection, memory_id: str, prefix: str, version: int
    ) -> _Matrix:
        rows = conn.execute(
            sa.select(_R.c.pk, _R.c.strategy_id, _R.c.embedding)
            .where(
                _R.c.memory_id == memory_id,
                namespace_clause(_R.c.namespace, prefix, conn.dialect.name),
            )
            .order_by(_R.c.pk)
        ).all()
        vectors = [np.frombuffer(r[2], dtype=np.float32) for r in rows if r[2] is not None]
        dim = vectors[0].shape[0] if vectors else 0
        matrix = np.zeros((len(rows), dim), dtype=np.float32)
        for i, r in enumerate(rows):
            if r[2] is not None and dim:
                matrix[i] = np.frombuffer(r[2], dtype=np.float32)
        return _Matrix(
            version=version,
            pks=np.array([r[0] for r in rows], dtype=np.int64),
            strategy_ids=np.array([r[1] or "" for r in rows], dtype=object),
            matrix=matrix,
        )

    def _matrix(self, conn: sa.Connection, memory_id: str, prefix: str, version: int) -> _Matrix:
        key = (memory_id, prefix)
        with self._lock:
            entry = self._cache.get(key)
            if entry is not None and entry.version == version:
                self._cache.move_to_end(key)
                return entry
        entry = self._load_matrix(conn, memory_id, prefix, version)
        with self._lock:
            self._cache[key] = entry
            self._cache.move_to_end(key)
            while len(self._cache) > _CACHE_ENTRIES or (
                len(self._cache) > 1 and sum(e.pks.size for e in self._cache.values()) > _CACHE_ROWS
            ):
                self._cache.popitem(last=False)
        return entry

    def forget_cache(self, memory_id: str) -> None:
        """Drop cached matrices of a memory (after deletes that bypass the version counter)."""
        with self._lock:
            for key in [k for k in self._cache if k[0] == memory_id]:
                del self._cache[key]

    def _memory_state(self, conn: sa.Connection, memory_id: str) -> tuple[str, int]:
        row = conn.execute(
            sa.select(t.memories.c.embedding_model, t.memories.c.records_version).where(
                t.memories.c.id == memory_id
            )
        ).first()
        if row is None:
            self.resources.load(conn, memory_id)  # raises NotFound with a checked id
        assert row is not None
        return row[0], int(row[1])

    def similar_records(
        self,
        memory_id: str,
        namespace: str,
        embedding_or_text: np.ndarray | str,
        top_k: int,
        conn: sa.Connection | None = None,
    ) -> list[tuple[MemoryRecord, float]]:
        """Records under the namespace prefix, most similar (cosine) first.

        Pass ``conn`` (your write transaction) to see your own uncommitted writes; that path
        does not use the cache.
        """
        validate_namespace(namespace)
        if conn is not None:
            return self._similar(conn, memory_id, namespace, embedding_or_text, top_k, cached=False)
        with self.db.connect() as read:
            return self._similar(read, memory_id, namespace, embedding_or_text, top_k, cached=True)

    def _similar(
        self,
        conn: sa.Connection,
        memory_id: str,
        namespace: str,
        embedding_or_text: np.ndarray | str,
        top_k: int,
        *,
        cached: bool,
    ) -> list[tuple[MemoryRecord, float]]:
        model_id, version = self._memory_state(conn, memory_id)
        entry = (
            self._matrix(conn, memory_id, namespace, version)
            if cached
            else self._load_matrix(conn, memory_id, namespace, version)
        )
        if entry.pks.size == 0 or top_k <= 0:
            return []
        if isinstance(embedding_or_text, str):
            query = self.resources.embedder(model_id).embed([embedding_or_text], kind="query")[0]
        else:
            query = np.asarray(embedding_or_text, dtype=np.float32).reshape(-1)
        scores = entry.matrix @ query
        order = np.argsort(-scores, kind="stable")[:top_k]
        pks = [int(entry.pks[i]) for i in order]
        rows = {
            r._mapping["pk"]: r._mapping
            for r in conn.execute(sa.select(*_RECORD_COLUMNS).where(_R.c.pk.in_(pks)))
        }
        return [
            (_row_to_record(rows[int(entry.pks[i])]), float(scores[i]))
            for i in order
            if int(entry.pks[i]) in rows
        ]

    # ------------------------------------------------------------ read APIs
    def retrieve_memory_records(
        self,
        memory_id: str,
        namespace: str,
        search_query: str,
        top_k: int = 5,
        strategy_id: str | None = None,
        metadata_filters: list[dict[str, Any]] | None = None,
    ) -> list[MemoryRecord]:
        """Hybrid (BM25 + cosine, RRF) search under a namespace prefix; each record has a score."""
        validate_namespace(namespace)
        if not isinstance(search_query, str) or not search_query.strip():
            raise InvalidInput("searchQuery must be a non-empty string")
        if len(search_query) > 10_000:
            raise InvalidInput("searchQuery is longer than 10000 characters")
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= 100:
            raise InvalidInput(f"topK must be an integer in 1..100 (got {top_k!r})")
        if strategy_id is not None and not isinstance(strategy_id, str):
            raise InvalidInput("memoryStrategyId must be a string")
        filters = metadata_clauses(_R.c.metadata, metadata_filters)
        pool = max(50, top_k * 5)
        with self.db.connect() as conn:
            model_id, version = self._memory_state(conn, memory_id)
            entry = self._matrix(conn, memory_id, namespace, version)
            if entry.pks.size == 0:
                return []
            mask: np.ndarray | None = None
            if strategy_id is not None:
                mask = entry.strategy_ids == strategy_id
            if filters:
                allowed = np.fromiter(
                    conn.execute(
                        sa.select(_R.c.pk).where(
                            _R.c.memory_id == memory_id,
                            namespace_clause(_R.c.namespace, namespace, conn.dialect.name),
                            *filters,
                        )
                    ).scalars(),
                    dtype=np.int64,
                )
                in_filter = np.isin(entry.pks, allowed)
                mask = in_filter if mask is None else mask & in_filter
            allowed_pks = set(entry.pks[mask].tolist()) if mask is not None else None
            # Embed the query in a helper thread while SQLite runs BM25 here (both release the
            # GIL), so the two costs overlap instead of adding up.
            embedding = (
                _QUERY_POOL.submit(self.resources.embedder(model_id).embed, [search_query], "query")
                if entry.matrix.shape[1]
                else None
            )
            keyword_pool = pool if allowed_pks is None else pool * 4
            keyword = [
                pk
                for pk, _ in t.RECORDS_FTS.search(
                    conn, [f"{memory_id}|ns|{namespace}"], search_query, keyword_pool
                )
                if allowed_pks is None or pk in allowed_pks
            ][:pool]
            dense: list[int] = []
            if embedding is not None:
                query = embedding.result()[0]
                scores = entry.matrix @ query
                if mask is not None:
                    scores = np.where(mask, scores, -np.inf)
                k = min(pool, entry.pks.size)
                top = np.argpartition(-scores, k - 1)[:k]
                top = top[np.argsort(-scores[top], kind="stable")]
                dense = [int(entry.pks[i]) for i in top if np.isfinite(scores[i])]
            fused = rrf_scores([keyword, dense])
            best = sorted(fused, key=lambda pk: -fused[pk])[:top_k]
            if not best:
                return []
            rows = {
                r._mapping["pk"]: r._mapping
                for r in conn.execute(sa.select(*_RECORD_COLUMNS).where(_R.c.pk.in_(best)))
            }
        return [_row_to_record(rows[pk], round(fused[pk], 6)) for pk in best if pk in rows]

    def list_memory_records(
        self,
        memory_id: str,
        namespace: str,
        strategy_id: str | None = None,
        max_results: int = 20,
        next_token: str | None = None,
    ) -> tuple[list[MemoryRecord], str | None]:
        """Records under a namespace prefix, newest first, paginated."""
        validate_namespace(namespace)
        validate_max_results(max_results)
        with self.db.connect() as conn:
            self.resources.load(conn, memory_id)
            conds = [
                _R.c.memory_id == memory_id,
                namespace_clause(_R.c.namespace, namespace, conn.dialect.name),
            ]
            if strategy_id is not None:
                conds.append(_R.c.strategy_id == strategy_id)
            if next_token is not None:
                (after,) = decode_token(next_token, 1)
                conds.append(_R.c.pk < after)
            rows = conn.execute(
                sa.select(*_RECORD_COLUMNS)
                .where(*conds)
                .order_by(_R.c.pk.desc())
                .limit(max_results + 1)
            ).all()
        records = [_row_to_record(r._mapping) for r in rows[:max_results]]
        token = encode_token([records[-1].pk]) if len(rows) > max_results else None
        return records, token

    def get_memory_record(self, memory_id: str, record_id: str) -> MemoryRecord:
        """One record of a memory."""
        validate_record_id(record_id)
        with self.db.connect() as conn:
            record = self.get_record(conn, record_id)
            if record is None or record.memory_id != memory_id:
                self.resources.load(conn, memory_id)
                raise NotFound(f"memory record {record_id!r} not found")
            return record

    def delete_memory_record(self, memory_id: str, record_id: str) -> None:
        """Delete one record (a DELETE history row keeps its last state)."""
        validate_record_id(record_id)
        with self.db.begin() as conn:
            record = self.get_record(conn, record_id)
            if record is None or record.memory_id != memory_id:
                self.resources.load(conn, memory_id)
                raise NotFound(f"memory record {record_id!r} not found")
            self.delete_record(
                conn, record_id, _API_RATIONALE.format("delete_memory_record"), [], None
            )

    def get_memory_record_history(self, memory_id: str, record_id: str) -> list[RecordHistoryEntry]:
        """ADD / UPDATE / DELETE entries of a record, oldest first."""
        validate_record_id(record_id)
        with self.db.connect() as conn:
            self.resources.load(conn, memory_id)
            rows = conn.execute(
                sa.select(_H)
                .where(_H.c.memory_id == memory_id, _H.c.record_id == record_id)
                .order_by(_H.c.pk)
            ).all()
        if not rows:
            raise NotFound(f"no history for memory record {record_id!r}")
        return [
            RecordHistoryEntry(
                memory_id=m["memory_id"],
                record_id=m["record_id"],
                actor_id=m["actor_id"],
                operation=m["operation"],
                before=m["before"],
                after=m["after"],
                source_event_ids=list(m["source_event_ids"] or []),
                rationale=m["rationale"],
                job_id=m["job_id"],
                created_at=m["created_at"],
            )
            for m in (r._mapping for r in rows)
        ]

    # ----------------------------------------------------------- batch APIs
    @staticmethod
    def _check_batch(records: object, name: str) -> list[Any]:
        if not isinstance(records, list) or not 1 <= len(records) <= _MAX_BATCH:
            raise InvalidInput(f"records must be a list of 1-{_MAX_BATCH} items for {name}")
        return records

    @staticmethod
    def _failure(item: object, error: PodiumError, id_key: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": "FAILED",
            "errorCode": error.http_status,
            "errorMessage": error.message,
        }
        if isinstance(item, dict) and isinstance(item.get(id_key), str):
            out[id_key] = item[id_key]
        return out

    def _parse_create(self, memory_strategies: set[str], item: object, i: int) -> dict[str, Any]:
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
            raise NotFound(
                f"{field}.memoryStrategyId {strategy_id!r} is not a strategy of this memory"
            )
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

    def batch_create_memory_records(
        self, memory_id: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Create up to 100 records; each item succeeds or fails on its own."""
        items = self._check_batch(records, "batch_create_memory_records")
        memory = self.resources.get(memory_id)
        strategy_ids = {s.strategy_id for s in memory.strategies}
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        parsed: list[tuple[int, dict[str, Any]]] = []
        for i, item in enumerate(items):
            try:
                parsed.append((i, self._parse_create(strategy_ids, item, i)))
            except PodiumError as e:
                failed.append(self._failure(item, e, "requestIdentifier"))
        if parsed:
            vectors = self.resources.embedder(memory.embedding_model).embed(
                [p["text"] for _, p in parsed], kind="document"
            )
            for (_i, p), vector in zip(parsed, vectors, strict=True):
                try:
                    with self.db.begin() as conn:
                        record_id = self.add_record(
                            conn,
                            memory_id,
                            p["actor_id"],
                            p["session_id"],
                            p["strategy_id"],
                            p["namespace"],
                            p["content"],
                            p["text"],
                            vector,
                            p["metadata"],
                            [],
                            _API_RATIONALE.format("batch_create_memory_records"),
                            None,
                        )
                    ok.append(
                        {
                            "memoryRecordId": record_id,
                            "status": "SUCCEEDED",
                            "requestIdentifier": p["requestIdentifier"],
                        }
                    )
                except PodiumError as e:
                    failed.append(self._failure(p, e, "requestIdentifier"))
        return {"successfulRecords": ok, "failedRecords": failed}

    def batch_update_memory_records(
        self, memory_id: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Update up to 100 records (content, namespaces, memoryStrategyId, metadata) item by item."""
        items = self._check_batch(records, "batch_update_memory_records")
        memory = self.resources.get(memory_id)
        strategy_ids = {s.strategy_id for s in memory.strategies}
        embedder = self.resources.embedder(memory.embedding_model)
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
                    current = self.get_record(conn, record_id)
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
                    self.update_record(
                        conn,
                        record_id,
                        content,
                        text,
                        vector,
                        [],
                        _API_RATIONALE.format("batch_update_memory_records"),
                        None,
                        namespace=namespace,
                        metadata=metadata,
                        strategy_id=strategy_id,
                    )
                ok.append({"memoryRecordId": record_id, "status": "SUCCEEDED"})
            except PodiumError as e:
                failed.append(self._failure(item, e, "memoryRecordId"))
        return {"successfulRecords": ok, "failedRecords": failed}

    def batch_delete_memory_records(
        self, memory_id: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Delete up to 100 records (``{"memoryRecordId"}`` items) item by item."""
        items = self._check_batch(records, "batch_delete_memory_records")
        self.resources.get(memory_id)
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            try:
                if not isinstance(item, dict):
                    raise InvalidInput(f"records[{i}] must be an object")
                record_id = validate_record_id(item.get("memoryRecordId"))
                with self.db.begin() as conn:
                    current = self.get_record(conn, record_id)
                    if current is None or current.memory_id != memory_id:
                        raise NotFound(f"memory record {record_id!r} not found")
                    self.delete_record(
                        conn,
                        record_id,
                        _API_RATIONALE.format("batch_delete_memory_records"),
                        [],
                        None,
                    )
                ok.append({"memoryRecordId": record_id, "status": "SUCCEEDED"})
            except PodiumError as e:
                failed.append(self._failure(item, e, "memoryRecordId"))
        return {"successfulRecords": ok, "failedRecords": failed}
