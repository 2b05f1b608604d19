"""Syncing a data source that is not a local folder (an S3 bucket): objects with versions.

Each object is a :class:`SourceItem` with an opaque ``version`` (for S3, its ETag and its
sidecar's). Its documents store a hash of that version as their content hash, so an object
whose version has not moved is counted unchanged without being fetched; one whose version moved
is fetched, parsed and re-indexed (counted modified even if its text came out the same: the
object changed). Documents of the source whose object is gone are deleted. Resumable like a
folder sync: a resumed job skips what it already wrote or counted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._jobs import IngestionStopped
from ._parsers import ParseError, ParseResult

if TYPE_CHECKING:
    from ._ingest import Ingestor
    from ._models import IngestionJob

__all__ = ["SourceItem", "sync_items", "version_digest"]

_BATCH_CHUNKS = 64


@dataclass(frozen=True, kw_only=True)
class SourceItem:
    """One object of a remote data source."""

    #: The object's URI (``s3://bucket/key``); its documents are this URI or ``uri#record``.
    uri: str
    #: Changes whenever the object or its metadata changes (S3: the ETags).
    version: str
    #: Fetches and parses the object (metadata applied); raises :class:`ParseError`.
    load: Callable[[], ParseResult]
    #: Whether a metadata sidecar belongs to it (counted as a metadata document).
    has_sidecar: bool = False


def version_digest(version: str) -> str:
    """The content hash stored for the documents of an object at ``version``."""
    return hashlib.sha256(f"item-version:{version}".encode()).hexdigest()


def _base(uri: str) -> str:
    return uri.split("#", 1)[0]


def sync_items(
    ingestor: Ingestor,
    items: Iterable[SourceItem],
    *,
    source_id: str,
    job: IngestionJob | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> IngestionJob:
    """Make ``source_id``'s documents match ``items``: add, re-index and delete."""
    from ._ingest import _Batch

    if job is None:
        job = ingestor.jobs.start(source_id)
    batch = _Batch()
    try:
        existing = ingestor._existing()
        by_base: dict[str, list[str]] = {}
        for uri in existing:
            by_base.setdefault(_base(uri), []).append(uri)
        known_failures = {f["uri"] for f in job.failures}
        seen: set[str] = set()
        failed: set[str] = set()
        for item in items:
            if should_stop is not None and should_stop():
                raise IngestionStopped
            digest = version_digest(item.version)
            if item.uri in known_failures:
                failed.add(item.uri)
                continue
            stored = [existing[u] for u in by_base.get(item.uri, [])]
            fresh = [e for e in stored if e.seen_job_id != job.id]
            if stored and all(e.hash == digest for e in stored):
                if fresh and item.has_sidecar:
                    job.stats.metadata_scanned += 1
                for uri in by_base[item.uri]:
                    seen.add(uri)
                for e in fresh:
                    job.stats.scanned += 1
                    job.stats.unchanged += 1
                    batch.unchanged.append(e.id)
            else:
                if item.has_sidecar and (fresh or not stored):
                    job.stats.metadata_scanned += 1
                try:
                    result = item.load()
                except ParseError as e:
                    failed.add(item.uri)
                    batch.failures.append({"uri": item.uri, "reason": e.message})
                    job.stats.scanned += 1
                    continue
                for uri, reason in result.failures:
                    seen.add(uri)
                    if uri not in known_failures:
                        batch.failures.append({"uri": uri, "reason": reason})
                        job.stats.scanned += 1
                for doc in result.documents:
                    seen.add(doc.uri)
                    ingestor._consider(job, doc, existing.get(doc.uri), batch, digest=digest)
            if batch.chunk_total >= _BATCH_CHUNKS or len(batch.unchanged) >= 500 or batch.failures:
                ingestor._flush(job, batch, source_id)
                batch = _Batch()
        ingestor._flush(job, batch, source_id)
        batch = _Batch()
        gone = [
            e.id
            for uri, e in existing.items()
            if e.source_id == source_id and uri not in seen and _base(uri) not in failed
        ]
        ingestor._delete_docs(job, gone)
    except IngestionStopped:
        ingestor._flush(job, batch, source_id)
        return ingestor.jobs.finish(job, stopped=True)
    except Exception as e:
        ingestor.jobs.finish(job, error=f"{e.__class__.__name__}: {e}")
        raise
    return ingestor.jobs.finish(job)
