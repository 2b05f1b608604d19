"""Branches: checking a new event's branch, and the SQL condition of a branch filter.

A branch starts at a root event of the session; ``main`` is the events without a branch. A
filter with ``includeParentBranches`` also returns each parent branch's events up to the root.
"""

from __future__ import annotations

import sqlalchemy as sa

from podium.errors import InvalidInput

from .. import _tables as t

__all__ = ["branch_clause", "check_branch"]

_E = t.events


def _session(memory_id: str, actor_id: str, session_id: str) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        _E.c.memory_id == memory_id,
        _E.c.actor_id == actor_id,
        _E.c.session_id == session_id,
    )


def check_branch(
    conn: sa.Connection,
    memory_id: str,
    actor_id: str,
    session_id: str,
    br: tuple[str, str | None],
) -> tuple[str, str]:
    """(name, root event id) of a new event's branch; the root must be an event of the session."""
    name, root = br
    session = _session(memory_id, actor_id, session_id)
    existing = conn.execute(
        sa.select(_E.c.branch_root_event_id).where(*session, _E.c.branch_name == name).limit(1)
    ).scalar()
    if root is None:
        if existing is None:
            raise InvalidInput(f"branch.rootEventId is required to start branch {name!r}")
        return name, existing
    if existing is not None and existing != root:
        raise InvalidInput(f"branch {name!r} already starts at event {existing!r}, not {root!r}")
    found = conn.execute(sa.select(_E.c.pk).where(*session, _E.c.event_id == root)).first()
    if found is None:
        raise InvalidInput(f"branch.rootEventId {root!r} is not an event of this session")
    return name, root


def branch_clause(
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
    session = _session(memory_id, actor_id, session_id)
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
