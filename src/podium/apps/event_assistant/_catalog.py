"""The sample event catalog and the ``sessions`` knowledge base built from it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from podium.errors import ConfigurationError, NotFound

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.knowledge import IngestionJob, KnowledgeBase, KnowledgeService
    from podium.knowledge._ingest import ProgressCallback

__all__ = ["SESSIONS_KB", "SESSIONS_RECORD_FORMAT", "catalog_path", "ensure_sessions_kb"]

SESSIONS_KB = "sessions"

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
