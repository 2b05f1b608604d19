"""``podium migrate``: run the database migrations once, for every process that shares it."""

from __future__ import annotations

from typing import Annotated

import typer

from . import _context
from ._output import console

__all__ = ["migrate"]


def migrate(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Change nothing: exit 0 if the schema is at this Podium's revision, else 1 "
            "with what to run (for init containers and scripts).",
        ),
    ] = False,
) -> None:
    """Bring the database schema (PODIUM_DATABASE_URL) to this Podium's revision.

    Run it once per release, before the gateways and workers start: on PostgreSQL they only
    check the revision and refuse to run on an older schema. Safe to run again, and from
    several places at once (one migrates, the others find the schema at head).
    """
    from podium.storage import Database, display_url

    settings = _context.settings()
    if settings.database_url is None:
        settings.ensure_home()  # the default SQLite file lives in a private home
    db = Database.from_settings(settings)
    where = display_url(db.url)
    try:
        if check:
            db.check_schema()
            console.print(
                f"{where}: schema at {db.schema_revision()}", markup=False, soft_wrap=True
            )
            return
        before = db.schema_revision()
        db.migrate()
        after = db.schema_revision()
    finally:
        db.dispose()
    if before == after:
        console.print(f"{where}: schema already at {after}", markup=False, soft_wrap=True)
    else:
        console.print(
            f"{where}: migrated from {before or 'an empty database'} to {after}",
            markup=False,
            soft_wrap=True,
        )
