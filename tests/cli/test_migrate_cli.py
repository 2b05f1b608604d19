"""``podium migrate`` runs the migrations once; on PostgreSQL the other commands refuse to start
on a schema behind this Podium and start once it has run (issue 14)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from podium.storage import Database
from podium.storage._database import head_revision


def _env(url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    return {**env, "PODIUM_DATABASE_URL": url, "PODIUM_HOME": str(home), "COLUMNS": "200"}


def _podium(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podium.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _until_line(proc: subprocess.Popen[str], needle: str, timeout: float) -> bool:
    """Whether ``proc`` writes a stderr line containing ``needle`` within ``timeout`` seconds."""
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stderr is not None
    stderr = proc.stderr
    threading.Thread(target=lambda: [lines.put(line) for line in stderr], daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if needle in lines.get(timeout=0.5):
                return True
        except queue.Empty:
            if proc.poll() is not None:
                return False
    return False


def test_a_stale_postgresql_schema_is_refused_until_podium_migrate_runs(
    postgres_server: Any, tmp_path: Path
) -> None:
    url = postgres_server.create_database(migrated=False)
    env = _env(url, tmp_path / "home")
    try:
        needs = f"this Podium needs {head_revision()}: run `podium migrate`"
        # The gateway, an extraction worker and a one-shot command all refuse, in one line.
        for args in (("serve", "--no-auth", "--port", "1"), ("memory", "worker"), ("kb", "list")):
            refused = _podium(env, *args)
            assert refused.returncode == 1, (args, refused.stderr[-800:])
            assert "error: database schema is at none" in refused.stderr, args
            assert needs in refused.stderr, args
            assert "Traceback" not in refused.stderr, args
        assert _podium(env, "migrate", "--check").returncode == 1
        db = Database(url)
        assert db.schema_revision() is None  # none of them migrated

        # Three migrators at once (a retried Job, two operators): one migrates, all succeed.
        env_plain = {**env, "PODIUM_LOG_LEVEL": "WARNING"}
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "podium.cli", "migrate"],
                env=env_plain,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [err[-500:] for _, err in outputs]
        assert db.schema_revision() == head_revision()
        again = _podium(env, "migrate")
        assert again.returncode == 0 and f"schema already at {head_revision()}" in again.stdout
        check = _podium(env, "migrate", "--check")
        assert check.returncode == 0 and f"schema at {head_revision()}" in check.stdout
        db.dispose()

        # Now an extraction worker starts (and stops cleanly on SIGTERM).
        worker = subprocess.Popen(
            [sys.executable, "-m", "podium.cli", "memory", "worker"],
            env={**env, "PODIUM_LOG_LEVEL": "INFO"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert _until_line(worker, "extraction worker started", timeout=60)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=60) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    finally:
        postgres_server.drop_database(url)


def test_migrate_on_sqlite_creates_the_database_and_reports_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    env = {**env, "PODIUM_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    first = _podium(env, "migrate")
    assert first.returncode == 0, first.stderr
    assert f"migrated from an empty database to {head_revision()}" in first.stdout
    assert (tmp_path / "home" / "podium.db").exists()
    assert _podium(env, "migrate", "--check").returncode == 0
