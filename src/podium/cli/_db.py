"""``podium db copy``, ``podium backup`` and ``podium restore``: moving data between modes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from . import _context
from ._output import command_group, console, err_console, print_json

if TYPE_CHECKING:
    from podium.transfer import CopyReport

__all__ = ["backup", "db_app", "restore"]

db_app = command_group(
    "Move a Podium database between modes: copy SQLite ⇄ PostgreSQL (see also "
    "`podium backup` and `podium restore`)."
)
JsonOpt = Annotated[bool | None, typer.Option("--json", help="Print JSON.")]
BatchOpt = Annotated[
    int, typer.Option(min=1, help="Rows per insert batch (memory use grows with it).")
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL (default: PODIUM_DATABASE_URL, else the SQLite file in --home).",
    ),
]


def _print_report(report: CopyReport, as_json: bool | None) -> None:
    """The counts table (or JSON); a non-zero exit when a table's counts differ."""
    if as_json:
        print_json(report.as_json())
    else:
        table = Table("table", "source rows", "target rows", "check")
        for t in report.tables:
            table.add_row(t.name, str(t.source), str(t.target), "ok" if t.ok else "MISMATCH")
        console.print(table)
        for k in report.keyword_indexes:
            if k.skipped:
                err_console.print(
                    f"warning: keyword index {k.name} not rebuilt: {k.skipped}", markup=False
                )
            else:
                console.print(f"keyword index {k.name}: rebuilt, {k.rows} rows", markup=False)
    if not report.ok:
        err_console.print(
            f"error: row counts differ for {', '.join(report.mismatched)}", markup=False
        )
        raise typer.Exit(1)


def _progress(done: int, total: int, name: str) -> None:
    err_console.print(f"[{done}/{total}] {name}", markup=False, highlight=False)


@db_app.command("copy")
def copy(
    from_url: Annotated[
        str,
        typer.Option("--from", help="Source database URL (sqlite:///… or postgresql+psycopg://…)."),
    ],
    to_url: Annotated[
        str, typer.Option("--to", help="Target database URL; migrated to head first.")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace everything in a target that holds rows.")
    ] = False,
    batch_size: BatchOpt = 1000,
    as_json: JsonOpt = None,
) -> None:
    """Copy every Podium table of one database into another, then check the row counts.

    The source is only read (one snapshot; it may stay in use). The target is migrated to
    head and must be empty unless --force; the rows, id counters and rebuilt keyword indexes
    are written in one transaction, so a failed copy leaves the target as it was. Exits 1 when
    a table's counts differ.
    """
    from podium.transfer import copy_database

    report = copy_database(
        from_url,
        to_url,
        force=force,
        batch_size=batch_size,
        progress=None if as_json else _progress,
    )
    _print_report(report, as_json)


def _database(url: str | None) -> str:
    return url or _context.settings().resolved_database_url


def backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (mode 0600).")],
    database: DatabaseOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    batch_size: BatchOpt = 1000,
    as_json: JsonOpt = None,
) -> None:
    """Back the database up while Podium runs: a SQLite file, or a Podium archive for PostgreSQL.

    SQLite uses SQLite's online backup (one consistent copy while writers go on); PostgreSQL
    is dumped in one snapshot to a zip of JSON lines per table, which `podium restore` loads
    into PostgreSQL or SQLite.
    """
    from podium.transfer import backup_database

    report = backup_database(_database(database), out, force=force, batch_size=batch_size)
    if as_json:
        print_json(report.as_json())
        return
    table = Table("table", "rows")
    for name, rows in sorted(report.tables.items()):
        table.add_row(name, str(rows))
    console.print(table)
    kind = "SQLite database" if report.format == "sqlite" else "Podium archive"
    console.print(
        f"backed up {report.source} to {report.path} ({kind}, {report.bytes:,} bytes)",
        markup=False,
    )


def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `podium backup`.")],
    database: DatabaseOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace everything in a database that holds rows.")
    ] = False,
    batch_size: BatchOpt = 1000,
    as_json: JsonOpt = None,
) -> None:
    """Restore a backup into the database (migrated to head), then check the row counts.

    Refuses a database that holds rows unless --force. Stop Podium's processes on that
    database first. Exits 1 when a table's counts differ.
    """
    from podium.transfer import restore_database

    report = restore_database(file, _database(database), force=force, batch_size=batch_size)
    _print_report(report, as_json)
