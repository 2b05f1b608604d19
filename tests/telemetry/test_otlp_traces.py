"""Traces and JSON logs of a real ``podium serve``: its spans reach a real OTLP/HTTP receiver.

The gateway runs the event assistant as a user runs it (a subprocess, thin session workers,
the dev issuer, a bearer token), with ``PODIUM_OTEL_ENDPOINT`` pointing at a receiver on
127.0.0.1 that decodes each ``ExportTraceServiceRequest``. One invocation is one trace, spanning
the gateway and the worker (and Strands' spans inside it); the session and actor ids are on the
spans; the prompt's text is nowhere in the exported bytes, and the token nowhere in the logs.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.assistant import write_catalog
from fixtures.web import free_port as _free_port
from fixtures.web import wait_ping as _wait_ping

trace_service = pytest.importorskip(
    "opentelemetry.proto.collector.trace.v1.trace_service_pb2",
    reason="opentelemetry-proto (the dev extras) is needed to decode OTLP",
)

SESSION = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"


@dataclass
class Receiver:
    """An OTLP/HTTP trace receiver: keeps every request body it was posted."""

    url: str
    bodies: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def spans(self) -> list[dict[str, Any]]:
        """Every span received, flattened with its resource's attributes."""
        out = []
        with self.lock:
            bodies = list(self.bodies)
        for body in bodies:
            request = trace_service.ExportTraceServiceRequest()
            request.ParseFromString(body)
            for resource_spans in request.resource_spans:
                resource = _attributes(resource_spans.resource.attributes)
                for scope_spans in resource_spans.scope_spans:
                    for s in scope_spans.spans:
                        out.append(
                            {
                                "name": s.name,
                                "trace_id": s.trace_id.hex(),
                                "span_id": s.span_id.hex(),
                                "parent": s.parent_span_id.hex(),
                                "attributes": _attributes(s.attributes),
                                "resource": resource,
                                "scope": scope_spans.scope.name,
                            }
                        )
        return out


