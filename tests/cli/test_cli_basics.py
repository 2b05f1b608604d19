"""The CLI's own surface as a user meets it: --version, --help, and warnings that matter."""

from __future__ import annotations

from pathlib import Path

from fixtures.cli import run_podium as _podium


def test_version_prints_and_takes_no_value() -> None:
    from podium import __version__

    ok = _podium("--version")
    assert ok.returncode == 0 and ok.stdout.strip() == __version__
    for extra in (("true",), ("kb", "list")):
        bad = _podium("--version", *extra)
        assert bad.returncode == 2, bad
        assert __version__ not in bad.stdout


def test_help_shows_flags_as_flags() -> None:
    for args in (("--help",), ("serve", "--help"), ("kb", "--help")):
        out = _podium(*args)
        assert out.returncode == 0, out.stderr
        assert "<bool>" not in out.stdout
        assert "--help" in out.stdout


def test_no_arguments_prints_help() -> None:
    out = _podium()
    shown = out.stdout + out.stderr
    assert "Usage:" in shown and "serve" in shown and "Commands:" in shown


def test_dev_idp_off_loopback_warns_about_the_published_passwords(tmp_path: Path) -> None:
    # --no-auth together with a missing agent module makes serve stop right after its checks.
    out = _podium(
        "serve", "--host", "0.0.0.0", "--dev-idp", "--agent", "no_such_module:app",
        "--port", "1", home=tmp_path,
    )  # fmt: skip
    assert "warning: --dev-idp on 0.0.0.0 exposes the dev issuer" in out.stderr


def _memory_with_records(home: Path, records: list[tuple[str, str]]) -> None:
    """A memory "cli" with one custom strategy, holding ``(namespace, text)`` records."""
    import podium

    with podium.open(home, start_worker=False) as p:
        mem = p.memory.create_memory(
            "cli",
            strategies=[{"type": "custom", "name": "u", "namespaces": ["/actors/{actorId}/"]}],
        )
        for n, (namespace, text) in enumerate(records):
            item = {
                "requestIdentifier": f"record-{n}",
                "namespaces": [namespace],
                "content": {"text": text},
            }
            assert (
                p.memory.batch_create_memory_records(mem.memory_id, [item])["failedRecords"] == []
            )


def test_memory_records_shows_only_the_actors_own_records(tmp_path: Path) -> None:
    import json

    home = tmp_path / "home"
    _memory_with_records(
        home, [("/actors/bob/", "bob likes chalk talks"), ("/actors/bob%2Fevil/", "evil likes IoT")]
    )
    out = _podium("memory", "records", "bob", "--memory", "cli", "--json", home=home)
    assert out.returncode == 0, out.stderr
    assert [r["content"]["text"] for r in json.loads(out.stdout)] == ["bob likes chalk talks"]


def test_memory_recall_prints_the_turn_with_its_neighbours(tmp_path: Path) -> None:
    import json

    import podium

    home = tmp_path / "home"
    with podium.open(home, start_worker=False) as p:
        mem = p.memory.create_memory("cli")
        for i, text in enumerate(
            ["Where did you hike?", "Up the [red] ridge trail, past the old quarry.", "Nice!"]
        ):
            p.memory.create_event(
                mem.memory_id, "bob", "s1",
                [{"conversational": {"role": "USER", "content": {"text": text}}}],
                event_timestamp=1_700_000_000 + i,
            )  # fmt: skip
    out = _podium("memory", "recall", "bob", "quarry", "--memory", "cli", "--json", home=home)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    quarry = next(h for h in hits if "quarry" in h["text"])
    assert [c["text"] for c in quarry["context"]] == ["USER: Where did you hike?", "USER: Nice!"]
    plain = _podium("memory", "recall", "bob", "quarry", "--memory", "cli", home=home)
    assert plain.returncode == 0, plain.stderr
    # Text is printed as written (no markup), the neighbours around it in order.
    assert "[red] ridge" in plain.stdout
    assert plain.stdout.index("Where did you hike?") < plain.stdout.index("quarry")
    # The turn found is marked; its neighbours are not.
    assert "> USER: Up the [red] ridge trail" in plain.stdout
    assert "  USER: Where did you hike?" in plain.stdout


def test_memory_records_prints_record_text_as_written(tmp_path: Path) -> None:
    # A record holds what a user said: brackets in it are text, not console markup (a stray
    # closing tag used to end the command with a traceback).
    home = tmp_path / "home"
    _memory_with_records(home, [("/actors/bob/", "bob typed [/dim] and [red]loud[/red] in chat")])
    out = _podium("memory", "records", "bob", "--memory", "cli", home=home)
    assert out.returncode == 0, out.stderr
    assert "bob typed [/dim] and [red]loud[/red] in chat" in out.stdout
    assert "Traceback" not in out.stderr


def test_memory_events_prints_what_was_said_as_written(tmp_path: Path) -> None:
    import podium

    home = tmp_path / "home"
    with podium.open(home, start_worker=False) as p:
        mem = p.memory.create_memory("cli", description="notes [/b] of [bold]bob[/bold]")
        p.memory.create_event(
            mem.memory_id, "bob", "s1",
            [{"conversational": {"role": "USER", "content": {"text": "see [/dim] and [x]"}}}],
        )  # fmt: skip
    out = _podium("memory", "events", "bob", "s1", "--memory", "cli", home=home)
    assert out.returncode == 0, out.stderr
    assert "see [/dim] and [x]" in out.stdout
    shown = _podium("memory", "show", "cli", home=home)
    assert shown.returncode == 0, shown.stderr
    assert "notes [/b] of [bold]bob[/bold]" in shown.stdout
