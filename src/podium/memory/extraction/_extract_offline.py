"""The offline extractor: deterministic rules per strategy type, no model, sub-millisecond per turn.

- ``user_preference``: "I like / love / enjoy / prefer / am interested in / want to learn about /
  I'm into / keen on ..." → a positive preference; "I'm not interested in / don't like / no
  longer interested in / not a fan of ..." → a negative one, which consolidation turns into an
  UPDATE of the stored positive preference. A coordination of distinct topics ("AI and
  security") becomes one preference per topic, so a later "no longer interested in security"
  retracts only that one; format words (hands-on, deep dive) stay attached to each. The record
  text is AgentCore's user-preference form, the JSON of ``{"context", "preference",
  "categories"}``.
- ``semantic``: facts in slots (name, role, employer, location, experience, attendance,
  first_time); consolidation updates a slot's value instead of adding a second one.
- ``summary``: one record per session namespace, recomputed over the whole session (UPDATE).
- ``episodic``: one episode per session plus an actor-level reflection across episodes.
- ``custom``: behaves as ``configuration.base``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._consolidate import Candidate, consolidate_batch
from ._extractor import (
    Add,
    Decision,
    ExistingRecord,
    ExistingRecords,
    Extractor,
    Message,
    Skip,
    Update,
    base_type,
)
from ._lexicon import FORMAT_LEXICON, ROLE_NOUNS, SUMMARY_STOPWORDS, TOPIC_LEXICON, categories_of
from ._summary_text import summary_sentence
from ._understand import grammar_candidates

__all__ = [
    "OfflineExtractor",
    "extract_facts",
    "extract_preferences",
    "session_codes",
    "split_sentences",
    "summary_topics",
]

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_CODE = re.compile(
    r"\b([A-Z]{3}\d{3})\b(?:\s*(?:[:\-–—]|\(|\*\*)\s*\**\s*([^\n().*;]{3,90}?)"
    r"(?=\s*(?:[.)\n*;,]|$|\s(?:or|and)\s|\b[A-Z]{3}\d{3}\b)))?"
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#'-]*")
_REQUEST = re.compile(
    r"\?|\b(?:find|recommend|suggest|show|looking\s+for|need|want|help|can\s+you|could\s+you|"
    r"please|plan|book|search)\b",
    re.IGNORECASE,
)
_USER_ROLES = frozenset({"USER", "HUMAN"})
_AGENT_ROLES = frozenset({"ASSISTANT", "TOOL", "AI"})

_NEGATIVE = re.compile(
    r"\b(?:i\s*(?:'m|am)\s+(?:really\s+|just\s+|also\s+)?not\s+(?:really\s+|very\s+|that\s+|too\s+)?"
    r"(?:interested\s+in|into|keen\s+on|a\s+(?:big\s+)?fan\s+of)"
    r"|i\s+(?:do\s+not|don't|dont)\s+(?:really\s+)?(?:like|enjoy|love|care\s+(?:about|for)|want)"
    r"|(?:i\s*(?:'m|am)\s+)?no\s+longer\s+(?:interested\s+in|into|keen\s+on|a\s+fan\s+of)"
    r"|(?:i\s*(?:'m|am)\s+)?not\s+a\s+(?:big\s+)?fan\s+of"
    r"|i(?:'ve|\s+have)\s+lost\s+interest\s+in"
    r"|i\s*(?:'m|am)\s+(?:done|bored)\s+with"
    r"|i\s+(?:hate|dislike|avoid))\s+(?P<obj>[^.!?;]+)",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"\b(?:i\s+(?:really\s+|also\s+|especially\s+|mostly\s+|do\s+|definitely\s+)?"
    r"(?:like|love|enjoy|prefer)"
    r"|i\s*(?:'m|am)\s+(?:really\s+|very\s+|most\s+|mostly\s+|especially\s+|also\s+|super\s+)?"
    r"(?:interested\s+in|into|keen\s+on|passionate\s+about|a\s+(?:big\s+|huge\s+)?fan\s+of|curious\s+about)"
    r"|i\s+(?:want|wanna|would\s+like|'d\s+like|d\s+like)\s+to\s+(?:learn|know|hear)\s+(?:more\s+)?about"
    r"|i\s*(?:'m|am)\s+(?:looking\s+to|trying\s+to|hoping\s+to)\s+learn\s+(?:more\s+)?about"
    r"|my\s+(?:main\s+)?(?:interests?\s+(?:is|are)|focus\s+is(?:\s+on)?))\s+(?P<obj>[^.!?;]+)",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(
    r"\s*(?:,\s*(?:but|so|and\s+i|because|since|which|though)\b|\s+(?:but|because|since|so\s+that"
    r"|anymore|any\s+more|these\s+days|nowadays|right\s+now)\b|,\s*(?:please|thanks)|\s*$)",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:(?:learning|hearing|attending|going\s+to|seeing)\s+(?:about\s+)?)",
                      re.IGNORECASE)  # fmt: skip
_SPLIT_COORD = re.compile(
    r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*)\s*", re.IGNORECASE
)

_NAME = re.compile(
    r"(?i:\bmy\s+name\s+is|\bcall\s+me|^(?:(?:hi|hello|hey)(?:\s+there)?[,!.]?\s+)?(?:i\s*'m|i\s+am|this\s+is))"
    r"\s+(?P<v>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)(?=\s*(?:[,.!;]|$|\s+and\b|\s+from\b|\s+here\b))",
)
_ROLE = re.compile(
    r"\b(?:i\s*'m|i\s+am|i\s+work\s+as|i'm\s+working\s+as|working\s+as|,)\s+(?:a|an)\s+"
    r"(?P<v>(?:[\w/-]+\s+){0,3}?(?:" + "|".join(sorted(ROLE_NOUNS)) + r"))\b",
    re.IGNORECASE,
)
_ORG = r"(?-i:(?P<v>[A-Z][\w&.-]*(?:\s+[A-Z][\w&-]*){0,3}))"
_EMPLOYER = re.compile(
    r"\b(?:work(?:ing)?\s+(?:at|for)|employed\s+(?:at|by)|(?:" + "|".join(sorted(ROLE_NOUNS))
    + r")s?\s+(?:at|for|with))\s+" + _ORG
)  # fmt: skip
_EMPLOYER_CHANGE = re.compile(
    r"\b(?:i\s+(?:just\s+|recently\s+)?(?:moved|switched|changed\s+jobs?)\s+to|i(?:'ve|\s+have)?\s+"
    r"(?:just\s+|recently\s+)?joined|i\s+now\s+work\s+(?:at|for)|now\s+(?:i\s+)?work(?:ing)?\s+(?:at|for))"
    r"\s+" + _ORG,
    re.IGNORECASE,
)
_LOCATION = re.compile(
    r"\b(?:i\s*(?:'m|am)\s+(?:based|located)\s+in|i\s+live\s+in|i\s*(?:'m|am)\s+from|i\s+come\s+from)"
    r"\s+(?-i:(?P<v>[A-Z][\w.'-]*(?:[\s,]+[A-Z][\w.'-]*){0,3}))",
    re.IGNORECASE,
)
_NUMBER = r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty)"
_EXPERIENCE = re.compile(
    _NUMBER
    + r"\+?\s+years?\s+(?:of\s+)?(?:experience|exp)(?:\s+(?:in|with)\s+(?P<field>[^,.!?;]+))?"
    r"|\bi(?:'ve|\s+have)\s+been\s+(?:doing|working\s+(?:in|with|on)|using)\s+(?P<field2>[^,.!?;]+?)"
    r"\s+for\s+" + _NUMBER.replace("?P<n>", "?P<n2>") + r"\s+years?",
    re.IGNORECASE,
)
_NEW_TO = re.compile(r"\bi\s*(?:'m|am)\s+(?:pretty\s+|very\s+|completely\s+)?new\s+to\s+(?P<v>[^,.!?;]+)",
                     re.IGNORECASE)  # fmt: skip
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ATTENDING = re.compile(
    r"\bi(?:'ll|\s+will|\s*'m|\s+am)\s+(?:be\s+)?(?:attending|here|there|around|at\s+the\s+\w+)\s+"
    r"(?P<v>(?:on\s+|only\s+on\s+|from\s+)?" + _DAY + r"(?:\s*(?:to|through|-|–|and|until)\s*" + _DAY + r")?)",
    re.IGNORECASE,
)  # fmt: skip
_FIRST_TIME = re.compile(
    r"\b(?:my\s+first\s+time\s+(?:at|attending)|first\s+time\s+(?:at|attending)|"
    r"i(?:'ve|\s+have)\s+never\s+been\s+to)\s+(?:the\s+|a\s+|this\s+)?(?P<v>[\w\s'-]{2,40}?)(?=[,.!?;]|$)",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    [
        "Not",
        "Just",
        "Really",
        "Very",
        "So",
        "Also",
        "Here",
        "There",
        "Looking",
        "Interested",
        "Working",
        "Based",
        "New",
        "Going",
        "Trying",
        "Attending",
        "Sorry",
        "Happy",
        "Glad",
        "Fine",
        "Good",
        "Great",
        "Back",
        "Ready",
        "Done",
        "Sure",
        "Curious",
        "Keen",
        "Into",
        "From",
        "The",
        "A",
        "An",
        "In",
        "At",
        "On",
    ]
)


def split_sentences(text: str) -> list[str]:
    """Sentences (and lines) of ``text``, stripped, non-empty."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _clean_object(raw: str) -> str:
    obj = _CLAUSE_END.split(raw, maxsplit=1)[0]
    obj = _LEADING.sub("", obj.strip())
    return obj.strip(" ,.!?;:'\"").strip()


