"""OpenTelemetry tracing: off unless ``PODIUM_OTEL_ENDPOINT`` names an OTLP/HTTP collector.

Off, every function here is a no-op that imports nothing from OpenTelemetry, so a process that
does not trace pays nothing. On, each process (the gateway, every session worker) has its own
tracer provider exporting in the background through :class:`ScrubbingExporter`, which keeps only
the attributes it knows to be free of message text, prompts and credentials. Spans cross
processes as W3C ``traceparent`` headers (:func:`trace_headers`, the ``parent`` arguments).

Strands' own spans (agent, event loop cycle, model call, tool call) go through the same global
provider, so they nest under the invocation span of the worker that runs them.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from podium.errors import ConfigurationError

if TYPE_CHECKING:
    from podium.config import Settings

logger = logging.getLogger(__name__)

__all__ = [
    "SpanHandle",
    "configure_tracing",
    "current_span_ids",
    "current_trace_ids",
    "flush_tracing",
    "prepare_tracing",
    "span",
    "start_span",
    "trace_headers",
    "tracing_enabled",
]

#: How long a process waits for its last spans to reach the collector when it exits.
_FLUSH_TIMEOUT_S = 3.0
#: Spans are sent in batches at least this often (the SDK's default is 5 s).
_EXPORT_DELAY_MS = 1000
#: One export request gives up after this long: a dead collector must not hold a process.
_EXPORT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class _State:
    pid: int
    provider: Any


_state: _State | None = None


def tracing_enabled() -> bool:
    """True once :func:`configure_tracing` turned tracing on in this process."""
    return _state is not None and _state.pid == os.getpid()


def _traces_url(endpoint: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else f"{endpoint}/v1/traces"


def prepare_tracing(settings: Settings) -> None:
    """Import the tracing SDK and exporter now if tracing is on (a fork server, before forking).

    Forked workers then share those pages and configure tracing without importing anything.
    """
    if settings.otel_endpoint:
        with contextlib.suppress(ImportError):
            import opentelemetry.exporter.otlp.proto.http.trace_exporter
            import opentelemetry.sdk.trace.export  # noqa: F401

            from . import _scrub  # noqa: F401


def configure_tracing(settings: Settings, role: str) -> bool:
    """Turn tracing on in this process if ``settings.otel_endpoint`` is set; True if it is on.

    ``role`` (``gateway``, ``worker``, ...) becomes the ``podium.process`` resource attribute.
    Idempotent within a process; a forked child configures its own.

    Raises:
        ConfigurationError: tracing is asked for but the OTLP exporter is not installed.
    """
    global _state
    if not settings.otel_endpoint:
        return False
    if tracing_enabled():
        return True
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as e:
        raise ConfigurationError(
            "PODIUM_OTEL_ENDPOINT is set but the OTLP exporter is not installed "
            f"(pip install 'podium[otel]'): {e}"
        ) from None
    from ._scrub import IdsProcessor, ScrubbingExporter

    resource = Resource.create(
        {
            "service.name": settings.otel_service_name,
            "podium.process": role,
            "process.pid": os.getpid(),
        }
    )
    exporter = OTLPSpanExporter(
        endpoint=_traces_url(settings.otel_endpoint), timeout=_EXPORT_TIMEOUT_S
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(IdsProcessor())
    provider.add_span_processor(
        BatchSpanProcessor(ScrubbingExporter(exporter), schedule_delay_millis=_EXPORT_DELAY_MS)
    )
    trace.set_tracer_provider(provider)
    _state = _State(pid=os.getpid(), provider=provider)
    logger.info("role=<%s>, endpoint=<%s> | tracing on", role, _traces_url(settings.otel_endpoint))
    return True


def flush_tracing(timeout_s: float = _FLUSH_TIMEOUT_S) -> None:
    """Send the spans still buffered (a process about to ``os._exit`` calls this)."""
    if tracing_enabled():
        assert _state is not None
        with contextlib.suppress(Exception):
            _state.provider.force_flush(int(timeout_s * 1000))


def _kind(kind: str) -> Any:
    from opentelemetry.trace import SpanKind

    return {"server": SpanKind.SERVER, "client": SpanKind.CLIENT}.get(kind, SpanKind.INTERNAL)


def _parent_context(parent: Mapping[str, str] | None) -> Any:
    if not parent:
        return None
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier = {str(k).lower(): str(v) for k, v in parent.items()}
    return TraceContextTextMapPropagator().extract(carrier)


def _tracer() -> Any:
    from opentelemetry import trace

    return trace.get_tracer("podium")


_OFF = contextlib.nullcontext()


def span(
    name: str,
    *,
    kind: str = "internal",
    parent: Mapping[str, str] | None = None,
    attributes: Mapping[str, str | int] | None = None,
) -> contextlib.AbstractContextManager[Any]:
    """A span around a ``with`` block, current inside it; a no-op while tracing is off.

    ``parent``: headers carrying a W3C ``traceparent`` from another process (default: the
    current span). ``kind``: ``server``, ``client`` or ``internal``. Attributes must never hold
    message text (the exporter drops unknown keys anyway).
    """
    if not tracing_enabled():
        return _OFF  # reusable and reentrant: the off path allocates nothing
    return _tracer().start_as_current_span(  # type: ignore[no-any-return]
        name, context=_parent_context(parent), kind=_kind(kind), attributes=dict(attributes or {})
    )


class SpanHandle:
    """A span started in one place and ended in another (an invocation and its relay)."""

    def __init__(self, span: Any = None) -> None:
        self._span = span

    def end(self, outcome: str | int) -> None:
        """End the span with ``outcome`` (an HTTP status, or a word); idempotent."""
        found, self._span = self._span, None
        if found is None:
            return
        from opentelemetry.trace import Status, StatusCode

        text = str(outcome)
        if text.isdigit():
            found.set_attribute("http.response.status_code", int(text))
        found.set_attribute("podium.outcome", text)
        if not (text.isdigit() and int(text) < 500):
            found.set_status(Status(StatusCode.ERROR))
        found.end()


def start_span(
    name: str,
    *,
    kind: str = "server",
    parent: Mapping[str, str] | None = None,
    attributes: Mapping[str, str | int] | None = None,
) -> SpanHandle:
    """Start a span and make it current in this context until the context ends.

    For a span that outlives the block that starts it; :meth:`SpanHandle.end` ends it. A no-op
    handle while tracing is off.
    """
    if not tracing_enabled():
        return SpanHandle()
    from opentelemetry import context, trace

    started = _tracer().start_span(
        name, context=_parent_context(parent), kind=_kind(kind), attributes=dict(attributes or {})
    )
    # Not detached: the context is the invocation's own task, which ends with it.
    context.attach(trace.set_span_in_context(started))
    return SpanHandle(started)


def trace_headers() -> dict[str, str]:
    """The current span as W3C ``traceparent`` (and ``tracestate``) headers; {} while off."""
    if not tracing_enabled():
        return {}
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier


def current_trace_ids() -> tuple[str, str] | None:
    """``(trace_id, span_id)`` of the current span in hex, or None (no span, tracing off)."""
    if not tracing_enabled():
        return None
    from opentelemetry import trace

    found = trace.get_current_span().get_span_context()
    if not found.is_valid:
        return None
    return format(found.trace_id, "032x"), format(found.span_id, "016x")


def current_span_ids() -> dict[str, str]:
    """The ``podium.*`` ids (session, actor, request) on the current span; {} while off.

    For a thread that was handed the trace context but not Podium's context variables.
    """
    if not tracing_enabled():
        return {}
    from opentelemetry import trace

    attributes = getattr(trace.get_current_span(), "attributes", None) or {}
    out = {}
    for key in ("session_id", "actor_id", "request_id"):
        value = attributes.get(f"podium.{key}")
        if isinstance(value, str):
            out[key] = value
    return out
