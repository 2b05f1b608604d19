"""Moving a Podium database between modes: copy (SQLite ⇄ PostgreSQL), backup and restore.

:func:`copy_database` copies every Podium table of one database into another, migrated to
head, counts checked; :func:`backup_database` writes a consistent backup while Podium runs (a
SQLite file through SQLite's online backup, a Podium archive for PostgreSQL), and
:func:`restore_database` loads either into a database. The keyword indexes are derived data:
they are rebuilt from the copied rows, never copied.
"""

from __future__ import annotations

from ._backup import BackupReport, backup_database, restore_database
from ._copy import copy_database
from ._keywords import KeywordRebuild
from ._load import CopyReport, TableCount

__all__ = [
    "BackupReport",
    "CopyReport",
    "KeywordRebuild",
    "TableCount",
    "backup_database",
    "copy_database",
    "restore_database",
]