def _split_topics(obj: str) -> list[str]:
    """Split a coordination whose conjuncts name distinct topics; keep it whole otherwise."""
    parts = [p for p in _SPLIT_COORD.split(obj) if p.strip()]
    if len(parts) < 2:
        return [obj]
    topic_sets = [[c for c in categories_of(p) if c in TOPIC_LEXICON] for p in parts]
    if all(len(t) == 1 for t in topic_sets) and len({t[0] for t in topic_sets}) == len(parts):
        # Shared words ("AI and security sessions") belong to every conjunct: carry the tail.
        tail_words = parts[-1].split()
        tail = " ".join(tail_words[1:]) if len(tail_words) > 1 else ""
        out = []
        for i, part in enumerate(parts):
            out.append(part if i == len(parts) - 1 or not tail else f"{part} {tail}")
        return out
    return [obj]


def extract_preferences(message: Message) -> list[Candidate]:
    """Preference candidates stated in one user message."""
    out: list[Candidate] = []
    for sentence in split_sentences(message.text):
        found = _trigger_preferences(message, sentence)
        # The clause grammar reads every clause, and topics stated without a trigger verb.
        out += found + grammar_candidates(message, sentence, found)
    return out


def _trigger_preferences(message: Message, sentence: str) -> list[Candidate]:
    """Candidates of the trigger rules ("I like ...", "I'm not interested in ...")."""
    out: list[Candidate] = []
    negative = _NEGATIVE.search(sentence)
    match = negative or _POSITIVE.search(sentence)
    if match is None:
        return out
    obj = _clean_object(match.group("obj"))
    if not obj or len(obj) > 120:
        return out
    polarity = "negative" if negative else "positive"
    for part in _split_topics(obj):
        formats = [c for c in categories_of(obj) if c in FORMAT_LEXICON]
        categories = [c for c in categories_of(part) if c in TOPIC_LEXICON]
        categories += [f for f in formats if f not in categories]
        verb = "is interested in" if polarity == "positive" else "is not interested in"
        stated = "likes" if polarity == "positive" else "is not interested in"
        # The text is AgentCore's user-preference record: JSON with context, preference
        # and categories (readable_record_text gives back the sentence).
        record = {
            "context": f'The user said: "{sentence}"',
            "preference": f"The user {verb} {part}.",
            "categories": categories,
        }
        out.append(
            Candidate(
                content={
                    "preference": part,
                    "polarity": polarity,
                    "context": sentence,
                    "categories": categories,
                },
                text=json.dumps(record, ensure_ascii=False),
                rationale=f'the user said: "{sentence}" ({stated} {part})',
                source_event_ids=(message.event_id,),
            )
        )
    return out


