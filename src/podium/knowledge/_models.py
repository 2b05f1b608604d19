"""Data shapes of the knowledge-base API."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "Citation",
    "GenerationResult",
    "IngestionJob",
    "IngestionStats",
    "JobStatus",
    "KnowledgeBaseInfo",
    "RetrievalResult",
    "SearchType",
]


class SearchType(StrEnum):
    """How ``retrieve`` ranks chunks (Bedrock's overrideSearchType)."""

    HYBRID = "HYBRID"
    SEMANTIC = "SEMANTIC"
    KEYWORD = "KEYWORD"


class JobStatus(StrEnum):
    """Lifecycle of an ingestion job."""

    IN_PROGRESS = "IN_PROGRESS"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    #: Ended early on request (``should_stop``); what it wrote stays, counted in its stats.
    STOPPED = "STOPPED"


@dataclass(kw_only=True)
class IngestionStats:
    """Per-job document counts (Bedrock's ingestion statistics)."""

    scanned: int = 0
    new: int = 0
    modified: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0
    chunks_written: int = 0
    #: ``<file>.metadata.json`` sidecars read for the documents this job considered.
    metadata_scanned: int = 0

    def add(self, other: IngestionStats) -> None:
        """Accumulate ``other`` into this one."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(kw_only=True)
class IngestionJob:
    """One ingestion run: status, counts and per-file failures."""

    id: str
    kb_id: str
    source_id: str | None
    status: JobStatus
    stats: IngestionStats
    failures: list[dict[str, str]]
    error: str | None
    started_at: float
    updated_at: float
    finished_at: float | None
    resumed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "kb_id": self.kb_id,
            "source_id": self.source_id,
            "status": self.status.value,
            "stats": self.stats.as_dict(),
            "failures": self.failures,
            "error": self.error,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
            "finished_at": self.finished_at,
            "resumed": self.resumed,
        }


@dataclass(kw_only=True)
class KnowledgeBaseInfo:
    """A knowledge base's persisted configuration."""

    id: str
    name: str
    description: str
    embedding_model: str
    dimension: int
    chunking: dict[str, Any]
    record_format: dict[str, Any] | None
    created_at: float
    updated_at: float
    version: int = 0
    document_count: int = 0
    chunk_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return dict(self.__dict__)


@dataclass(kw_only=True)
class RetrievalResult:
    """One retrieved chunk (for hierarchical chunking, its parent's text)."""

    chunk_id: int
    text: str
    score: float
    source_uri: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Bedrock-like JSON: content, location, metadata, score."""
        return {
            "chunk_id": self.chunk_id,
            "content": {"text": self.text},
            "location": {"type": "FILE", "uri": self.source_uri},
            "metadata": self.metadata,
            "score": self.score,
        }


@dataclass(kw_only=True)
class Citation:
    """A span of generated text and the retrieved references that support it."""

    text: str
    start: int
    end: int
    references: list[RetrievalResult]

    def as_dict(self) -> dict[str, Any]:
        """Bedrock's citation shape."""
        return {
            "generatedResponsePart": {
                "textResponsePart": {
                    "text": self.text,
                    "span": {"start": self.start, "end": self.end},
                }
            },
            "retrievedReferences": [r.as_dict() for r in self.references],
        }


@dataclass(kw_only=True)
class GenerationResult:
    """``retrieve_and_generate`` output: the answer and its citations."""

    output: str
    citations: list[Citation]
    generator: str

    def as_dict(self) -> dict[str, Any]:
        """Bedrock's RetrieveAndGenerate response shape."""
        return {
            "output": {"text": self.output},
            "citations": [c.as_dict() for c in self.citations],
            "generator": self.generator,
        }


_ID_ALPHABET = string.ascii_uppercase + string.digits


def new_resource_id() -> str:
    """A knowledge base, data source or ingestion job id shaped like Bedrock's (10 of A-Z0-9)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))
