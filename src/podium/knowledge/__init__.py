"""Knowledge bases: ingest → parse → chunk → embed → index; hybrid retrieval with citations."""

from __future__ import annotations

from ._chunking import Chunk, ChunkingConfig, ChunkSet, chunk_text
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
from ._parsers import ParsedDocument, ParseError, RecordFormat, parse_file
from ._service import KnowledgeService
from ._sources import SourceFile, iter_source_files
from .filters import compile_filter, filter_to_sql, parse_filter

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
    "ParseError",
    "ParsedDocument",
    "RecordFormat",
    "RetrievalResult",
    "SearchType",
    "SourceFile",
    "chunk_text",
    "compile_filter",
    "filter_to_sql",
    "iter_source_files",
    "parse_file",
    "parse_filter",
]
