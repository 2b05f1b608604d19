"""Knowledge bases: ingest → parse → chunk → embed → index; hybrid retrieval with citations.

Start with :class:`KnowledgeService` over a migrated :class:`podium.storage.Database`. Filters use
Bedrock's grammar (see :mod:`podium.knowledge.filters`).
"""

from __future__ import annotations

from ._chunking import Chunk, ChunkingConfig, ChunkSet
from ._ingest import ProgressCallback
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
from ._parsers import ParsedDocument, RecordFormat
from ._service import KnowledgeService
from .filters import parse_filter

__all__ = [
    "Chunk",
    "ChunkSet",
    "ChunkingConfig",
    "Citation",
    "GenerationResult",
    "IngestionJob",
    "IngestionStats",
    "JobStatus",
    "KnowledgeBase",
    "KnowledgeBaseInfo",
    "KnowledgeService",
    "ParsedDocument",
    "ProgressCallback",
    "RecordFormat",
    "RetrievalResult",
    "SearchType",
    "parse_filter",
]
