"""The sample event catalog and the ``sessions`` knowledge base built from it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.errors import ConfigurationError, NotFound

# Re-exported: callers that validate catalog filters (the web API) take them from here.
from ._vocabulary import DAYS, LEVELS, SESSION_TYPES, TOPICS

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.knowledge import (
        IngestionJob,
        KnowledgeBase,
        KnowledgeService,
        ProgressCallback,
        RetrievalResult,
    )

__all__ = [
    "DAYS",
    "LEVELS",
    "SESSIONS_KB",
    "SESSIONS_RECORD_FORMAT",
    "SESSION_TYPES",
    "TOPICS",
    "catalog_path",
    "ensure_sessions_kb",
    "one_per_session",
    "session_card",
    "session_filter",
]

SESSIONS_KB = "sessions"

_SNIPPET_WORDS = 40

#: How a catalog line becomes a document: searchable text plus typed, filterable metadata.
SESSIONS_RECORD_FORMAT: dict[str, object] = {
    "id_field": "code",
    "title_field": "title",
    "text_fields": ["abstract", "type", "topics", "tags", "speakers"],
    "metadata_fields": {
        "code": "string",
        "title": "string",
        "type": "string",
        "level": "number",
        "topics": "string_list",
        "day": "string",
        "date": "datetime",
        "start": "string",
        "end": "string",
        "venue": "string",
        "room": "string",
        "tags": "string_list",
    },
}


def catalog_path(settings: Settings) -> Path:
    """The catalog file: ``PODIUM_CATALOG_PATH`` or the checkout's ``data/catalog/sessions.jsonl``."""
    if settings.catalog_path is not None:
        path = settings.catalog_path
    else:
        path = Path(__file__).resolve().parents[4] / "data" / "catalog" / "sessions.jsonl"
    if not path.is_file():
        raise ConfigurationError(
            f"sample catalog not found at {path}; set PODIUM_CATALOG_PATH or run "
            "`python scripts/make_catalog.py`"
        )
    return path


def ensure_sessions_kb(
    knowledge: KnowledgeService, settings: Settings, progress: ProgressCallback | None = None
) -> tuple[KnowledgeBase, IngestionJob]:
    """Create the ``sessions`` KB if missing and sync the catalog into it (a no-op when unchanged)."""
    try:
        kb = knowledge.get(SESSIONS_KB)
    except NotFound:
        kb = knowledge.create(
            SESSIONS_KB,
            description="Sessions of the sample conference (synthetic data).",
            chunking={"strategy": "fixed_size", "max_tokens": 256, "overlap_percentage": 20},
            record_format=SESSIONS_RECORD_FORMAT,
        )
    job = kb.ingest([catalog_path(settings)], progress=progress)
    return kb, job


def session_filter(
    day: str | None = None,
    level: int | None = None,
    session_type: str | None = None,
    topic: str | None = None,
) -> dict[str, Any] | None:
    """The knowledge-base filter (Bedrock grammar) for optional day/level/type/topic."""
    clauses: list[dict[str, Any]] = []
    if day:
        clauses.append({"equals": {"key": "day", "value": day}})
    if level:
        clauses.append({"equals": {"key": "level", "value": int(level)}})
    if session_type:
        clauses.append({"equals": {"key": "type", "value": session_type}})
    if topic:
        clauses.append({"listContains": {"key": "topics", "value": topic}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"andAll": clauses}


def one_per_session(results: list[RetrievalResult], limit: int) -> list[RetrievalResult]:
    """The best-scoring chunk of each session, in rank order, at most ``limit``."""
    seen: set[Any] = set()
    out: list[RetrievalResult] = []
    for result in results:
        code = result.metadata.get("code") or result.source_uri
        if code in seen:
            continue
        seen.add(code)
        out.append(result)
        if len(out) == limit:
            break
    return out


def session_card(result: RetrievalResult, reasons: list[str] | None = None) -> dict[str, Any]:
    """What the UI and the model see of a session: key fields, a snippet, and why it matches."""
    m = result.metadata
    title = str(m.get("title") or "")
    # A session's first chunk starts with its title line; later chunks start mid-abstract.
    body = result.text.removeprefix(title + "\n") if title else result.text
    words = body.split()
    card = {
        "code": m.get("code"),
        "title": m.get("title"),
        "day": m.get("day"),
        "start": m.get("start"),
        "end": m.get("end"),
        "room": m.get("room"),
        "venue": m.get("venue"),
        "level": m.get("level"),
        "type": m.get("type"),
        "topics": m.get("topics", []),
        "summary": " ".join(words[:_SNIPPET_WORDS]) + (" …" if len(words) > _SNIPPET_WORDS else ""),
        "score": round(result.score, 4),
    }
    if reasons is not None:
        card["why"] = reasons
    return card
