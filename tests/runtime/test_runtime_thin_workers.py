"""Thin session workers: the event assistant's workers use the gateway's services over its socket.

A worker forked under the gateway answers a recommendation turn and writes its events while it
holds no database file, no SQLAlchemy engine, no embedder and no KB snapshot; the socket refuses
a call for another actor and any process that is not one of the gateway's session workers; once
the gateway is gone, calls fail at once with ServiceUnavailable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.assistant import write_catalog
from fixtures.runtime import Gateway, new_session_id, process_gone, start_gateway, wait_until
from podium._podium import open_settings
from podium.agents import ServiceClient, ServiceUnavailable
from podium.apps.event_assistant import MEMORY_NAME
from podium.errors import Unauthorized

PROBE_APP = "rt_thin_probe_app:app"
ACTOR = "X-Podium-Actor"
EMBEDDER = "podium/test-hash-64"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("thin-catalog") / "sessions.jsonl"
    write_catalog(path)
    return path


@pytest.fixture(scope="module")
def thin(tmp_path_factory: pytest.TempPathFactory, catalog: Path) -> Iterator[Gateway]:
    gateway = start_gateway(
        tmp_path_factory.mktemp("thin-home"),
        PROBE_APP,
        embedding_model=EMBEDDER,
        catalog_path=catalog,
    )
    yield gateway
    gateway.stop()


def _socket_path(gateway: Gateway) -> str:
    env = gateway.runtime.manager.backend.zygote.env  # type: ignore[attr-defined]
    return str(env["PODIUM_SERVICE_SOCKET"])


def _invoke(gateway: Gateway, payload: dict[str, Any], session: str, actor: str) -> Any:
    response = gateway.invoke({**payload, "stream": False}, session, headers={ACTOR: actor})
    assert response.status_code == 200, response.text
    return response.json()


def _open_fds(pid: int) -> list[str]:
    fds = Path(f"/proc/{pid}/fd")
    out = []
    for fd in fds.iterdir():
        try:
            out.append(os.readlink(fd))
        except OSError:
            continue
    return out


def test_thin_worker_answers_a_recommendation_turn_and_writes_events(thin: Gateway) -> None:
    session = new_session_id("thin")
    answer = _invoke(thin, {"prompt": "Recommend hands-on security workshops"}, session, "alice")
    assert answer["sessions"], answer
    assert any("security" in card["topics"] for card in answer["sessions"])
    assert all(card["code"] for card in answer["sessions"])

    state = _invoke(thin, {"probe": "state"}, session, "alice")
    pid = thin.worker_pid(session)
    assert state["pid"] == pid != os.getpid()
    assert state["service_socket"] == _socket_path(thin)
    assert state["engines"] == 0
    assert state["embedders"] == 0
    assert state["inference_sessions"] == 0
    assert state["snapshots"] == 0
    assert not [target for target in _open_fds(pid) if "podium.db" in target]

    podium = open_settings(thin.settings.replace(embedding_model=EMBEDDER), start_worker=False)
    try:
        memory_id = next(
            m.memory_id for m in podium.memory.list_memories() if m.name == MEMORY_NAME
        )
        events, _ = podium.memory.list_events(memory_id, "alice", session)
    finally:
        podium.close()
    roles = [e.payload[0]["conversational"]["role"] for e in events]
    assert roles[0] == "USER" and "ASSISTANT" in roles
    assert (
        "hands-on security workshops" in events[0].payload[0]["conversational"]["content"]["text"]
    )


def test_a_call_for_another_actor_is_refused(thin: Gateway) -> None:
    session = new_session_id("thin-actor")
    memory_id = _invoke(thin, {"probe": "call", "method": "assistant.describe"}, session, "alice")[
        "result"
    ]["memory_id"]
    params = {"memory_id": memory_id, "session_id": session, "k": 5}
    own = _invoke(
        thin,
        {
            "probe": "call",
            "method": "memory.get_last_k_turns",
            "params": {**params, "actor_id": "alice"},
        },
        session,
        "alice",
    )
    assert own == {"result": []}
    other = _invoke(
        thin,
        {
            "probe": "call",
            "method": "memory.get_last_k_turns",
            "params": {**params, "actor_id": "bob"},
        },
        session,
        "alice",
    )
    assert other["error"] == "AccessDeniedException"
    assert "this session's actor" in other["message"]
    missing = _invoke(
        thin,
        {"probe": "call", "method": "memory.create_event", "params": params},
        session,
        "alice",
    )
    assert missing["error"] == "AccessDeniedException"
    unknown = _invoke(
        thin,
        {"probe": "call", "method": "memory.delete_memory", "params": {"memory_id": memory_id}},
        session,
        "alice",
    )
    assert unknown["error"] == "ValidationException"
    assert "unknown service method" in unknown["message"]


FAKE_WORKER = """
import json, sys
from podium.agents import ServiceClient
from podium.errors import PodiumError
try:
    print(json.dumps({"result": ServiceClient(sys.argv[1]).call(
        "memory.get_last_k_turns", memory_id="x", actor_id="alice", session_id="s" * 40, k=1)}))
