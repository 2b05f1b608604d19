"""``bedrock-agent`` ingestion jobs: start, get, list, stop.

A job is one of Podium's resumable ingestion jobs, run in a background thread: an S3 source
syncs its objects (incremental by ETag), a local-folder source its files (incremental by content
hash). StartIngestionJob answers STARTING; reads then show IN_PROGRESS, STOPPING (asked to stop),
COMPLETE, FAILED or STOPPED. A job left IN_PROGRESS by a server that died is resumed by the next
StartIngestionJob of its data source (same job id), and can be stopped.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.knowledge import JobStatus
from podium.storage import schema

from ._kb_common import conflict, validation
from ._kb_sources import DataSource, data_source
from ._registry import Call, operation

if TYPE_CHECKING:
    from podium.knowledge import IngestionJob, KnowledgeBase

__all__ = ["running_jobs", "statistics"]

logger = logging.getLogger(__name__)

_MAX_REASONS = 100


@dataclass
class _Running:
    job_id: str
    kb_id: str
    source_id: str
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


_running: dict[str, _Running] = {}
_lock = threading.Lock()


def running_jobs(*, kb_id: str | None = None, source_id: str | None = None) -> list[str]:
    """Ids of the jobs running in this process (of a KB, or of a data source)."""
    with _lock:
        return [
            r.job_id
            for r in _running.values()
            if (kb_id is None or r.kb_id == kb_id)
            and (source_id is None or r.source_id == source_id)
        ]


def statistics(job: IngestionJob) -> dict[str, int]:
    """Bedrock's ``IngestionJobStatistics`` from Podium's counters."""
    s = job.stats
    return {
        "numberOfDocumentsScanned": s.scanned,
        "numberOfMetadataDocumentsScanned": s.metadata_scanned,
        "numberOfNewDocumentsIndexed": s.new,
        "numberOfModifiedDocumentsIndexed": s.modified,
        "numberOfMetadataDocumentsModified": 0,
        "numberOfDocumentsDeleted": s.deleted,
        "numberOfDocumentsFailed": s.failed,
        "numberOfDocumentsSkipped": 0,
    }


def _status(job: IngestionJob) -> str:
    if job.status is JobStatus.IN_PROGRESS:
        with _lock:
            running = _running.get(job.id)
        if running is not None and running.stop.is_set():
            return "STOPPING"
    return job.status.value


def _reasons(job: IngestionJob) -> list[str]:
    reasons = [job.error] if job.error else []
    reasons += [f"{f['uri']}: {f['reason']}" for f in job.failures[:_MAX_REASONS]]
    if len(job.failures) > _MAX_REASONS:
        reasons.append(f"... and {len(job.failures) - _MAX_REASONS} more failed documents")
    return reasons


def _descriptions(call: Call, job_ids: list[str]) -> dict[str, str]:
    if not job_ids:
        return {}
    t = schema.aws_ingestion_jobs
    with call.backend.database.connect() as conn:
        rows = conn.execute(
            sa.select(t.c.job_id, t.c.description).where(t.c.job_id.in_(job_ids))
        ).all()
    return {job_id: text for job_id, text in rows if text}


def _job_dict(
    job: IngestionJob, description: str | None, *, summary: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "knowledgeBaseId": job.kb_id,
        "dataSourceId": job.source_id,
        "ingestionJobId": job.id,
        "description": description,
        "status": _status(job),
        "statistics": statistics(job),
        "startedAt": job.started_at,
        "updatedAt": job.updated_at,
    }
    if not summary:
        out["failureReasons"] = _reasons(job)
    return out


def _run(
    call: Call, kb: KnowledgeBase, source: DataSource, job: IngestionJob, run: _Running
) -> None:
    """The thread body: sync the source as ``job``, then forget the job."""
    from botocore.exceptions import BotoCoreError, ClientError

    handle = kb.with_chunking(source.chunking)
    try:
        if source.type == "S3":
            from ._kb_s3 import S3Reader

            reader = S3Reader(call.region)
            handle.sync_items(
                reader.items(source), source_id=source.id, job=job, should_stop=run.stop.is_set
            )
        else:
            handle.ingest(
                source.folders,
                source_id=source.id,
                job=job,
                should_stop=run.stop.is_set,
                keep=source.keep,
            )
        logger.info("job_id=<%s>, source_id=<%s> | ingestion job ended", job.id, source.id)
    except (BotoCoreError, ClientError) as e:
        # The sync marked the job FAILED with this message already; nothing more to do.
        logger.warning("job_id=<%s>, error=<%s> | ingestion job failed reading S3", job.id, e)
    except Exception:
        logger.exception("job_id=<%s> | ingestion job failed", job.id)
    finally:
        with _lock:
            _running.pop(job.id, None)


@operation("bedrock-agent", "StartIngestionJob")
def start_ingestion_job(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Start syncing a data source (ConflictException while one of its jobs runs)."""
    kb, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    if source.type == "CUSTOM":
        raise validation(
            "a CUSTOM data source has nothing to sync: use IngestKnowledgeBaseDocuments"
        )
    with _lock:
        if any(r.source_id == source.id for r in _running.values()):
            raise conflict(f"data source {source.id} already has an ingestion job in progress")
        job = kb.jobs.start(source.id)
        run = _Running(job_id=job.id, kb_id=kb.id, source_id=source.id)
        _running[job.id] = run
    try:
        description = params.get("description")
        t = schema.aws_ingestion_jobs
        with call.backend.database.begin() as conn:
            exists = conn.execute(sa.select(t.c.job_id).where(t.c.job_id == job.id)).first()
            if exists is None:
                conn.execute(t.insert().values(job_id=job.id, description=description))
            elif description:
                conn.execute(t.update().where(t.c.job_id == job.id).values(description=description))
        run.thread = threading.Thread(
            target=_run, args=(call, kb, source, job, run), name=f"ingest-{job.id}", daemon=True
        )
        run.thread.start()
    except BaseException:
        with _lock:
            _running.pop(job.id, None)
        raise
    logger.info(
        "job_id=<%s>, source_id=<%s>, resumed=<%s> | ingestion job started",
        job.id,
        source.id,
        job.resumed,
    )
    out = _job_dict(job, _descriptions(call, [job.id]).get(job.id))
    out["status"] = "STARTING"
    return {"ingestionJob": out}