def _attributes(pairs: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for kv in pairs:
        kind = kv.value.WhichOneof("value")
        found[kv.key] = getattr(kv.value, kind) if kind else None
    return found


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    store = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path == "/v1/traces":
                with store.lock:
                    store.bodies.append(body)
            reply = trace_service.ExportTraceServiceResponse().SerializeToString()
            self.send_response(200 if self.path == "/v1/traces" else 404)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    store.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield store
    server.shutdown()
    server.server_close()


def _json_lines(text: str) -> list[dict[str, Any]]:
    records = []
    for line in text.splitlines():
        if line.strip():
            records.append(json.loads(line))  # every line is one JSON object
    return records


@dataclass
class Served:
    """What one invocation of a traced ``podium serve`` left: its ids, secrets and stderr."""

    session_id: str
    marker: str
    token: str
    logs: str


def _serve_one_invocation(
    tmp_path: Path, receiver: Receiver, *, expect: set[str], isolation: str = "process"
) -> Served:
    """Run ``podium serve`` traced to ``receiver``, invoke it once, stop it, await ``expect``."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    catalog = tmp_path / "sessions.jsonl"
    write_catalog(catalog)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PODIUM_", "OTEL_"))},
        "PODIUM_HOME": str(tmp_path / "home"),
        "PODIUM_EMBEDDING_MODEL": "podium/test-hash-64",
        "PODIUM_CATALOG_PATH": str(catalog),
        "PODIUM_OTEL_ENDPOINT": receiver.url,
        "PODIUM_OTEL_SERVICE_NAME": "podium-test",
        "PODIUM_LOG_FORMAT": "json",
        "PODIUM_LOG_LEVEL": "DEBUG",
    }
    cmd = [sys.executable, "-m", "podium.cli"]
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [*cmd, "serve", "--port", str(port), "--dev-idp", "--isolation", isolation],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
        try:
            _wait_ping(base, proc)
            token = subprocess.run(
                [*cmd, "idp", "token", "--user", "alice", "--issuer", f"{base}/idp"],
                capture_output=True, text=True, check=True, timeout=120, env=env,
            ).stdout.strip()  # fmt: skip
            marker = f"zqxmarker{uuid.uuid4().hex}"
            session_id = f"otel-session-{uuid.uuid4().hex}"
            reply = httpx.post(
                f"{base}/invocations",
                json={"prompt": f"Recommend hands-on security workshops {marker}", "stream": False},
                headers={"Authorization": f"Bearer {token}", SESSION: session_id},
                timeout=120,
            )
            assert reply.status_code == 200, reply.text
            # A stop ends the embedded extraction worker after its current job, so wait until
            # it has run one of this session's (their spans are asserted on).
            _wait_for_a_finished_job(tmp_path / "home" / "podium.db", session_id)
        finally:
            proc.terminate()  # a clean stop flushes the gateway's and the worker's last spans
            proc.wait(30)
    deadline = time.time() + 20
    while not expect <= {s["name"] for s in receiver.spans()} and time.time() < deadline:
        time.sleep(0.2)
    return Served(session_id, marker, token, stderr_path.read_text(encoding="utf-8"))


def _wait_for_a_finished_job(db: Path, session_id: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with sqlite3.connect(db, timeout=10) as conn:
            (done,) = conn.execute(
                "SELECT count(*) FROM extraction_jobs WHERE session_id = ? AND status = 'COMPLETED'",
                (session_id,),
            ).fetchone()
        if done:
            return
        time.sleep(0.2)
    raise AssertionError(f"no extraction job of {session_id} finished in {timeout_s} s")


def _assert_nothing_secret_exported(receiver: Receiver, served: Served) -> None:
    exported = b"".join(receiver.bodies)
    assert exported
    assert served.marker.encode() not in exported
    assert b"security workshops" not in exported
    assert served.token.encode() not in exported


def test_one_invocation_is_one_trace_across_gateway_and_worker(
    tmp_path: Path, receiver: Receiver
) -> None:
    served = _serve_one_invocation(
        tmp_path, receiver, expect={"podium.invocation", "podium.worker.invocation"}
    )
    session_id, token = served.session_id, served.token
    spans = receiver.spans()
    gateway_roots = [s for s in spans if s["name"] == "podium.invocation"]
    assert len(gateway_roots) == 1, [s["name"] for s in spans]
    root = gateway_roots[0]
    actor = root["attributes"]["podium.actor_id"]
    assert root["attributes"]["podium.session_id"] == session_id
    assert actor and root["attributes"]["http.response.status_code"] == 200
    assert root["parent"] == ""  # the trace starts at the gateway

    trace = [s for s in spans if s["trace_id"] == root["trace_id"]]
    # Every span of this session is in that one trace.
    # (Extraction jobs run later, each its own trace: see below.)
    ours = [
        s
        for s in spans
        if s["attributes"].get("podium.session_id") == session_id
        and s["name"] != "podium.extraction.job"
    ]
    assert {s["trace_id"] for s in ours} == {root["trace_id"]}
    assert {s["resource"]["podium.process"] for s in trace} == {"gateway", "worker"}
    assert {s["resource"]["service.name"] for s in trace} == {"podium-test"}
    names = {s["name"] for s in trace}
    assert "podium.worker.invocation" in names
    assert any(n.startswith("podium.service.call ") for n in names), names  # worker side
    assert any(n.startswith("podium.service ") for n in names), names  # gateway side
    strands = [s for s in trace if s["scope"].startswith("strands")]
    assert strands, names  # the agent's own spans (agent, cycle, model call) nest here too
    assert any(s["attributes"].get("gen_ai.operation.name") == "chat" for s in strands), names
    by_id = {s["span_id"]: s for s in trace}
    worker_root = next(s for s in trace if s["name"] == "podium.worker.invocation")
    assert worker_root["parent"] == root["span_id"]
    for s in trace:
        assert s is root or s["parent"] in by_id, s["name"]  # one tree, nothing orphaned
        if s["resource"]["podium.process"] == "worker":
            assert s["attributes"].get("podium.session_id") == session_id, s["name"]
            assert s["attributes"].get("podium.actor_id") == actor, s["name"]

    # The gateway's embedded extraction worker traces each job with its session and actor.
    jobs = [s for s in spans if s["name"] == "podium.extraction.job"]
    assert any(s["attributes"].get("podium.session_id") == session_id for s in jobs), names
    assert all(s["attributes"].get("podium.actor_id") == actor for s in jobs)
    _assert_nothing_secret_exported(receiver, served)

    logs = served.logs
    assert token not in logs
    assert token.split(".")[2] not in logs  # not even the signature
    records = _json_lines(logs)
    assert records
    for record in records:
        # The app's own loggers (bedrock_agentcore) write their JSON; Podium's have these keys.
        if record.get("logger", "").startswith("podium"):
            assert {"timestamp", "level", "logger", "message"} <= record.keys(), record
    finished = [r for r in records if r.get("message", "").startswith("request_id=")]
    finished = [r for r in finished if "invocation finished" in r["message"]]
    assert finished, "no 'invocation finished' record"
    assert finished[-1]["session_id"] == session_id
    assert finished[-1]["actor_id"] == actor
    assert finished[-1]["trace_id"] == root["trace_id"]


def test_without_isolation_the_agent_spans_nest_under_the_gateway_invocation(
    tmp_path: Path, receiver: Receiver
) -> None:
    served = _serve_one_invocation(
        tmp_path, receiver, expect={"podium.invocation", "chat"}, isolation="none"
    )
    spans = receiver.spans()
    (root,) = [s for s in spans if s["name"] == "podium.invocation"]
    trace = [s for s in spans if s["trace_id"] == root["trace_id"]]
    assert {s["resource"]["podium.process"] for s in trace} == {"gateway"}
    by_id = {s["span_id"]: s for s in trace}
    strands = [s for s in trace if s["scope"].startswith("strands")]
    assert any(s["attributes"].get("gen_ai.operation.name") == "chat" for s in strands)
    for s in strands:
        assert s["parent"] in by_id, s["name"]
        assert s["attributes"].get("podium.session_id") == served.session_id, s["name"]
    _assert_nothing_secret_exported(receiver, served)
