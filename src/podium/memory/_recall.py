"""Recall: the turns of an actor's past that answer a question, raw events and records fused.

One question is ranked three ways over the actor's turns, each turn dated, attributed to its
speaker and read with its neighbours (see :class:`~.events._context.TurnIndex`: keyword with
related words standing in for the question's (:mod:`._related`), vector, and keyword with
relevance feedback); long-term records found for the question vote for the turns they were
extracted from. The lists are fused by reciprocal rank with the usual k=60 and equal weights: no
list is trusted more than another, so nothing here is fitted to an evaluation set. When the
question names one of the speakers, that speaker's turns are ranked first and the name is left
out of what is ranked. Each hit comes with its neighbouring turns as context.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from podium.errors import InvalidInput
from podium.storage import rrf_scores

from . import _tables as t
from ._models import EventHit
from ._related import RelatedWords
from ._validation import MAX_QUERY_CHARS, validate_actor_id, validate_max_results
from .events._context import Turn, TurnIndex, content_words

if TYPE_CHECKING:
    from podium.storage import Database

    from ._lookup import MemoryLookup
    from ._models import MemoryRecord

__all__ = ["ContextTurn", "MemoryRecall", "RecallHit"]

logger = logging.getLogger(__name__)

_E = t.events
#: Records resting on more turns than this are summaries: they say little about which turn
#: holds a fact, so they do not vote (a fact is stated in a turn or two, plus its reply).
MAX_RECORD_SOURCES = 3
#: Question words widened to related words: each costs an embedding unless cached, so a long
#: query cannot make one request embed thousands of words.
MAX_WIDENED_WORDS = 32
_CACHED_ACTORS = 16
# Record search runs beside the turn ranking, so the two costs overlap instead of adding up.
_RECORDS_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="podium-recall")
#: Metadata keys that name who spoke a turn (transcripts and chat exports use either).
_SPEAKER_KEYS = ("speaker", "name")


@dataclass(frozen=True, kw_only=True)
class ContextTurn:
    """A turn next to a hit, in the same session."""

    event_id: str
    event_timestamp: float
    text: str


@dataclass(kw_only=True)
class RecallHit(EventHit):
    """A recalled turn with its score (0..1) and the turns around it."""

    speaker: str | None = None
    context: list[ContextTurn] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """CamelCase JSON: the event hit's fields, the speaker and the context turns."""
        return {
            **super().as_dict(),
            "speaker": self.speaker,
            "context": [
                {"eventId": c.event_id, "eventTimestamp": c.event_timestamp, "text": c.text}
                for c in self.context
            ],
        }


def _speaker(metadata: object) -> str | None:
    if isinstance(metadata, dict):
        for key in _SPEAKER_KEYS:
            value = metadata.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


