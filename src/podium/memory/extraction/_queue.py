"""The extraction queue: every statement on ``extraction_jobs`` and ``extraction_cursors``.

Cursors count, per (memory, actor, session, strategy), the events since the last job; the event
write path advances them in its own transaction and inserts the job a trigger fires, so a crash
never loses a job. Workers claim jobs here (one atomic statement), finish them here (fenced on
``locked_by``), and give them back on failure. Every function runs on the caller's connection;
the caller owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from podium.storage._holders import dead_here

from .. import _tables as t
from .._models import ExtractionJob, Memory
from .._sql import execute_many, fetch

__all__ = [
    "MAX_ATTEMPTS",
    "QueueStats",
    "advance_cursors",
    "claim",
    "complete",
    "count_open",
    "delete_actor_rows",
    "delete_strategy_cursors",
    "enqueue_idle",
    "fail_exhausted",
    "flush_session",
    "get_job",
    "give_back",
    "job_row",
    "list_jobs",
    "queue_stats",
    "requeue",
    "save_stats",
]

MAX_ATTEMPTS = 3

_E = t.events
_C = t.extraction_cursors
_J = t.extraction_jobs
_OPEN = ("PENDING", "RUNNING")

# Built once: the event write path reuses SQLAlchemy's compiled form instead of rebuilding it.
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
_UPSERTS: dict[str, Any] = {}


def job_row(
    memory_id: str,
    actor_id: str,
    session_id: str,
    strategy_id: str,
    trigger: str,
    from_pk: int,
    to_pk: int,
    now: float,
) -> dict[str, Any]:
    """A new PENDING ``extraction_jobs`` row (every column, so rows batch in one executemany)."""
    return {
        "id": f"job-{uuid.uuid4().hex}",
        "memory_id": memory_id,
        "actor_id": actor_id,
        "session_id": session_id,
        "strategy_id": strategy_id,
        "trigger": trigger,
        "status": "PENDING",
        "from_event_pk": from_pk,
        "to_event_pk": to_pk,
        "attempts": 0,
        "max_attempts": MAX_ATTEMPTS,
        "error": None,
        "stats": None,
        "locked_by": None,
        "locked_until": None,
        "run_after": now,
        "created_at": now,
        "updated_at": now,
    }


def _upsert_cursor_statement(dialect: str) -> Any:
    """INSERT .. ON CONFLICT DO UPDATE for extraction_cursors, built once per dialect."""
    found = _UPSERTS.get(dialect)
    if found is not None:
        return found
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(_C)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(_C)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_C.c.memory_id, _C.c.actor_id, _C.c.session_id, _C.c.strategy_id],
        set_={
            name: stmt.excluded[name]
            for name in (
                "last_event_pk",
                "user_messages_since",
                "events_since",
                "last_event_at",
                "updated_at",
            )
        },
    )
    _UPSERTS[dialect] = stmt
    return stmt


def _upsert_cursors(conn: sa.Connection, values: list[dict[str, Any]]) -> None:
    if values:
        execute_many(conn, _upsert_cursor_statement(conn.dialect.name), values)


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
    row = job_row(memory_id, actor_id, session_id, strategy_id, trigger, from_pk, to_pk, now)
    conn.execute(_INSERT_JOB, row)
    return str(row["id"])


# ------------------------------------------------------------------ enqueueing


def advance_cursors(
    conn: sa.Connection,
    memory: Memory,
    actor_id: str,
    session_id: str,
    pk: int,
    users: int,
    now: float,
) -> None:
    """Count event ``pk`` on each strategy's cursor; enqueue a job where the trigger fires."""
    rows = fetch(conn, _SELECT_CURSORS, {"m": memory.memory_id, "a": actor_id, "s": session_id})
    state = {r[0]: (r[1], r[2], r[3]) for r in rows}
    values = []
    jobs = []
    for strategy in memory.strategies:
        last, since, events_since = state.get(strategy.strategy_id, (0, 0, 0))
        since += users
        events_since += 1
        if users and since >= strategy.message_count_trigger:
            jobs.append(
                job_row(
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
        execute_many(conn, _INSERT_JOB, jobs)
    _upsert_cursors(conn, values)


def flush_session(
    conn: sa.Connection,
    memory: Memory,
    actor_id: str,
    session_id: str,
    trigger: str,
    now: float,
) -> list[str]:
    """Queue a ``trigger`` job per strategy for the session's events no job covers yet."""
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
                _insert_job(
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
    _upsert_cursors(conn, values)
    return jobs


def sessions_with_uncovered_events(conn: sa.Connection, memory_id: str, actor_id: str) -> list[str]:
    """The actor's sessions with events that no job covers yet (e.g. a reply after the trigger)."""
    rows = conn.execute(
        sa.select(_C.c.session_id)
        .where(_C.c.memory_id == memory_id, _C.c.actor_id == actor_id, _C.c.events_since > 0)
        .distinct()
    ).all()
    return sorted(str(r[0]) for r in rows)


def enqueue_idle(conn: sa.Connection, memories: Sequence[Memory], now: float) -> int:
    """Fire ``idle_seconds`` triggers: sessions quiet that long with uncovered events get jobs."""
    count = 0
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
                count += len(flush_session(conn, only, actor_id, session_id, "idle", now))
    return count


# --------------------------------------------------------------------- reading


def _scope(
    memory_id: str | None, actor_id: str | None, session_id: str | None
) -> list[sa.ColumnElement[bool]]:
    conds: list[sa.ColumnElement[bool]] = []
    if memory_id is not None:
        conds.append(_J.c.memory_id == memory_id)
    if actor_id is not None:
        conds.append(_J.c.actor_id == actor_id)
    if session_id is not None:
        conds.append(_J.c.session_id == session_id)
    return conds


def list_jobs(conn: sa.Connection, memory_id: str, status: str | None) -> list[ExtractionJob]:
    """A memory's jobs, oldest first, optionally of one status."""
    query = sa.select(_J).where(_J.c.memory_id == memory_id)
    if status is not None:
        query = query.where(_J.c.status == status)
    rows = conn.execute(query.order_by(_J.c.created_at, _J.c.id))
    return [ExtractionJob.from_row(r) for r in rows]


def get_job(conn: sa.Connection, memory_id: str, job_id: str) -> ExtractionJob | None:
    """One job of a memory (None if absent)."""
    row = conn.execute(sa.select(_J).where(_J.c.id == job_id, _J.c.memory_id == memory_id)).first()
    return ExtractionJob.from_row(row) if row is not None else None


def count_open(
    conn: sa.Connection,
    *,
    memory_id: str | None = None,
    actor_id: str | None = None,
    session_id: str | None = None,
) -> int:
    """How many PENDING or RUNNING jobs match the filter."""
    conds = [_J.c.status.in_(_OPEN), *_scope(memory_id, actor_id, session_id)]
    return int(conn.execute(sa.select(sa.func.count()).where(*conds)).scalar_one())


@dataclass(frozen=True)
class QueueStats:
    """The extraction queue as a whole, across every memory (the ``/metrics`` gauges)."""

    pending: int
    running: int
    #: Seconds since the oldest PENDING job was queued; 0 when none is pending.
    oldest_pending_age_s: float


def queue_stats(conn: sa.Connection, now: float) -> QueueStats:
    """How many jobs are PENDING and RUNNING, and how long the oldest PENDING one has waited.

    Read-only: one grouped aggregate over the open jobs.
    """
    query = (
        sa.select(_J.c.status, sa.func.count(), sa.func.min(_J.c.created_at))
        .where(_J.c.status.in_(_OPEN))
        .group_by(_J.c.status)
    )
    found = {str(status): (int(n), oldest) for status, n, oldest in conn.execute(query)}
    pending, oldest = found.get("PENDING", (0, None))
    age = max(0.0, now - float(oldest)) if oldest is not None else 0.0
    return QueueStats(
        pending=pending, running=found.get("RUNNING", (0, None))[0], oldest_pending_age_s=age
    )


# -------------------------------------------------------------------- workers


def release_dead_holders(
    conn: sa.Connection,
    now: float,
    *,
    memory_id: str | None = None,
    actor_id: str | None = None,
    session_id: str | None = None,
) -> int:
    """End the leases of RUNNING jobs whose worker was a process on this host that is gone.

    A gateway or worker killed mid-job (``kill -9``) would hold its jobs until their lease
    runs out (a minute), and a new session of the same actor would wait for them meanwhile.
    Their leases end now instead, so the next claim takes them over (the attempt is counted).
    Returns how many jobs were released.
    """
    live = [_J.c.status == "RUNNING", _J.c.locked_until >= now]
    live += _scope(memory_id, actor_id, session_id)
    held = conn.execute(sa.select(_J.c.locked_by).where(*live).distinct()).scalars()
    dead = [holder for holder in held if holder and dead_here(holder)]
    if not dead:
        return 0
    result = conn.execute(
        _J.update().where(*live, _J.c.locked_by.in_(dead)).values(locked_until=now - 1.0)
    )
    return int(result.rowcount or 0)


def fail_exhausted(conn: sa.Connection, now: float) -> None:
    """Jobs whose workers died ``max_attempts`` times are FAILED, not retried forever."""
    conn.execute(
        _J.update()
        .where(
            _J.c.status == "RUNNING",
            _J.c.locked_until < now,
            _J.c.attempts >= _J.c.max_attempts,
        )
        .values(
            status="FAILED",
            error="the worker running this job stopped before finishing, too many times",
            locked_by=None,
            locked_until=None,
            updated_at=now,
        )
    )


def claim(
    conn: sa.Connection,
    *,
    worker_id: str,
    lease_s: float,
    now: float,
    memory_id: str | None = None,
    actor_id: str | None = None,
    session_id: str | None = None,
) -> ExtractionJob | None:
    """Atomically take the oldest claimable job (optionally of one memory/actor/session).

    Claimable: PENDING and due, or RUNNING under an expired lease with attempts left. A job
    waits while an earlier job of the same (memory, actor, strategy) is pending or running
    under a live lease, so consolidation never races itself.
    """
    other = _J.alias("other")
    blocked = sa.exists().where(
        other.c.memory_id == _J.c.memory_id,
        other.c.actor_id == _J.c.actor_id,
        other.c.strategy_id == _J.c.strategy_id,
        other.c.id != _J.c.id,
        sa.or_(
            sa.and_(other.c.status == "RUNNING", other.c.locked_until >= now),
            sa.and_(other.c.status == "PENDING", other.c.created_at < _J.c.created_at),
        ),
    )
    claimable = sa.or_(
        sa.and_(_J.c.status == "PENDING", _J.c.run_after <= now),
        sa.and_(
            _J.c.status == "RUNNING",
            _J.c.locked_until < now,
            _J.c.attempts < _J.c.max_attempts,
        ),
    )
    conds = [claimable, ~blocked, *_scope(memory_id, actor_id, session_id)]
    pick = sa.select(_J.c.id).where(*conds).order_by(_J.c.created_at, _J.c.id).limit(1)
    if conn.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        _J.update()
        .where(_J.c.id == pick.scalar_subquery())
        .values(
            status="RUNNING",
            locked_by=worker_id,
            locked_until=now + lease_s,
            attempts=_J.c.attempts + 1,
            updated_at=now,
        )
        .returning(*_J.c)
    )
    row = conn.execute(stmt).first()
    return ExtractionJob.from_row(row) if row is not None else None


def complete(conn: sa.Connection, job_id: str, worker_id: str, now: float) -> bool:
    """Mark a RUNNING job COMPLETED if ``worker_id`` still holds it; False if it does not."""
    done = conn.execute(
        _J.update()
        .where(_J.c.id == job_id, _J.c.status == "RUNNING", _J.c.locked_by == worker_id)
        .values(status="COMPLETED", locked_by=None, locked_until=None, error=None, updated_at=now)
    )
    return done.rowcount == 1


def save_stats(conn: sa.Connection, job_id: str, stats: dict[str, int]) -> None:
    """Store what a job did (added / updated / deleted / skipped / messages)."""
    conn.execute(_J.update().where(_J.c.id == job_id).values(stats=dict(stats)))


def give_back(
    conn: sa.Connection, job: ExtractionJob, worker_id: str, error: str, *, retry: bool, now: float
) -> str:
    """Release a failed job: PENDING with a backoff while retries remain, else FAILED.

    Only the worker holding the job can release it. Returns the status written.
    """
    again = retry and job.attempts < job.max_attempts
    values: dict[str, Any] = {
        "status": "PENDING" if again else "FAILED",
        "error": error[:4000],
        "locked_by": None,
        "locked_until": None,
        "updated_at": now,
    }
    if again:
        values["run_after"] = now + min(60.0, 0.5 * 2**job.attempts)
    conn.execute(
        _J.update().where(_J.c.id == job.job_id, _J.c.locked_by == worker_id).values(**values)
    )
    return str(values["status"])


def requeue(conn: sa.Connection, job_id: str, now: float) -> ExtractionJob:
    """Put a job back to PENDING with its attempts reset (the re-drive of a FAILED job)."""
    conn.execute(
        _J.update()
        .where(_J.c.id == job_id)
        .values(
            status="PENDING",
            attempts=0,
            error=None,
            locked_by=None,
            locked_until=None,
            run_after=now,
            updated_at=now,
        )
    )
    return ExtractionJob.from_row(conn.execute(sa.select(_J).where(_J.c.id == job_id)).one())


# -------------------------------------------------------------------- deletes


def delete_strategy_cursors(conn: sa.Connection, memory_id: str, strategy_ids: list[str]) -> None:
    """Drop the cursors of deleted strategies (their records and finished jobs stay)."""
    conn.execute(_C.delete().where(_C.c.memory_id == memory_id, _C.c.strategy_id.in_(strategy_ids)))


def delete_actor_rows(conn: sa.Connection, memory_id: str, actor_id: str) -> dict[str, int]:
    """Delete an actor's jobs and cursors; the row count of each table."""
    counts: dict[str, int] = {}
    for name, table in (("extraction_jobs", _J), ("extraction_cursors", _C)):
        result = conn.execute(
            table.delete().where(table.c.memory_id == memory_id, table.c.actor_id == actor_id)
        )
        counts[name] = int(result.rowcount or 0)
    return counts
