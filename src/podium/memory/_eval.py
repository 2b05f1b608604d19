"""Memory retrieval evaluation on LoCoMo: evidence recall@k of Podium's memory search vs BM25.

Each conversation is loaded into a fresh memory: one actor, one session per LoCoMo session, one
USER event per turn (both speakers are people; the speaker and ``dia_id`` go into metadata and
the speaker's name prefixes the text, as a transcript would show it). Extraction runs with the
offline extractor. For every question of categories 1-4, :func:`memory_search` retrieves turns;
recall@k is the share of the question's evidence turns among the top-k distinct turns.

Nothing here knows the questions: retrieval is generic (hybrid event search, long-term records
mapped back to their source turns, neighbour-turn expansion).
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sqlalchemy as sa

from podium.storage._keyword import STOPWORDS

from . import _tables as t
from ._eval_data import LocomoConversation, load_locomo

if TYPE_CHECKING:
    from podium.config import Settings

    from ._service import MemoryService

__all__ = [
    "LoadedConversation",
    "build_windows",
    "evaluate_locomo",
    "load_conversation",
    "memory_search",
]

logger = logging.getLogger(__name__)

_CATEGORIES = (1, 2, 3, 4)
# A small k makes the head of each ranking count more (measured on the dev conversations).
_RRF_K = 10
_STRATEGIES = [
    {"type": "semantic", "name": "facts", "configuration": {"triggers": {"message_count": 1000}}},
    {
        "type": "user_preference",
        "name": "preferences",
        "configuration": {"triggers": {"message_count": 1000}},
    },
]
#: Records resting on more turns than this (summaries) say little about which turn holds a fact.
_MAX_RECORD_SOURCES = 3


@dataclass(kw_only=True)
class LoadedConversation:
    """A LoCoMo conversation stored in a memory, with the turn order for neighbour expansion."""

    memory_id: str
    actor_id: str
    dia_of_event: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # event ids in conversation order
    session_of: dict[str, str] = field(default_factory=dict)
    windows: _WindowIndex | None = None


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


_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _terms(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


class _Bm25:
    """Okapi BM25 over a small in-memory corpus (one conversation's turn windows)."""

    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.docs = [Counter(_terms(d)) for d in docs]
        self.lengths = [sum(c.values()) for c in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.docs else 1.0
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(doc.keys())
        n = len(self.docs)
        self.idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in df.items()}
        self.k1, self.b = k1, b

    def rank(self, query: str, limit: int) -> list[int]:
        terms = [t for t in _terms(query) if t in self.idf]
        scores = np.zeros(len(self.docs), dtype=np.float64)
        for i, doc in enumerate(self.docs):
            norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / (self.avg or 1.0))
            for term in terms:
                f = doc.get(term, 0)
                if f:
                    scores[i] += self.idf[term] * f * (self.k1 + 1) / (f + norm)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [int(i) for i in order if scores[i] > 0]


@dataclass(kw_only=True)
class _WindowIndex:
    """Each turn with its neighbours in the same session: what a reader sees around a line."""

    bm25: _Bm25
    vectors: np.ndarray


def build_windows(service: MemoryService, loaded: LoadedConversation) -> None:
    """Index every turn together with the turns just before and after it (same session)."""
    with service.db.connect() as conn:
        texts = dict(
            conn.execute(
                sa.select(t.events.c.event_id, t.events.c.text).where(
                    t.events.c.memory_id == loaded.memory_id
                )
            ).all()
        )
    order = loaded.order
    windows = []
    for i, event_id in enumerate(order):
        parts = [
            texts.get(order[j], "")
            for j in (i - 1, i, i + 1)
            if 0 <= j < len(order) and loaded.session_of[order[j]] == loaded.session_of[event_id]
        ]
        windows.append(" ".join(parts))
    embedder = service.memory_embedder(loaded.memory_id)
    loaded.windows = _WindowIndex(bm25=_Bm25(windows), vectors=embedder.embed(windows))


def _fuse(rankings: Sequence[tuple[Sequence[str], float]]) -> dict[str, float]:
    scores: dict[str, float] = defaultdict(float)
    for ranking, weight in rankings:
        for rank, key in enumerate(ranking):
            scores[key] += weight / (_RRF_K + rank + 1)
    return dict(scores)