class MemoryRecall:
    """Recall over an actor's events and records; mixed into the memory service.

    The class that mixes this in calls :meth:`_init_recall` from its ``__init__``.
    """

    db: Database
    lookup: MemoryLookup
    _turn_indexes: OrderedDict[tuple[str, str], tuple[tuple[int, int], TurnIndex]]
    _turn_lock: threading.Lock
    _related: RelatedWords

    def _init_recall(self) -> None:
        self._turn_indexes = OrderedDict()
        self._turn_lock = threading.Lock()
        self._related = RelatedWords()

    if TYPE_CHECKING:  # provided by RecordSearch in the service

        def retrieve_memory_records(self, *args: Any, **kwargs: Any) -> list[MemoryRecord]: ...

    def forget_turns(self, memory_id: str) -> None:
        """Drop the cached turn indexes of a memory (after a memory or an actor is deleted)."""
        with self._turn_lock:
            for key in [k for k in self._turn_indexes if k[0] == memory_id]:
                del self._turn_indexes[key]

    def turn_index(self, memory_id: str, actor_id: str) -> TurnIndex:
        """The actor's turns in context, rebuilt when its events were added or deleted."""
        cond = (_E.c.memory_id == memory_id, _E.c.actor_id == actor_id)
        with self.db.connect() as conn:
            self.lookup.load(conn, memory_id)
            count, last = conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(_E.c.pk), 0)).where(*cond)
            ).one()
            embedded = conn.execute(
                sa.select(sa.func.count()).where(*cond, _E.c.embedding.is_not(None))
            ).scalar_one()
            version = (int(count) * 1_000_003 + int(embedded), int(last))
            key = (memory_id, actor_id)
            with self._turn_lock:
                cached = self._turn_indexes.get(key)
                if cached is not None and cached[0] == version:
                    self._turn_indexes.move_to_end(key)
                    return cached[1]
            rows = conn.execute(
                sa.select(
                    _E.c.pk, _E.c.event_id, _E.c.session_id, _E.c.event_timestamp,
                    _E.c.text, _E.c.metadata, _E.c.embedding,
                )
                .where(*cond)
                .order_by(_E.c.event_timestamp, _E.c.pk)
            ).all()  # fmt: skip
        model = self.lookup.embedder(self.lookup.get(memory_id).embedding_model)
        vectors = np.zeros((len(rows), model.dimension), dtype=np.float32)
        for i, row in enumerate(rows):
            if row[6] is not None:
                vectors[i] = np.frombuffer(row[6], dtype=np.float32)
        turns = [
            Turn(
                pk=int(r[0]), event_id=r[1], session_id=r[2], event_timestamp=float(r[3]),
                text=r[4] or "", speaker=_speaker(r[5]),
            )
            for r in rows
        ]  # fmt: skip
        index = TurnIndex(turns, vectors)
        # Part of the build: words an earlier build embedded come from the service's cache.
        index.vocabulary_vectors = self._related.vectors(model, index.vocabulary)
        with self._turn_lock:
            self._turn_indexes[key] = (version, index)
            self._turn_indexes.move_to_end(key)
            while len(self._turn_indexes) > _CACHED_ACTORS:
                self._turn_indexes.popitem(last=False)
        return index

    def recall(
        self,
        memory_id: str,
        actor_id: str,
        query: str,
        top_k: int = 10,
        *,
        use_records: bool = True,
    ) -> list[RecallHit]:
        """The actor's turns that best answer ``query``, each with its neighbouring turns.

        Fuses (RRF, k=60, equal weights) keyword (with related words) and vector rankings of
        every turn with its neighbours (each turn dated and attributed to its speaker), keyword
        search widened by relevance feedback, and the source turns of the long-term records
        found for the query (records of this actor only; summaries resting on more than
        ``MAX_RECORD_SOURCES`` turns do not vote). A query naming exactly one speaker
        (``speaker`` metadata of the events) gets that speaker's turns first, and is ranked
        without the name.
        """
        validate_actor_id(actor_id)
        if not isinstance(query, str) or not query.strip():
            raise InvalidInput("query must be a non-empty string")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidInput(f"query is longer than {MAX_QUERY_CHARS} characters")
        validate_max_results(top_k)
        index = self.turn_index(memory_id, actor_id)
        if not index.turns:
            return []
        pool = max(50, top_k * 5)
        speaker = index.speaker_named_in(query)
        # The rule below already answers "whose turns"; left in, the name would match every
        # one of that speaker's turns (each is attributed to them) and drown the words that
        # say what is asked.
        asked = index.without_speaker(query, speaker) if speaker is not None else query
        embedder = self.lookup.embedder(self.lookup.get(memory_id).embedding_model)
        query_vector = embedder.embed([asked], kind="query")[0]
        # Records are searched beside the turn ranking (SQLite and BLAS release the GIL), with
        # the query embedded once for both.
        records = (
            _RECORDS_POOL.submit(
                self._record_turns, memory_id, actor_id, asked, query_vector, index, pool
            )
            if use_records
            else None
        )
        words = content_words(asked)[:MAX_WIDENED_WORDS]
        word_vectors = self._related.vectors(embedder, words, keep=False)
        related = self._related.related(index, words, word_vectors)
        positions = index.rankings(asked, query_vector, pool, related)
        if asked != query and not positions[0]:  # no word but the name matched a turn
            positions = index.rankings(query, query_vector, pool)
        rankings = [[index.turns[i].event_id for i in ranking] for ranking in positions]
        if records is not None:
            rankings.append(records.result())
        fused = rrf_scores(rankings)
        ranked = sorted(fused, key=lambda e: -fused[e])
        if speaker is not None:
            # People state their own facts in the first person: a question about one speaker
            # is answered by that speaker's turns, so theirs come first (order kept within).
            said = {e for e in ranked if index.turns[index.position[e]].speaker == speaker}
            ranked = [e for e in ranked if e in said] + [e for e in ranked if e not in said]
        best = ranked[:top_k]
        return [self._hit(index, actor_id, event_id, fused[event_id]) for event_id in best]

    def _record_turns(
        self,
        memory_id: str,
        actor_id: str,
        query: str,
        query_vector: np.ndarray,
        index: TurnIndex,
        pool: int,
    ) -> list[str]:
        out: dict[str, None] = {}
        records = self.retrieve_memory_records(
            memory_id,
            "/",
            query,
            top_k=min(100, pool),
            actor_id=actor_id,
            query_vector=query_vector,
        )
        for record in records:
            sources = [e for e in record.source_event_ids if e in index.position]
            if 0 < len(sources) <= MAX_RECORD_SOURCES:
                out.update(dict.fromkeys(sources))
        return list(out)

    @staticmethod
    def _hit(index: TurnIndex, actor_id: str, event_id: str, score: float) -> RecallHit:
        i = index.position[event_id]
        turn = index.turns[i]
        return RecallHit(
            event_id=turn.event_id,
            actor_id=actor_id,
            session_id=turn.session_id,
            event_timestamp=turn.event_timestamp,
            text=turn.text,
            score=round(score, 6),
            speaker=turn.speaker,
            context=[
                ContextTurn(
                    event_id=index.turns[j].event_id,
                    event_timestamp=index.turns[j].event_timestamp,
                    text=index.turns[j].text,
                )
                for j in index.window(i)
                if j != i
            ],
        )
