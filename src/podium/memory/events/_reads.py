"""Event reads: one event, pages of a session, the last k turns, sessions, actors, job ranges."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.errors import InvalidInput, NotFound

from .. import _tables as t
from .._models import ActorSummary, Event, ExtractionJob, SessionSummary
from .._sql import metadata_clauses
from .._validation import (
    decode_token,
    encode_token,
    validate_actor_id,
    validate_event_id,
    validate_max_results,
    validate_session_id,
)
from ._branches import branch_clause
from ._rows import EVENT_COLUMNS, row_to_event

if TYPE_CHECKING:
    from podium.storage import Database

    from .._lookup import MemoryLookup

__all__ = ["EventReads"]

_E = t.events
_PAGE = 200


class EventReads:
    """Event read operations over ``db``."""

    db: Database
    lookup: MemoryLookup

    def get_event(self, memory_id: str, actor_id: str, session_id: str, event_id: str) -> Event:
        """One event of an (actor, session); NotFound outside it."""
        validate_event_id(event_id)
        with self.db.connect() as conn:
            row = conn.execute(
                sa.select(*EVENT_COLUMNS).where(
                    _E.c.event_id == event_id,
                    _E.c.memory_id == memory_id,
                    _E.c.actor_id == actor_id,
                    _E.c.session_id == session_id,
                )
            ).first()
            if row is None:
                self.lookup.load(conn, memory_id)
                raise NotFound(f"event {event_id!r} not found in this session")
            return row_to_event(row._mapping)

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
        *,
        newest_first: bool = False,
    ) -> tuple[list[Event], str | None]:
        """A page of a session's events (oldest first) and the token of the next page.

        Keyset-paginated by (timestamp, pk); ``newest_first`` pages from the newest event back
        (AgentCore's ListEvents order).
        """
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
            if newest_first:
                conds.append(
                    sa.or_(
                        _E.c.event_timestamp < ts,
                        sa.and_(_E.c.event_timestamp == ts, _E.c.pk < pk),
                    )
                )
            else:
                conds.append(
                    sa.or_(
                        _E.c.event_timestamp > ts,
                        sa.and_(_E.c.event_timestamp == ts, _E.c.pk > pk),
                    )
                )
        order = (
            (_E.c.event_timestamp.desc(), _E.c.pk.desc())
            if newest_first
            else (_E.c.event_timestamp, _E.c.pk)
        )
        with self.db.connect() as conn:
            self.lookup.load(conn, memory_id)
            clause = branch_clause(conn, memory_id, actor_id, session_id, branch)
            if clause is not None:
                conds.append(clause)
            rows = conn.execute(
                sa.select(*EVENT_COLUMNS).where(*conds).order_by(*order).limit(max_results + 1)
            ).all()
        events = [row_to_event(r._mapping, include_payloads) for r in rows[:max_results]]
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
            self.lookup.load(conn, memory_id)
            clause = branch_clause(conn, memory_id, actor_id, session_id, branch)
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
        """An actor's sessions, most recent activity first."""
        validate_actor_id(actor_id)
        with self.db.connect() as conn:
            self.lookup.load(conn, memory_id)
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
            self.lookup.load(conn, memory_id)
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

    def get_actor_events(self, memory_id: str, actor_id: str, event_ids: list[str]) -> list[Event]:
        """The actor's events among ``event_ids``, in any session; other ids are left out.

        What shows a record's sources: an id of a deleted event or of another actor's event
        finds nothing.
        """
        if not event_ids:
            return []
        with self.db.connect() as conn:
            rows = conn.execute(
                sa.select(*EVENT_COLUMNS)
                .where(
                    _E.c.memory_id == memory_id,
                    _E.c.actor_id == actor_id,
                    _E.c.event_id.in_(list(event_ids)),
                )
                .order_by(_E.c.event_timestamp, _E.c.pk)
            ).all()
        return [row_to_event(r._mapping) for r in rows]

    def events_in_range(self, job: ExtractionJob) -> list[Event]:
        """The extractable events a job covers, oldest first."""
        return self._extractable(job, job.from_event_pk, job.to_event_pk)

    def events_before(self, job: ExtractionJob, limit: int) -> list[Event]:
        """Up to ``limit`` extractable events of the job's session just before its range.

        Oldest first: the history that summary and episodic extraction read for context.
        """
        session = (
            _E.c.memory_id == job.memory_id,
            _E.c.actor_id == job.actor_id,
            _E.c.session_id == job.session_id,
        )
        with self.db.connect() as conn:
            rows = conn.execute(
                sa.select(_E.c.pk)
                .where(*session, _E.c.pk < job.from_event_pk, _E.c.extract.is_(True))
                .order_by(_E.c.pk.desc())
                .limit(limit)
            ).all()
        if not rows:
            return []
        return self._extractable(job, min(r[0] for r in rows), job.from_event_pk - 1)

    def _extractable(self, job: ExtractionJob, from_pk: int, to_pk: int) -> list[Event]:
        with self.db.connect() as conn:
            rows = conn.execute(
                sa.select(*EVENT_COLUMNS)
                .where(
                    _E.c.memory_id == job.memory_id,
                    _E.c.actor_id == job.actor_id,
                    _E.c.session_id == job.session_id,
                    _E.c.pk >= from_pk,
                    _E.c.pk <= to_pk,
                    _E.c.extract.is_(True),
                )
                .order_by(_E.c.event_timestamp, _E.c.pk)
            ).all()
        return [row_to_event(r._mapping) for r in rows]
