"""``PODIUM_LOG_FORMAT=json`` on a real ``podium serve``: one JSON object per stderr line.

Tracing is off here (no trace ids), so this holds without any OpenTelemetry exporter installed;
the session and actor ids of the invocation being served are on its records, from both the
gateway and its session worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from fixtures.web import free_port as _free_port

APP = Path(__file__).parents[1] / "runtime" / "third_party_app.py"


def test_json_logs_are_one_object_per_line_with_the_invocation_ids(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")},
        "PODIUM_HOME": str(tmp_path / "home"),
        "PODIUM_LOG_FORMAT": "json",
        "PODIUM_LOG_LEVEL": "INFO",
    }
    session_id = f"json-logs-{uuid.uuid4().hex}"
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "podium.cli", "serve", "--agent", f"{APP}:app",
             "--port", str(port), "--no-auth"],
            stdout=subprocess.DEVNULL, stderr=stderr, env=env,
        )  # fmt: skip
        try:
            deadline = time.time() + 90
            while True:
                assert proc.poll() is None, stderr_path.read_text()
                try:
                    if httpx.get(f"{base}/ping", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    assert time.time() < deadline, "podium serve did not start"
                    time.sleep(0.2)
            reply = httpx.post(
                f"{base}/invocations",
                json={"prompt": "hello"},
                headers={
                    "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": session_id,
                    "X-Podium-Actor": "attendee-9",
                },
                timeout=60,
            )
            assert reply.status_code == 200, reply.text
        finally:
            proc.terminate()
            proc.wait(30)

    lines = [line for line in stderr_path.read_text(encoding="utf-8").splitlines() if line]
    records = [json.loads(line) for line in lines]  # each line is exactly one JSON object
    podium = [r for r in records if str(r.get("logger", "")).startswith(("podium", "uvicorn"))]
    assert podium
    for record in podium:
        assert {"timestamp", "level", "logger", "message", "pid"} <= record.keys(), record
        assert "trace_id" not in record  # tracing is off
    finished = [r for r in podium if "invocation finished" in r["message"]]
    assert [(r["session_id"], r["actor_id"]) for r in finished] == [(session_id, "attendee-9")]
    assert finished[0]["request_id"]
    pids = {r["pid"] for r in podium}
    assert len(pids) >= 2  # the gateway's records and its session worker's
