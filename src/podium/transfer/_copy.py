"""``podium db copy``: every Podium table of one database into another (SQLite ⇄ PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from podium.errors import InvalidInput

from ._endpoints import (
    check_url,
    open_target,
    read_revision,
    same_database,
    source_connection,
)
from ._load import CopyReport, Progress, load_rows
from ._tables import count_rows, read_counters, reflect
from ._values import from_vectors, is_vector

__all__ = ["DatabaseSource", "copy_database", "database_source"]


class DatabaseSource:
    """The rows of a database, read in one snapshot on ``conn`` (see :func:`database_source`)."""

    def __init__(self, conn: sa.Connection, description: str, revision: str) -> None:
        self.conn = conn
        self.description = description
        self.revision = revision
        self.tables = {t.name: t for t in reflect(conn)}
        self._counts: dict[str, int] | None = None
        self._counters: dict[str, int] | None = None

    def ordered_tables(self) -> list[sa.Table]:
        """The tables, parents before children."""
        return list(self.tables.values())

    def table_names(self) -> set[str]:
        """The copied tables."""
        return set(self.tables)

    def count(self, table: str) -> int:
        """Rows in ``table`` in this snapshot."""
        if self._counts is None:
            self._counts = count_rows(self.conn, self.tables.values())
        return self._counts[table]

    def counters(self) -> Mapping[str, int]:
        """The id counters (``sqlite_sequence``, PostgreSQL sequences)."""
        if self._counters is None:
            self._counters = read_counters(self.conn, list(self.tables.values()))
        return self._counters

    def columns(self, table: str) -> list[str]:
        """The columns of ``table`` (computed ones too: a load skips what it does not write)."""
        return [c.name for c in self.tables[table].columns]

    def rows(
        self, table: str, columns: list[str], batch_size: int
    ) -> Iterator[list[dict[str, Any]]]:
        """Rows in primary-key order, JSON as its text, vectors as float32 bytes, in batches."""
        source = self.tables[table]
        missing = [c for c in columns if c not in source.c]
        if missing:
            raise InvalidInput(f"{self.description}: table {table} has no column {missing[0]}")
        selected = [
            sa.cast(source.c[c], sa.Text).label(c)
            if isinstance(source.c[c].type, sa.JSON)
            else source.c[c]
            for c in columns
        ]
        query = sa.select(*selected).order_by(*source.primary_key.columns)
        result = self.conn.execute(query, execution_options={"yield_per": batch_size})
        vectors = [c for c in columns if is_vector(source.c[c])]
        for part in result.mappings().partitions(batch_size):
            rows = [dict(row) for row in part]
            from_vectors(rows, vectors)
            yield rows


@contextmanager
def database_source(url: sa.URL, role: str = "source") -> Iterator[DatabaseSource]:
    """A :class:`DatabaseSource` over the database at ``url``, open for the block."""
    with source_connection(url, role) as conn:
        revision = read_revision(conn, url, role)
        yield DatabaseSource(conn, f"the {role} database {_shown(url)}", revision)


def _shown(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def copy_database(
    from_url: str,
    to_url: str,
    *,
    force: bool = False,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every Podium table of the database at ``from_url`` into the one at ``to_url``.

    The target is migrated to head first and must hold no rows unless ``force`` (then its
    contents are replaced). Rows go in batches, parents first, in one transaction; the id
    counters follow; the keyword indexes are rebuilt on the target from the copied rows. The
    source is only read, in one snapshot, so it may be in use meanwhile.

    Raises:
        InvalidInput: a URL is not a SQLite file or a psycopg PostgreSQL URL, or both name the
            same database, or ``batch_size`` is not positive.
        NotFound: a SQLite source file does not exist.
        StorageError: a database cannot be reached.
        ConfigurationError: the source has no Podium schema or another revision than head.
        Conflict: the target is not empty and ``force`` is not set.
    """
    source_url, target_url = check_url(from_url, "--from"), check_url(to_url, "--to")
    if same_database(source_url, target_url):
        raise InvalidInput("--from and --to name the same database")
    if batch_size < 1:
        raise InvalidInput("the batch size must be at least 1")
    with database_source(source_url) as source:
        target = open_target(target_url)
        try:
            report = load_rows(
                source,
                target,
                target_label=_shown(target_url),
                force=force,
                batch_size=batch_size,
                progress=progress,
            )
        finally:
            target.dispose()
    report.source = _shown(source_url)
    return report
