"""Words that mean nearly what a question's words mean, in the actor's own vocabulary.

People rarely ask in the words they once used: "which sports" for a turn about swimming, "a
pet" for "the dog". Keyword search misses those turns and the turn's vector, averaged over the
whole turn, often does too. So each content word of the question is compared, with the memory's
own embedding model, to every content word the actor's turns use; the nearest few above a
similarity floor may stand in for it in the keyword query, counted at its similarity (below 1,
so a word asked for outweighs a word inferred; a turn scores a word's best stand-in only).

Word vectors are cached per model by the memory service (bounded, least recently used first
out), so a turn index rebuilt after a new event embeds only the words it has not seen; an
actor's vocabulary is capped (``events._context.MAX_VOCABULARY``, its most frequent words).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .events._context import stem

if TYPE_CHECKING:
    from podium.embeddings import Embedder

    from .events._context import TurnIndex

__all__ = ["RelatedWords"]

#: The cosine a stand-in must reach, and how many a question word may have. With the bundled
#: model, unrelated word pairs sit around 0.25-0.35 ("sports"/"cheese" 0.32) and pairs a reader
#: would call related above 0.45 ("pet"/"dog" 0.80, "sports"/"swimming" 0.59): the floor, chosen
#: from such pairs and not fitted to an evaluation set, decides what is related. The count only
#: bounds the work; at 5 it cut off instances of a category word ("sports": bouldering, swimming,
#: paddleboarding) that passed the floor. 10 was the one other count tried (docs/memory.md).
NEIGHBOURS, MIN_SIMILARITY = 10, 0.5
_MAX_CACHED_WORDS = 50_000
_BATCH = 512


class RelatedWords:
    """Word vectors per embedding model, and the neighbours of a question's words."""

    def __init__(self, max_words: int = _MAX_CACHED_WORDS) -> None:
        self._max = max_words
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, embedder: Embedder, words: Sequence[str], *, keep: bool = True) -> np.ndarray:
        """Unit vectors of ``words`` (float32 rows), embedding only those not cached.

        ``keep=False`` (a question's words) embeds what is missing without caching it, so
        queries cannot evict the vocabularies of the actors' turns. Every vector goes through
        float16, cached or not, so a word's neighbours do not depend on the cache.
        """
        model = embedder.model_id
        out = np.zeros((len(words), embedder.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, w in enumerate(words):
                cached = self._vectors.get((model, w))
                if cached is None:
                    missing.setdefault(w, []).append(i)
                else:
                    self._vectors.move_to_end((model, w))
                    out[i] = cached
        todo = list(missing)
        for start in range(0, len(todo), _BATCH):
            batch = todo[start : start + _BATCH]
            found = embedder.embed(batch, kind="document").astype(np.float16)
            with self._lock:
                for w, vector in zip(batch, found, strict=True):
                    out[missing[w]] = vector
                    if keep:
                        self._vectors[(model, w)] = vector
                while len(self._vectors) > self._max:
                    self._vectors.popitem(last=False)
        return out

    @staticmethod
    def related(
        index: TurnIndex,
        words: Sequence[str],
        word_vectors: np.ndarray,
    ) -> dict[str, dict[str, float]]:
        """For each of ``words`` (by stem), the stems of its nearest vocabulary words and cosines.

        ``word_vectors`` are the unit vectors of ``words`` (:meth:`vectors`), and the index's
        ``vocabulary_vectors`` those of its vocabulary; stems of the words themselves are left
        out (they are in the query already).
        """
        vocabulary = index.vocabulary_vectors
        if not words or vocabulary is None or not len(vocabulary):
            return {}
        asked = {stem(w) for w in words}
        out: dict[str, dict[str, float]] = {}
        similarity = word_vectors @ vocabulary.T
        k = min(NEIGHBOURS, similarity.shape[1])
        for word, row in zip(words, similarity, strict=True):
            group = out.setdefault(stem(word), {})
            for j in np.argpartition(-row, k - 1)[:k]:
                cosine, neighbour = float(row[j]), index.vocabulary_stems[j]
                if cosine >= MIN_SIMILARITY and neighbour not in asked:
                    group[neighbour] = max(group.get(neighbour, 0.0), cosine)
        return {word: group for word, group in out.items() if group}
