"""A semantic topic classifier: the catalog's own sessions, and their tracks, as labelled examples.

When the lexicon finds no topic in something the attendee said ("I tune control loops for wind
turbines"), the phrase is searched semantically in the sessions knowledge base (the configured
embedder) and the tracks of the nearest sessions vote (a k-nearest-neighbour classifier). It
needs no training step of its own: ingesting a catalog is what trains it, so another catalog
with other tracks works the same. Answers are cached per knowledge base and phrase.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

from podium.memory.extraction import content_phrase

if TYPE_CHECKING:
    from ._services import Retriever

__all__ = ["classify_topic", "with_semantic_topics"]

logger = logging.getLogger(__name__)

#: Neighbours that vote, and the share of the vote that wins outright.
_K = 8
_MIN_SHARE = 0.5
_CACHE_SIZE = 2048
_cache: dict[tuple[int, str], str | None] = {}
_lock = threading.Lock()


def classify_topic(kb: Retriever, phrase: str) -> str | None:
    """The catalog track ``phrase`` is about, or None when the neighbours disagree."""
    key = (id(kb), phrase.strip().lower())
    with _lock:
        if key in _cache:
            return _cache[key]
    # Function words only blur the neighbourhood ("I mostly care about ..."): search content.
    results = kb.retrieve(content_phrase(phrase) or phrase, _K * 2, "SEMANTIC")
    votes: Counter[str] = Counter()
    seen: set[Any] = set()
    for result in results:
        code = result.metadata.get("code") or result.source_uri
        topics = result.metadata.get("topics") or []
        if code in seen or not topics:
            continue
        seen.add(code)
        votes[str(topics[0])] += 1  # the first topic is the session's track
        if len(seen) == _K:
            break
    found = None
    if votes:
        ranked = votes.most_common(2)
        track, count = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        # A majority, or a clear plurality (at least twice the next track's votes).
        if count / sum(votes.values()) >= _MIN_SHARE or (count >= 3 and count >= 2 * runner_up):
            found = track
    logger.debug("phrase=<%s>, topic=<%s> | semantic topic", phrase, found)
    with _lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = found
    return found


def with_semantic_topics(kb: Retriever, profile: dict[str, Any]) -> dict[str, Any]:
    """``profile`` with the topics of its unclassified phrases added (a copy).

    ``phrases`` are interests (used only when the profile names no topic), ``avoided_phrases``
    exclusions; an exclusion wins over an interest in the same topic, as a stated one does.
    """
    phrases = [str(p) for p in profile.get("phrases") or []]
    avoided_phrases = [str(p) for p in profile.get("avoided_phrases") or []]
    if not phrases and not avoided_phrases:
        return profile
    avoided = list(profile.get("avoided_topics") or [])
    for phrase in avoided_phrases:
        topic = classify_topic(kb, phrase)
        if topic and topic not in avoided:
            avoided.append(topic)
    topics = [t for t in profile.get("topics") or [] if t not in avoided]
    # A phrase is a guess; a topic the attendee named is not. Next to named topics the guesses
    # only dilute them ("backend engineer at a game studio" beside "Kubernetes"), so they count
    # only when nothing was named.
    for phrase in phrases if not topics else []:
        topic = classify_topic(kb, phrase)
        if topic and topic not in topics and topic not in avoided:
            topics.append(topic)
    return {**profile, "topics": sorted(topics), "avoided_topics": sorted(avoided)}
