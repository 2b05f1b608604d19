"""An actor's turns in context: each turn with its date, speaker and neighbours, ready to rank.

What a reader sees around a line of a transcript is more than the line: the day it was said,
who said it, and the lines just before and after (a question and its answer are two turns).
:class:`TurnIndex` ranks turns by keyword (Okapi BM25) and by vector over each turn's window,
all in process; it is built from the event rows once per actor and rebuilt when the actor's
events change.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import tantivy

from podium.storage._keyword import STOPWORDS

__all__ = [
    "MAX_VOCABULARY",
    "Turn",
    "TurnIndex",
    "content_words",
    "date_label",
    "fold",
    "folded_words",
    "stem",
    "terms",
]

# Runs of letters and digits in any script, as the knowledge bases' keyword search splits text;
# folded first (lower case, accents off), so "José" and "jose" meet as FTS5's tokenizer has them.
_WORD = re.compile(r"[^\W_]+")
# Okapi BM25's textbook constants (Robertson & Zaragoza), not fitted to any data set.
_K1, _B = 1.2, 0.75
# Turns before a turn in its keyword window (one after it, as in the vector window).
_KEYWORD_BEFORE = 2
# Relevance feedback (RM3's usual defaults): terms taken from the best-ranked windows.
_FEEDBACK_DOCS, _FEEDBACK_TERMS = 10, 10
#: Words of an actor's turns that may stand in for a question's (those in most turns): an index
#: holds their vectors, 384 floats each with the bundled model (15 MB at the cap).
MAX_VOCABULARY = 10_000
# Date words come from the labels, not from what was said: feedback must not pull them in.
_DATE_WORDS = frozenset(
    [datetime(2001, m, 1).strftime("%B").lower() for m in range(1, 13)]
    + [datetime(2001, 1, d).strftime("%A").lower() for d in range(1, 8)]
)


# Snowball's English stemmer (as tantivy ships it, a core dependency): "activities" and
# "activity", "painted" and "painting" meet; a suffix-stripping rule left many pairs apart.
_STEMMER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)
_STEMS: dict[str, str] = {}
_MAX_STEMS = 200_000


def stem(word: str) -> str:
    """Snowball's English stem of a lower-cased word."""
    cached = _STEMS.get(word)
    if cached is None:
        found = _STEMMER.analyze(word)
        cached = found[0] if found else word
        if len(_STEMS) < _MAX_STEMS:  # a vocabulary, bounded against adversarial input
            _STEMS[word] = cached
    return cached


