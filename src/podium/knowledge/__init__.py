"""Knowledge bases: ingest → parse → chunk → embed → index; hybrid retrieval with citations.

Start with :class:`KnowledgeService` over a migrated :class:`podium.storage.Database`. Filters use
Bedrock's grammar (see :mod:`podium.knowledge.filters`).
"""

from __future__ import annotations

from ._chunking import Chunk, ChunkingConfig, ChunkSet
from ._ingest import ProgressCallback
from ._item_sync import SourceItem
from ._jobs import IngestionStopped
from ._knowledge_base import KnowledgeBase
from ._models import (
    Citation,
    GenerationResult,
    IngestionJob,
    IngestionStats,
    JobStatus,
    KnowledgeBaseInfo,
    RetrievalResult,
    SearchType,
)
from ._parsers import ParsedDocument, ParseError, ParseResult, RecordFormat, parse_bytes
from ._service import KnowledgeService
from ._sources import SIDECAR_SUFFIX, sidecar_metadata
from .filters import parse_filter

__all__ = [
    "SIDECAR_SUFFIX",
    "Chunk",
    "ChunkSet",
    "ChunkingConfig",
    "Citation",
    "GenerationResult",
    "IngestionJob",
    "IngestionStats",
    "IngestionStopped",
    "JobStatus",
    "KnowledgeBase",
    "KnowledgeBaseInfo",
    "KnowledgeService",
    "ParseError",
    "ParseResult",
    "ParsedDocument",
    "ProgressCallback",
    "RecordFormat",
    "RetrievalResult",
    "SearchType",
    "SourceItem",
    "parse_bytes",
    "parse_filter",
    "sidecar_metadata",
]
