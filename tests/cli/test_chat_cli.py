"""``podium ask`` and ``podium chat`` as a user runs them: real subprocesses, the offline model.

One small catalog (8 sessions, the format of ``data/catalog/sessions.jsonl``) and one data
directory are shared by the module, so the knowledge base is built once.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import pytest

from podium.cli._chat import _Printer, format_tool_call, new_session_id

CLI = [sys.executable, "-m", "podium.cli"]
TIMEOUT_S = 240


def _session(
    code: str, title: str, type_: str, topics: list[str], day: str, start: str, room: str
) -> dict[str, Any]:
    date = {"Monday": "2026-12-07", "Tuesday": "2026-12-08", "Wednesday": "2026-12-09"}
    date |= {"Thursday": "2026-12-10", "Friday": "2026-12-11"}
    hour = int(start[:2]) + (2 if type_ == "workshop" else 1)
    return {
        "code": code,
        "title": title,
        "abstract": f"{title}. A {type_} about {' and '.join(topics)} for practitioners, "
        "with a runbook attendees can take home.",
        "type": type_,
        "level": 200,
        "topics": topics,
        "day": day,
        "date": date[day],
        "start": start,
        "end": f"{hour:02d}{start[2:]}",
        "venue": "Harborline Convention Center",
        "room": room,
        "speakers": [{"name": "Ada Lin", "title": "Principal Engineer", "company": "Example"}],
        "tags": ["hands-on"] if type_ == "workshop" else ["talk"],
    }


# No title says "serverless": an answer mentions it only when it explains a personalisation.
CATALOG = [
    _session(
        "SEC201",
        "Workshop: locking down IAM for agent tools",
        "workshop",
        ["security"],
        "Monday",
        "09:00",
        "Room 201",
    ),
    _session(
        "SEC302",
        "Hands-on: supply-chain security for container images",
        "workshop",
        ["security", "containers"],
        "Monday",
        "13:30",
        "Room 207",
    ),
    _session(
        "SEC110",
        "Security basics for generative AI applications",
        "breakout",
        ["security", "generative AI"],
        "Monday",
        "11:00",
        "Hall A",
    ),
    _session(
        "SEC220",
        "Workshop: incident response drills in the cloud",
        "workshop",
        ["security"],
        "Tuesday",
        "10:00",
        "Room 105",
    ),
    _session(
        "SVL210",
        "Workshop: event-driven functions without servers to manage",
        "workshop",
        ["serverless"],
        "Monday",
        "15:00",
        "Room 310",
    ),
    _session(
        "SVL305",
        "Tracing event-driven workflows end to end",
        "breakout",
        ["serverless", "observability"],
        "Wednesday",
        "10:00",
        "Hall B",
    ),
    _session(
        "DAT201",
        "Choosing a database for write-heavy workloads",
        "breakout",
        ["databases"],
        "Tuesday",
        "14:00",
        "Room 202",
    ),
    _session(
        "OBS220",
        "Chalk talk: alerting that people do not ignore",
        "chalk talk",
        ["observability"],
        "Thursday",
        "16:00",
        "Room 108",
    ),
]
CODES = {s["code"] for s in CATALOG}
MONDAY_SECURITY_WORKSHOPS = {"SEC201", "SEC302"}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for the CLI: the small catalog, the offline model, a shared data directory."""
    root = tmp_path_factory.mktemp("chat-cli")
    catalog = root / "sessions.jsonl"
    catalog.write_text("".join(json.dumps(s) + "\n" for s in CATALOG), encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    environment |= {
        "PODIUM_CATALOG_PATH": str(catalog),
        "PODIUM_HOME": str(root / "home"),
        "PODIUM_MODEL": "offline",
        "PYTHONIOENCODING": "utf-8",
    }
    return environment


def _podium(
    env: dict[str, str], args: Sequence[str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--home", env["PODIUM_HOME"], *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_S,
        check=False,
    )


def _ask_json(env: dict[str, str], question: str, *extra: str) -> dict[str, Any]:
    proc = _podium(env, ["ask", question, "--json", *extra])
    assert proc.returncode == 0, proc.stderr
    # Exactly one JSON document on stdout; progress and logs went to stderr.
    assert proc.stdout.strip().count("\n") == 0, proc.stdout
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


# --------------------------------------------------------------------------- podium ask


def test_ask_json_searches_with_filters_and_cites_catalog_sessions(env: dict[str, str]) -> None:
    data = _ask_json(env, "Which workshops on security are there on Monday?", "--actor", "amy")

    assert set(data) >= {"text", "tool_calls", "sessions", "cited", "model", "session_id"}
    assert data["actor_id"] == "amy"
    assert len(data["session_id"]) >= 33
    assert data["model"]["offline"] is True

    searches = [c["input"] for c in data["tool_calls"] if c["name"] == "search_sessions"]
    assert searches, data["tool_calls"]
    assert searches[0]["day"] == "Monday"
    assert searches[0]["session_type"] == "workshop"
    assert searches[0]["topic"] == "security"

    assert data["cited"], data["text"]
    assert set(data["cited"]) <= MONDAY_SECURITY_WORKSHOPS
    for code in data["cited"]:
        assert f"[{code}]" in data["text"]
    assert {card["code"] for card in data["sessions"]} <= MONDAY_SECURITY_WORKSHOPS
    assert all(card["day"] == "Monday" and card["type"] == "workshop" for card in data["sessions"])


def test_ask_in_a_new_session_is_personalised_by_an_earlier_introduction(
    env: dict[str, str],
) -> None:
    intro = _ask_json(
        env,
        "Hi, I'm Erin. I'm interested in serverless.",
        "--actor",
        "erin",
        "--session",
        "erin-" + "1" * 32,
    )
    assert intro["session_id"] == "erin-" + "1" * 32

    # A new process and a new session: only long-term memory carries the interest over.
    later = _ask_json(env, "What do you recommend for me?", "--actor", "erin")
    assert later["session_id"] != intro["session_id"]
    assert "serverless" in later["text"].lower(), later["text"]
    assert later["sessions"], later
    assert "serverless" in later["sessions"][0]["topics"]
    assert {card["code"] for card in later["sessions"]} <= CODES


@pytest.mark.parametrize("command", [["ask", "hello"], ["chat"]])
def test_bad_model_spec_fails_at_start_up_with_one_line(
    env: dict[str, str], command: list[str]
) -> None:
    proc = _podium(env, [*command, "--model", "nope:x"], stdin="hello\n")
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:") and "PODIUM_MODEL" in lines[0]
    assert "Traceback" not in proc.stderr


def test_unreachable_provider_fails_at_start_up_naming_the_setting(env: dict[str, str]) -> None:
    environment = env | {"PODIUM_OLLAMA_HOST": "http://127.0.0.1:9"}
    proc = _podium(environment, ["ask", "hello", "--model", "ollama:llama3.2"])
    assert proc.returncode == 1
    assert "PODIUM_OLLAMA_HOST" in proc.stderr and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- podium chat


def test_chat_repl_streams_answers_and_tool_calls_until_quit(env: dict[str, str]) -> None:
    script = "\n".join(
        [
            "Hi, I'm Dana. I'm interested in observability.",
            "",
            "Which workshops on security are there on Monday?",
            "/new",
            "/quit",
            "Which sessions are there on Tuesday?",
        ]
    )
    session = "dana-" + "2" * 32
    proc = _podium(env, ["chat", "--actor", "dana", "--session", session], stdin=script + "\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    lines = out.splitlines()

    assert lines[0].startswith("Podium event assistant") and "actor dana" in lines[0]
    assert lines[0].endswith(f"session {session}")

    assert "Dana" in out  # the introduction was answered
    tool_lines = [line for line in lines if line.startswith("→ ")]
    assert any(
        line.startswith("→ search_sessions(") and "day=Monday" in line and "topic=security" in line
        for line in tool_lines
    ), out
    assert any(code in out for code in MONDAY_SECURITY_WORKSHOPS)
    # The table of cited sessions: code, title, day and start, room.
    assert "Sessions" in [line.strip() for line in lines]
    rows = [line for line in lines if line[:6] in MONDAY_SECURITY_WORKSHOPS and "│" in line]
    assert rows and all("Monday" in row for row in rows), out

    new_lines = [line for line in lines if line.startswith("new session ")]
    assert len(new_lines) == 1 and session not in new_lines[0]
    assert new_lines[0].removeprefix("new session ").startswith("chat-")
    # Nothing after /quit ran.
    assert not any("day=Tuesday" in line for line in tool_lines)


# --------------------------------------------------------------------------- rendering


def test_printer_writes_each_text_delta_as_it_arrives() -> None:
    out = io.StringIO()
    printer = _Printer(out=out)
    printer.event({"type": "text", "data": "Looking"})
    assert out.getvalue() == "Looking"
    printer.event({"type": "text", "data": " now"})
    assert out.getvalue() == "Looking now"
    printer.newline()
    printer.newline()
    assert out.getvalue() == "Looking now\n"


def test_tool_call_and_session_id_formats() -> None:
    line = format_tool_call("search_sessions", {"query": "agent security", "day": "Monday", "k": 5})
    assert line == 'search_sessions(query="agent security", day=Monday, k=5)'
    assert format_tool_call("get_session", {"code": "SEC201"}) == "get_session(code=SEC201)"
    ids = {new_session_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(i.startswith("chat-") and len(i) >= 33 for i in ids)
