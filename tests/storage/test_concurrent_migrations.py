"""Processes and threads migrating one fresh database at once all succeed (no "locked")."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import sqlalchemy as sa

from podium.storage import Database

_MIGRATE = "import sys; from podium.storage import Database; Database(sys.argv[1]).migrate()"


def test_concurrent_migrations_of_a_fresh_database_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    procs = [
        subprocess.Popen([sys.executable, "-c", _MIGRATE, url], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            Database(url).migrate()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    failed = [p.communicate(timeout=60)[1].decode()[-500:] for p in procs]
    assert errors == []
    assert [p.returncode for p in procs] == [0, 0, 0], failed
    db = Database(url)
    with db.connect() as conn:
        assert "runtime_sessions" in sa.inspect(conn).get_table_names()
    db.dispose()
