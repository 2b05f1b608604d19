"""Which tables a transfer moves, in which order, and the bookkeeping around them.

The tables are those of the database at head, reflected: everything but Alembic's own
``alembic_version``, SQLite's ``sqlite_*`` tables, and the derived keyword indexes (SQLite FTS5
``fts_*`` tables with their shadow tables, PostgreSQL ``kw_*`` tables), which are rebuilt from
their owner rows instead of copied (see :mod:`podium.transfer._keywords`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from ._values import register_postgres_types

__all__ = [
    "DERIVED_PREFIXES",
    "clear_derived",
    "count_rows",
    "counter_column",
    "is_copied",
    "read_counters",
    "reflect",
    "set_counters",
    "writable_columns",
]

#: Name prefixes of derived tables: keyword indexes, rebuilt on the target, never copied.
DERIVED_PREFIXES = ("fts_", "kw_")
_SKIPPED = ("alembic_version",)


def is_copied(name: str) -> bool:
    """Whether a table named ``name`` is copied (a Podium table, not derived or internal)."""
    return not (name in _SKIPPED or name.startswith(("sqlite_", *DERIVED_PREFIXES)))


def reflect(conn: sa.Connection) -> list[sa.Table]:
    """The copied tables of the database behind ``conn``, parents before children."""
    if conn.dialect.name == "postgresql":
        register_postgres_types()
    metadata = sa.MetaData()
    metadata.reflect(conn, only=lambda name, _md: is_copied(name))
    return list(metadata.sorted_tables)


def writable_columns(table: sa.Table) -> list[sa.Column[Any]]:
    """The columns a copy writes: all but computed ones (the database fills those itself)."""
    return [c for c in table.columns if c.computed is None]


def counter_column(table: sa.Table) -> sa.Column[Any] | None:
    """The table's integer id column that a counter hands out (a single integer primary key)."""
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and isinstance(pk[0].type, sa.Integer):
        return pk[0]
    return None


def count_rows(conn: sa.Connection, tables: Iterable[sa.Table]) -> dict[str, int]:
    """Row count of each table."""
    return {
        t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
        for t in tables
    }


def _sqlite_derived(conn: sa.Connection) -> list[str]:
    # The virtual tables only: their shadow tables (fts_x_data, ...) belong to FTS5.
    return [
        name
        for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        )
        if name.startswith(DERIVED_PREFIXES)
    ]


def clear_derived(conn: sa.Connection) -> list[str]:
    """Empty every derived keyword table, before it is rebuilt; returns their names."""
    if conn.dialect.name == "sqlite":
        names = _sqlite_derived(conn)
    else:
        names = [n for n in sa.inspect(conn).get_table_names() if n.startswith(DERIVED_PREFIXES)]
    for name in names:
        conn.execute(sa.delete(sa.table(name)))
    return names


def _sqlite_autoincrement(conn: sa.Connection) -> set[str]:
    return {
        name
        for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
        )
    }


def read_counters(conn: sa.Connection, tables: Sequence[sa.Table]) -> dict[str, int]:
    """The highest id each table's counter has handed out, where the database keeps one.

    SQLite keeps one for ``AUTOINCREMENT`` tables (``sqlite_sequence``), PostgreSQL one per
    serial column. A counter can be ahead of the largest id left (the newest rows deleted):
    carried over, it keeps ids that other rows or cursors refer to from being handed out again.
    """
    if conn.dialect.name == "sqlite":
        if not sa.inspect(conn).has_table("sqlite_sequence"):
            return {}
        names = {t.name for t in tables}
        return {
            name: int(seq)
            for name, seq in conn.exec_driver_sql("SELECT name, seq FROM sqlite_sequence")
            if name in names and seq is not None
        }
    out: dict[str, int] = {}
    for table in tables:
        column = counter_column(table)
        if column is None:
            continue
        value = conn.execute(
            sa.text("SELECT pg_sequence_last_value(pg_get_serial_sequence(:t, :c)::regclass)"),
            {"t": table.name, "c": column.name},
        ).scalar()
        if value is not None:
            out[table.name] = int(value)
    return out


def _serial_sequence(conn: sa.Connection, table: str, column: str) -> str | None:
    return conn.execute(
        sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table, "c": column}
    ).scalar()


def set_counters(
    conn: sa.Connection, tables: Sequence[sa.Table], counters: Mapping[str, int]
) -> None:
    """Move each table's id counter past its largest id and the source's counter.

    Rows were inserted with their ids: PostgreSQL's sequences did not move, so without this the
    next insert would collide with a copied row.
    """
    if conn.dialect.name == "sqlite":
        autoincrement = _sqlite_autoincrement(conn)
        for table in tables:
            value = counters.get(table.name, 0)
            if table.name not in autoincrement or value <= 0:
                continue
            # Inserting ids already moved sqlite_sequence to the largest one; only a source
            # counter ahead of that needs writing.
            seq = sa.table("sqlite_sequence", sa.column("name"), sa.column("seq"))
            current = conn.execute(sa.select(seq.c.seq).where(seq.c.name == table.name)).scalar()
            if current is None:
                conn.execute(seq.insert().values(name=table.name, seq=value))
            elif int(current) < value:
                conn.execute(seq.update().where(seq.c.name == table.name).values(seq=value))
        return
    for table in tables:
        column = counter_column(table)
        if column is None:
            continue
        sequence = _serial_sequence(conn, table.name, column.name)
        if sequence is None:
            continue
        largest = conn.execute(sa.select(sa.func.max(column))).scalar() or 0
        value = max(int(largest), counters.get(table.name, 0))
        # setval(seq, v, true): the next id is v + 1; (1, false): a fresh sequence.
        conn.execute(
            sa.text("SELECT setval(:s, :v, :called)"),
            {"s": sequence, "v": max(value, 1), "called": value > 0},
        )