def _job(call: Call, params: dict[str, Any]) -> tuple[KnowledgeBase, IngestionJob]:
    kb, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    job = kb.jobs.get(params["ingestionJobId"])
    if job.source_id != source.id:
        from ._kb_common import not_found

        raise not_found(f"ingestion job {job.id} not found in data source {source.id}")
    return kb, job


@operation("bedrock-agent", "GetIngestionJob")
def get_ingestion_job(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """One job with its statistics and failure reasons."""
    _, job = _job(call, params)
    return {"ingestionJob": _job_dict(job, _descriptions(call, [job.id]).get(job.id))}


_SORT_KEYS = {
    "STATUS": lambda j: (j.status.value, j.started_at),
    "STARTED_AT": lambda j: j.started_at,
}


@operation("bedrock-agent", "ListIngestionJobs")
def list_ingestion_jobs(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """A data source's jobs: filtered by status, sorted (default newest first), paginated."""
    from ._kb_common import page

    kb, source = data_source(call, params["knowledgeBaseId"], params["dataSourceId"])
    jobs = kb.jobs.list(limit=100_000, source_id=source.id)
    for flt in params.get("filters") or []:
        wanted = set(flt["values"])
        jobs = [j for j in jobs if _status(j) in wanted]
    sort = params.get("sortBy") or {"attribute": "STARTED_AT", "order": "DESCENDING"}
    jobs.sort(key=_SORT_KEYS[sort["attribute"]], reverse=sort["order"] == "DESCENDING")
    items, token = page(jobs, params)
    descriptions = _descriptions(call, [j.id for j in items])
    return {
        "ingestionJobSummaries": [
            _job_dict(j, descriptions.get(j.id), summary=True) for j in items
        ],
        "nextToken": token or None,
    }


@operation("bedrock-agent", "StopIngestionJob")
def stop_ingestion_job(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Ask a running job to stop (STOPPING, then STOPPED); ConflictException once it ended."""
    kb, job = _job(call, params)
    if job.status is not JobStatus.IN_PROGRESS:
        raise conflict(f"ingestion job {job.id} is {job.status.value}, not in progress")
    with _lock:
        run = _running.get(job.id)
        if run is not None:
            run.stop.set()
    if run is None:
        job = kb.jobs.get(job.id)  # it may have ended meanwhile
        if job.status is not JobStatus.IN_PROGRESS:
            raise conflict(f"ingestion job {job.id} is {job.status.value}, not in progress")
        # Left IN_PROGRESS by a server that is gone: nothing runs it, so it stops now.
        job = kb.jobs.finish(job, stopped=True)
    else:
        job = kb.jobs.get(job.id)
    out = _job_dict(job, _descriptions(call, [job.id]).get(job.id))
    if job.status is JobStatus.IN_PROGRESS:
        # Read before the runner saw the flag: it is stopping, even if it forgot the job since.
        out["status"] = "STOPPING"
    return {"ingestionJob": out}
