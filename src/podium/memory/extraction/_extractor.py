"""The extraction interface shared by the offline and LLM backends.

An :class:`Extractor` turns a batch of conversation messages into :data:`Decision` values
(ADD / UPDATE / SKIP / DELETE) for one memory strategy. It never writes: the worker applies
the decisions through the record store in the same transaction that completes the job, so a
crash between extraction and write loses nothing and duplicates nothing.

The ``strategy`` dict an extractor receives carries the stored strategy (``type``,
``configuration``, ``strategy_id``...) plus namespaces the worker resolved for this job:

- ``namespace``: where the strategy's records for this actor/session live;
- ``reflection_namespace`` (episodic only): the actor-level namespace for reflections.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "Add",
    "Decision",
    "Delete",
    "ExistingRecord",
    "ExistingRecords",
    "Extractor",
    "Message",
    "Skip",
    "Update",
    "base_type",
]

STRATEGY_TYPES = ("semantic", "user_preference", "summary", "episodic", "custom")


@dataclass(frozen=True, kw_only=True)
class Message:
    """One conversational turn as extraction sees it."""

    event_id: str
    role: str
    text: str
    timestamp: float
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ExistingRecord:
    """A stored long-term record as consolidation sees it."""

    record_id: str
    text: str
    content: Mapping[str, Any]
    namespace: str = ""
    source_event_ids: tuple[str, ...] = ()


class ExistingRecords(Protocol):
    """Top-``k`` stored records most similar to ``text`` (cosine score, best first).

    ``namespace`` defaults to the strategy's resolved namespace for the job. An empty
    ``text`` lists the namespace's own records (newest first, score 0) without any vector search.
    """

    def __call__(
        self, text: str, k: int, namespace: str | None = None
    ) -> list[tuple[ExistingRecord, float]]: ...


@dataclass(frozen=True, kw_only=True)
class Add:
    """Create a record. ``namespace`` None means the strategy's namespace for the job."""

    content: dict[str, Any]
    text: str
    rationale: str
    source_event_ids: tuple[str, ...]
    namespace: str | None = None


@dataclass(frozen=True, kw_only=True)
class Update:
    """Replace a record's content; the record store keeps the old version in history."""

    record_id: str
    content: dict[str, Any]
    text: str
    rationale: str
    source_event_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Skip:
    """Nothing to write (already known, or nothing memorable)."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class Delete:
    """Remove a record (kept in history)."""

    record_id: str
    rationale: str
    source_event_ids: tuple[str, ...]


Decision = Add | Update | Skip | Delete


def base_type(strategy: Mapping[str, Any]) -> str:
    """The built-in strategy type a strategy behaves as (``custom`` resolves to its base)."""
    kind = str(strategy.get("type", "")).lower()
    if kind == "custom":
        config = strategy.get("configuration") or {}
        kind = str(config.get("base") or config.get("base_type") or "semantic").lower()
    return kind


class Extractor(ABC):
    """Turns new messages of one session into decisions for one strategy."""

    @abstractmethod
    def extract(
        self,
        strategy: Mapping[str, Any],
        messages: Sequence[Message],
        existing: ExistingRecords,
        *,
        history: Sequence[Message] = (),
    ) -> list[Decision]:
        """Decisions for ``messages`` (the job's new turns).

        ``history`` holds the session's earlier turns, for strategies that describe a whole
        session (summary, episodic). ``existing`` looks up stored records for consolidation.
        """