def _fact(
    message: Message, sentence: str, slot: str, value: str, fact: str, stated: str | None = None
) -> Candidate:
    content: dict[str, Any] = {"fact": fact, "slot": slot, "value": value, "context": sentence}
    return Candidate(
        content=content,
        text=f"The user {fact}.",
        rationale=f"the user stated they {stated or _second_person(fact)}",
        source_event_ids=(message.event_id,),
    )


_SECOND_PERSON = {"is": "are", "works": "work", "lives": "live", "has": "have", "attends": "attend"}


def _second_person(fact: str) -> str:
    """'works at Acme' → 'work at Acme' (for "the user stated they ...")."""
    verb, _, rest = fact.partition(" ")
    return f"{_SECOND_PERSON.get(verb, verb)} {rest}".strip()


def _trim_org(value: str) -> str:
    words = value.split()
    while words and words[-1] in _NOT_NAMES:
        words.pop()
    return " ".join(words).rstrip(".,")


def extract_facts(message: Message) -> list[Candidate]:
    """Slot facts stated in one user message."""
    out: list[Candidate] = []
    for sentence in split_sentences(message.text):
        name = _NAME.search(sentence)
        if name and name.group("v").split()[0] not in _NOT_NAMES:
            value = name.group("v")
            out.append(_fact(message, sentence, "name", value, f"is named {value}"))
        role_match = _ROLE.search(sentence)
        role = role_match.group("v").strip() if role_match else None
        if role and role.split()[0].lower() in {"big", "huge", "fan", "bit", "little", "lot"}:
            role = None
        if role:
            out.append(_fact(message, sentence, "role", role.lower(), f"is a {role.lower()}"))
        change = _EMPLOYER_CHANGE.search(sentence)
        employer = change or _EMPLOYER.search(sentence)
        if employer:
            org = _trim_org(employer.group("v"))
            if org and org.split()[0] not in _NOT_NAMES:
                fact = f"works as a {role.lower()} at {org}" if role else f"works at {org}"
                stated = re.sub(r"^i\s+", "", change.group(0), flags=re.I) if change else None
                out.append(_fact(message, sentence, "employer", org, fact, stated))
        location = _LOCATION.search(sentence)
        if location:
            place = _trim_org(location.group("v"))
            if place:
                out.append(_fact(message, sentence, "location", place, f"is based in {place}"))
        experience = _EXPERIENCE.search(sentence)
        if experience:
            years = experience.group("n") or experience.group("n2")
            area = (experience.group("field") or experience.group("field2") or "").strip()
            value = f"{years} years" + (f" in {area}" if area else "")
            out.append(
                _fact(
                    message,
                    sentence,
                    "experience",
                    value,
                    f"has {years} years of experience" + (f" in {area}" if area else ""),
                )
            )
        new_to = _NEW_TO.search(sentence)
        if new_to:
            area = _clean_object(new_to.group("v"))
            out.append(
                _fact(message, sentence, "experience", f"new to {area}", f"is new to {area}")
            )
        attending = _ATTENDING.search(sentence)
        if attending:
            days = re.sub(r"\s+", " ", attending.group("v")).strip()
            out.append(_fact(message, sentence, "attendance", days, f"attends {days}"))
        first = _FIRST_TIME.search(sentence)
        if first:
            what = first.group("v").strip()
            out.append(
                _fact(
                    message,
                    sentence,
                    "first_time",
                    what,
                    f"is attending the {what} for the first time",
                )
            )
    return out


