"""Event writes: create (idempotent per client token), delete, and the expiry sweep.

``create_event`` is one write transaction: the event row, its FTS row, the extraction cursors
and (when a trigger fires) the extraction jobs, so a crash never loses a job. Embeddings are
filled later (:mod:`._search`) to keep the write path fast.
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

import sqlalchemy as sa

from podium.errors import BackendError, Conflict, InvalidInput, NotFound

from .. import _tables as t
from .._models import Event
from .._sql import insert_pk
from .._validation import (
    normalize_branch,
    normalize_metadata,
    normalize_payload,
    validate_actor_id,
    validate_event_id,
    validate_session_id,
)
from ..extraction import ExtractionJobs, _queue
from ._branches import check_branch
from ._rows import EVENT_COLUMNS, row_to_event

if TYPE_CHECKING:
    from podium.storage import Database

    from .._lookup import MemoryLookup

__all__ = ["EventWrites", "delete_actor_events", "event_scopes"]

logger = logging.getLogger(__name__)

_E = t.events
_DAY = 86_400.0
# Built once: the write path reuses SQLAlchemy's compiled form instead of rebuilding it per call.
_INSERT_EVENT = _E.insert()


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


def event_scopes(memory_id: str, actor_id: str, session_id: str) -> list[str]:
    """FTS scopes of an event: memory, actor, session."""
    return [memory_id, f"{memory_id}|{actor_id}", f"{memory_id}|{actor_id}|{session_id}"]


class EventWrites(ExtractionJobs):
    """Event write operations over ``db`` (they queue extraction jobs, and can wait for them)."""

    db: Database
    lookup: MemoryLookup

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
        wait_for_extraction: bool = False,
        timeout: float = 10.0,
    ) -> Event:
        """Store one event (idempotent per ``client_token``) and queue the extraction jobs it fires.

        With ``wait_for_extraction``, return only once the session's jobs are done (see
        :meth:`wait_for_extraction`); if they are not done within ``timeout`` seconds, raise
        :class:`~podium.errors.BackendError` - the event is stored and its jobs stay queued.
        """
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
        event: Event | None = None
        with self.db.begin() as conn:
            if client_token is not None:
                prior = conn.execute(
                    sa.select(*EVENT_COLUMNS, _E.c.request_hash).where(
                        _E.c.memory_id == memory_id, _E.c.client_token == client_token
                    )
                ).first()
                if prior is not None:
                    if prior._mapping["request_hash"] != request_hash:
                        raise Conflict(
                            "clientToken was already used for a different event in this memory"
                        )
                    event = row_to_event(prior._mapping)
            if event is None:
                memory = self.lookup.load_cached(conn, memory_id)
                branch_name = root_id = None
                if br is not None:
                    branch_name, root_id = check_branch(conn, memory_id, actor_id, session_id, br)
                pk = insert_pk(
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
                    _queue.advance_cursors(conn, memory, actor_id, session_id, pk, users, now)
                event = Event(
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
        if wait_for_extraction and not self.wait_for_extraction(
            memory_id, actor_id, session_id, timeout=timeout
        ):
            raise BackendError(
                f"event {event.event_id!r} is stored, but the extraction jobs of session "
                f"{session_id!r} did not finish within {timeout:g}s (held by another worker or "
                "scheduled for a retry); wait_for_extraction() reports when they have"
            )
        return event

    def delete_event(self, memory_id: str, actor_id: str, session_id: str, event_id: str) -> None:
        """Delete one event and its FTS row."""
        validate_event_id(event_id)
        with self.db.begin() as conn:
            pk = conn.execute(
                sa.select(_E.c.pk).where(
                    _E.c.event_id == event_id,
                    _E.c.memory_id == memory_id,
                    _E.c.actor_id == actor_id,
                    _E.c.session_id == session_id,
                )
            ).scalar()
            if pk is None:
                self.lookup.load(conn, memory_id)
                raise NotFound(f"event {event_id!r} not found in this session")
            t.EVENTS_FTS.delete(conn, [int(pk)])
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


def delete_actor_events(conn: sa.Connection, memory_id: str, actor_id: str) -> int:
    """Delete an actor's events and their keyword rows in the caller's transaction; the count."""
    t.EVENTS_FTS.delete_scope(conn, f"{memory_id}|{actor_id}")
    result = conn.execute(_E.delete().where(_E.c.memory_id == memory_id, _E.c.actor_id == actor_id))
    return int(result.rowcount or 0)
