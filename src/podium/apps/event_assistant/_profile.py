"""The attendee's profile, read from long-term memory, and the search boost it implies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from podium.memory import actor_namespace_prefix, readable_record_text, record_json
from podium.memory.extraction import Message, extract_preferences

from ._vocabulary import DAYS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from podium.memory import MemoryRecord, MemoryStrategy

    from ._services import MemoryCalls
    from ._vocabulary import SessionType, Topic

__all__ = [
    "HANDS_ON_TYPES",
    "PreferenceBoost",
    "Profile",
    "apply_preference",
    "category_topic",
    "load_profile",
    "preference_boost",
    "with_turn",
]

#: Formats that count as hands-on.
HANDS_ON_TYPES: frozenset[SessionType] = frozenset({"workshop", "builders' session", "code talk"})

#: Memory categories (offline extractor slugs) → catalog topics.
_CATEGORY_TOPICS: dict[str, Topic] = {
    "generative-ai": "generative AI",
    "security": "security",
    "serverless": "serverless",
    "databases": "databases",
    "analytics": "analytics",
    "containers": "containers",
    "networking": "networking",
    "observability": "observability",
    "cost": "cost",
    "mlops": "MLOps",
    "iot": "IoT",
    "devops": "DevOps",
    "storage": "storage",
    "migration": "migration",
    "industry": "industry",
}
_DAYS = {d.lower(): d for d in DAYS}
_TOPIC_BOOST = 0.5
_FORMAT_BOOST = 0.6
_LEVEL_BOOST = 0.3
_PROFILE_RECORDS = 20
#: Per topic (and for the format) shared with a session the attendee rated highly.
_LIKED_BOOST = 0.3
_DISLIKED_PENALTY = 0.3
_MAX_PHRASES = 3


@dataclass(kw_only=True)
class Profile:
    """What long-term memory says about one attendee."""

    preferences: list[MemoryRecord] = field(default_factory=list)
    facts: list[MemoryRecord] = field(default_factory=list)
    summaries: list[MemoryRecord] = field(default_factory=list)
    topics: set[str] = field(default_factory=set)
    avoided_topics: set[str] = field(default_factory=set)
    hands_on: bool = False
    deep_dive: bool = False
    beginner: bool = False
    #: Stated availability and level bounds (empty / None when not stated).
    days: set[str] = field(default_factory=set)
    times: set[str] = field(default_factory=set)
    min_level: int | None = None
    max_level: int | None = None
    formats: set[str] = field(default_factory=set)
    #: Interests no lexicon topic matched, for the semantic classifier at search time.
    phrases: list[str] = field(default_factory=list)
    avoided_phrases: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing is known."""
        return not (self.preferences or self.facts or self.summaries)

    def lines(self) -> list[str]:
        """``kind: text`` lines for the system prompt's profile block."""
        return [f"preference: {readable_record_text(r.text)}" for r in self.preferences] + [
            f"fact: {r.text}" for r in self.facts
        ]

    def history_lines(self) -> list[str]:
        """Summaries of earlier sessions, newest first, for the history block."""
        return [f"session {r.session_id}: {r.text}" for r in self.summaries]

    def as_state(self) -> dict[str, Any]:
        """The JSON-safe part kept in ``agent.state`` for tools (constraints only when stated)."""
        state: dict[str, Any] = {
            "topics": sorted(self.topics),
            "avoided_topics": sorted(self.avoided_topics),
            "hands_on": self.hands_on,
            "deep_dive": self.deep_dive,
            "beginner": self.beginner,
        }
        if self.days:
            state["days"] = [d for d in DAYS if d in self.days]
        if self.times:
            state["times"] = sorted(self.times)
        if self.min_level is not None:
            state["min_level"] = self.min_level
        if self.max_level is not None:
            state["max_level"] = self.max_level
        if self.formats:
            state["formats"] = sorted(self.formats)
        if self.phrases:
            state["phrases"] = list(self.phrases)
        if self.avoided_phrases:
            state["avoided_phrases"] = list(self.avoided_phrases)
        return state