def memory_search(
    service: MemoryService,
    loaded: LoadedConversation,
    query: str,
    top_k: int = 10,
    *,
    record_weight: float = 0.2,
    neighbour_weight: float = 0.3,
) -> list[str]:
    """Top-k event ids for ``query``.

    Fuses (weighted reciprocal ranks): the memory's hybrid event search; keyword and vector
    search over turn windows (a turn with its neighbours); long-term records, each voting for
    the turns it was extracted from. Then every hit lifts the turns right before and after it
    (``neighbour_weight``): an answer often spans a question and its reply.
    """
    pool = max(50, top_k * 5)
    events = [
        hit.event_id
        for hit in service.search_events(loaded.memory_id, loaded.actor_id, query, top_k=pool)
    ]
    rankings: list[tuple[Sequence[str], float]] = [(events, 0.5)]
    if loaded.windows is not None:
        order = loaded.order
        rankings.append(([order[i] for i in loaded.windows.bm25.rank(query, pool)], 1.0))
        qv = service.memory_embedder(loaded.memory_id).embed([query], kind="query")[0]
        dense = np.argsort(-(loaded.windows.vectors @ qv), kind="stable")[:pool]
        rankings.append(([order[int(i)] for i in dense], 0.5))
    if record_weight > 0:
        record_turns: list[str] = []
        for record in service.retrieve_memory_records(loaded.memory_id, "/", query, top_k=20):
            if len(record.source_event_ids) <= _MAX_RECORD_SOURCES:
                record_turns.extend(e for e in record.source_event_ids if e not in record_turns)
        rankings.append((record_turns, record_weight))
    scores = _fuse(rankings)
    if neighbour_weight > 0:
        position = {e: i for i, e in enumerate(loaded.order)}
        lifted: dict[str, float] = defaultdict(float)
        for event_id, score in scores.items():
            i = position.get(event_id)
            if i is None:
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(loaded.order):
                    other = loaded.order[j]
                    if loaded.session_of.get(other) == loaded.session_of.get(event_id):
                        lifted[other] = max(lifted[other], neighbour_weight * score)
        for event_id, extra in lifted.items():
            scores[event_id] = scores.get(event_id, 0.0) + extra
    return sorted(scores, key=lambda e: -scores[e])[:top_k]


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


def evaluate_locomo(
    path: str | Path,
    top_k: int = 10,
    baseline: Literal["none", "bm25"] = "none",
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    record_weight: float = 0.2,
    neighbour_weight: float = 0.3,
    progress: Callable[[str], None] | None = None,
    step: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Evidence recall@k of Podium's memory search on a LoCoMo file (see the module docstring).

    ``step(done, total)`` is told after each conversation loaded and each question answered
    (a progress bar); ``progress`` gets one line per conversation.

    The data is loaded into ``database_url`` or, by default, a temporary SQLite file. With
    ``baseline="bm25"`` the result also has ``baseline_bm25``: keyword-only search over turns.
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
            loaded: list[tuple[LocomoConversation, LoadedConversation]] = []
            for i, conversation in enumerate(conversations):
                name = f"locomo_{i}_{int(time.time() * 1000) % 10**9}"
                loaded.append((conversation, load_conversation(service, conversation, name)))
                worker.run_until_idle(timeout=600, memory_id=loaded[-1][1].memory_id)
                while service.embed_pending_events(loaded[-1][1].memory_id, limit=256):
                    pass
                build_windows(service, loaded[-1][1])
                say(f"loaded {conversation.sample_id}")
                advance()
            load_s = time.perf_counter() - started
            ours: list[tuple[int, float]] = []
            keyword: list[tuple[int, float]] = []
            started = time.perf_counter()
            for conversation, conv in loaded:
                dia = conv.dia_of_event
                for qa in conversation.qa:
                    if qa.category not in _CATEGORIES or not qa.evidence:
                        continue
                    hits = memory_search(
                        service, conv, qa.question, top_k,
                        record_weight=record_weight, neighbour_weight=neighbour_weight,
                    )  # fmt: skip
                    ours.append((qa.category, _recall(qa.evidence, [dia[e] for e in hits])))
                    if baseline == "bm25":
                        kw = _bm25_search(service, conv, qa.question, top_k)
                        keyword.append((qa.category, _recall(qa.evidence, [dia[e] for e in kw])))
                    advance()
            result = _summarise(ours, top_k)
            result["timing_s"] = {
                "load_and_extract": round(load_s, 1),
                "search": round(time.perf_counter() - started, 1),
            }
            if baseline == "bm25":
                result["baseline_bm25"] = _summarise(keyword, top_k)
            return result
        finally:
            db.dispose()