def summary_topics(texts: Iterable[str], limit: int = 6) -> list[str]:
    """Key words and two-word phrases of ``texts`` by stopword-filtered frequency (ties: first seen)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    position = 0
    for text in texts:
        words = [w.lower().replace("'", "").strip("-") for w in _TOKEN.findall(text)]
        for i, word in enumerate(words):
            position += 1
            if word in SUMMARY_STOPWORDS or len(word) < 3:
                continue
            counts[word] += 1
            first.setdefault(word, position)
            if i + 1 < len(words):
                nxt = words[i + 1]
                if nxt not in SUMMARY_STOPWORDS and len(nxt) >= 3:
                    bigram = f"{word} {nxt}"
                    # A repeated bigram outranks its parts: it is the more specific topic.
                    counts[bigram] += 2
                    first.setdefault(bigram, position)
    ranked = sorted(counts, key=lambda t: (-counts[t], first[t]))
    out: list[str] = []
    for term in ranked:
        if counts[term] < 2 and term.count(" "):
            continue
        if any(term in chosen.split() or term == chosen for chosen in out):
            continue
        out.append(term)
        if len(out) == limit:
            break
    return out


def session_codes(texts: Iterable[str]) -> list[dict[str, str]]:
    """Session codes (``ABC123``) with titles when written next to them, first seen first."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _CODE.finditer(text):
            code, title = match.group(1), (match.group(2) or "").strip(" -–—:*")
            if code not in found or (title and not found[code]):
                found[code] = title
    return [{"code": code, "title": title} for code, title in found.items()]


