"""Consolidation for the offline path: pure functions from a candidate + similar records to a decision.

The rules, in order:

1. **Single-valued slots** (name, role, employer, location, ...): a stored fact in the same slot
   with the same value → SKIP; with another value → UPDATE (the new content keeps the old value
   as ``previous``, and the record store keeps the old version in history).
2. **Preferences**: a negative preference ("no longer interested in security") UPDATEs the stored
   positive one to the negative, so the assistant keeps a durable "not interested" signal it can
   use to down-rank, and the change is in history. A positive preference that matches a stored
   negative one flips it back. The same preference again → SKIP.
3. **Near-duplicates**: the same normalised text, or cosine ≥ ``duplicate_threshold`` → SKIP.
4. Otherwise ADD.

:func:`consolidate_batch` runs the rules over a batch, treating earlier candidates of the same
batch as stored records, so "I work at TechCorp ... I moved to Acme" in one job yields one record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._carried import readable_record_text
from ._extractor import Add, Decision, Delete, ExistingRecord, Skip, Update

__all__ = [
    "SINGLE_VALUED_SLOTS",
    "Candidate",
    "consolidate",
    "consolidate_batch",
    "normalize_text",
]

#: Slots that hold one value per actor: a new value replaces the old one.
SINGLE_VALUED_SLOTS = frozenset(
    {"name", "role", "employer", "location", "experience", "attendance", "first_time"}
)
#: Categories that describe a session's format rather than its topic.
FORMAT_CATEGORIES = frozenset({"hands-on", "deep-dive", "beginner"})

_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A record an extractor proposes before consolidation."""

    content: dict[str, Any]
    text: str
    rationale: str
    source_event_ids: tuple[str, ...]
    namespace: str | None = None


def normalize_text(text: object) -> str:
    """Lower-case words separated by single spaces (punctuation dropped)."""
    return _NON_WORD.sub(" ", str(text or "").lower()).strip()


