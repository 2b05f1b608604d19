"""SQL helpers shared by memory's modules: fast SQLite execution and metadata filters."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from podium.errors import InvalidInput

from ._validation import metadata_key

__all__ = [
    "execute_many",
    "fetch",
    "insert_pk",
    "metadata_clauses",
]


def metadata_clauses(column: Any, filters: object) -> list[sa.ColumnElement[bool]]:
    """SQL conditions for AgentCore metadata filters (EQUALS_TO / EXISTS / NOT_EXISTS) on ``column``."""
    if filters is None:
        return []
    if not isinstance(filters, list):
        raise InvalidInput("metadataFilters must be a list")
    out: list[sa.ColumnElement[bool]] = []
    for i, f in enumerate(filters):
        field = f"metadataFilters[{i}]"
        if not isinstance(f, dict):
            raise InvalidInput(f"{field} must be an object")
        left = f.get("left")
        key = metadata_key(
            left.get("metadataKey") if isinstance(left, dict) else None, f"{field}.left.metadataKey"
        )
        value = column[key].as_string()
        op = f.get("operator")
        if op == "EXISTS":
            out.append(value.is_not(None))
        elif op == "NOT_EXISTS":
            out.append(value.is_(None))
        elif op == "EQUALS_TO":
            right = f.get("right")
            mv = right.get("metadataValue") if isinstance(right, dict) else None
            sv = mv.get("stringValue") if isinstance(mv, dict) else mv
            if not isinstance(sv, str):
                raise InvalidInput(f"{field}.right.metadataValue.stringValue must be a string")
            out.append(value == sv)
        else:
            raise InvalidInput(f"{field}.operator must be EQUALS_TO, EXISTS or NOT_EXISTS")
    return out


# --- The create_event hot path on SQLite -------------------------------------------------
# SQLAlchemy's per-execute bookkeeping costs more than SQLite itself here, so on SQLite the
# prebuilt statements are compiled once and run on the DBAPI cursor of the same connection
# (inside the same transaction). Other dialects go through SQLAlchemy unchanged.
_COMPILED: dict[tuple[int, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}


def _compiled(conn: sa.Connection, stmt: Any, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    cache_key = (id(stmt), keys)
    found = _COMPILED.get(cache_key)
    if found is None:
        compiled = stmt.compile(dialect=conn.dialect, column_keys=list(keys))
        found = (str(compiled), tuple(compiled.positiontup or ()))
        _COMPILED[cache_key] = found
    return found


def _sqlite_value(value: Any) -> Any:
    # Mirrors what SQLAlchemy's JSON and Boolean types bind on SQLite.
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _raw_cursor(conn: sa.Connection) -> Any:
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def insert_pk(conn: sa.Connection, stmt: Any, params: dict[str, Any]) -> int:
    """INSERT one row and return its integer primary key."""
    if conn.dialect.name != "sqlite":
        return int(conn.execute(stmt, params).inserted_primary_key[0])  # type: ignore[index]
    sql, order = _compiled(conn, stmt, tuple(params))
    cur = _raw_cursor(conn)
    cur.execute(sql, [_sqlite_value(params[k]) for k in order])
    return int(cur.lastrowid)


def execute_many(conn: sa.Connection, stmt: Any, rows: list[dict[str, Any]]) -> None:
    """Run a write statement once per row (all rows have the same keys)."""
    if conn.dialect.name != "sqlite":
        conn.execute(stmt, rows)
        return
    sql, order = _compiled(conn, stmt, tuple(rows[0]))
    _raw_cursor(conn).executemany(sql, [[_sqlite_value(r[k]) for k in order] for r in rows])


def fetch(conn: sa.Connection, stmt: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of a SELECT as plain tuples."""
    if conn.dialect.name != "sqlite":
        return [tuple(r) for r in conn.execute(stmt, params)]
    sql, order = _compiled(conn, stmt, ())
    cur = _raw_cursor(conn)
    cur.execute(sql, [params[k] for k in order])
    return list(cur.fetchall())