def _gist(text: str, limit: int = 160) -> str:
    first = split_sentences(text)
    gist = first[0] if first else text.strip()
    return gist if len(gist) <= limit else gist[: limit - 1].rstrip() + "…"


class OfflineExtractor(Extractor):
    """Deterministic, model-free extraction for every built-in strategy type."""

    def __init__(self, *, top_k: int = 10, duplicate_threshold: float = 0.9) -> None:
        self.top_k = top_k
        self.duplicate_threshold = duplicate_threshold

    def extract(
        self,
        strategy: Mapping[str, Any],
        messages: Sequence[Message],
        existing: ExistingRecords,
        *,
        history: Sequence[Message] = (),
    ) -> list[Decision]:
        """Decisions for the strategy's base type (see the module docstring)."""
        kind = base_type(strategy)
        users = [m for m in messages if m.role.upper() in _USER_ROLES]
        if kind in ("user_preference", "semantic"):
            pick = extract_preferences if kind == "user_preference" else extract_facts
            candidates = [c for m in users for c in pick(m)]
            if not candidates:
                return [Skip(reason="nothing to remember in these messages")]

            def lookup(
                text: str, k: int, namespace: str | None
            ) -> list[tuple[ExistingRecord, float]]:
                return existing(text, k, namespace)

            return consolidate_batch(
                candidates, lookup, top_k=self.top_k, duplicate_threshold=self.duplicate_threshold
            )
        if kind == "summary":
            return [self._summary(list(history) + list(messages), existing)]
        if kind == "episodic":
            return self._episode(strategy, list(history) + list(messages), existing)
        return [Skip(reason=f"unknown strategy type {kind!r}")]

    def _summary(self, session: list[Message], existing: ExistingRecords) -> Decision:
        user_messages = [m for m in session if m.role.upper() in _USER_ROLES]
        users = [m.text for m in user_messages]
        # Only the assistant's own words: codes inside raw tool results were not all suggested.
        agents = [m.text for m in session if m.role.upper() in _AGENT_ROLES - {"TOOL"}]
        if not users and not agents:
            return Skip(reason="empty session")
        topics = summary_topics(users)
        sessions = session_codes(agents)
        preferences = [c.content for m in user_messages for c in extract_preferences(m)]
        # Written to the user ("You asked for ...; I suggested ..."): it is what the assistant
        # recalls when asked about the last conversation.
        text = summary_sentence(users, preferences, sessions)
        if not text and topics:
            text = f"You talked about {', '.join(topics)}."
        text = text or "A short conversation with nothing notable."
        content = {"summary": text, "topics": topics, "sessions": sessions, "turns": len(session)}
        sources = tuple(m.event_id for m in session)
        return _replace_single(existing, text, content, sources, "summary of the session so far")

    def _episode(
        self, strategy: Mapping[str, Any], session: list[Message], existing: ExistingRecords
    ) -> list[Decision]:
        users = [m for m in session if m.role.upper() in _USER_ROLES]
        agents = [m for m in session if m.role.upper() in _AGENT_ROLES]
        if not users:
            return [Skip(reason="no user request yet")]
        # The goal is the first actual request, not a greeting or self-introduction.
        request = next((m for m in users if _REQUEST.search(m.text)), users[0])
        goal = _gist(request.text, 200)
        steps = [_step(m) for m in agents][:6]
        outcome = _gist(agents[-1].text) if agents else "no answer yet"
        text = f"Goal: {goal} Steps: {'; '.join(steps) or 'none'}. Outcome: {outcome}"
        categories = categories_of(" ".join(m.text for m in users))
        content = {"goal": goal, "steps": steps, "outcome": outcome, "categories": categories}
        sources = tuple(m.event_id for m in session)
        out = [_replace_single(existing, text, content, sources, "episode of the session")]
        reflection_ns = strategy.get("reflection_namespace")
        session_id = str(strategy.get("session_id") or "")
        if reflection_ns:
            out.append(_reflection(existing, str(reflection_ns), session_id, categories, sources))
        return out


