"""Settings: resolution order and the one serialisation handed to child processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from podium.config import Settings, install_settings, process_settings


def test_to_env_round_trips_every_kind_of_value(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path / "h",
        port=1234,
        auth_allowed_clients=["a", "b"],
        auth_custom_claims={"tenant": "x", "n": 1},
        embedded_worker=False,
        session_idle_timeout_s=12.5,
    )
    env = settings.to_env()
    assert env["PODIUM_PORT"] == "1234"
    assert env["PODIUM_EMBEDDED_WORKER"] == "false"
    assert "PODIUM_DATABASE_URL" not in env  # unset: the child derives it from its home
    assert Settings.from_env(env) == settings


def test_from_env_reads_only_the_given_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODIUM_PORT", "9999")
    assert Settings().port == 9999  # the process environment...
    assert Settings.from_env({}).port == 8080  # ...does not leak into another mapping
    assert Settings.from_env({"PODIUM_PORT": "7000", "HOME": "/x"}).port == 7000


def test_a_child_process_sees_exactly_the_serialised_settings(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "child-home", model="offline", port=4321)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    code = "from podium.config import process_settings as p; s = p(); print(s.home, s.port)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, **settings.to_env()},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    assert out == [str(tmp_path / "child-home"), "4321"]


def test_installed_settings_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODIUM_PORT", "9999")
    install_settings(Settings(port=1111))
    assert process_settings().port == 1111
    install_settings(None)
    assert process_settings().port == 9999


def test_replace_moves_the_default_database_with_the_home(tmp_path: Path) -> None:
    moved = Settings(home=tmp_path / "a").replace(home=tmp_path / "b")
    assert moved.resolved_database_url == f"sqlite:///{tmp_path / 'b' / 'podium.db'}"
    with pytest.raises(ValueError):
        Settings().replace(port=0)