def _topics(content: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(c for c in content.get("categories") or () if c not in FORMAT_CATEGORIES)


def _formats(content: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(c for c in content.get("categories") or () if c in FORMAT_CATEGORIES)


def _same_preference(a: Mapping[str, Any], b: Mapping[str, Any], score: float) -> bool:
    if normalize_text(a.get("preference")) == normalize_text(b.get("preference")):
        return True
    ta, tb = _topics(a), _topics(b)
    if ta or tb:
        return ta == tb and bool(ta) and (_formats(a) <= _formats(b) or _formats(b) <= _formats(a))
    fa, fb = _formats(a), _formats(b)
    if fa or fb:
        return fa == fb
    return score >= 0.85


def _merge_sources(*groups: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item, None)
    return tuple(seen)


def _consolidate_slot(
    candidate: Candidate, slot: str, similar: Sequence[tuple[ExistingRecord, float]]
) -> Decision | None:
    for record, _score in similar:
        if record.content.get("slot") != slot:
            continue
        old_value = record.content.get("value")
        if normalize_text(old_value) == normalize_text(candidate.content.get("value")):
            return Skip(reason=f"already known: {record.text}")
        content = dict(candidate.content)
        content["previous"] = old_value
        return Update(
            record_id=record.record_id,
            content=content,
            text=candidate.text,
            rationale=f"{candidate.rationale} (previously: {record.content.get('fact', old_value)})",
            source_event_ids=candidate.source_event_ids,
        )
    return None


def _consolidate_preference(
    candidate: Candidate, similar: Sequence[tuple[ExistingRecord, float]]
) -> Decision | None:
    polarity = candidate.content.get("polarity", "positive")
    for record, score in similar:
        if "preference" not in record.content:
            continue
        if not _same_preference(candidate.content, record.content, score):
            continue
        stored = record.content.get("polarity", "positive")
        if stored == polarity:
            same = normalize_text(record.content.get("preference")) == normalize_text(
                candidate.content.get("preference")
            )
            if same or polarity == "negative":
                return Skip(reason=f"already known: {readable_record_text(record.text)}")
            continue
        content = dict(candidate.content)
        content["previous"] = {
            "preference": record.content.get("preference"),
            "polarity": stored,
        }
        return Update(
            record_id=record.record_id,
            content=content,
            text=candidate.text,
            rationale=(
                f"{candidate.rationale} (changes the earlier: {readable_record_text(record.text)})"
            ),
            source_event_ids=_merge_sources(candidate.source_event_ids),
        )
    return None


def consolidate(
    candidate: Candidate,
    similar: Sequence[tuple[ExistingRecord, float]],
    *,
    duplicate_threshold: float = 0.9,
) -> Decision:
    """The decision for one candidate given the most similar stored records (best first)."""
    slot = candidate.content.get("slot")
    if isinstance(slot, str) and slot in SINGLE_VALUED_SLOTS:
        decided = _consolidate_slot(candidate, slot, similar)
        if decided is not None:
            return decided
    if "preference" in candidate.content:
        decided = _consolidate_preference(candidate, similar)
        if decided is not None:
            return decided
    norm = normalize_text(candidate.text)
    for record, score in similar:
        if normalize_text(record.text) == norm or score >= duplicate_threshold:
            if "preference" in candidate.content and record.content.get(
                "polarity", "positive"
            ) != candidate.content.get("polarity", "positive"):
                continue
            return Skip(reason=f"near-duplicate of {record.record_id} (score {score:.2f})")
    # A "not interested" with nothing to retract is still added: it down-ranks later.
    return Add(
        content=dict(candidate.content),
        text=candidate.text,
        rationale=candidate.rationale,
        source_event_ids=candidate.source_event_ids,
        namespace=candidate.namespace,
    )


_PENDING = "pending:"


def consolidate_batch(
    candidates: Sequence[Candidate],
    existing: Callable[[str, int, str | None], list[tuple[ExistingRecord, float]]],
    *,
    top_k: int = 10,
    duplicate_threshold: float = 0.9,
) -> list[Decision]:
    """Consolidate candidates in order; earlier ones of the batch count as stored records.

    ``existing(text, k, namespace)`` returns stored records with cosine scores. Batch-local
    records are compared by slot, preference and normalised text only (they have no vector yet).
    """
    out: list[Decision] = []
    pending: dict[str, tuple[int, ExistingRecord]] = {}
    for candidate in candidates:
        similar = list(existing(candidate.text, top_k, candidate.namespace))
        norm = normalize_text(candidate.text)
        local = [
            (record, 1.0 if normalize_text(record.text) == norm else 0.5)
            for _, record in pending.values()
            if record.namespace == (candidate.namespace or "")
        ]
        # Newest batch-local records first: they supersede what is stored.
        decision = consolidate(
            candidate, local[::-1] + similar, duplicate_threshold=duplicate_threshold
        )
        if isinstance(decision, Update) and decision.record_id.startswith(_PENDING):
            index, _ = pending[decision.record_id]
            earlier = out[index]
            assert isinstance(earlier, Add)
            merged = Add(
                content=decision.content,
                text=decision.text,
                rationale=decision.rationale,
                source_event_ids=_merge_sources(
                    earlier.source_event_ids, decision.source_event_ids
                ),
                namespace=earlier.namespace,
            )
            out[index] = merged
            pending[decision.record_id] = (index, _as_record(decision.record_id, merged))
            continue
        if isinstance(decision, Delete) and decision.record_id.startswith(_PENDING):
            index, _ = pending.pop(decision.record_id)
            out[index] = Skip(reason=f"added and retracted in the same batch: {decision.rationale}")
            continue
        if isinstance(decision, Add):
            record_id = f"{_PENDING}{len(out)}"
            pending[record_id] = (len(out), _as_record(record_id, decision))
        out.append(decision)
    return out


def _as_record(record_id: str, add: Add) -> ExistingRecord:
    return ExistingRecord(
        record_id=record_id,
        text=add.text,
        content=add.content,
        namespace=add.namespace or "",
        source_event_ids=add.source_event_ids,
    )
