"""Ingestion job rows: start (or resume), save, finish, list and get."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from podium.errors import NotFound

from ._models import IngestionJob, IngestionStats, JobStatus, new_resource_id

if TYPE_CHECKING:
    from podium.storage import Database

__all__ = ["IngestionStopped", "JobStore"]

logger = logging.getLogger(__name__)


class IngestionStopped(Exception):
    """Raised inside a sync when its ``should_stop`` says so: the job ends STOPPED."""


class JobStore:
    """The ingestion jobs of one knowledge base."""

    def __init__(self, db: Database, kb_id: str, kb_name: str) -> None:
        self.db = db
        self.kb_id = kb_id
        self.kb_name = kb_name

    @staticmethod
    def from_row(row: Any) -> IngestionJob:
        """An :class:`IngestionJob` from its ``ingestion_jobs`` row."""
        return IngestionJob(
            id=row["id"],
            kb_id=row["kb_id"],
            source_id=row["source_id"],
            status=JobStatus(row["status"]),
            stats=IngestionStats(**row["stats"]),
            failures=list(row["failures"]),
            error=row["error"],
            started_at=row["started_at"],
            updated_at=row["updated_at"],
            finished_at=row["finished_at"],
        )

    def list(self, limit: int = 20, source_id: str | None = None) -> list[IngestionJob]:
        """Newest jobs first (only ``source_id``'s when given)."""
        from podium.storage import schema

        t = schema.ingestion_jobs
        query = sa.select(t).where(t.c.kb_id == self.kb_id)
        if source_id is not None:
            query = query.where(t.c.source_id == source_id)
        with self.db.connect() as conn:
            rows = conn.execute(query.order_by(t.c.started_at.desc()).limit(limit)).mappings()
            return [self.from_row(r) for r in rows]

    def get(self, job_id: str) -> IngestionJob:
        """One job of this KB."""
        from podium.storage import schema

        t = schema.ingestion_jobs
        with self.db.connect() as conn:
            row = (
                conn.execute(sa.select(t).where(t.c.id == job_id, t.c.kb_id == self.kb_id))
                .mappings()
                .first()
            )
        if row is None:
            raise NotFound(f"ingestion job {job_id!r} not found in knowledge base {self.kb_name!r}")
        return self.from_row(row)

    def start(self, source_id: str | None) -> IngestionJob:
        """A new IN_PROGRESS job, or the source's interrupted one (``resumed``)."""
        from podium.storage import schema

        t = schema.ingestion_jobs
        with self.db.begin() as conn:
            if source_id is not None:
                row = (
                    conn.execute(
                        sa.select(t)
                        .where(
                            t.c.kb_id == self.kb_id,
                            t.c.source_id == source_id,
                            t.c.status == JobStatus.IN_PROGRESS.value,
                        )
                        .order_by(t.c.started_at.desc())
                        .limit(1)
                    )
                    .mappings()
                    .first()
                )
                if row is not None:
                    job = self.from_row(row)
                    job.resumed = True
                    logger.info("job_id=<%s> | resuming interrupted ingestion job", job.id)
                    return job
            now = time.time()
            job = IngestionJob(
                id=new_resource_id(),
                kb_id=self.kb_id,
                source_id=source_id,
                status=JobStatus.IN_PROGRESS,
                stats=IngestionStats(),
                failures=[],
                error=None,
                started_at=now,
                updated_at=now,
                finished_at=None,
            )
            conn.execute(
                t.insert().values(
                    id=job.id,
                    kb_id=job.kb_id,
                    source_id=source_id,
                    status=job.status.value,
                    stats=job.stats.as_dict(),
                    failures=[],
                    error=None,
                    started_at=now,
                    updated_at=now,
                    finished_at=None,
                )
            )
        return job

    def save(self, conn: sa.Connection, job: IngestionJob) -> None:
        """Write the job's status, counters and failures (in the caller's transaction)."""
        from podium.storage import schema

        job.updated_at = time.time()
        conn.execute(
            schema.ingestion_jobs.update()
            .where(schema.ingestion_jobs.c.id == job.id)
            .values(
                status=job.status.value,
                stats=job.stats.as_dict(),
                failures=job.failures,
                error=job.error,
                updated_at=job.updated_at,
                finished_at=job.finished_at,
            )
        )

    def finish(
        self, job: IngestionJob, error: str | None = None, *, stopped: bool = False
    ) -> IngestionJob:
        """End the job: COMPLETE, FAILED (``error``) or STOPPED."""
        if stopped:
            job.status = JobStatus.STOPPED
        else:
            job.status = JobStatus.FAILED if error else JobStatus.COMPLETE
        job.error = error
        job.finished_at = time.time()
        with self.db.begin() as conn:
            self.save(conn, job)
        return job
