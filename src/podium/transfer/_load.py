"""Load rows from a source (another database, an archive) into a migrated target database.

Everything written happens in one transaction on the target: emptying it (``force``), the
rows of every table in foreign-key order, the id counters, and the rebuilt keyword indexes.
A failed load leaves the target as it was. The row counts are checked afterwards, on a new
connection, against the source's counts taken in the snapshot the rows were read from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from podium.errors import ConfigurationError, Conflict, StorageError
from podium.storage import Database

from ._keywords import KeywordRebuild, rebuild_keyword_indexes
from ._tables import clear_derived, count_rows, reflect, set_counters, writable_columns
from ._values import is_vector, to_vectors

__all__ = ["CopyReport", "RowSource", "TableCount", "load_rows"]

logger = logging.getLogger(__name__)

#: ``(tables done, tables in all, table name)``, called as each table is done.
Progress = Callable[[int, int, str], None]


class RowSource(Protocol):
    """Rows of a Podium database at one revision, as a load reads them.

    JSON values come as their JSON text (so a JSON ``null`` stays apart from SQL NULL and
    nothing is parsed on the way), binary ones and vectors as ``bytes`` (float32 for vectors).
    """

    description: str
    revision: str

    def table_names(self) -> set[str]:
        """The copied tables the source has."""
        ...

    def count(self, table: str) -> int:
        """Rows in ``table``."""
        ...

    def counters(self) -> Mapping[str, int]:
        """The highest id each table's counter has handed out (where the source keeps one)."""
        ...

    def columns(self, table: str) -> list[str]:
        """The columns of ``table`` the source has."""
        ...

    def rows(
        self, table: str, columns: list[str], batch_size: int
    ) -> Iterator[list[dict[str, Any]]]:
        """The rows of ``table`` in primary-key order, ``batch_size`` at a time."""
        ...


@dataclass(frozen=True)
class TableCount:
    """One table's row count in the source and, after the transfer, in the target."""

    name: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        """Whether both counts agree."""
        return self.source == self.target


@dataclass
class CopyReport:
    """The outcome of a copy, restore or backup: counts per table and the keyword indexes."""

    source: str
    target: str
    tables: list[TableCount] = field(default_factory=list)
    keyword_indexes: list[KeywordRebuild] = field(default_factory=list)
    format: str | None = None

    @property
    def ok(self) -> bool:
        """Whether every table's counts agree."""
        return all(t.ok for t in self.tables)

    @property
    def mismatched(self) -> list[str]:
        """The tables whose counts differ."""
        return [t.name for t in self.tables if not t.ok]

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "source": self.source,
            "target": self.target,
            "format": self.format,
            "ok": self.ok,
            "tables": [
                {"name": t.name, "source": t.source, "target": t.target} for t in self.tables
            ],
            "keyword_indexes": [
                {"name": k.name, "rows": k.rows, "skipped": k.skipped} for k in self.keyword_indexes
            ],
        }


class _JsonText(TypeDecorator[str]):
    """A JSON column written from its JSON text as it is (cast to the column's type on PG)."""

    impl = sa.Text
    cache_ok = False

    def __init__(self, cast_to: sa.types.TypeEngine[Any] | None) -> None:
        super().__init__()
        self.cast_to = cast_to

    def bind_expression(self, bindvalue: Any) -> Any:
        """``CAST(:value AS JSONB)`` on PostgreSQL; the text itself on SQLite."""
        return sa.cast(bindvalue, self.cast_to) if self.cast_to is not None else bindvalue


def _shared_columns(source: RowSource, table: sa.Table) -> list[str]:
    """The target columns the source has; a missing one must be nullable or have a default.

    A backend may carry columns of its own (a PostgreSQL search column, say): the source
    does not have them, and the database's default or the keyword rebuild fills them.
    """
    have = set(source.columns(table.name))
    names = []
    for c in writable_columns(table):
        if c.name in have:
            names.append(c.name)
        elif c.nullable or c.server_default is not None:
            logger.info(
                "table=<%s>, column=<%s> | not in the source, left to its default",
                table.name,
                c.name,
            )
        else:
            raise ConfigurationError(
                f"{source.description}: table {table.name} has no column {c.name}, "
                "which the target requires"
            )
    return names


