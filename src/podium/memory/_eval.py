"""Memory retrieval evaluation on LoCoMo: evidence recall@k of Podium's memory search vs BM25.

Each conversation is loaded into a fresh memory: one actor, one session per LoCoMo session, one
USER event per turn (both speakers are people; the speaker and ``dia_id`` go into metadata and
the speaker's name prefixes the text, as a transcript would show it). Extraction runs with the
offline extractor. For every question of categories 1-4, :func:`memory_search` retrieves turns
with the product's own recall (:meth:`~podium.memory.MemoryService.recall`); recall@k is the
share of the question's evidence turns among the top-k distinct turns.

Nothing here knows the questions, and nothing is tuned to them: the search is the one the
service offers every caller.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa

from . import _tables as t
from ._eval_data import LocomoConversation, load_locomo

if TYPE_CHECKING:
    from podium.config import Settings

    from ._service import MemoryService

__all__ = [
    "LoadedConversation",
    "evaluate_locomo",
    "load_conversation",
    "memory_search",
]

logger = logging.getLogger(__name__)

_CATEGORIES = (1, 2, 3, 4)
_STRATEGIES = [
    {"type": "semantic", "name": "facts", "configuration": {"triggers": {"message_count": 1000}}},
    {
        "type": "user_preference",
        "name": "preferences",
        "configuration": {"triggers": {"message_count": 1000}},
    },
]


@dataclass(kw_only=True)
class LoadedConversation:
    """A LoCoMo conversation stored in a memory: its ids and the turns in order."""

    memory_id: str
    actor_id: str
    dia_of_event: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # event ids in conversation order
    session_of: dict[str, str] = field(default_factory=dict)


def _actor_id(sample_id: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "-", sample_id)[:64] or "actor"


def load_conversation(
    service: MemoryService, conversation: LocomoConversation, name: str
) -> LoadedConversation:
    """Store one conversation's turns as events and queue extraction for every session."""
    memory = service.create_memory(name, strategies=[dict(s) for s in _STRATEGIES])
    loaded = LoadedConversation(
        memory_id=memory.memory_id, actor_id=_actor_id(conversation.sample_id)
    )
    for session in conversation.sessions:
        session_id = f"session-{session.number}"
        for i, turn in enumerate(session.turns):
            text = f"{turn.speaker}: {turn.text}"
            if turn.caption:
                text += f" [shares a photo: {turn.caption}]"
            event = service.create_event(
                memory.memory_id,
                loaded.actor_id,
                session_id,
                [{"conversational": {"role": "USER", "content": {"text": text}}}],
                event_timestamp=session.timestamp + i,
                metadata={"speaker": turn.speaker, "dia_id": turn.dia_id},
            )
            loaded.dia_of_event[event.event_id] = turn.dia_id
            loaded.order.append(event.event_id)
            loaded.session_of[event.event_id] = session_id
        service.flush_extraction(memory.memory_id, loaded.actor_id, session_id)
    return loaded


def memory_search(
    service: MemoryService, loaded: LoadedConversation, query: str, top_k: int = 10
) -> list[str]:
    """Top-k event ids for ``query``: the memory service's recall, nothing added here."""
    return [hit.event_id for hit in service.recall(loaded.memory_id, loaded.actor_id, query, top_k)]


def _bm25_search(
    service: MemoryService, loaded: LoadedConversation, query: str, top_k: int
) -> list[str]:
    scope = f"{loaded.memory_id}|{loaded.actor_id}"
    with service.db.connect() as conn:
        pks = [pk for pk, _ in t.EVENTS_FTS.search(conn, [scope], query, top_k)]
        if not pks:
            return []
        ids = dict(
            conn.execute(
                sa.select(t.events.c.pk, t.events.c.event_id).where(t.events.c.pk.in_(pks))
            ).all()
        )
    return [ids[pk] for pk in pks if pk in ids]


def _recall(evidence: Sequence[str], retrieved: Sequence[str]) -> float:
    wanted = set(evidence)
    return len(wanted & set(retrieved)) / len(wanted) if wanted else 0.0


def _summarise(per_question: list[tuple[int, float]], top_k: int) -> dict[str, Any]:
    by_cat: dict[int, list[float]] = defaultdict(list)
    for category, value in per_question:
        by_cat[category].append(value)
    overall = sum(v for _, v in per_question) / len(per_question) if per_question else 0.0
    return {
        f"recall@{top_k}": round(overall, 4),
        "by_category": {str(c): round(sum(v) / len(v), 4) for c, v in sorted(by_cat.items())},
        "questions": len(per_question),
    }


