"""What ingestion and retrieval need of one knowledge base, handed down by the service.

:class:`KnowledgeContext` is built by :class:`~podium.knowledge.KnowledgeService` for each
knowledge-base handle, so that the ingestion and retrieval modules depend on it, never on the
service or the handle (no import cycle, and each can be built and tested alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from podium.storage import ANN_THRESHOLD

if TYPE_CHECKING:
    from podium.embeddings import Embedder
    from podium.storage import Database, KeywordIndex

    from ._chunking import ChunkingConfig
    from ._models import KnowledgeBaseInfo
    from ._parsers import RecordFormat
    from ._snapshot import SnapshotCache

__all__ = ["KnowledgeContext"]


@dataclass(frozen=True, kw_only=True)
class KnowledgeContext:
    """One knowledge base's configuration and the shared services it runs on."""

    db: Database
    info: KnowledgeBaseInfo
    #: The KB's embedding model (cached in SQL), fixed for the KB's life.
    embedder: Embedder
    #: The keyword (BM25) index of every KB's chunks, scoped by KB id.
    chunk_index: KeywordIndex
    #: The service's in-memory vector snapshots, keyed by KB id.
    snapshots: SnapshotCache
    chunking: ChunkingConfig
    #: The KB's default record format for JSON/JSONL/CSV catalogs (None: inferred).
    record_format: RecordFormat | None
    #: Searchable chunks from which SQLite retrieval walks a persisted HNSW graph, not a scan.
    ann_threshold: int = ANN_THRESHOLD

    @property
    def kb_id(self) -> str:
        """The KB id."""
        return self.info.id

    @property
    def kb_name(self) -> str:
        """The KB name."""
        return self.info.name