def _insert_table(table: sa.Table, dialect: str, names: list[str]) -> sa.Table:
    """``table`` with JSON columns taking JSON text, for inserts of ``names`` only."""
    columns = []
    for c in (table.c[name] for name in names):
        kind = c.type
        if isinstance(kind, sa.JSON):
            kind = _JsonText(kind if dialect == "postgresql" else None)
        columns.append(sa.Column(c.name, kind))
    return sa.Table(table.name, sa.MetaData(), *columns)


def _check_same_schema(source: RowSource, revision: str, tables: list[sa.Table]) -> None:
    if source.revision != revision:
        raise ConfigurationError(
            f"{source.description} is at schema revision {source.revision}, the target at "
            f"{revision} (this Podium's head): migrate the source first (`podium migrate` "
            "with PODIUM_DATABASE_URL set to it) or use the Podium version that wrote it"
        )
    names = {t.name for t in tables}
    extra, missing = names - source.table_names(), source.table_names() - names
    if extra or missing:
        raise ConfigurationError(
            f"{source.description} and the target have different tables "
            f"(only in the target: {sorted(extra) or 'none'}; only in the source: "
            f"{sorted(missing) or 'none'}): the target must be a database of its own"
        )


def _empty(conn: sa.Connection, tables: list[sa.Table], force: bool, target: str) -> None:
    used = {name: n for name, n in count_rows(conn, tables).items() if n}
    if used and not force:
        shown = ", ".join(f"{name} ({n})" for name, n in sorted(used.items())[:5])
        raise Conflict(
            f"the target database {target} is not empty: {shown}{', …' if len(used) > 5 else ''}"
            "; pass --force (force=True) to replace everything in it"
        )
    if used:
        logger.warning("target=<%s>, tables=<%d> | emptying the target first", target, len(used))
        clear_derived(conn)
        for table in reversed(tables):
            conn.execute(table.delete())


def load_rows(
    source: RowSource,
    target: Database,
    *,
    target_label: str,
    force: bool = False,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every table of ``source`` into the migrated ``target``; counts checked after.

    Raises:
        ConfigurationError: the source is at another schema revision or has other tables.
        Conflict: the target holds rows and ``force`` is not set.
        StorageError: a table gave another number of rows than the source counts (a damaged
            archive); the target is left as it was.
    """
    with target.connect() as conn:
        revision = str(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar())
        tables = reflect(conn)
    _check_same_schema(source, revision, tables)
    report = CopyReport(source=source.description, target=target_label)
    with target.begin() as conn:
        _empty(conn, tables, force, target_label)
        for done, table in enumerate(tables, start=1):
            names = _shared_columns(source, table)
            insert = _insert_table(table, target.dialect, names).insert()
            vectors = [name for name in names if is_vector(table.c[name])]
            read = 0
            for batch in source.rows(table.name, names, batch_size):
                conn.execute(insert, to_vectors(batch, vectors))
                read += len(batch)
            if read != source.count(table.name):
                # A damaged or truncated source: roll everything back rather than commit part.
                raise StorageError(
                    f"{source.description}: table {table.name} gave {read} rows where it "
                    f"counts {source.count(table.name)}; nothing was written"
                )
            if progress is not None:
                progress(done, len(tables), table.name)
        set_counters(conn, tables, source.counters())
        clear_derived(conn)
        report.keyword_indexes = rebuild_keyword_indexes(target, conn, batch_size=batch_size)
    with target.connect() as conn:
        counts = count_rows(conn, tables)
    report.tables = [TableCount(t.name, source.count(t.name), counts[t.name]) for t in tables]
    if not report.ok:
        logger.error("tables=<%s> | row counts differ after the copy", ",".join(report.mismatched))
    return report