def fold(text: str) -> str:
    """``text`` lower-cased, with accents and other combining marks taken off."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded_words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return _WORD.findall(fold(text))


def terms(text: str) -> list[str]:
    """Lower-cased, stemmed words of ``text`` without stopwords."""
    return [stem(w) for w in folded_words(text) if w not in STOPWORDS]


def content_words(text: str) -> list[str]:
    """Distinct lower-cased words of ``text`` that can carry a meaning of their own.

    Stopwords, numbers and words under three letters are left out: alone, they have no
    neighbours worth the name.
    """
    return list(
        dict.fromkeys(
            w for w in folded_words(text) if len(w) > 2 and not w.isdigit() and w not in STOPWORDS
        )
    )


def date_label(timestamp: float) -> str:
    """'8 May 2023 (Monday)': the words a question about when something was said would use."""
    day = datetime.fromtimestamp(timestamp, UTC)
    return f"{day.day} {day:%B} {day.year} ({day:%A})"


@dataclass(frozen=True, kw_only=True)
class Turn:
    """One event as the index sees it."""

    pk: int
    event_id: str
    session_id: str
    event_timestamp: float
    text: str
    speaker: str | None = None


class _Bm25:
    """Okapi BM25 over an in-memory corpus."""

    def __init__(self, docs: Sequence[str]) -> None:
        self.docs = [Counter(terms(d)) for d in docs]
        self.lengths = np.array([sum(c.values()) for c in self.docs], dtype=np.float64)
        self.avg = float(self.lengths.mean()) if len(self.docs) else 1.0
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(doc.keys())
        n = len(self.docs)
        self.idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in df.items()}
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(self.docs):
            for word, f in doc.items():
                self.postings.setdefault(word, []).append((i, f))
        self.norm = _K1 * (1 - _B + _B * self.lengths / (self.avg or 1.0))

    def scores(
        self,
        query_terms: Sequence[str],
        related: dict[str, dict[str, float]] | None = None,
    ) -> np.ndarray:
        """BM25 of every document for ``query_terms``.

        ``related`` maps a query term to words that may stand in for it, each counted at its
        weight (below 1); a document scores a term's best stand-in only, so a term's many
        neighbours never outweigh the term itself.
        """
        out = np.zeros(len(self.docs), dtype=np.float64)
        for term in dict.fromkeys(query_terms):
            group = {term: 1.0, **(related or {}).get(term, {})}
            best = np.zeros_like(out)
            for word, weight in group.items():
                idf = self.idf.get(word)
                if idf is None:
                    continue
                for i, f in self.postings[word]:
                    best[i] = max(best[i], weight * idf * f * (_K1 + 1) / (f + self.norm[i]))
            out += best
        return out


def _ranked(scores: np.ndarray, limit: int) -> list[int]:
    k = min(limit, scores.size)
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [int(i) for i in top if scores[i] > 0]


class TurnIndex:
    """An actor's turns in conversation order, each indexed alone and with its neighbours.

    A turn's document carries its date and speaker; its window adds the turns just before and
    after it in the same session. ``vectors`` are the turns' own embeddings (rows of zeros for
    turns not embedded yet); a window's vector is the normalised sum of its turns' vectors, so
    no second embedding pass is needed. The keyword window reaches one turn further back: a
    reply ("Nine and a half.") answers a question ("How long were you there?") about what was
    said before it ("They're cutting my job at the theater").
    """

    def __init__(
        self, turns: Sequence[Turn], vectors: np.ndarray, max_vocabulary: int = MAX_VOCABULARY
    ) -> None:
        self.turns = list(turns)
        self.position = {turn.event_id: i for i, turn in enumerate(self.turns)}
        own = [self._document(turn) for turn in self.turns]
        self.speakers = {t.speaker: fold(t.speaker) for t in self.turns if t.speaker}
        self.window_bm25 = _Bm25(
            [
                " ".join(own[j] for j in self.window(i, before=_KEYWORD_BEFORE))
                for i in range(len(self.turns))
            ]
        )
        self.vectors = vectors.astype(np.float32, copy=False)
        summed = np.zeros_like(self.vectors)
        for i in range(len(self.turns)):
            summed[i] = self.vectors[list(self.window(i))].sum(axis=0)
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        self.window_vectors = summed / np.where(norms > 0, norms, 1.0)
        #: Content words the turns use (the most frequent ``max_vocabulary``, ties in alphabetical
        #: order), and their stems: what a query word may be widened to.
        counts = Counter(w for turn in self.turns for w in content_words(turn.text))
        self.vocabulary = sorted(sorted(counts), key=lambda w: -counts[w])[:max_vocabulary]
        self.vocabulary_stems = [stem(w) for w in self.vocabulary]
        #: The vocabulary's unit word vectors, set by whoever builds the index with a model.
        self.vocabulary_vectors: np.ndarray | None = None

    @staticmethod
    def _document(turn: Turn) -> str:
        speaker = f"{turn.speaker}: " if turn.speaker and turn.speaker not in turn.text else ""
        return f"[{date_label(turn.event_timestamp)}] {speaker}{turn.text}"

    def window(self, i: int, *, before: int = 1) -> tuple[int, ...]:
        """Positions of turn ``i``, ``before`` turns before it and one after, in its session."""
        session = self.turns[i].session_id
        return tuple(
            j
            for j in range(i - before, i + 2)
            if 0 <= j < len(self.turns) and self.turns[j].session_id == session
        )

    def rankings(
        self,
        query: str,
        query_vector: np.ndarray | None,
        pool: int,
        related: dict[str, dict[str, float]] | None = None,
    ) -> list[list[int]]:
        """Turn positions best first: keyword, vector, and feedback-keyword views of windows.

        ``related`` (a query term's stand-ins and their weights, see ``RelatedWords``) widens
        the first, keyword list with words that mean nearly what the query's words mean; the
        third list is keyword search with the query widened by relevance feedback instead.

        A turn is judged by its window only (the window holds the turn itself): ranking the
        bare turn as well would count its own words twice and bury the reply to a matching
        question under the question.
        """
        words = terms(query)
        keyword = _ranked(self.window_bm25.scores(words), pool)
        out = [_ranked(self.window_bm25.scores(words, related), pool) if related else keyword]
        if query_vector is not None and self.vectors.shape[1] == query_vector.shape[0]:
            out.append(_ranked(self.window_vectors @ query_vector, pool))
        feedback = self._feedback_terms(keyword[:_FEEDBACK_DOCS], set(words))
        if feedback:
            out.append(_ranked(self.window_bm25.scores(words + feedback), pool))
        return out

    def speaker_named_in(self, query: str) -> str | None:
        """The one speaker the query names (full or first name, any case), else None."""
        said = set(folded_words(query))
        named = [name for name, key in self.speakers.items() if set(key.split()[:1]) & said]
        return named[0] if len(named) == 1 else None

    @staticmethod
    def without_speaker(query: str, speaker: str) -> str:
        """``query`` without the speaker's name and its possessive, as a phrase.

        The first name goes, with the rest of the name where it follows ("Grace Park's" and
        "Grace's", not the "park" of "the park"). The query is kept whole when nothing to search
        for would be left ("And Kofi?").
        """
        first, *rest = fold(speaker).split() or [""]
        if not first:
            return query
        tail = "".join(rf"(?:\s+{re.escape(w)})?" for w in rest)
        # On the folded query ("José" and "Jose" alike): what is ranked is folded anyway.
        left = re.sub(rf"(?<!\w){re.escape(first)}{tail}(?:['\u2019]s)?(?!\w)", " ", fold(query))
        return " ".join(left.split()) if terms(left) else query

    def _feedback_terms(self, top: Sequence[int], asked: set[str]) -> list[str]:
        # Words the best windows share, weighted by how rare they are: a multi-hop question
        # names one side of a fact, the windows that answer it name the other.
        weights: dict[str, float] = {}
        for i in top:
            doc = self.window_bm25.docs[i]
            length = sum(doc.values()) or 1
            for word, f in doc.items():
                if word not in asked and word not in _DATE_WORDS and not word.isdigit():
                    weight = f / length * self.window_bm25.idf[word]
                    weights[word] = weights.get(word, 0.0) + weight
        return sorted(weights, key=lambda w: -weights[w])[:_FEEDBACK_TERMS]
