"""Data shapes of the memory service: kw_only dataclasses whose ``as_dict`` is AgentCore-like JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "JOB_STATUSES",
    "ROLES",
    "STRATEGY_TYPES",
    "ActorSummary",
    "Event",
    "EventHit",
    "ExtractionJob",
    "JobStatus",
    "Memory",
    "MemoryRecord",
    "MemoryStrategy",
    "RecordHistoryEntry",
    "SessionSummary",
    "StrategyType",
]

StrategyType = Literal["user_preference", "semantic", "summary", "episodic", "custom"]
JobStatus = Literal["PENDING", "RUNNING", "COMPLETED", "FAILED"]

ROLES = ("USER", "ASSISTANT", "TOOL", "OTHER")
STRATEGY_TYPES: tuple[str, ...] = ("user_preference", "semantic", "summary", "episodic", "custom")
JOB_STATUSES: tuple[str, ...] = ("PENDING", "RUNNING", "COMPLETED", "FAILED")


@dataclass(kw_only=True)
class MemoryStrategy:
    """One long-term extraction strategy of a memory.

    ``configuration`` always has ``append_to_prompt`` (str | None), ``model_id`` (str | None) and
    ``triggers`` = {"message_count": int >= 1, "idle_seconds": float | None}; unknown keys are kept.
    """

    strategy_id: str
    name: str
    type: str
    namespaces: list[str]
    description: str = ""
    configuration: dict[str, Any] = field(default_factory=dict)
    status: str = "ACTIVE"

    @property
    def message_count_trigger(self) -> int:
        """USER messages per extraction job (1: every turn)."""
        return int(self.configuration.get("triggers", {}).get("message_count") or 1)

    def as_dict(self) -> dict[str, Any]:
        """AgentCore-like JSON (``strategyId``, ``name``, ``type``, ``namespaces``...)."""
        return {
            "strategyId": self.strategy_id,
            "name": self.name,
            "description": self.description,
            "type": self.type,
            "namespaces": list(self.namespaces),
            "configuration": self.configuration,
            "status": self.status,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MemoryStrategy:
        """Inverse of :meth:`as_dict` (the stored form)."""
        return cls(
            strategy_id=data["strategyId"],
            name=data["name"],
            type=data["type"],
            namespaces=list(data["namespaces"]),
            description=data.get("description", ""),
            configuration=dict(data.get("configuration") or {}),
            status=data.get("status", "ACTIVE"),
        )


@dataclass(kw_only=True)
class Memory:
    """A memory resource: short-term events plus long-term records extracted by strategies."""

    memory_id: str
    name: str
    description: str
    event_expiry_days: int
    strategies: list[MemoryStrategy]
    embedding_model: str
    created_at: float
    updated_at: float
    status: str = "ACTIVE"

    def strategy(self, strategy_id: str) -> MemoryStrategy | None:
        """The strategy with this id, if any."""
        return next((s for s in self.strategies if s.strategy_id == strategy_id), None)

    def as_dict(self) -> dict[str, Any]:
        """AgentCore-like JSON."""
        return {
            "id": self.memory_id,
            "memoryId": self.memory_id,
            "name": self.name,
            "description": self.description,
            "eventExpiryDuration": self.event_expiry_days,
            "status": self.status,
            "embeddingModel": self.embedding_model,
            "strategies": [s.as_dict() for s in self.strategies],
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }


@dataclass(kw_only=True)
class Event:
    """One short-term memory event: a list of payload items in an (actor, session)."""

    event_id: str
    memory_id: str
    actor_id: str
    session_id: str
    event_timestamp: float
    payload: list[dict[str, Any]]
    branch: dict[str, str] | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    pk: int = 0

    def messages(self) -> list[dict[str, Any]]:
        """Conversational items as ``{"role", "content": {"text"}}`` dicts."""
        return [dict(item["conversational"]) for item in self.payload if "conversational" in item]

    def as_dict(self) -> dict[str, Any]:
        """AgentCore-like JSON (metadata values as ``{"stringValue": ...}``)."""
        out: dict[str, Any] = {
            "memoryId": self.memory_id,
            "actorId": self.actor_id,
            "sessionId": self.session_id,
            "eventId": self.event_id,
            "eventTimestamp": self.event_timestamp,
            "payload": self.payload,
        }
        if self.branch:
            out["branch"] = dict(self.branch)
        if self.metadata:
            out["metadata"] = {k: {"stringValue": v} for k, v in self.metadata.items()}
        return out


@dataclass(kw_only=True)
class EventHit:
    """A search_events result."""

    event_id: str
    actor_id: str
    session_id: str
    event_timestamp: float
    text: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        """CamelCase JSON."""
        return {
            "eventId": self.event_id,
            "actorId": self.actor_id,
            "sessionId": self.session_id,
            "eventTimestamp": self.event_timestamp,
            "text": self.text,
            "score": self.score,
        }


@dataclass(kw_only=True)
class SessionSummary:
    """One session of an actor."""

    session_id: str
    actor_id: str
    first_event_at: float
    last_event_at: float
    event_count: int

    def as_dict(self) -> dict[str, Any]:
        """CamelCase JSON (``createdAt`` is the first event's time, as in AgentCore)."""
        return {
            "sessionId": self.session_id,
            "actorId": self.actor_id,
            "createdAt": self.first_event_at,
            "lastEventAt": self.last_event_at,
            "eventCount": self.event_count,
        }


@dataclass(kw_only=True)
class ActorSummary:
    """One actor with events in a memory."""

    actor_id: str
    session_count: int
    last_event_at: float

    def as_dict(self) -> dict[str, Any]:
        """CamelCase JSON."""
        return {
            "actorId": self.actor_id,
            "sessionCount": self.session_count,
            "lastEventAt": self.last_event_at,
        }


@dataclass(kw_only=True)
class MemoryRecord:
    """A long-term memory record (``score`` is set by retrieval, else None)."""

    record_id: str
    memory_id: str
    strategy_id: str | None
    namespace: str
    actor_id: str | None
    session_id: str | None
    content: dict[str, Any]
    text: str
    metadata: dict[str, Any]
    source_event_ids: list[str]
    rationale: str | None
    created_at: float
    updated_at: float
    score: float | None = None
    pk: int = 0

    def snapshot(self) -> dict[str, Any]:
        """The record's state as stored in history ``before``/``after``."""
        return {
            "content": self.content,
            "namespace": self.namespace,
            "strategyId": self.strategy_id,
            "metadata": self.metadata,
            "sourceEventIds": list(self.source_event_ids),
            "rationale": self.rationale,
        }

    def as_dict(self) -> dict[str, Any]:
        """AgentCore-like JSON (``memoryRecordId``, ``content``, ``namespaces``...)."""
        out: dict[str, Any] = {
            "memoryRecordId": self.record_id,
            "memoryId": self.memory_id,
            "content": self.content,
            "memoryStrategyId": self.strategy_id,
            "namespaces": [self.namespace],
            "actorId": self.actor_id,
            "sessionId": self.session_id,
            "metadata": self.metadata,
            "sourceEventIds": list(self.source_event_ids),
            "rationale": self.rationale,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }
        if self.score is not None:
            out["score"] = self.score
        return out


@dataclass(kw_only=True)
class RecordHistoryEntry:
    """One ADD / UPDATE / DELETE of a record, with provenance."""

    memory_id: str
    record_id: str
    actor_id: str | None
    operation: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    source_event_ids: list[str]
    rationale: str | None
    job_id: str | None
    created_at: float

    def as_dict(self) -> dict[str, Any]:
        """CamelCase JSON."""
        return {
            "memoryId": self.memory_id,
            "memoryRecordId": self.record_id,
            "actorId": self.actor_id,
            "operation": self.operation,
            "before": self.before,
            "after": self.after,
            "sourceEventIds": list(self.source_event_ids),
            "rationale": self.rationale,
            "jobId": self.job_id,
            "createdAt": self.created_at,
        }


@dataclass(kw_only=True)
class ExtractionJob:
    """A queued long-term extraction job over an inclusive range of one session's events."""

    job_id: str
    memory_id: str
    actor_id: str
    session_id: str
    strategy_id: str
    trigger: str
    status: str
    from_event_pk: int
    to_event_pk: int
    attempts: int
    max_attempts: int
    error: str | None
    stats: dict[str, Any] | None
    locked_by: str | None
    locked_until: float | None
    run_after: float
    created_at: float
    updated_at: float

    @classmethod
    def from_row(cls, row: Any) -> ExtractionJob:
        """Build from an ``extraction_jobs`` row mapping."""
        m = row._mapping if hasattr(row, "_mapping") else row
        return cls(
            job_id=m["id"],
            memory_id=m["memory_id"],
            actor_id=m["actor_id"],
            session_id=m["session_id"],
            strategy_id=m["strategy_id"],
            trigger=m["trigger"],
            status=m["status"],
            from_event_pk=m["from_event_pk"],
            to_event_pk=m["to_event_pk"],
            attempts=m["attempts"],
            max_attempts=m["max_attempts"],
            error=m["error"],
            stats=m["stats"],
            locked_by=m["locked_by"],
            locked_until=m["locked_until"],
            run_after=m["run_after"],
            created_at=m["created_at"],
            updated_at=m["updated_at"],
        )

    def as_dict(self) -> dict[str, Any]:
        """CamelCase JSON."""
        return {
            "jobId": self.job_id,
            "memoryId": self.memory_id,
            "actorId": self.actor_id,
            "sessionId": self.session_id,
            "strategyId": self.strategy_id,
            "trigger": self.trigger,
            "status": self.status,
            "fromEventPk": self.from_event_pk,
            "toEventPk": self.to_event_pk,
            "attempts": self.attempts,
            "maxAttempts": self.max_attempts,
            "error": self.error,
            "stats": self.stats,
            "runAfter": self.run_after,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }
