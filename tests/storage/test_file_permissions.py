"""Data at rest is private to its owner: PODIUM_HOME is 0700, the database files 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import podium
from podium.config import Settings
from podium.storage import Database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_home_is_created_private_and_an_open_one_is_tightened(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fresh = Settings(home=tmp_path / "fresh").ensure_home()
        existing = tmp_path / "existing"
        existing.mkdir(mode=0o755)
        Settings(home=existing).ensure_home()
    finally:
        os.umask(old)
    assert _mode(fresh) == 0o700
    assert _mode(existing) == 0o700


def test_database_and_its_wal_files_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with podium.open(tmp_path / "home", start_worker=False) as p:
            memory = p.memory.create_memory("Private")
            p.memory.create_event(
                memory.memory_id,
                "alice",
                "s1",
                [{"conversational": {"role": "USER", "content": {"text": "my secret"}}}],
            )
            files = sorted((tmp_path / "home").glob("podium.db*"))
            assert {f.name for f in files} >= {"podium.db", "podium.db-wal", "podium.db-shm"}
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert _mode(tmp_path / "home") == 0o700
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    Database(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600
