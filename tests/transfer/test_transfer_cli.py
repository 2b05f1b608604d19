"""``podium db copy``, ``podium backup`` and ``podium restore`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import typer

from fixtures.cli import run_podium as _podium
from podium.transfer import CopyReport, TableCount


def _failed(out: subprocess.CompletedProcess[str], message: str) -> None:
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "error: " in out.stderr and message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_copy_prints_the_counts_and_refuses_bad_input(
    source: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    src, _ = source
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    out = _podium("db", "copy", "--from", src, "--to", target)
    assert out.returncode == 0, out.stderr
    assert "chunks" in out.stdout and "MISMATCH" not in out.stdout
    assert "keyword index chunks: rebuilt" in out.stdout
    again = _podium("db", "copy", "--from", src, "--to", target, "--force", "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["ok"] and {t["name"] for t in report["tables"]} >= {"events", "access_keys"}

    _failed(_podium("db", "copy", "--from", src, "--to", target), "not empty")
    _failed(_podium("db", "copy", "--from", "mysql://h/db", "--to", target), "unsupported")
    _failed(_podium("db", "copy", "--from", src, "--to", src), "same database")
    _failed(
        _podium("db", "copy", "--from", src, "--to", "postgresql+psycopg://u:pw@127.0.0.1:1/x"),
        "cannot open the target database",
    )
    missing = f"sqlite:///{tmp_path / 'nope.db'}"
    _failed(_podium("db", "copy", "--from", missing, "--to", target), "no SQLite database")
    assert "pw" not in _podium("db", "copy", "--from", src, "--to",
                               "postgresql+psycopg://u:pw@127.0.0.1:1/x").stderr  # fmt: skip


def test_backup_and_restore_from_the_home(
    source: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    src, _ = source
    home = Path(src.removeprefix("sqlite:///")).parent
    backup = tmp_path / "b.db"
    out = _podium("backup", "--out", str(backup), home=home)
    assert out.returncode == 0, out.stderr
    assert "SQLite database" in out.stdout and backup.stat().st_mode & 0o077 == 0
    _failed(_podium("backup", "--out", str(backup), home=home), "exists")
    target = f"sqlite:///{tmp_path / 'r.db'}"
    restored = _podium("restore", str(backup), "--database", target, "--json")
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["ok"]
    _failed(_podium("restore", str(backup), "--database", target), "not empty")
    _failed(_podium("restore", str(tmp_path / "none.db"), "--database", target), "no backup")
    unreachable = "postgresql+psycopg://u:pw@127.0.0.1:1/x"
    _failed(
        _podium("backup", "--out", str(tmp_path / "x"), "--database", unreachable),
        "cannot open the source database",
    )
    _failed(_podium("restore", str(backup), "--database", unreachable), "cannot open the target")
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob(".x.*"))


def test_help_describes_the_commands() -> None:
    for args, words in (
        (("db", "copy", "--help"), ("--from", "--to", "--force", "--batch-size")),
        (("backup", "--help"), ("--out", "--database", "online backup", "archive")),
        (("restore", "--help"), ("--database", "--force")),
    ):
        out = _podium(*args)
        assert out.returncode == 0, out.stderr
        assert all(w in out.stdout for w in words), out.stdout


def test_a_count_mismatch_exits_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    from podium.cli._db import _print_report

    report = CopyReport(source="a", target="b", tables=[TableCount("events", 3, 2)])
    with pytest.raises(typer.Exit) as exit_:
        _print_report(report, None)
    assert exit_.value.exit_code == 1
    captured = capsys.readouterr()
    assert "MISMATCH" in captured.out and "row counts differ for events" in captured.err