def load_profile(
    memory: MemoryCalls,
    memory_id: str,
    actor_id: str,
    session_id: str,
    *,
    strategies: Sequence[MemoryStrategy] | None = None,
) -> Profile:
    """Read the actor's preferences, facts and earlier-session summaries from long-term memory.

    Only records whose ``actor_id`` is the actor's are read: a namespace prefix alone could also
    hold records written for another actor (or for none), which must never personalise this one.
    ``strategies`` (the memory's, e.g. from a cache) saves reading the memory resource again.
    """
    profile = Profile()
    if strategies is None:
        strategies = memory.get_memory(memory_id).strategies
    for strategy in strategies:
        kind = strategy.type
        for template in strategy.namespaces:
            prefix = actor_namespace_prefix(template, actor_id, strategy.strategy_id)
            records, _ = memory.list_memory_records(
                memory_id, prefix, max_results=_PROFILE_RECORDS, actor_id=actor_id
            )
            if kind == "user_preference":
                profile.preferences += records
            elif kind == "semantic":
                profile.facts += records
            elif kind in ("summary", "episodic"):
                profile.summaries += [r for r in records if r.session_id != session_id]
    for record in profile.preferences:
        apply_preference(profile, record.content, str(record.text))
    profile.topics -= profile.avoided_topics
    return profile


def apply_preference(profile: Profile, content: Mapping[str, Any], text: str) -> None:
    """Apply one preference (a record's ``content`` and ``text``), newest first, to ``profile``."""
    # Both forms: Podium's structured content, or only AgentCore's JSON text (a record
    # written through BatchCreateMemoryRecords has nothing but {"text": ...}).
    categories = content.get("categories") or _json_categories(text)
    readable = readable_record_text(text).lower()
    negative = (
        bool(content.get("negative"))
        or content.get("polarity") == "negative"
        or readable.startswith("not ")
        or " is not interested in " in f" {readable}"
    )
    for category in categories:
        topic = _CATEGORY_TOPICS.get(category)
        if topic:
            # Newest first: a topic's latest statement decides (a retraction wins).
            if topic not in profile.topics and topic not in profile.avoided_topics:
                (profile.avoided_topics if negative else profile.topics).add(topic)
        elif not negative:
            _constraint(profile, category)
    stated = categories or content.get("constraints")
    if not stated and content.get("preference"):
        phrase = str(content["preference"])
        phrases = profile.avoided_phrases if negative else profile.phrases
        if phrase not in phrases and len(phrases) < _MAX_PHRASES:
            phrases.append(phrase)
    if not negative:
        # Constraints the grammar read in the same clause as a trigger ("400-level").
        for category in content.get("constraints") or []:
            _constraint(profile, str(category))


def with_turn(state: dict[str, Any], text: str) -> dict[str, Any]:
    """The state profile updated with what this user turn itself says (a copy).

    "I'm a DBA, only here Friday: what should I attend?" asks in the same breath as it tells:
    the turn's statements apply at once, before its extraction runs. What the turn states wins
    over what was stored (a new day list replaces the old one; a retraction removes a topic).
    """
    said = Profile()
    message = Message(event_id="turn", role="USER", text=text, timestamp=0.0)
    for candidate in extract_preferences(message):
        apply_preference(said, candidate.content, candidate.text)
    said.topics -= said.avoided_topics
    new = said.as_state()
    if not (said.topics or said.avoided_topics or len(new) > 5 or said.hands_on):
        return state
    out = dict(state)
    topics = (set(state.get("topics") or []) - said.avoided_topics) | said.topics
    avoided = (set(state.get("avoided_topics") or []) - said.topics) | said.avoided_topics
    out["topics"], out["avoided_topics"] = sorted(topics), sorted(avoided)
    for flag in ("hands_on", "deep_dive", "beginner"):
        out[flag] = bool(state.get(flag)) or bool(new[flag])
    for key in ("days", "times", "min_level", "max_level", "formats", "phrases"):
        if key in new:
            out[key] = new[key]
    return out


