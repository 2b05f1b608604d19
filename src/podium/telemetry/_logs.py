"""Log records as text or as JSON lines, with the invocation's ids, and never a credential.

``PODIUM_LOG_FORMAT=json`` makes every record one JSON object on one line::

    {"timestamp": "2026-12-01T15:07:38.123Z", "level": "INFO", "logger": "podium.runtime...",
     "message": "...", "pid": 4242, "trace_id": "...", "span_id": "...",
     "session_id": "...", "actor_id": "...", "request_id": "..."}

The ids appear when known: the trace ids while a span is current (tracing on), the others while
an invocation is being served (:func:`podium.telemetry.bind_ids`). Both formats pass every record
through :class:`RedactSecrets` first, which masks bearer tokens, JWTs and ``secret=...`` pairs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import TYPE_CHECKING, Any

from ._ids import current_ids
from ._tracing import current_span_ids, current_trace_ids

if TYPE_CHECKING:
    from podium.config import Settings

__all__ = ["JsonFormatter", "RedactSecrets", "configure_logging", "log_handler", "redact"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s | %(message)s"
_REDACTED = "[REDACTED]"
_SECRETS = (
    # A JWT (access, id or refresh token): three base64url parts, the first a JSON header.
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), _REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {_REDACTED}"),
    (
        re.compile(
            r"(?i)\b(password|passwd|secret|client_secret|secret_access_key|api_key|apikey|"
            r"access_token|refresh_token|id_token|token|authorization|x-amz-security-token)"
            r"(['\"]?\s*[=:]\s*['\"<]?)([^\s'\"<>,;&]+)"
        ),
        rf"\1\2{_REDACTED}",
    ),
)


def redact(text: str) -> str:
    """``text`` with bearer tokens, JWTs and ``secret=value`` pairs masked."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record's message (and traceback) through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask secrets in place; never drops a record."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (see the module doc for the keys)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        out: dict[str, Any] = {
            "timestamp": _utc(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        trace = current_trace_ids()
        if trace is not None:
            out["trace_id"], out["span_id"] = trace
        out.update(current_ids() or current_span_ids())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def _utc(created: float) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{stamp}.{int(created % 1 * 1000):03d}Z"


def log_handler(settings: Settings, text_format: str = TEXT_FORMAT) -> logging.Handler:
    """A stderr handler in ``settings.log_format``, with :class:`RedactSecrets` on it."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = JsonFormatter() if settings.log_format == "json" else logging.Formatter(text_format)
    handler.setFormatter(formatter)
    handler.addFilter(RedactSecrets())
    return handler


def configure_logging(settings: Settings, text_format: str = TEXT_FORMAT) -> None:
    """Give the root logger one handler in ``settings.log_format`` and ``settings.log_level``.

    Like :func:`logging.basicConfig`, it leaves a root logger that already has handlers alone
    (the CLI configured it, or the embedding program did), so it is safe to call twice.
    """
    root = logging.getLogger()
    level = settings.log_level.upper()
    if not root.handlers:
        root.addHandler(log_handler(settings, text_format))
        root.setLevel(level)
    logging.getLogger("podium").setLevel(level)
