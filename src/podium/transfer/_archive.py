"""The Podium archive: a logical dump of a database as one zip file, JSON lines per table.

``manifest.json`` names the format, the schema revision, the id counters and, per table, its
columns, which of them are binary (base64 in the lines) and its row count; ``tables/NAME.jsonl``
holds one JSON object per row, in primary-key order, JSON columns as their JSON text. The
archive is what ``podium backup`` writes for PostgreSQL: it needs no ``pg_dump`` of the
server's version, and it restores into PostgreSQL or SQLite alike.
"""

from __future__ import annotations

import base64
import json
import time
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from podium import __version__
from podium.errors import InvalidInput

from ._copy import DatabaseSource
from ._tables import writable_columns
from ._values import is_vector

__all__ = ["FORMAT", "ArchiveSource", "is_archive", "write_archive"]

FORMAT = "podium-archive"
_VERSION = 1
_MANIFEST = "manifest.json"
_ZIP_MAGIC = b"PK\x03\x04"


def _member(table: str) -> str:
    return f"tables/{table}.jsonl"


def write_archive(source: DatabaseSource, out: Path, *, batch_size: int = 1000) -> dict[str, int]:
    """Write every table of ``source`` (one snapshot) to the archive ``out``; row counts."""
    tables: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for table in source.ordered_tables():
            columns = [c.name for c in writable_columns(table)]
            binary = [
                c.name
                for c in writable_columns(table)
                if isinstance(c.type, sa.LargeBinary) or is_vector(c)
            ]
            rows = 0
            with zf.open(_member(table.name), "w", force_zip64=True) as f:
                for batch in source.rows(table.name, columns, batch_size):
                    for row in batch:
                        for name in binary:
                            if row[name] is not None:
                                row[name] = base64.b64encode(bytes(row[name])).decode("ascii")
                        line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
                        f.write(line.encode("utf-8") + b"\n")
                    rows += len(batch)
            counts[table.name] = rows
            tables.append({"name": table.name, "rows": rows, "columns": columns, "binary": binary})
        manifest = {
            "format": FORMAT,
            "version": _VERSION,
            "podium_version": __version__,
            "revision": source.revision,
            "dialect": source.conn.dialect.name,
            "created_at": time.time(),
            "counters": dict(source.counters()),
            "tables": tables,
        }
        zf.writestr(_MANIFEST, json.dumps(manifest, indent=1))
    return counts


def is_archive(path: Path) -> bool:
    """Whether ``path`` starts like a zip file (a Podium archive, if its manifest says so)."""
    with path.open("rb") as f:
        return f.read(4) == _ZIP_MAGIC


class ArchiveSource:
    """The rows of a Podium archive, as a load reads them (a context manager)."""

    def __init__(self, path: Path) -> None:
        self.description = f"the archive {path}"
        try:
            self._zip = zipfile.ZipFile(path)
            manifest = json.loads(self._zip.read(_MANIFEST))
        except (zipfile.BadZipFile, KeyError, ValueError) as e:
            raise InvalidInput(f"{path} is not a Podium archive ({e})") from None
        if manifest.get("format") != FORMAT or manifest.get("version") != _VERSION:
            self._zip.close()
            raise InvalidInput(
                f"{path} is not a Podium archive of version {_VERSION} "
                f"(format {manifest.get('format')!r}, version {manifest.get('version')!r})"
            )
        self.revision = str(manifest["revision"])
        self._tables: dict[str, dict[str, Any]] = {t["name"]: t for t in manifest["tables"]}
        self._counters = {str(k): int(v) for k, v in manifest.get("counters", {}).items()}

    def __enter__(self) -> ArchiveSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._zip.close()

    def table_names(self) -> set[str]:
        """The tables in the archive."""
        return set(self._tables)

    def count(self, table: str) -> int:
        """Rows in ``table``, as the manifest says."""
        return int(self._tables[table]["rows"])

    def counters(self) -> Mapping[str, int]:
        """The id counters of the archived database."""
        return self._counters

    def columns(self, table: str) -> list[str]:
        """The columns archived for ``table``."""
        return list(self._tables[table]["columns"])

    def rows(
        self, table: str, columns: list[str], batch_size: int
    ) -> Iterator[list[dict[str, Any]]]:
        """The rows of ``table``, binary columns decoded, ``batch_size`` at a time."""
        meta = self._tables[table]
        missing = [c for c in columns if c not in meta["columns"]]
        if missing:
            raise InvalidInput(f"{self.description}: table {table} has no column {missing[0]}")
        binary = [c for c in meta["binary"] if c in columns]
        batch: list[dict[str, Any]] = []
        try:
            with self._zip.open(_member(table)) as f:
                for line in f:
                    row = json.loads(line)
                    for name in binary:
                        if row[name] is not None:
                            row[name] = base64.b64decode(row[name])
                    batch.append({c: row[c] for c in columns})
                    if len(batch) >= batch_size:
                        yield batch
                        batch = []
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as e:
            # A damaged member (CRC, truncated JSON): the load's transaction is rolled back.
            raise InvalidInput(f"{self.description} is damaged in table {table}: {e!r}") from None
        if batch:
            yield batch