def _latency(samples_ms: list[float]) -> dict[str, float]:
    if not samples_ms:
        return {"p50": 0.0, "p99": 0.0}
    ordered = sorted(samples_ms)
    return {
        "p50": round(ordered[len(ordered) // 2], 2),
        "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    }


@dataclass(kw_only=True)
class _Scores:
    """Per-question recall (by category) and latency of one method, overall and per conversation."""

    top_k: int
    rows: list[tuple[str, int, float]] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    def add(self, sample_id: str, category: int, recall: float, ms: float) -> None:
        self.rows.append((sample_id, category, recall))
        self.ms.append(ms)

    def report(self) -> dict[str, Any]:
        out = _summarise([(c, v) for _, c, v in self.rows], self.top_k)
        out["latency_ms"] = _latency(self.ms)
        out["by_conversation"] = {
            sid: _summarise([(c, v) for s, c, v in self.rows if s == sid], self.top_k)
            for sid in dict.fromkeys(s for s, _, _ in self.rows)
        }
        return out


def _timed(
    search: Callable[[MemoryService, LoadedConversation, str, int], list[str]],
    *args: Any,
) -> tuple[list[str], float]:
    started = time.perf_counter()
    hits = search(*args)
    return hits, (time.perf_counter() - started) * 1000


def evaluate_locomo(
    path: str | Path,
    top_k: int = 10,
    baseline: Literal["none", "bm25"] = "none",
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    progress: Callable[[str], None] | None = None,
    step: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Evidence recall@k of Podium's memory search on a LoCoMo file (see the module docstring).

    ``step(done, total)`` is told after each conversation loaded and each question answered
    (a progress bar); ``progress`` gets one line per conversation.

    The data is loaded into ``database_url`` or, by default, a temporary SQLite file. With
    ``baseline="bm25"`` the result also has ``baseline_bm25``: keyword-only search over turns.
    Each has ``by_conversation`` (every conversation scored alone, for leave-one-out reading)
    and ``latency_ms`` per question (p50/p99, the actor's turn index already built; its build
    time is ``timing_s.index_build``).
    """
    from podium.config import Settings
    from podium.storage import Database

    from ._service import MemoryService
    from .extraction import ExtractionWorker

    settings = settings or Settings()
    conversations = load_locomo(path)
    say = progress or (lambda message: logger.info("%s", message))
    questions = sum(
        1 for c in conversations for qa in c.qa if qa.category in _CATEGORIES and qa.evidence
    )
    total, done = len(conversations) + questions, 0

    def advance() -> None:
        nonlocal done
        done += 1
        if step is not None:
            step(done, total)

    with tempfile.TemporaryDirectory(prefix="podium-locomo-") as tmp:
        db = Database(database_url or f"sqlite:///{Path(tmp) / 'locomo.db'}")
        try:
            db.migrate()
            service = MemoryService(db, settings)
            worker = ExtractionWorker(service)
            started = time.perf_counter()
            index_s = 0.0
            loaded: list[tuple[LocomoConversation, LoadedConversation]] = []
            for i, conversation in enumerate(conversations):
                name = f"locomo_{i}_{int(time.time() * 1000) % 10**9}"
                conv = load_conversation(service, conversation, name)
                loaded.append((conversation, conv))
                worker.run_until_idle(timeout=600, memory_id=conv.memory_id)
                while service.embed_pending_events(conv.memory_id, limit=256):
                    pass
                built = time.perf_counter()
                service.turn_index(conv.memory_id, conv.actor_id)
                index_s += time.perf_counter() - built
                say(f"loaded {conversation.sample_id}")
                advance()
            load_s = time.perf_counter() - started
            ours, keyword = _Scores(top_k=top_k), _Scores(top_k=top_k)
            started = time.perf_counter()
            for conversation, conv in loaded:
                dia, sid = conv.dia_of_event, conversation.sample_id
                for qa in conversation.qa:
                    if qa.category not in _CATEGORIES or not qa.evidence:
                        continue
                    hits, ms = _timed(memory_search, service, conv, qa.question, top_k)
                    ours.add(sid, qa.category, _recall(qa.evidence, [dia[e] for e in hits]), ms)
                    if baseline == "bm25":
                        kw, ms = _timed(_bm25_search, service, conv, qa.question, top_k)
                        recall = _recall(qa.evidence, [dia[e] for e in kw])
                        keyword.add(sid, qa.category, recall, ms)
                    advance()
            result = ours.report()
            result["timing_s"] = {
                "load_and_extract": round(load_s, 1),
                "index_build": round(index_s, 2),
                "search": round(time.perf_counter() - started, 1),
            }
            if baseline == "bm25":
                result["baseline_bm25"] = keyword.report()
            return result
        finally:
            db.dispose()
