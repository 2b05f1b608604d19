"""One knowledge base: ingestion entry points and retrieval."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._ingest import Ingestor, ProgressCallback
from ._item_sync import SourceItem, sync_items
from ._jobs import JobStore
from ._models import GenerationResult, IngestionJob, KnowledgeBaseInfo, RetrievalResult, SearchType
from ._record_format import record_format_from_dict
from ._retrieval import Retriever
from ._sources import source_paths

if TYPE_CHECKING:
    from podium.embeddings import Embedder

    from ._chunking import ChunkingConfig
    from ._context import KnowledgeContext
    from ._parsers import ParsedDocument, RecordFormat

__all__ = ["KnowledgeBase"]


class KnowledgeBase:
    """A handle on one knowledge base. Cheap; the service keeps one per KB.

    Get one from :meth:`KnowledgeService.create` or :meth:`KnowledgeService.get`.
    """

    def __init__(self, context: KnowledgeContext) -> None:
        self.context = context
        self._retriever = Retriever(context)

    @property
    def info(self) -> KnowledgeBaseInfo:
        """The KB's configuration and counts (as of when this handle was made)."""
        return self.context.info

    @property
    def embedder(self) -> Embedder:
        """The KB's embedding model."""
        return self.context.embedder

    @property
    def chunking(self) -> ChunkingConfig:
        """The KB's chunking configuration."""
        return self.context.chunking

    @property
    def record_format(self) -> RecordFormat | None:
        """The KB's default record format for catalogs (None: inferred per file)."""
        return self.context.record_format

    @property
    def jobs(self) -> JobStore:
        """The KB's ingestion jobs (start, list by source, get)."""
        return JobStore(self.context.db, self.id, self.name)

    def with_chunking(self, chunking: ChunkingConfig) -> KnowledgeBase:
        """A handle on the same KB that ingests with ``chunking`` (Bedrock chunks per source).

        Retrieval does not depend on how a document was chunked, so one KB may hold documents
        chunked several ways.
        """
        return KnowledgeBase(dataclasses.replace(self.context, chunking=chunking))

    @property
    def id(self) -> str:
        """The KB id."""
        return self.info.id

    @property
    def name(self) -> str:
        """The KB name."""
        return self.info.name

    def ingest(
        self,
        paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        include: Sequence[str] = ("**/*",),
        exclude: Sequence[str] = (),
        record_format: RecordFormat | dict[str, Any] | None = None,
        progress: ProgressCallback | None = None,
        source_id: str | None = None,
        job: IngestionJob | None = None,
        should_stop: Callable[[], bool] | None = None,
        keep: Callable[[str], bool] | None = None,
    ) -> IngestionJob:
        """Sync files or directories into the KB: incremental by content hash, resumable.

        ``paths`` is one path or a list of them. A walk stays inside each directory: a symlink
        that leaves it, or an entry that cannot be read, is counted as a failure of the job. A
        named path that does not exist or cannot be read raises :class:`InvalidInput`. A
        ``<file>.metadata.json`` sidecar gives its file's documents their metadata (Bedrock's
        format) and is never a document itself.

        ``source_id``/``job``/``should_stop``/``keep``: see :meth:`Ingestor.sync_paths`
        (the AWS data sources use them).
        """
        fmt = record_format_from_dict(record_format) if record_format else self.record_format
        return Ingestor(self.context).sync_paths(
            source_paths(paths),
            include=include,
            exclude=exclude,
            record_format=fmt,
            progress=progress,
            source_id=source_id,
            job=job,
            should_stop=should_stop,
            keep=keep,
        )

    def sync_items(
        self,
        items: Iterable[SourceItem],
        *,
        source_id: str,
        job: IngestionJob | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> IngestionJob:
        """Sync a remote data source (S3 objects with versions) into the KB; see ``_item_sync``."""
        return sync_items(
            Ingestor(self.context), items, source_id=source_id, job=job, should_stop=should_stop
        )

    def ingest_documents(
        self,
        documents: Sequence[ParsedDocument | dict[str, Any]],
        *,
        progress: ProgressCallback | None = None,
        source_id: str | None = None,
    ) -> IngestionJob:
        """Add or replace documents given directly (uri, text, metadata); never deletes others.

        With ``source_id`` the documents belong to that data source.
        """
        return Ingestor(self.context).ingest_documents(
            documents, progress=progress, source_id=source_id
        )

    def delete_documents(self, uris: Sequence[str]) -> int:
        """Delete documents by uri; returns how many existed."""
        return Ingestor(self.context).delete_documents(uris)

    def list_jobs(self, limit: int = 20) -> list[IngestionJob]:
        """Recent ingestion jobs, newest first."""
        return Ingestor(self.context).list_jobs(limit)

    def get_job(self, job_id: str) -> IngestionJob:
        """One ingestion job."""
        return Ingestor(self.context).get_job(job_id)

    def retrieve(
        self,
        query: str,
        number_of_results: int = 5,
        search_type: SearchType | str = SearchType.HYBRID,
        filter: dict[str, Any] | str | None = None,
        *,
        mmr: bool = False,
        boost: Callable[[dict[str, Any]], float] | None = None,
    ) -> list[RetrievalResult]:
        """Search the KB. ``boost`` may add a score bonus per result metadata (personalisation)."""
        return self._retriever.retrieve(
            query,
            number_of_results=number_of_results,
            search_type=search_type,
            filter=filter,
            mmr=mmr,
            boost=boost,
        )

    def retrieve_and_generate(
        self,
        query: str,
        *,
        model: Any = None,
        number_of_results: int = 5,
        search_type: SearchType | str = SearchType.HYBRID,
        filter: dict[str, Any] | str | None = None,
        prompt_template: str | None = None,
    ) -> GenerationResult:
        """Answer ``query`` from retrieved chunks, with Bedrock-shaped citations.

        Without ``model`` the answer is extractive (sentences of the chunks); with a Strands
        model it is generated, from ``prompt_template`` when given (Bedrock's placeholders).
        """
        from ._generate import generate_answer

        results = self.retrieve(query, number_of_results, search_type, filter)
        return generate_answer(
            query, results, model=model, embedder=self.embedder, prompt_template=prompt_template
        )
