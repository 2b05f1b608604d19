"""Two Database objects on one SQLite file in one process, next to other processes, stay safe.

Opening and closing a descriptor of the database file drops every POSIX lock the process holds
on it. A second ``Database`` on the same file (the gateway's session owners next to the
assistant's services) must not do that, or another process ending its last connection deletes
the WAL under the first one, whose later writes are then lost to everyone else.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from podium.storage import Database

_WRITE_AND_LEAVE = (
    "import sys, sqlalchemy as sa; from podium.storage import Database; db = Database(sys.argv[1]); "
    "c = db.engine.connect(); c.exec_driver_sql('INSERT INTO notes VALUES (\\'child\\')'); "
    "c.commit(); c.close(); db.dispose()"
)
_READ = (
    "import sys; from podium.storage import Database; db = Database(sys.argv[1]); "
    "c = db.engine.connect(); "
    "print(','.join(r[0] for r in c.exec_driver_sql('SELECT v FROM notes ORDER BY v')))"
)


def test_a_second_database_on_the_same_file_keeps_the_first_ones_locks(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = Database(url)
    with first.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (v TEXT)")
    second = Database(url)  # must not touch the locks of the first one's connections
    subprocess.run([sys.executable, "-c", _WRITE_AND_LEAVE, url], check=True, timeout=60)
    # The child, ending the last connection it knew of, must not have deleted the WAL.
    assert (tmp_path / "shared.db-wal").exists()
    with first.begin() as conn:
        conn.execute(sa.text("INSERT INTO notes VALUES ('parent')"))
    seen = subprocess.run(
        [sys.executable, "-c", _READ, url], check=True, timeout=60, capture_output=True, text=True
    ).stdout.strip()
    first.dispose()
    second.dispose()
    assert seen == "child,parent"
