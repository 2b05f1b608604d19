"""Seeing a running Podium: traces (OpenTelemetry, off by default), JSON logs and their ids.

* :func:`configure_tracing` turns tracing on in a process when ``PODIUM_OTEL_ENDPOINT`` names an
  OTLP/HTTP collector; :func:`span`, :func:`start_span` and :func:`trace_headers` are no-ops
  while it is off, and nothing of OpenTelemetry is imported then.
* :func:`configure_logging` sets up text or JSON lines (``PODIUM_LOG_FORMAT``) with secrets
  masked; :func:`bind_ids` names the session, actor and request that records and spans carry.

It depends on :mod:`podium.config` only, so every layer may use it. See ``docs/observability.md``.
"""

from __future__ import annotations

from ._ids import bind_ids, current_ids
from ._logs import JsonFormatter, RedactSecrets, configure_logging, log_handler, redact
from ._tracing import (
    SpanHandle,
    configure_tracing,
    current_trace_ids,
    flush_tracing,
    prepare_tracing,
    span,
    start_span,
    trace_headers,
    tracing_enabled,
)

__all__ = [
    "JsonFormatter",
    "RedactSecrets",
    "SpanHandle",
    "bind_ids",
    "configure_logging",
    "configure_tracing",
    "current_ids",
    "current_trace_ids",
    "flush_tracing",
    "log_handler",
    "prepare_tracing",
    "redact",
    "span",
    "start_span",
    "trace_headers",
    "tracing_enabled",
]
