"""What leaves a process in its spans: an allow-list, so message text never does.

Strands records prompts, model answers and tool inputs and results on its spans (as attributes
or events); a Podium span may carry an error's message. The exporter keeps only the attributes
named here (ids, names, counts, statuses), an exception event's type, and no status description.
Imported only when tracing is on (it needs the OpenTelemetry SDK).
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Status

from ._ids import current_ids

__all__ = ["ALLOWED_ATTRIBUTES", "IdsProcessor", "ScrubbingExporter", "scrub"]

#: Span attributes that are exported; every other key is dropped.
ALLOWED_ATTRIBUTES = frozenset(
    {
        "podium.session_id",
        "podium.actor_id",
        "podium.request_id",
        "podium.outcome",
        "podium.service.method",
        "http.request.method",
        "http.response.status_code",
        "error.type",
        "gen_ai.operation.name",
        "gen_ai.system",
        "gen_ai.provider.name",
        "gen_ai.request.model",
        "gen_ai.response.model",
        "gen_ai.agent.name",
        "gen_ai.tool.name",
        "gen_ai.tool.call.id",
        "gen_ai.tool.status",
        "gen_ai.event.start_time",
        "gen_ai.event.end_time",
        "gen_ai.response.finish_reasons",
        "event_loop.cycle_id",
        "event_loop.parent_cycle_id",
        "strands.cancellation.type",
    }
)
_ID_ATTRIBUTES = ("podium.session_id", "podium.actor_id", "podium.request_id")
#: Prefixes of allowed keys: token counts and latencies are numbers, never text.
_ALLOWED_PREFIXES = ("gen_ai.usage.", "gen_ai.server.")


def _allowed(key: str) -> bool:
    return key in ALLOWED_ATTRIBUTES or key.startswith(_ALLOWED_PREFIXES)


def scrub(span: ReadableSpan) -> ReadableSpan:
    """A copy of ``span`` with only allowed attributes, exception types and no status text."""
    attributes = {k: v for k, v in (span.attributes or {}).items() if _allowed(k)}
    events = [
        Event(
            "exception",
            {"exception.type": str((e.attributes or {}).get("exception.type", "error"))},
            timestamp=e.timestamp,
        )
        for e in span.events
        if e.name == "exception"
    ]
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=events,
        links=[Link(link.context) for link in span.links],
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ScrubbingExporter(SpanExporter):
    """Exports through ``inner`` what :func:`scrub` leaves of each span."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Scrub, then export."""
        return self._inner.export([scrub(s) for s in spans])

    def shutdown(self) -> None:
        """Shut the inner exporter down."""
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the inner exporter."""
        return self._inner.force_flush(timeout_millis)


class IdsProcessor(SpanProcessor):
    """Stamps every span (Strands' too) with the session, actor and request ids in context."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Set ``podium.<id>`` attributes from :func:`current_ids`, else from the parent span.

        The parent's: a thread that was handed the trace context but not Podium's context
        variables (Strands runs some tools so) still gets the invocation's ids.
        """
        ids = {f"podium.{key}": value for key, value in current_ids().items()}
        if not ids:
            parent = trace.get_current_span(parent_context)
            inherited = getattr(parent, "attributes", None) or {}
            ids = {key: inherited[key] for key in _ID_ATTRIBUTES if key in inherited}
        for key, value in ids.items():
            span.set_attribute(key, value)

    def on_end(self, span: ReadableSpan) -> None:
        """Nothing to do at the end."""

    def shutdown(self) -> None:
        """Nothing to release."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing buffered."""
        return True