except PodiumError as e:
    print(json.dumps({"error": e.code, "message": e.message}))
"""


def test_a_process_that_is_not_a_session_worker_is_refused(thin: Gateway) -> None:
    _invoke(thin, {"probe": "state"}, new_session_id("thin-up"), "alice")  # the socket is up
    done = subprocess.run(
        [sys.executable, "-c", FAKE_WORKER, _socket_path(thin)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=True,
    )
    answer = json.loads(done.stdout)
    assert answer["error"] == Unauthorized.code
    assert "not a session worker of this gateway" in answer["message"]
    socket_dir = Path(_socket_path(thin)).parent
    assert socket_dir.stat().st_mode & 0o777 == 0o700
    assert Path(_socket_path(thin)).stat().st_mode & 0o777 == 0o600


def test_calls_fail_cleanly_once_the_gateway_is_gone(
    tmp_path_factory: pytest.TempPathFactory, catalog: Path
) -> None:
    home = tmp_path_factory.mktemp("thin-restart")
    settings: dict[str, Any] = {"embedding_model": EMBEDDER, "catalog_path": catalog}
    gateway = start_gateway(home, PROBE_APP, **settings)
    session = new_session_id("thin-restart")
    try:
        _invoke(gateway, {"probe": "state"}, session, "alice")
        pid, path = gateway.worker_pid(session), _socket_path(gateway)
    finally:
        gateway.stop()
    assert wait_until(lambda: process_gone(pid), 15)
    assert not Path(path).exists()
    with pytest.raises(ServiceUnavailable, match="unavailable"):
        ServiceClient(path, timeout_s=5).call("assistant.describe")
    # A new gateway on the same home serves a new socket; its workers work as before.
    again = start_gateway(home, PROBE_APP, **settings)
    try:
        assert _socket_path(again) != path
        answer = _invoke(again, {"prompt": "Find security workshops"}, session, "alice")
        assert answer["sessions"]
    finally:
        again.stop()


def test_in_process_isolation_opens_its_own_services(
    tmp_path_factory: pytest.TempPathFactory, catalog: Path
) -> None:
    gateway = start_gateway(
        tmp_path_factory.mktemp("thin-none"),
        PROBE_APP,
        isolation="none",
        embedding_model=EMBEDDER,
        catalog_path=catalog,
    )
    session = new_session_id("thin-none")
    try:
        assert _invoke(gateway, {"prompt": "Find security workshops"}, session, "alice")["sessions"]
        state = _invoke(gateway, {"probe": "state"}, session, "alice")
        assert state["service_socket"] is None
        # The same probe sees the services an in-process app opens for itself.
        assert state["engines"] >= 1 and state["embedders"] >= 1 and state["snapshots"] >= 1
    finally:
        gateway.stop()
