"""The pieces of telemetry in one process: secrets masked, JSON lines, the span allow-list, off."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from podium.config import Settings
from podium.telemetry import JsonFormatter, RedactSecrets, bind_ids, redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {JWT}",
        f"token=<{JWT}>",
        "client_secret=s3cr3t-value-123",
        'headers={"authorization": "Basic YWxpY2U6czNjcjN0LXZhbHVl"}',
        "password: hunter2-hunter2",
        "raw jwt " + JWT,
    ],
)
def test_redact_masks_tokens_and_secret_pairs(text: str) -> None:
    masked = redact(text)
    assert "[REDACTED]" in masked
    for secret in (JWT, "s3cr3t-value-123", "YWxpY2U6czNjcjN0LXZhbHVl", "hunter2-hunter2"):
        assert secret not in masked


def test_redact_leaves_ordinary_lines_alone() -> None:
    line = "request_id=<r1> session_id=<s1> | invocation finished outcome=<200> max_tokens=<512>"
    assert redact(line) == line


def _record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError(f"bad token={JWT}")
        except ValueError:
            info = sys.exc_info()
    return logging.LogRecord("podium.test", logging.WARNING, __file__, 1, msg, args, info)


def test_json_lines_carry_the_ids_in_context_and_no_secret() -> None:
    record = _record("actor_id=<%s> | header %s", "alice", f"Bearer {JWT}", exc=True)
    assert RedactSecrets().filter(record)

    def formatted() -> dict[str, object]:
        bind_ids(session_id="s" * 40, actor_id="alice", request_id="r-1")
        return json.loads(JsonFormatter().format(record))

    import contextvars

    out = contextvars.copy_context().run(formatted)
    assert out["level"] == "WARNING" and out["logger"] == "podium.test"
    assert str(out["timestamp"]).endswith("Z")
    assert out["message"] == "actor_id=<alice> | header Bearer [REDACTED]"
    assert (out["session_id"], out["actor_id"], out["request_id"]) == ("s" * 40, "alice", "r-1")
    assert "ValueError" in str(out["exception"]) and JWT not in json.dumps(out)
    assert "trace_id" not in out  # tracing is off in this process


def test_settings_for_telemetry_cross_the_process_boundary() -> None:
    settings = Settings(
        otel_endpoint="http://127.0.0.1:4318", otel_service_name="svc", log_format="json"
    )
    env = settings.to_env()
    assert env["PODIUM_OTEL_ENDPOINT"] == "http://127.0.0.1:4318"
    assert Settings.from_env(env) == settings
    assert Settings().otel_endpoint is None  # off by default
    with pytest.raises(ValueError):
        Settings(log_format="yaml")


OFF = """
import sys
import podium.cli, podium.runtime, podium.web
from podium.config import Settings
from podium.telemetry import configure_tracing, span, start_span, trace_headers
assert configure_tracing(Settings(), "gateway") is False
start_span("podium.invocation").end(200)
with span("x"):
    assert trace_headers() == {}
print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
"""


def test_tracing_off_imports_nothing_of_opentelemetry() -> None:
    done = subprocess.run(
        [sys.executable, "-c", OFF], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_scrub_keeps_only_allowed_attributes_and_exception_types() -> None:
    pytest.importorskip("opentelemetry.sdk.trace")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from podium.telemetry._scrub import IdsProcessor, ScrubbingExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(IdsProcessor())
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingExporter(memory)))
    tracer = provider.get_tracer("t")

    def run() -> None:
        bind_ids(session_id="sess-1", actor_id="alice")
        with tracer.start_as_current_span("chat") as parent:
            parent.set_attribute("gen_ai.input.messages", "the user's secret question")
            parent.set_attribute("gen_ai.usage.input_tokens", 12)
            parent.add_event("gen_ai.user.message", {"content": "the user's secret question"})
            try:
                raise RuntimeError("the user's secret question")
            except RuntimeError as e:
                parent.record_exception(e)

    import contextvars

    contextvars.copy_context().run(run)
    (exported,) = memory.get_finished_spans()
    assert dict(exported.attributes or {}) == {
        "podium.session_id": "sess-1",
        "podium.actor_id": "alice",
        "gen_ai.usage.input_tokens": 12,
    }
    assert [(e.name, dict(e.attributes or {})) for e in exported.events] == [
        ("exception", {"exception.type": "RuntimeError"})
    ]
