"""Short-term memory: events, branches, pagination, turns, sessions, expiry and event search.

``create_event`` is one write transaction: the event row, its FTS row, the extraction cursors
and (when a trigger fires) the extraction jobs, so a crash never loses a job. Embeddings are
filled later by :meth:`EventStore.embed_pending_events` to keep the write path fast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import secrets
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from podium.errors import Conflict, InvalidInput, NotFound

from . import _tables as t
from ._models import ActorSummary, Event, EventHit, ExtractionJob, Memory, SessionSummary
from ._sql import (
    execute_many as _execute_many,
)
from ._sql import (
    fetch as _fetch,
)
from ._sql import (
    insert_pk as _insert_pk,
)
from ._sql import (
    job_row as _job_row,
)
from ._sql import (
    metadata_clauses,
    rrf_scores,
)
from ._sql import (
    upsert_cursor_statement as _upsert_cursor_statement,
)
from ._validation import (
    decode_token,
    encode_token,
    normalize_branch,
    normalize_metadata,
    normalize_payload,
    validate_actor_id,
    validate_event_id,
    validate_max_results,
    validate_session_id,
)

if TYPE_CHECKING:
    from podium.storage import Database

    from ._resources import MemoryResources

__all__ = ["EventStore", "event_scopes", "metadata_clauses", "rrf_scores"]

logger = logging.getLogger(__name__)

_E = t.events
_C = t.extraction_cursors
_J = t.extraction_jobs
_DAY = 86_400.0
_PAGE = 200


def _timestamp(value: object) -> float:
    if value is None:
        return time.time()
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput("eventTimestamp must be epoch seconds or a datetime")
    if not 0 <= value < 1e11:
        raise InvalidInput("eventTimestamp must be epoch seconds (0 .. year 5138)")
    return float(value)


def _row_to_event(m: Any, include_payload: bool = True) -> Event:
    branch = None
    if m["branch_name"] is not None:
        branch = {"name": m["branch_name"], "rootEventId": m["branch_root_event_id"]}
    return Event(
        event_id=m["event_id"],
        memory_id=m["memory_id"],
        actor_id=m["actor_id"],
        session_id=m["session_id"],
        event_timestamp=m["event_timestamp"],
        payload=list(m["payload"]) if include_payload else [],
        branch=branch,
        metadata=dict(m["metadata"] or {}),
        pk=m["pk"],
    )


def event_scopes(memory_id: str, actor_id: str, session_id: str) -> list[str]:
    """FTS scopes of an event: memory, actor, session."""
    return [memory_id, f"{memory_id}|{actor_id}", f"{memory_id}|{actor_id}|{session_id}"]


_EVENT_COLUMNS = [c for c in _E.c if c.name not in ("embedding", "text", "request_hash")]
# Built once: the write path reuses SQLAlchemy's compiled form instead of rebuilding it per call.
_INSERT_EVENT = _E.insert()
_SELECT_CURSORS = (
    sa.select(_C.c.strategy_id, _C.c.last_event_pk, _C.c.user_messages_since, _C.c.events_since)
    .where(
        _C.c.memory_id == sa.bindparam("m"),
        _C.c.actor_id == sa.bindparam("a"),
        _C.c.session_id == sa.bindparam("s"),
    )
    .with_for_update()
)
_INSERT_JOB = _J.insert()


class EventStore:
    """Event operations over one database."""

    def __init__(self, db: Database, resources: MemoryResources) -> None:
        self.db = db
        self.resources = resources

    # ----------------------------------------------------------------- writes
    def create_event(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        payload: list[dict[str, Any]],
        event_timestamp: float | datetime | None = None,
        branch: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        client_token: str | None = None,
        extraction: str = "auto",
    ) -> Event:
        """Store one event (idempotent per ``client_token``) and queue extraction jobs it triggers."""
        validate_actor_id(actor_id)
        validate_session_id(session_id)
        items, text, users = normalize_payload(payload)
        meta = normalize_metadata(metadata)
        br = normalize_branch(branch)
        ts = _timestamp(event_timestamp)
        if extraction not in ("auto", "skip"):
            raise InvalidInput("extraction must be 'auto' or 'skip'")
        request_hash = None
        if client_token is not None:
            if not isinstance(client_token, str) or not 1 <= len(client_token) <= 256:
                raise InvalidInput("clientToken must be a string of 1-256 characters")
            request_hash = hashlib.sha256(
                json.dumps(
                    [actor_id, session_id, items, meta, br, event_timestamp is None or ts],
                    sort_keys=True,
                    default=str,
                ).encode("utf-8")
            ).hexdigest()
        now = time.time()
        event_id = f"{int(ts * 1000):013d}#{secrets.token_hex(4)}"
        with self.db.begin() as conn:
            if client_token is not None:
                prior = conn.execute(
                    sa.select(*_EVENT_COLUMNS, _E.c.request_hash).where(
                        _E.c.memory_id == memory_id, _E.c.client_token == client_token
                    )
                ).first()
                if prior is not None:
                    if prior._mapping["request_hash"] != request_hash:
                        raise Conflict(
                            "clientToken was already used for a different event in this memory"
                        )
                    return _row_to_event(prior._mapping)
            memory = self.resources.load_cached(conn, memory_id)
            branch_name = root_id = None
            if br is not None:
                branch_name, root_id = self._check_branch(conn, memory_id, actor_id, session_id, br)
            pk = _insert_pk(
                conn,
                _INSERT_EVENT,
                {
                    "event_id": event_id,
                    "memory_id": memory_id,
                    "actor_id": actor_id,
                    "session_id": session_id,
                    "branch_name": branch_name,
                    "branch_root_event_id": root_id,
                    "event_timestamp": ts,
                    "payload": items,
                    "metadata": meta,
                    "client_token": client_token,
                    "request_hash": request_hash,
                    "text": text,
                    "user_messages": users,
                    "extract": extraction == "auto",
                    "embedding": None,
                    "expires_at": now + memory.event_expiry_days * _DAY,
                    "created_at": now,
                },
            )
            if text:
                t.EVENTS_FTS.add(conn, pk, event_scopes(memory_id, actor_id, session_id), text)
            if extraction == "auto" and memory.strategies:
                self._advance_cursors(conn, memory, actor_id, session_id, pk, users, now)
        return Event(
            event_id=event_id,
            memory_id=memory_id,
            actor_id=actor_id,
            session_id=session_id,
            event_timestamp=ts,
            payload=items,
            branch={"name": branch_name, "rootEventId": root_id}
            if branch_name and root_id
            else None,
            metadata=meta,
            pk=pk,
        )

    def _check_branch(
        self,
        conn: sa.Connection,
        memory_id: str,
        actor_id: str,
        session_id: str,
        br: tuple[str, str | None],
    ) -> tuple[str, str]:
        name, root = br
        session = (
            _E.c.memory_id == memory_id,
            _E.c.actor_id == actor_id,
            _E.c.session_id == session_id,
        )
        existing = conn.execute(
            sa.select(_E.c.branch_root_event_id).where(*session, _E.c.branch_name == name).limit(1)
        ).scalar()
        if root is None:
            if existing is None:
                raise InvalidInput(f"branch.rootEventId is required to start branch {name!r}")
            return name, existing
        if existing is not None and existing != root:
            raise InvalidInput(
                f"branch {name!r} already starts at event {existing!r}, not {root!r}"
            )
        found = conn.execute(sa.select(_E.c.pk).where(*session, _E.c.event_id == root)).first()
        if found is None:
            raise InvalidInput(f"branch.rootEventId {root!r} is not an event of this session")
        return name, root

    def _advance_cursors(
        self,
        conn: sa.Connection,
        memory: Memory,
        actor_id: str,
        session_id: str,
        pk: int,
        users: int,
        now: float,
    ) -> None:
        """Count this event on each strategy's cursor; enqueue a job where the trigger fires."""
        rows = _fetch(
            conn, _SELECT_CURSORS, {"m": memory.memory_id, "a": actor_id, "s": session_id}
        )
        state = {r[0]: (r[1], r[2], r[3]) for r in rows}
        values = []
        jobs = []
        for strategy in memory.strategies:
            last, since, events_since = state.get(strategy.strategy_id, (0, 0, 0))
            since += users
            events_since += 1
            if users and since >= strategy.message_count_trigger:
                jobs.append(
                    _job_row(
                        memory.memory_id,
                        actor_id,
                        session_id,
                        strategy.strategy_id,
                        "message_count",
                        last + 1,
                        pk,
                        now,
                    )
                )
                last, since, events_since = pk, 0, 0
            values.append(
                {
                    "memory_id": memory.memory_id,
                    "actor_id": actor_id,
                    "session_id": session_id,
                    "strategy_id": strategy.strategy_id,
                    "last_event_pk": last,
                    "user_messages_since": since,
                    "events_since": events_since,
                    "last_event_at": now,
                    "updated_at": now,
                }
            )
        if jobs:
            _execute_many(conn, _INSERT_JOB, jobs)
        self._upsert_cursors(conn, values)

    def _upsert_cursors(self, conn: sa.Connection, values: list[dict[str, Any]]) -> None:
        if values:
            _execute_many(conn, _upsert_cursor_statement(conn.dialect.name), values)

    @staticmethod
    def _insert_job(
        conn: sa.Connection,
        memory_id: str,
        actor_id: str,
        session_id: str,
        strategy_id: str,
        trigger: str,
        from_pk: int,
        to_pk: int,
        now: float,
    ) -> str:
        row = _job_row(memory_id, actor_id, session_id, strategy_id, trigger, from_pk, to_pk, now)
        conn.execute(_INSERT_JOB, row)
        return str(row["id"])

    def flush_extraction(self, memory_id: str, actor_id: str, session_id: str) -> list[str]:
        """Queue ``manual`` jobs for every strategy with events not yet covered by a job."""
        validate_actor_id(actor_id)
        validate_session_id(session_id)
        now = time.time()
        with self.db.begin() as conn:
            memory = self.resources.load(conn, memory_id)
            return self._flush(conn, memory, actor_id, session_id, "manual", now)

    def _flush(
        self,
        conn: sa.Connection,
        memory: Memory,
        actor_id: str,
        session_id: str,
        trigger: str,
        now: float,
    ) -> list[str]:
        session = (
            _E.c.memory_id == memory.memory_id,
            _E.c.actor_id == actor_id,
            _E.c.session_id == session_id,
        )
        max_pk = conn.execute(sa.select(sa.func.max(_E.c.pk)).where(*session)).scalar()
        if max_pk is None:
            return []
        rows = conn.execute(
            sa.select(_C.c.strategy_id, _C.c.last_event_pk).where(
                _C.c.memory_id == memory.memory_id,
                _C.c.actor_id == actor_id,
                _C.c.session_id == session_id,
            )
        ).all()
        last_pk = {r[0]: r[1] for r in rows}
        jobs: list[str] = []
        values = []
        for strategy in memory.strategies:
            last = last_pk.get(strategy.strategy_id, 0)
            if max_pk > last:
                jobs.append(
                    self._insert_job(
                        conn,
                        memory.memory_id,
                        actor_id,
                        session_id,
                        strategy.strategy_id,
                        trigger,
                        last + 1,
                        max_pk,
                        now,
                    )
                )
            values.append(
                {
                    "memory_id": memory.memory_id,
                    "actor_id": actor_id,
                    "session_id": session_id,
                    "strategy_id": strategy.strategy_id,
                    "last_event_pk": max(max_pk, last),
                    "user_messages_since": 0,
                    "events_since": 0,
                    "last_event_at": now,
                    "updated_at": now,
                }
            )
        self._upsert_cursors(conn, values)
        return jobs

    def enqueue_idle_jobs(self, now: float | None = None) -> int:
        """Fire ``idle_seconds`` triggers: sessions quiet that long with uncovered events get jobs."""
        now = time.time() if now is None else now
        count = 0
        with self.db.begin() as conn:
            memories = [self.resources.load(conn, mid) for mid in self._memory_ids(conn)]
            for memory in memories:
                for strategy in memory.strategies:
                    idle = strategy.configuration.get("triggers", {}).get("idle_seconds")
                    if not idle:
                        continue
                    quiet = conn.execute(
                        sa.select(_C.c.actor_id, _C.c.session_id).where(
                            _C.c.memory_id == memory.memory_id,
                            _C.c.strategy_id == strategy.strategy_id,
                            _C.c.events_since > 0,
                            _C.c.last_event_at <= now - float(idle),
                        )
                    ).all()
                    only = Memory(**{**memory.__dict__, "strategies": [strategy]})
                    for actor_id, session_id in quiet:
                        count += len(self._flush(conn, only, actor_id, session_id, "idle", now))
        return count

    @staticmethod
    def _memory_ids(conn: sa.Connection) -> list[str]:
        return list(conn.execute(sa.select(t.memories.c.id)).scalars())

    def delete_event(self, memory_id: str, actor_id: str, session_id: str, event_id: str) -> None:
        """Delete one event and its FTS row."""
        validate_event_id(event_id)
        with self.db.begin() as conn:
            pk = self._event_pk(conn, memory_id, actor_id, session_id, event_id)
            t.EVENTS_FTS.delete(conn, [pk])
            conn.execute(_E.delete().where(_E.c.pk == pk))

    def sweep_expired_events(self, now: float | None = None) -> int:
        """Delete every event whose ``expires_at`` has passed; returns how many."""
        now = time.time() if now is None else now
        total = 0
        while True:
            with self.db.begin() as conn:
                pks = list(
                    conn.execute(
                        sa.select(_E.c.pk).where(_E.c.expires_at <= now).limit(1000)
                    ).scalars()
                )
                if not pks:
                    break
                t.EVENTS_FTS.delete(conn, pks)
                conn.execute(_E.delete().where(_E.c.pk.in_(pks)))
                total += len(pks)
        if total:
            logger.info("count=<%d> | expired events swept", total)
        return total

    # ------------------------------------------------------------------ reads
    def _event_pk(
        self, conn: sa.Connection, memory_id: str, actor_id: str, session_id: str, event_id: str
    ) -> int:
        pk = conn.execute(
            sa.select(_E.c.pk).where(
                _E.c.event_id == event_id,
                _E.c.memory_id == memory_id,
                _E.c.actor_id == actor_id,
                _E.c.session_id == session_id,
            )
        ).scalar()
        if pk is None:
            self.resources.load(conn, memory_id)
            raise NotFound(f"event {event_id!r} not found in this session")
        return int(pk)

    def get_event(self, memory_id: str, actor_id: str, session_id: str, event_id: str) -> Event:
        """One event of an (actor, session)."""
        validate_event_id(event_id)
        with self.db.connect() as conn:
            row = conn.execute(
                sa.select(*_EVENT_COLUMNS).where(
                    _E.c.event_id == event_id,
                    _E.c.memory_id == memory_id,
                    _E.c.actor_id == actor_id,
                    _E.c.session_id == session_id,
                )
            ).first()
            if row is None:
                self.resources.load(conn, memory_id)
                raise NotFound(f"event {event_id!r} not found in this session")
            return _row_to_event(row._mapping)

    def _branch_clause(
        self,
        conn: sa.Connection,
        memory_id: str,
        actor_id: str,
        session_id: str,
        branch: object,
    ) -> sa.ColumnElement[bool] | None:
        """SQL condition for a ``{"name", "includeParentBranches"}`` filter (None: all events)."""
        if branch is None:
            return None
        if isinstance(branch, str):
            branch = {"name": branch}
        if not isinstance(branch, dict) or not isinstance(branch.get("name"), str):
            raise InvalidInput("branch filter must be an object with a 'name'")
        name = branch["name"]
        parents = branch.get("includeParentBranches", branch.get("include_parent_branches", False))
        if not isinstance(parents, bool):
            raise InvalidInput("branch.includeParentBranches must be a boolean")
        if name == "main":
            return _E.c.branch_name.is_(None)
        clauses: list[sa.ColumnElement[bool]] = [_E.c.branch_name == name]
        session = (
            _E.c.memory_id == memory_id,
            _E.c.actor_id == actor_id,
            _E.c.session_id == session_id,
        )
        current: str | None = name
        seen: set[str] = set()
        while parents and current is not None and current not in seen:
            seen.add(current)
            root_id = conn.execute(
                sa.select(_E.c.branch_root_event_id)
                .where(*session, _E.c.branch_name == current)
                .limit(1)
            ).scalar()
            root = (
                conn.execute(
                    sa.select(_E.c.event_timestamp, _E.c.pk, _E.c.branch_name).where(
                        *session, _E.c.event_id == root_id
                    )
                ).first()
                if root_id
                else None
            )
            if root is None:
                break
            ts, pk, parent = root
            on_parent = _E.c.branch_name.is_(None) if parent is None else _E.c.branch_name == parent
            clauses.append(
                sa.and_(
                    on_parent,
                    sa.or_(
                        _E.c.event_timestamp < ts,
                        sa.and_(_E.c.event_timestamp == ts, _E.c.pk <= pk),
                    ),
                )
            )
            current = parent
        return sa.or_(*clauses)

    def list_events(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        include_payloads: bool = True,
        branch: dict[str, Any] | None = None,
        metadata_filters: list[dict[str, Any]] | None = None,
        max_results: int = 20,
        next_token: str | None = None,
    ) -> tuple[list[Event], str | None]:
        """Events of a session, oldest first, keyset-paginated by (timestamp, pk)."""
        validate_actor_id(actor_id)
        validate_session_id(session_id)
        validate_max_results(max_results)
        conds: list[sa.ColumnElement[bool]] = [
            _E.c.memory_id == memory_id,
            _E.c.actor_id == actor_id,
            _E.c.session_id == session_id,
        ]
        conds += metadata_clauses(_E.c.metadata, metadata_filters)
        if next_token is not None:
            ts, pk = decode_token(next_token, 2)
            conds.append(
                sa.or_(_E.c.event_timestamp > ts, sa.and_(_E.c.event_timestamp == ts, _E.c.pk > pk))
            )
        with self.db.connect() as conn:
            self.resources.load(conn, memory_id)
            clause = self._branch_clause(conn, memory_id, actor_id, session_id, branch)
            if clause is not None:
                conds.append(clause)
            rows = conn.execute(
                sa.select(*_EVENT_COLUMNS)
                .where(*conds)
                .order_by(_E.c.event_timestamp, _E.c.pk)
                .limit(max_results + 1)
            ).all()
        events = [_row_to_event(r._mapping, include_payloads) for r in rows[:max_results]]
        token = None
        if len(rows) > max_results:
            last = events[-1]
            token = encode_token([last.event_timestamp, last.pk])
        return events, token

    def get_last_k_turns(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        k: int,
        branch: dict[str, Any] | str | None = None,
    ) -> list[list[dict[str, Any]]]:
        """The last ``k`` turns, oldest first; a turn is a USER message and the replies after it."""
        validate_actor_id(actor_id)
        validate_session_id(session_id)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 100:
            raise InvalidInput("k must be an integer in 1..100")
        conds: list[sa.ColumnElement[bool]] = [
            _E.c.memory_id == memory_id,
            _E.c.actor_id == actor_id,
            _E.c.session_id == session_id,
        ]
        newest_first: list[dict[str, Any]] = []
        users = 0
        with self.db.connect() as conn:
            self.resources.load(conn, memory_id)
            clause = self._branch_clause(conn, memory_id, actor_id, session_id, branch)
            if clause is not None:
                conds.append(clause)
            cursor: tuple[float, int] | None = None
            while users < k:
                page_conds = list(conds)
                if cursor is not None:
                    ts, pk = cursor
                    page_conds.append(
                        sa.or_(
                            _E.c.event_timestamp < ts,
                            sa.and_(_E.c.event_timestamp == ts, _E.c.pk < pk),
                        )
                    )
                rows = conn.execute(
                    sa.select(_E.c.payload, _E.c.event_timestamp, _E.c.pk)
                    .where(*page_conds)
                    .order_by(_E.c.event_timestamp.desc(), _E.c.pk.desc())
                    .limit(_PAGE)
                ).all()
                for payload, _ts, _pk in rows:
                    for item in reversed(payload):
                        conv = item.get("conversational")
                        if conv is None:
                            continue
                        newest_first.append(
                            {"role": conv["role"], "content": dict(conv["content"])}
                        )
                        users += conv["role"] == "USER"
                        if users >= k:
                            break
                    if users >= k:
                        break
                if len(rows) < _PAGE:
                    break
                cursor = (rows[-1][1], rows[-1][2])
        turns: list[list[dict[str, Any]]] = []
        for message in reversed(newest_first):
            if message["role"] == "USER" or not turns:
                turns.append([])
            turns[-1].append(message)
        return turns[-k:]

    def list_sessions(self, memory_id: str, actor_id: str) -> list[SessionSummary]:
        """Sessions of an actor, most recent activity first."""
        validate_actor_id(actor_id)
        with self.db.connect() as conn:
            self.resources.load(conn, memory_id)
            rows = conn.execute(
                sa.select(
                    _E.c.session_id,
                    sa.func.min(_E.c.event_timestamp),
                    sa.func.max(_E.c.event_timestamp),
                    sa.func.count(),
                )
                .where(_E.c.memory_id == memory_id, _E.c.actor_id == actor_id)
                .group_by(_E.c.session_id)
            ).all()
        out = [
            SessionSummary(
                session_id=r[0],
                actor_id=actor_id,
                first_event_at=r[1],
                last_event_at=r[2],
                event_count=r[3],
            )
            for r in rows
        ]
        out.sort(key=lambda s: (-s.last_event_at, s.session_id))
        return out

    def list_actors(self, memory_id: str) -> list[ActorSummary]:
        """Actors with events in a memory, most recent activity first."""
        with self.db.connect() as conn:
            self.resources.load(conn, memory_id)
            rows = conn.execute(
                sa.select(
                    _E.c.actor_id,
                    sa.func.count(sa.distinct(_E.c.session_id)),
                    sa.func.max(_E.c.event_timestamp),
                )
                .where(_E.c.memory_id == memory_id)
                .group_by(_E.c.actor_id)
            ).all()
        out = [ActorSummary(actor_id=r[0], session_count=r[1], last_event_at=r[2]) for r in rows]
        out.sort(key=lambda a: (-a.last_event_at, a.actor_id))
        return out

    # ----------------------------------------------------------------- search
    def embed_pending_events(self, memory_id: str, limit: int = 256) -> int:
        """Embed up to ``limit`` events of a memory that have no vector yet; returns how many."""
        with self.db.connect() as conn:
            memory = self.resources.load(conn, memory_id)
            rows = conn.execute(
                sa.select(_E.c.pk, _E.c.text)
                .where(_E.c.memory_id == memory_id, _E.c.embedding.is_(None))
                .order_by(_E.c.pk)
                .limit(limit)
            ).all()
        if not rows:
            return 0
        embedder = self.resources.embedder(memory.embedding_model)
        texts = [r[1] for r in rows if r[1]]
        vectors = iter(embedder.embed(texts, kind="document") if texts else [])
        zero = np.zeros(embedder.dimension, dtype=np.float32)
        params = [
            {
                "b_pk": pk,
                "b_embedding": (next(vectors) if text else zero).astype(np.float32).tobytes(),
            }
            for pk, text in rows
        ]
        with self.db.begin() as conn:
            # Rows deleted meanwhile simply match nothing.
            conn.execute(
                _E.update()
                .where(_E.c.pk == sa.bindparam("b_pk"), _E.c.embedding.is_(None))
                .values(embedding=sa.bindparam("b_embedding")),
                params,
            )
        return len(params)

    def search_events(
        self,
        memory_id: str,
        actor_id: str,
        query: str,
        top_k: int = 10,
        session_id: str | None = None,
    ) -> list[EventHit]:
        """Hybrid (BM25 + cosine, RRF) search over one actor's raw messages."""
        validate_actor_id(actor_id)
        if session_id is not None:
            validate_session_id(session_id)
        if not isinstance(query, str) or not query.strip():
            raise InvalidInput("query must be a non-empty string")
        validate_max_results(top_k)
        scope = f"{memory_id}|{actor_id}" + (f"|{session_id}" if session_id else "")
        pool = max(50, top_k * 5)
        with self.db.connect() as conn:
            memory = self.resources.load(conn, memory_id)
            keyword = [pk for pk, _ in t.EVENTS_FTS.search(conn, [scope], query, pool)]
            conds = [
                _E.c.memory_id == memory_id,
                _E.c.actor_id == actor_id,
                _E.c.embedding.is_not(None),
            ]
            if session_id:
                conds.append(_E.c.session_id == session_id)
            vec_rows = conn.execute(sa.select(_E.c.pk, _E.c.embedding).where(*conds)).all()
            dense: list[int] = []
            if vec_rows:
                embedder = self.resources.embedder(memory.embedding_model)
                q = embedder.embed([query], kind="query")[0]
                matrix = np.frombuffer(b"".join(r[1] for r in vec_rows), dtype=np.float32).reshape(
                    len(vec_rows), -1
                )
                scores = matrix @ q
                order = np.argsort(-scores, kind="stable")[:pool]
                dense = [int(vec_rows[i][0]) for i in order if scores[i] > 0]
            fused = rrf_scores([keyword, dense])
            best = sorted(fused, key=lambda pk: -fused[pk])[:top_k]
            if not best:
                return []
            rows = {
                r[0]: r
                for r in conn.execute(
                    sa.select(
                        _E.c.pk, _E.c.event_id, _E.c.session_id, _E.c.event_timestamp, _E.c.text
                    ).where(
                        _E.c.pk.in_(best), _E.c.memory_id == memory_id, _E.c.actor_id == actor_id
                    )
                )
            }
        return [
            EventHit(
                event_id=rows[pk][1],
                actor_id=actor_id,
                session_id=rows[pk][2],
                event_timestamp=rows[pk][3],
                text=rows[pk][4],
                score=round(fused[pk], 6),
            )
            for pk in best
            if pk in rows
        ]

    def events_in_range(self, job: ExtractionJob) -> list[Event]:
        """The extractable events a job covers, oldest first."""
        with self.db.connect() as conn:
            rows = conn.execute(
                sa.select(*_EVENT_COLUMNS)
                .where(
                    _E.c.memory_id == job.memory_id,
                    _E.c.actor_id == job.actor_id,
                    _E.c.session_id == job.session_id,
                    _E.c.pk >= job.from_event_pk,
                    _E.c.pk <= job.to_event_pk,
                    _E.c.extract.is_(True),
                )
                .order_by(_E.c.event_timestamp, _E.c.pk)
            ).all()
        return [_row_to_event(r._mapping) for r in rows]