def _step(message: Message) -> str:
    if message.role.upper() == "TOOL":
        name = message.metadata.get("tool_name") if message.metadata else None
        return f"used tool {name}" if name else f"tool result: {_gist(message.text, 80)}"
    return _gist(message.text, 100)


def _replace_single(
    existing: ExistingRecords,
    text: str,
    content: dict[str, Any],
    sources: tuple[str, ...],
    what: str,
    namespace: str | None = None,
) -> Decision:
    """ADD the namespace's single record, or UPDATE it (never a second one)."""
    found = existing("", 1, namespace)
    if found:
        record = found[0][0]
        if record.text == text:
            return Skip(reason=f"{what} unchanged")
        return Update(
            record_id=record.record_id,
            content=content,
            text=text,
            rationale=f"{what}, updated with {len(sources)} turns",
            source_event_ids=sources,
        )
    return Add(
        content=content,
        text=text,
        rationale=f"{what} ({len(sources)} turns)",
        source_event_ids=sources,
        namespace=namespace,
    )


def _reflection(
    existing: ExistingRecords,
    namespace: str,
    session_id: str,
    categories: list[str],
    sources: tuple[str, ...],
) -> Decision:
    found = existing("", 1, namespace)
    per_session: dict[str, list[str]] = {}
    if found:
        stored = found[0][0].content.get("sessions") or {}
        per_session = {str(k): list(v) for k, v in dict(stored).items()}
    per_session[session_id] = categories
    topics: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    for cats in per_session.values():
        for c in set(cats):
            (formats if c in FORMAT_LEXICON else topics)[c] += 1
    episodes = len(per_session)
    top_topic = topics.most_common(1)[0] if topics else None
    top_format = formats.most_common(1)[0] if formats else None
    phrase = []
    if top_format and top_format[1] * 2 >= episodes:
        phrase.append(top_format[0])
    if top_topic and top_topic[1] * 2 >= episodes:
        phrase.append(top_topic[0].replace("-", " "))
    if phrase:
        pattern = f"the user usually asks for {' '.join(phrase)} sessions"
    else:
        pattern = "no recurring pattern yet"
    text = f"Across {episodes} episode{'s' if episodes != 1 else ''}, {pattern}."
    content = {
        "reflection": text,
        "sessions": per_session,
        "topics": dict(topics),
        "formats": dict(formats),
        "episodes": episodes,
    }
    if found:
        record = found[0][0]
        if record.content.get("sessions") == per_session:
            return Skip(reason="reflection unchanged")
        return Update(
            record_id=record.record_id,
            content=content,
            text=text,
            rationale=f"reflection over {episodes} episodes",
            source_event_ids=tuple(record.source_event_ids) + sources,
        )
    return Add(
        content=content,
        text=text,
        rationale=f"reflection over {episodes} episode",
        source_event_ids=sources,
        namespace=namespace,
    )
