"""Running one claimed job: the extractor's inputs, its decisions, and their effect on records.

The decisions are applied through the record store in ONE transaction that also marks the job
COMPLETED, fenced on ``locked_by`` = this worker. A crash mid-job leaves no partial records and
a re-claimable job; a worker whose lease was taken over cannot commit (its transaction finds
the job no longer its own and rolls back).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from .._carried import blob_message, carried_text, readable_record_text
from .._models import Event, ExtractionJob, MemoryRecord, MemoryStrategy
from .._namespaces import reflection_namespace_template, resolve_namespace
from ..records import NewRecord
from . import _queue
from ._extractor import (
    Add,
    Decision,
    Delete,
    ExistingRecord,
    Extractor,
    Message,
    Skip,
    Update,
    base_type,
)

if TYPE_CHECKING:
    from podium.embeddings import Embedder

    from ._host import WorkerHost

__all__ = ["LeaseLost", "execute_job"]

_HISTORY_TYPES = ("summary", "episodic")
_MAX_HISTORY = 400


class LeaseLost(Exception):
    """This worker no longer holds the job it is finishing."""


def _messages(events: Sequence[Event]) -> list[Message]:
    out: list[Message] = []
    for event in events:
        for item in event.payload:
            found: tuple[str, str] | None = None
            if "conversational" in item:
                conv = item["conversational"]
                raw = str((conv.get("content") or {}).get("text") or "")
                found = str(conv.get("role") or "OTHER").upper(), carried_text(raw)
            elif "blob" in item:
                # A Strands message too long for a conversational item.
                found = blob_message(item["blob"])
            if found is not None and found[1].strip():
                out.append(
                    Message(
                        event_id=event.event_id,
                        role=found[0],
                        text=found[1],
                        timestamp=event.event_timestamp,
                        metadata=dict(event.metadata or {}),
                    )
                )
    return out


def _existing(record: MemoryRecord) -> ExistingRecord:
    return ExistingRecord(
        record_id=record.record_id,
        text=record.text,
        content=dict(record.content or {}),
        namespace=record.namespace,
        source_event_ids=tuple(record.source_event_ids or ()),
    )


@dataclass(kw_only=True)
class _Lookup:
    """The ``existing`` callable handed to extractors: exact-namespace similar records."""

    host: WorkerHost
    memory_id: str
    namespace: str
    embedder: Embedder
    vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def vector(self, text: str) -> np.ndarray:
        found = self.vectors.get(text)
        if found is None:
            found = self.embedder.embed([readable_record_text(text)], kind="document")[0]
            self.vectors[text] = found
        return found

    def __call__(
        self, text: str, k: int, namespace: str | None = None
    ) -> list[tuple[ExistingRecord, float]]:
        ns = namespace or self.namespace
        if not text:
            # "The record of this namespace" (summary, episode, reflection): no vector needed.
            return self._exact_namespace(ns, k)
        # The prefix search also returns child namespaces (episodes under a reflection
        # namespace): over-fetch, then keep exact matches only.
        hits = self.host.similar_records(self.memory_id, ns, self.vector(text), k * 4)
        out = [
            (_existing(record), float(score)) for record, score in hits if record.namespace == ns
        ][:k]
        if not out:
            out = self._exact_namespace(ns, k)
        return out

    def _exact_namespace(self, ns: str, k: int) -> list[tuple[ExistingRecord, float]]:
        records = self.host.records_in_namespace(self.memory_id, ns, k)
        return [(_existing(record), 0.0) for record in records]


def _strategy_view(job: ExtractionJob, strategy: MemoryStrategy) -> tuple[dict[str, Any], str]:
    template = strategy.namespaces[0]
    namespace = resolve_namespace(template, job.actor_id, job.session_id, strategy.strategy_id)
    view: dict[str, Any] = {
        "strategy_id": strategy.strategy_id,
        "name": strategy.name,
        "type": strategy.type,
        "configuration": dict(strategy.configuration or {}),
        "namespace": namespace,
        "actor_id": job.actor_id,
        "session_id": job.session_id,
    }
    if base_type(view) == "episodic":
        reflection = reflection_namespace_template(strategy)
        if reflection:
            view["reflection_namespace"] = resolve_namespace(
                reflection, job.actor_id, job.session_id, strategy.strategy_id
            )
    return view, namespace


def _vectors(decisions: Sequence[Decision], lookup: _Lookup | None) -> Mapping[str, np.ndarray]:
    if lookup is None:
        return {}
    texts = [d.text for d in decisions if isinstance(d, Add | Update)]
    missing = list(dict.fromkeys(x for x in texts if x not in lookup.vectors))
    if missing:
        # A JSON preference record is embedded as the sentence it states, not as its JSON.
        readable = [readable_record_text(x) for x in missing]
        for text, vector in zip(
            missing, lookup.embedder.embed(readable, kind="document"), strict=True
        ):
            lookup.vectors[text] = vector
    return lookup.vectors


def execute_job(
    host: WorkerHost, extractor: Extractor, worker_id: str, job: ExtractionJob
) -> dict[str, int]:
    """Extract from a claimed job's events and commit the decisions with the COMPLETED mark.

    Returns the job's stats; raises :class:`LeaseLost` when ``worker_id`` no longer holds it.
    """
    memory = host.get_memory(job.memory_id)
    strategy = memory.strategy(job.strategy_id)
    stats = {"added": 0, "updated": 0, "deleted": 0, "skipped": 0, "messages": 0}
    decisions: list[Decision] = []
    lookup: _Lookup | None = None
    namespace = ""
    if strategy is not None:
        view, namespace = _strategy_view(job, strategy)
        messages = _messages(host.events_in_range(job))
        stats["messages"] = len(messages)
        if messages:
            history = (
                _messages(host.events_before(job, _MAX_HISTORY))
                if base_type(view) in _HISTORY_TYPES
                else []
            )
            embedder = host.memory_embedder(job.memory_id)
            lookup = _Lookup(
                host=host, memory_id=job.memory_id, namespace=namespace, embedder=embedder
            )
            decisions = extractor.extract(view, messages, lookup, history=history)
    vectors = _vectors(decisions, lookup)
    with host.db.begin() as conn:
        if not _queue.complete(conn, job.job_id, worker_id, time.time()):
            raise LeaseLost(job.job_id)
        for decision in decisions:
            _apply(host, type(extractor).__name__, conn, job, namespace, decision, vectors, stats)
        _queue.save_stats(conn, job.job_id, stats)
    return stats


def _apply(
    host: WorkerHost,
    extracted_by: str,
    conn: sa.Connection,
    job: ExtractionJob,
    namespace: str,
    decision: Decision,
    vectors: Mapping[str, np.ndarray],
    stats: dict[str, int],
) -> None:
    records = host.records
    if isinstance(decision, Skip):
        stats["skipped"] += 1
        return
    if isinstance(decision, Add):
        content = {**decision.content, "text": decision.text}
        records.add_record(
            conn,
            NewRecord(
                memory_id=job.memory_id,
                actor_id=job.actor_id,
                session_id=job.session_id,
                strategy_id=job.strategy_id,
                namespace=decision.namespace or namespace,
                content=content,
                text=decision.text,
                embedding=vectors.get(decision.text),
                metadata={"extractedBy": extracted_by},
                source_event_ids=list(decision.source_event_ids),
                rationale=decision.rationale,
                job_id=job.job_id,
            ),
        )
        stats["added"] += 1
        return
    current = records.get_record(conn, decision.record_id)
    if current is None or current.memory_id != job.memory_id or current.actor_id != job.actor_id:
        # Deleted meanwhile, or not this actor's: never touch it.
        stats["skipped"] += 1
        return
    if isinstance(decision, Update):
        content = {**decision.content, "text": decision.text}
        records.update_record(
            conn,
            decision.record_id,
            content,
            text=decision.text,
            embedding=vectors.get(decision.text),
            source_event_ids=list(decision.source_event_ids),
            rationale=decision.rationale,
            job_id=job.job_id,
        )
        stats["updated"] += 1
    elif isinstance(decision, Delete):
        records.delete_record(
            conn,
            decision.record_id,
            rationale=decision.rationale,
            source_event_ids=list(decision.source_event_ids),
            job_id=job.job_id,
        )
        stats["deleted"] += 1