def _constraint(profile: Profile, category: str) -> None:
    """Apply one constraint category of a positive preference record to ``profile``."""
    profile.hands_on |= category == "hands-on"
    profile.deep_dive |= category == "deep-dive"
    profile.beginner |= category == "beginner"
    if category in ("chalk-talk", "short-format"):
        profile.formats.add(category)
    elif category.startswith("day-") and category[4:] in _DAYS:
        profile.days.add(_DAYS[category[4:]])
    elif category in ("morning", "afternoon"):
        profile.times.add(category)
    elif category.startswith(("level-min-", "level-max-")) and category[10:].isdigit():
        level = int(category[10:])
        if category.startswith("level-min-"):
            profile.min_level = max(profile.min_level or 0, level)
            profile.deep_dive |= level >= 300
        else:
            profile.max_level = min(profile.max_level or 10_000, level)
            profile.beginner |= level <= 200


def category_topic(category: str) -> Topic | None:
    """The catalog topic of a memory category slug (None for a format or constraint)."""
    return _CATEGORY_TOPICS.get(category)


def _json_categories(text: str) -> list[str]:
    data = record_json(text)
    found = data.get("categories") if data is not None else None
    return [str(c) for c in found] if isinstance(found, list) else []


@dataclass(frozen=True)
class PreferenceBoost:
    """A profile's search boost: a function of session metadata, and the state it came from.

    The state is plain JSON, so a knowledge base in another process (the gateway's, for a thin
    session worker) rebuilds the same boost with :func:`preference_boost` and ranks identically.
    """

    state: dict[str, Any]
    fn: Callable[[dict[str, Any]], float]

    def __call__(self, meta: dict[str, Any]) -> float:
        """The score bonus for one result's metadata."""
        return self.fn(meta)


def preference_boost(state: dict[str, Any]) -> tuple[Any, Any]:
    """(boost, reasons) functions over session metadata for a profile held in ``agent.state``."""
    topics = set(state.get("topics", []))
    avoided = set(state.get("avoided_topics", []))
    hands_on = bool(state.get("hands_on"))
    deep = bool(state.get("deep_dive"))
    beginner = bool(state.get("beginner"))
    # From the attendee's ratings (``_agenda.recommendation_state``); absent without notes.
    liked_topics = set(state.get("liked_topics", []))
    liked_types = set(state.get("liked_types", []))
    disliked = set(state.get("disliked_topics", []))

    # A stated bound says what depth was asked for ("400-level only"), not just "deep".
    deepest = max(300, int(state.get("min_level") or 0))
    gentlest = min(200, int(state.get("max_level") or 200))

    def reasons(meta: dict[str, Any]) -> list[str]:
        out = [f"your interest in {t}" for t in meta.get("topics", []) if t in topics]
        if hands_on and meta.get("type") in HANDS_ON_TYPES:
            out.append(f"hands-on format ({meta.get('type')}) you prefer")
        level = meta.get("level")
        if deep and isinstance(level, int | float) and level >= deepest:
            out.append(f"{int(level)}-level depth you asked for")
        if beginner and isinstance(level, int | float) and level <= gentlest:
            out.append(f"{int(level)}-level, beginner friendly")
        liked = [t for t in meta.get("topics", []) if t in liked_topics]
        if liked:
            out.append(f"like the {', '.join(liked)} sessions you rated highly")
        return out

    def boost(meta: dict[str, Any]) -> float:
        score = 0.0
        session_topics = set(meta.get("topics", []))
        score += _TOPIC_BOOST * len(session_topics & topics)
        if session_topics & avoided:
            score -= 0.5
        if hands_on and meta.get("type") in HANDS_ON_TYPES:
            score += _FORMAT_BOOST
        level = meta.get("level")
        if isinstance(level, int | float) and (
            (deep and level >= 300) or (beginner and level <= 200)
        ):
            score += _LEVEL_BOOST
        score += _LIKED_BOOST * len(session_topics & liked_topics)
        if liked_types and meta.get("type") in liked_types:
            score += _LIKED_BOOST
        score -= _DISLIKED_PENALTY * len(session_topics & disliked)
        return max(score, -0.9)

    return PreferenceBoost(state=dict(state), fn=boost), reasons
