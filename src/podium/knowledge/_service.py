"""Knowledge bases: create, list, get and delete, plus per-KB handles."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.embeddings import CachedEmbedder, get_embedder
from podium.errors import Conflict, InvalidInput, NotFound
from podium.storage import ann_path, ensure_hnsw_index, keyword_index, remove_ann, schema

from ._chunking import ChunkingConfig
from ._context import KnowledgeContext
from ._knowledge_base import KnowledgeBase
from ._models import KnowledgeBaseInfo, new_resource_id
from ._record_format import record_format_from_dict, record_format_to_dict
from ._snapshot import new_snapshot_cache

if TYPE_CHECKING:
    from podium.config import Settings
    from podium.embeddings import Embedder
    from podium.storage import Database

    from ._parsers import RecordFormat

__all__ = ["KnowledgeService"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class KnowledgeService:
    """Entry point of the knowledge layer over one database."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        # FTS5, and tantivy for a KB past the threshold (PODIUM_KEYWORD_ENGINE=auto).
        self.chunk_index = keyword_index(db, "chunks", scaled_at=settings.keyword_tantivy_threshold)
        self.snapshots = new_snapshot_cache()
        self._embedders: dict[str, CachedEmbedder] = {}
        self._handles: dict[str, KnowledgeBase] = {}

    def embedder(self, model_id: str) -> Embedder:
        """The cached embedder for ``model_id``."""
        if model_id not in self._embedders:
            self._embedders[model_id] = CachedEmbedder(
                get_embedder(model_id, self.settings), self.db
            )
        return self._embedders[model_id]

    def create(
        self,
        name: str,
        *,
        description: str = "",
        embedding_model: str | None = None,
        chunking: ChunkingConfig | dict[str, Any] | None = None,
        record_format: RecordFormat | dict[str, Any] | None = None,
    ) -> KnowledgeBase:
        """Create a knowledge base; its embedding model and chunking are fixed for its life."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidInput(
                f"invalid knowledge base name {name!r}: 1-100 characters, letters, digits, "
                "'_', '.', '-', starting with a letter or digit"
            )
        if len(description) > 2000:
            raise InvalidInput("description is longer than 2000 characters")
        config = (
            chunking
            if isinstance(chunking, ChunkingConfig)
            else ChunkingConfig.parse(chunking or {})
        )
        model_id = embedding_model or self.settings.embedding_model
        embedder = self.embedder(model_id)
        parsed_format = record_format_from_dict(record_format)
        fmt = record_format_to_dict(parsed_format) if parsed_format else None
        now = time.time()
        kb_id = new_resource_id()
        with self.db.begin() as conn:
            exists = conn.execute(
                sa.select(schema.knowledge_bases.c.id).where(schema.knowledge_bases.c.name == name)
            ).first()
            if exists:
                raise Conflict(f"knowledge base {name!r} already exists")
            conn.execute(
                schema.knowledge_bases.insert().values(
                    id=kb_id,
                    name=name,
                    description=description,
                    embedding_model=model_id,
                    dimension=embedder.dimension,
                    chunking=config.model_dump(),
                    record_format=fmt,
                    version=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            # PostgreSQL: the HNSW index for this dimension, if it is the first KB to have it.
            ensure_hnsw_index(conn, "chunks", embedder.dimension)
        return self.get(kb_id)

    def _info_rows(self, where: Any = None) -> list[KnowledgeBaseInfo]:
        kb = schema.knowledge_bases
        docs = (
            sa.select(schema.documents.c.kb_id, sa.func.count().label("n"))
            .group_by(schema.documents.c.kb_id)
            .subquery()
        )
        chunks = (
            sa.select(schema.chunks.c.kb_id, sa.func.count().label("n"))
            .where(schema.chunks.c.searchable.is_(True))
            .group_by(schema.chunks.c.kb_id)
            .subquery()
        )
        query = (
            sa.select(kb, docs.c.n.label("document_count"), chunks.c.n.label("chunk_count"))
            .outerjoin(docs, docs.c.kb_id == kb.c.id)
            .outerjoin(chunks, chunks.c.kb_id == kb.c.id)
            .order_by(kb.c.name)
        )
        if where is not None:
            query = query.where(where)
        with self.db.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            KnowledgeBaseInfo(
                id=r["id"],
                name=r["name"],
                description=r["description"],
                embedding_model=r["embedding_model"],
                dimension=r["dimension"],
                chunking=r["chunking"],
                record_format=r["record_format"],
                created_at=r["created_at"],
                updated_at=r["updated_at"],
                version=r["version"],
                document_count=r["document_count"] or 0,
                chunk_count=r["chunk_count"] or 0,
            )
            for r in rows
        ]

    def list(self) -> list[KnowledgeBaseInfo]:
        """Every knowledge base, by name."""
        return self._info_rows()

    def info(self, name_or_id: str) -> KnowledgeBaseInfo:
        """One knowledge base's configuration and counts."""
        kb = schema.knowledge_bases
        found = self._info_rows(sa.or_(kb.c.name == name_or_id, kb.c.id == name_or_id))
        if not found:
            raise NotFound(f"knowledge base {name_or_id!r} not found")
        return found[0]

    def get(self, name_or_id: str) -> KnowledgeBase:
        """A handle to ingest into and retrieve from a knowledge base."""
        info = self.info(name_or_id)
        handle = self._handles.get(info.id)
        if handle is None:
            handle = KnowledgeBase(self._context(info))
            self._handles[info.id] = handle
        return handle

    def _context(self, info: KnowledgeBaseInfo) -> KnowledgeContext:
        """What the KB's ingestion and retrieval run on."""
        return KnowledgeContext(
            db=self.db,
            info=info,
            embedder=self.embedder(info.embedding_model),
            chunk_index=self.chunk_index,
            snapshots=self.snapshots,
            chunking=ChunkingConfig.parse(info.chunking),
            record_format=record_format_from_dict(info.record_format),
            ann_threshold=self.settings.vector_ann_threshold,
        )

    def update(
        self, name_or_id: str, *, name: str | None = None, description: str | None = None
    ) -> KnowledgeBaseInfo:
        """Rename a knowledge base or change its description (its model and chunking stay)."""
        info = self.info(name_or_id)
        if name is not None and not _NAME.match(name):
            raise InvalidInput(f"invalid knowledge base name {name!r}")
        if description is not None and len(description) > 2000:
            raise InvalidInput("description is longer than 2000 characters")
        kb = schema.knowledge_bases
        with self.db.begin() as conn:
            if name is not None and name != info.name:
                taken = conn.execute(sa.select(kb.c.id).where(kb.c.name == name)).first()
                if taken:
                    raise Conflict(f"knowledge base {name!r} already exists")
            values: dict[str, Any] = {"updated_at": time.time()}
            if name is not None:
                values["name"] = name
            if description is not None:
                values["description"] = description
            conn.execute(kb.update().where(kb.c.id == info.id).values(**values))
        self._handles.pop(info.id, None)  # its info (name) is stale now
        return self.info(info.id)

    def delete(self, name_or_id: str) -> None:
        """Delete a knowledge base with its documents, chunks, sources and jobs."""
        info = self.info(name_or_id)
        with self.db.begin() as conn:
            self.chunk_index.delete_scope(conn, info.id)
            conn.execute(
                schema.knowledge_bases.delete().where(schema.knowledge_bases.c.id == info.id)
            )
        self._handles.pop(info.id, None)
        self.snapshots.forget(info.id)
        remove_ann(ann_path(self.db.url, f"kb-{info.id}"))
