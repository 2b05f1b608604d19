"""The event assistant: recommends conference sessions, personalised by memory."""

from __future__ import annotations

from ._catalog import SESSIONS_KB, SESSIONS_RECORD_FORMAT, catalog_path, ensure_sessions_kb

__all__ = ["SESSIONS_KB", "SESSIONS_RECORD_FORMAT", "catalog_path", "ensure_sessions_kb"]
