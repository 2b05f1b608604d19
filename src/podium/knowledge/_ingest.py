"""Ingestion: parse → chunk → embed → index, incremental by content hash and resumable.

Crash safety: every batch of documents is written in one transaction together with the job's
counters and each document's ``seen_job_id``. After ``kill -9`` a re-run finds the job still
IN_PROGRESS, resumes it, skips what that job already wrote or counted, and ends with the same
counts and chunks an uninterrupted run gives.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.errors import InvalidInput

from ._chunking import ChunkSet, chunk_text
from ._jobs import IngestionStopped, JobStore
from ._models import IngestionJob, new_resource_id
from ._parsers import ParsedDocument, ParseError, ParseResult, RecordFormat, parse_file
from ._record_format import record_format_to_dict
from ._sources import scan_sources, sidecar_metadata

if TYPE_CHECKING:
    from ._context import KnowledgeContext

__all__ = ["Ingestor", "ProgressCallback", "content_hash"]

logger = logging.getLogger(__name__)

#: Called with (documents done, documents in all); while files are still being read, each one
#: not read yet counts as one document, so the total can grow.
ProgressCallback = Callable[[int, int], None]

_BATCH_CHUNKS = 64
_MAX_SOURCE_NAME = 500


def content_hash(doc: ParsedDocument) -> str:
    """Hash of a document's text and metadata: any change to either re-indexes it."""
    payload = json.dumps({"t": doc.text, "m": doc.metadata}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(kw_only=True)
class _Existing:
    id: int
    hash: str
    seen_job_id: str | None
    source_id: str | None


@dataclass(kw_only=True)
class _Pending:
    doc: ParsedDocument
    hash: str
    previous: _Existing | None
    chunks: ChunkSet


@dataclass(kw_only=True)
class _Batch:
    pending: list[_Pending] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    chunk_total: int = 0

    def __bool__(self) -> bool:
        return bool(self.pending or self.unchanged or self.failures)


class Ingestor:
    """Runs ingestion jobs for one knowledge base."""

    def __init__(self, context: KnowledgeContext) -> None:
        self.context = context
        self.kb_id = context.kb_id
        self.db = context.db
        self.index = context.chunk_index
        self.jobs = JobStore(context.db, context.kb_id, context.kb_name)

    # -- jobs ---------------------------------------------------------------------------------

    def list_jobs(self, limit: int = 20) -> list[IngestionJob]:
        """Newest jobs first."""
        return self.jobs.list(limit)

    def get_job(self, job_id: str) -> IngestionJob:
        """One job of this KB."""
        return self.jobs.get(job_id)

    def _start_job(self, source_id: str | None) -> IngestionJob:
        return self.jobs.start(source_id)

    def _save_job(self, conn: sa.Connection, job: IngestionJob) -> None:
        self.jobs.save(conn, job)

    def _finish(
        self, job: IngestionJob, error: str | None = None, *, stopped: bool = False
    ) -> IngestionJob:
        return self.jobs.finish(job, error, stopped=stopped)

    # -- sources ------------------------------------------------------------------------------

    def _ensure_source(self, config: dict[str, Any]) -> str:
        from podium.storage import schema

        t = schema.data_sources
        name = json.dumps(config, sort_keys=True)
        # The name column holds 500 characters (PostgreSQL enforces it; SQLite never did): a
        # longer config (a record format with many fields) is named by its hash. A source made
        # before, under the whole text, is still found by it.
        names = [name]
        if len(name) > _MAX_SOURCE_NAME:
            name = "sha256:" + hashlib.sha256(name.encode("utf-8")).hexdigest()
            names.insert(0, name)
        with self.db.begin() as conn:
            found = conn.execute(
                sa.select(t.c.id).where(t.c.kb_id == self.kb_id, t.c.name.in_(names))
            ).scalar()
            if found:
                return str(found)
            source_id = new_resource_id()
            conn.execute(
                t.insert().values(
                    id=source_id, kb_id=self.kb_id, name=name, config=config, created_at=time.time()
                )
            )
            return source_id

    def _existing(self, uris: Iterable[str] | None = None) -> dict[str, _Existing]:
        """The KB's documents by uri (only those of ``uris`` when given)."""
        from podium.storage import schema

        t = schema.documents
        query = sa.select(t.c.id, t.c.uri, t.c.content_hash, t.c.seen_job_id, t.c.source_id).where(
            t.c.kb_id == self.kb_id
        )
        out: dict[str, _Existing] = {}
        with self.db.connect() as conn:
            if uris is None:
                rows: list[Any] = list(conn.execute(query))
            else:
                wanted = sorted(set(uris))
                rows = []
                for start in range(0, len(wanted), 500):
                    rows += conn.execute(
                        query.where(t.c.uri.in_(wanted[start : start + 500]))
                    ).all()
        for rid, uri, h, seen, source in rows:
            out[uri] = _Existing(id=rid, hash=h, seen_job_id=seen, source_id=source)
        return out

    # -- the pipeline -------------------------------------------------------------------------

    def sync_paths(
        self,
        paths: Sequence[Path],
        *,
        include: Sequence[str],
        exclude: Sequence[str],
        record_format: RecordFormat | None,
        progress: ProgressCallback | None,
        source_id: str | None = None,
        job: IngestionJob | None = None,
        should_stop: Callable[[], bool] | None = None,
        keep: Callable[[str], bool] | None = None,
    ) -> IngestionJob:
        """Sync a data source (files/directories): add, update and delete to match it.

        ``source_id`` names an existing data source row to sync as (default: one found or made
        from the paths and globs) and ``job`` a job already started for it. ``should_stop`` is
        asked between files; when it says yes the job ends STOPPED with what it wrote so far.
        ``keep`` (a file URI → bool) drops more files after the globs (Bedrock's regex filters).
        """
        scan = scan_sources(paths, include=include, exclude=exclude)
        files = [f for f in scan.files if keep is None or keep(f.uri)]
        if source_id is None:
            config = {
                "paths": sorted(str(Path(p).resolve()) for p in paths),
                "include": list(include),
                "exclude": list(exclude),
                "record_format": record_format_to_dict(record_format) if record_format else None,
            }
            source_id = self._ensure_source(config)
        if job is None:
            job = self._start_job(source_id)
        try:
            # Every document of the KB, not only this source's: a file already indexed through
            # another source (the same folder named by another path) is the same document.
            existing = self._existing()
            known_failures = {f["uri"] for f in job.failures}
            seen: set[str] = set()
            batch = _Batch()
            # Progress counts documents, not files (one JSONL catalog is hundreds of them). A
            # file not parsed yet counts as one document until it is.
            docs_done = docs_known = 0

            def report(files_parsed: int) -> None:
                if progress is not None:
                    progress(docs_done, docs_known + len(files) - files_parsed)

            for failure in scan.failures:
                seen.add(failure.uri)
                if failure.uri not in known_failures:
                    batch.failures.append({"uri": failure.uri, "reason": failure.reason})
                    job.stats.scanned += 1
            for done, source in enumerate(files, start=1):
                if should_stop is not None and should_stop():
                    raise IngestionStopped
                if source.uri in known_failures:
                    seen.add(source.uri)
                    report(done)
                    continue
                try:
                    result = parse_file(source, record_format)
                    if source.sidecar is not None:
                        if not _seen_by(job, existing, result):
                            job.stats.metadata_scanned += 1
                        _apply_sidecar(result, source.sidecar)
                except ParseError as e:
                    seen.add(source.uri)
                    batch.failures.append({"uri": source.uri, "reason": e.message})
                    job.stats.scanned += 1
                    report(done)
                    continue
                for uri, reason in result.failures:
                    seen.add(uri)
                    if uri not in known_failures:
                        batch.failures.append({"uri": uri, "reason": reason})
                        job.stats.scanned += 1
                docs_known += len(result.documents)
                pending = 0
                for doc in result.documents:
                    seen.add(doc.uri)
                    self._consider(job, doc, existing.get(doc.uri), batch)
                    pending += 1
                    if batch.chunk_total >= _BATCH_CHUNKS or len(batch.unchanged) >= 500:
                        self._flush(job, batch, source_id)
                        batch = _Batch()
                        docs_done, pending = docs_done + pending, 0
                        report(done)
                if batch.failures:
                    self._flush(job, batch, source_id)
                    batch = _Batch()
                docs_done += pending
                report(done)
            self._flush(job, batch, source_id)
            gone = [
                e.id
                for uri, e in existing.items()
                if e.source_id == source_id and uri not in seen and not _under_failed(uri, seen)
            ]
            self._delete_docs(job, gone)
        except IngestionStopped:
            self._flush(job, batch, source_id)
            return self._finish(job, stopped=True)
        except BaseException as e:
            if isinstance(e, KeyboardInterrupt | SystemExit):
                raise  # leave the job IN_PROGRESS: the next run resumes it
            self._finish(job, error=f"{e.__class__.__name__}: {e}")
            raise
        return self._finish(job)

    def ingest_documents(
        self,
        documents: Sequence[ParsedDocument | dict[str, Any]],
        *,
        progress: ProgressCallback | None,
        source_id: str | None = None,
    ) -> IngestionJob:
        """Add or replace the given documents (no deletion of others).

        With ``source_id`` the documents belong to that data source (a later sync of it deletes
        those it no longer lists); the job itself belongs to no source.
        """
        docs = [_as_document(d, i) for i, d in enumerate(documents)]
        if len({d.uri for d in docs}) != len(docs):
            raise InvalidInput("documents: each uri may appear only once per call")
        job = self._start_job(None)
        try:
            existing = self._existing([d.uri for d in docs])
            batch = _Batch()
            for done, doc in enumerate(docs, start=1):
                self._consider(job, doc, existing.get(doc.uri), batch)
                if batch.chunk_total >= _BATCH_CHUNKS:
                    self._flush(job, batch, source_id)
                    batch = _Batch()
                if progress is not None:
                    progress(done, len(docs))
            self._flush(job, batch, source_id)
        except Exception as e:
            self._finish(job, error=f"{e.__class__.__name__}: {e}")
            raise
        return self._finish(job)

    def delete_documents(self, uris: Sequence[str]) -> int:
        """Delete documents of this KB by uri."""
        existing = self._existing(uris)
        ids = [e.id for e in existing.values()]
        with self.db.begin() as conn:
            self._delete_rows(conn, ids)
            if ids:
                self._bump_version(conn)
        return len(ids)

    def _consider(
        self,
        job: IngestionJob,
        doc: ParsedDocument,
        previous: _Existing | None,
        batch: _Batch,
        digest: str | None = None,
    ) -> None:
        """Count ``doc`` and queue it unless unchanged; ``digest`` overrides its content hash."""
        if previous is not None and previous.seen_job_id == job.id:
            return  # this job already wrote or counted it before an interruption
        job.stats.scanned += 1
        digest = digest or content_hash(doc)
        if previous is not None and previous.hash == digest:
            batch.unchanged.append(previous.id)
            job.stats.unchanged += 1
            return
        chunks = chunk_text(
            doc.text,
            self.context.chunking,
            self.context.embedder,
            embed=lambda texts: self.context.embedder.embed(texts),
            metadata=doc.metadata,
        )
        batch.pending.append(_Pending(doc=doc, hash=digest, previous=previous, chunks=chunks))
        batch.chunk_total += len(chunks.chunks)
        if previous is None:
            job.stats.new += 1
        else:
            job.stats.modified += 1

    def _flush(self, job: IngestionJob, batch: _Batch, source_id: str | None) -> None:
        if not batch:
            return
        from podium.storage import schema

        texts = [c.text for p in batch.pending for c in p.chunks.chunks]
        vectors = self.context.embedder.embed(texts) if texts else None
        job.failures.extend(batch.failures)
        job.stats.failed += len(batch.failures)
        now = time.time()
        docs = schema.documents
        with self.db.begin() as conn:
            if batch.unchanged:
                # A data source takes over the unchanged documents it lists (a direct
                # ingest_documents call, with no source, leaves ownership as it was).
                owner = {"source_id": source_id} if source_id is not None else {}
                conn.execute(
                    docs.update()
                    .where(docs.c.id.in_(batch.unchanged))
                    .values(seen_job_id=job.id, **owner)
                )
            offset = 0
            for pending in batch.pending:
                n = len(pending.chunks.chunks)
                doc_vectors = vectors[offset : offset + n] if vectors is not None else None
                offset += n
                self._write_document(conn, job, pending, doc_vectors, source_id, now)
                job.stats.chunks_written += n
            if batch.pending:
                self._bump_version(conn)
            self._save_job(conn, job)

    def _write_document(
        self,
        conn: sa.Connection,
        job: IngestionJob,
        pending: _Pending,
        vectors: Any,
        source_id: str | None,
        now: float,
    ) -> None:
        from podium.storage import schema

        docs, chunks = schema.documents, schema.chunks
        values = {
            "content_hash": pending.hash,
            "metadata": pending.doc.metadata,
            "chunk_count": len(pending.chunks.chunks),
            "seen_job_id": job.id,
            "updated_at": now,
        }
        if pending.previous is not None:
            doc_id = pending.previous.id
            if source_id is not None:
                values["source_id"] = source_id
            self._delete_chunks(conn, doc_id)
            conn.execute(docs.update().where(docs.c.id == doc_id).values(**values))
        else:
            doc_id = conn.execute(
                docs.insert()
                .values(kb_id=self.kb_id, source_id=source_id, uri=pending.doc.uri, **values)
                .returning(docs.c.id)
            ).scalar_one()
        meta = pending.doc.metadata
        parent_ids: list[int] = []
        for ordinal, parent in enumerate(pending.chunks.parents):
            parent_ids.append(
                conn.execute(
                    chunks.insert()
                    .values(
                        kb_id=self.kb_id,
                        document_id=doc_id,
                        ordinal=-1 - ordinal,
                        text=parent.text,
                        token_count=parent.token_count,
                        parent_id=None,
                        searchable=False,
                        metadata=meta,
                        embedding=None,
                    )
                    .returning(chunks.c.id)
                ).scalar_one()
            )
        rows = [
            {
                "kb_id": self.kb_id,
                "document_id": doc_id,
                "ordinal": ordinal,
                "text": chunk.text,
                "token_count": chunk.token_count,
                "parent_id": parent_ids[chunk.parent] if chunk.parent is not None else None,
                "searchable": True,
                "metadata": meta,
                "embedding": vectors[ordinal].tobytes(),
            }
            for ordinal, chunk in enumerate(pending.chunks.chunks)
        ]
        if rows:
            ids = (
                conn.execute(
                    chunks.insert().returning(chunks.c.id, sort_by_parameter_order=True), rows
                )
                .scalars()
                .all()
            )
            self.index.add(
                conn, [(cid, self.kb_id, r["text"]) for cid, r in zip(ids, rows, strict=True)]
            )

    def _delete_chunks(self, conn: sa.Connection, doc_id: int) -> None:
        from podium.storage import schema

        chunks = schema.chunks
        ids = (
            conn.execute(
                sa.select(chunks.c.id).where(
                    chunks.c.document_id == doc_id, chunks.c.searchable.is_(True)
                )
            )
            .scalars()
            .all()
        )
        self.index.delete(conn, list(ids))
        conn.execute(chunks.delete().where(chunks.c.document_id == doc_id))

    def _delete_rows(self, conn: sa.Connection, doc_ids: Sequence[int]) -> None:
        from podium.storage import schema

        for doc_id in doc_ids:
            self._delete_chunks(conn, doc_id)
        if doc_ids:
            conn.execute(schema.documents.delete().where(schema.documents.c.id.in_(list(doc_ids))))

    def _delete_docs(self, job: IngestionJob, doc_ids: Sequence[int]) -> None:
        for start in range(0, len(doc_ids), 200):
            part = doc_ids[start : start + 200]
            with self.db.begin() as conn:
                self._delete_rows(conn, part)
                job.stats.deleted += len(part)
                self._bump_version(conn)
                self._save_job(conn, job)

    def _bump_version(self, conn: sa.Connection) -> None:
        from podium.storage import schema

        kb = schema.knowledge_bases
        conn.execute(
            kb.update()
            .where(kb.c.id == self.kb_id)
            .values(version=kb.c.version + 1, updated_at=time.time())
        )


def _seen_by(job: IngestionJob, existing: dict[str, _Existing], result: ParseResult) -> bool:
    """Whether this (resumed) job already counted every document of ``result``."""
    return bool(result.documents) and all(
        (e := existing.get(d.uri)) is not None and e.seen_job_id == job.id for d in result.documents
    )


def _apply_sidecar(result: ParseResult, sidecar: Path) -> None:
    """Merge a ``.metadata.json`` sidecar into every document of ``result`` (it wins)."""
    try:
        data = sidecar.read_bytes()
    except OSError as e:
        raise ParseError(f"cannot read {sidecar.name}: {e.strerror or e}") from None
    attributes = sidecar_metadata(data, sidecar.name)
    for doc in result.documents:
        doc.metadata = {**doc.metadata, **attributes}


def _under_failed(uri: str, seen: set[str]) -> bool:
    """Whether ``uri`` must be kept although this sync did not see it.

    That is a record of a file that failed to parse, or a file under a directory that could not
    be read this time.
    """
    base = uri.split("#", 1)[0]
    if base != uri and base in seen:
        return True
    parent = base.rpartition("/")[0]
    while parent.startswith("file:///"):
        if parent in seen:
            return True
        parent = parent.rpartition("/")[0]
    return False


def _as_document(doc: ParsedDocument | dict[str, Any], index: int) -> ParsedDocument:
    if isinstance(doc, ParsedDocument):
        return doc
    if not isinstance(doc, dict):
        raise InvalidInput(f"documents[{index}]: expected an object with uri, text, metadata")
    uri, text, meta = doc.get("uri"), doc.get("text"), doc.get("metadata", {})
    if not isinstance(uri, str) or not uri or len(uri) > 2000:
        raise InvalidInput(f"documents[{index}].uri: a non-empty string of at most 2000 characters")
    if not isinstance(text, str):
        raise InvalidInput(f"documents[{index}].text: expected a string")
    if not isinstance(meta, dict) or not all(isinstance(k, str) for k in meta):
        raise InvalidInput(f"documents[{index}].metadata: expected an object with string keys")
    return ParsedDocument(uri=uri, text=text, metadata=meta)
