"""An attendee's agenda and session feedback: what the tools and the web API do with them.

Both are per actor: every call names the actor (from ``agent.state`` or the verified token),
never from the prompt or the request body. A change writes a short-term event (so it has a
place in the attendee's history) and then the long-term note, whose ``source_event_ids`` name
that event. :func:`recommendation_state` turns the notes into the JSON the search boost and
filter use: attended sessions and sessions at a time the agenda already fills are never
recommended, sessions like the highly rated ones rank higher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from podium.errors import InvalidInput, NotFound

from ._catalog import session_card
from ._vocabulary import DAYS

if TYPE_CHECKING:
    from ._notes import AttendeeNotes
    from ._services import MemoryCalls, Retriever

__all__ = [
    "NOTES_SESSION",
    "Attendee",
    "find_session",
    "overlaps",
    "parse_feedback",
    "recommendation_state",
]

#: The memory session of notes made outside a conversation (UI controls, the API).
NOTES_SESSION = "attendee-notes"
_CODE = re.compile(r"^[A-Za-z]{3}\d{3}$")
_MAX_CHUNKS = 20
_HIGH_RATING = 4
_LOW_RATING = 2
_CARD_FIELDS = ("code", "title", "day", "date", "start", "end", "room", "venue", "level", "type")

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_STARS = re.compile(
    r"\b([1-5]|one|two|three|four|five)\s*(?:/\s*5|out of (?:5|five)|stars?|points?)\b", re.I
)
_POSITIVE = re.compile(
    r"\b(?:great|excellent|amazing|awesome|brilliant|loved?|fantastic|superb|perfect|"
    r"best|outstanding|terrific|wonderful)\b",
    re.I,
)
_GOOD = re.compile(r"\b(?:good|nice|useful|helpful|solid|liked|enjoyed|interesting)\b", re.I)
_NEGATIVE = re.compile(
    r"\b(?:boring|bad|awful|terrible|useless|waste|dull|poor|disappointing|hated?|"
    r"worst|meh|shallow)\b",
    re.I,
)
_ATTENDED = re.compile(
    r"\b(?:attended|went|was (?:at|in)|sat in|saw|joined|been to|visited|attend)\b", re.I
)


def parse_feedback(text: str) -> tuple[int | None, bool]:
    """(rating 1-5 or None, attended) from an attendee's words about a session.

    Stars win over adjectives ("five stars", "4/5"); "great" is 5, "good" 4, "boring" 2; any
    opinion implies the attendee was there, as does "I attended / went to".
    """
    rating: int | None = None
    stars = _STARS.search(text)
    if stars:
        raw = stars.group(1).lower()
        rating = _NUMBER_WORDS.get(raw) or int(raw)
    elif _NEGATIVE.search(text):
        rating = _LOW_RATING
    elif _POSITIVE.search(text):
        rating = 5
    elif _GOOD.search(text):
        rating = _HIGH_RATING
    return rating, rating is not None or bool(_ATTENDED.search(text))


def find_session(kb: Retriever, code_or_title: str) -> dict[str, Any]:
    """The catalog card of a session named by its code or (close to) its title.

    Raises:
        InvalidInput: empty or overlong.
        NotFound: no session has that code or title.
    """
    wanted = code_or_title.strip()
    if not wanted or len(wanted) > 300:
        raise InvalidInput("name a session by its code (for example AIM301) or its title")
    if _CODE.match(wanted):
        code = wanted.upper()
        found = kb.retrieve(
            code, _MAX_CHUNKS, "SEMANTIC", filter={"equals": {"key": "code", "value": code}}
        )
        if not found:
            raise NotFound(f"no session with code {code}")
    else:
        found = [r for r in kb.retrieve(wanted, 5) if _title_matches(wanted, r.metadata)]
        if not found:
            raise NotFound(f"no session titled {wanted!r}")
    card = session_card(found[0])
    card["date"] = found[0].metadata.get("date")
    return {k: card.get(k) for k in _CARD_FIELDS} | {"topics": list(card.get("topics") or [])}


def _title_matches(wanted: str, meta: dict[str, Any]) -> bool:
    want = set(re.findall(r"\w+", wanted.lower()))
    have = set(re.findall(r"\w+", str(meta.get("title") or "").lower()))
    return bool(want) and len(want & have) >= 0.8 * len(want)


def _minutes(hhmm: Any) -> int | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(hhmm or ""))
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two sessions (cards or notes with day/start/end) run at the same time."""
    if not a.get("day") or a.get("day") != b.get("day"):
        return False
    a0, a1, b0, b1 = (
        _minutes(x) for x in (a.get("start"), a.get("end"), b.get("start"), b.get("end"))
    )
    if None in (a0, a1, b0, b1):
        return False
    return a0 < b1 and b0 < a1  # type: ignore[operator]


def _slot_key(note: dict[str, Any]) -> tuple[int, int]:
    day = note.get("day")
    return (DAYS.index(day) if day in DAYS else len(DAYS), _minutes(note.get("start")) or 0)


def _with_clashes(agenda: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ordered = sorted(agenda, key=_slot_key)
    return [
        {
            **item,
            "clashes_with": [
                o["code"] for o in ordered if o["code"] != item["code"] and overlaps(item, o)
            ],
        }
        for item in ordered
    ]


def recommendation_state(
    agenda: list[dict[str, Any]], feedback: list[dict[str, Any]]
) -> dict[str, Any]:
    """The JSON part of the search state that the agenda and feedback imply.

    ``exclude_codes``: sessions attended or on the agenda; ``busy``: the agenda's time slots
    (a session overlapping one is not recommended); ``liked_*`` / ``disliked_topics``: what the
    attendee rated highly or poorly, for the boost.
    """
    liked = [f for f in feedback if (f.get("rating") or 0) >= _HIGH_RATING]
    disliked = [f for f in feedback if f.get("rating") and f["rating"] <= _LOW_RATING]
    liked_topics = {t for f in liked for t in f.get("topics", [])}
    disliked_topics = {t for f in disliked for t in f.get("topics", [])} - liked_topics
    return {
        "exclude_codes": sorted(
            {str(f["code"]) for f in feedback if f.get("attended")}
            | {str(a["code"]) for a in agenda}
        ),
        "busy": [
            {"day": a.get("day"), "start": a.get("start"), "end": a.get("end")} for a in agenda
        ],
        "liked_topics": sorted(liked_topics),
        "liked_types": sorted({str(f["type"]) for f in liked if f.get("type")}),
        "disliked_topics": sorted(disliked_topics),
    }


def _event_id(created: Any) -> str:
    found = created.get("event_id") if isinstance(created, dict) else created.event_id
    return str(found)


@dataclass(kw_only=True)
class Attendee:
    """One actor's agenda and feedback over the assistant's memory and catalog."""

    memory: MemoryCalls
    notes: AttendeeNotes
    kb: Retriever
    memory_id: str
    actor_id: str
    session_id: str = NOTES_SESSION

    def _event(self, text: str) -> str:
        # OTHER, not USER: a note made by a button must not read as something the attendee
        # typed into the conversation, yet it is part of their short-term history.
        created = self.memory.create_event(
            self.memory_id,
            self.actor_id,
            self.session_id,
            [{"conversational": {"role": "OTHER", "content": {"text": text}}}],
        )
        return _event_id(created)

    def agenda(self) -> list[dict[str, Any]]:
        """The agenda in time order, each item with the codes it clashes with."""
        return _with_clashes(self.notes.list_notes(self.memory_id, self.actor_id, "agenda"))

    def feedback(self) -> list[dict[str, Any]]:
        """The attendee's feedback notes, newest first."""
        return self.notes.list_notes(self.memory_id, self.actor_id, "feedback")

    def add_to_agenda(self, session: str) -> dict[str, Any]:
        """Put a session on the agenda; says which agenda sessions run at the same time."""
        card = find_session(self.kb, session)
        current = [a for a in self.agenda() if a["code"] != card["code"]]
        clashes = [a for a in current if overlaps(card, a)]
        event = self._event(f"Added {card['code']} ({card['title']}) to my agenda.")
        text = f"{card['code']} {card['title']} is on the agenda ({card['day']} {card['start']})"
        self.notes.put_note(self.memory_id, self.actor_id, "agenda", card, text, [event])
        return {
            "added": card,
            "clashes": [{k: a.get(k) for k in _CARD_FIELDS} for a in clashes],
            "agenda": self.agenda(),
        }

    def remove_from_agenda(self, session: str) -> dict[str, Any]:
        """Take a session off the agenda (NotFound when it is not on it)."""
        wanted = session.strip().upper()
        agenda = self.agenda()
        match = [a for a in agenda if a["code"] == wanted]
        if not match:
            card = find_session(self.kb, session)
            match = [a for a in agenda if a["code"] == card["code"]]
        if not match:
            raise NotFound(f"{session.strip()} is not on your agenda")
        code = str(match[0]["code"])
        self._event(f"Removed {code} ({match[0].get('title')}) from my agenda.")
        self.notes.delete_note(self.memory_id, self.actor_id, "agenda", code)
        return {"removed": code, "agenda": self.agenda()}

    def record_feedback(
        self, session: str, *, rating: int | None = None, attended: bool | None = None
    ) -> dict[str, Any]:
        """Rate a session and/or mark it attended (a rating implies attendance)."""
        if rating is not None and (isinstance(rating, bool) or not 1 <= int(rating) <= 5):
            raise InvalidInput("rating must be between 1 and 5")
        if rating is None and attended is None:
            raise InvalidInput("give a rating (1-5) or attended")
        card = find_session(self.kb, session)
        old = next((f for f in self.feedback() if f.get("code") == card["code"]), {})
        new_rating = int(rating) if rating is not None else old.get("rating")
        went = True if rating is not None or attended is None else bool(attended)
        note = {**card, "rating": new_rating, "attended": went}
        said = (
            f"I attended {card['code']} ({card['title']})"
            if went
            else f"I did not attend {card['code']}"
        )
        if new_rating is not None:
            said += f" and rate it {new_rating} out of 5"
        event = self._event(said + ".")
        stored = self.notes.put_note(self.memory_id, self.actor_id, "feedback", note, said, [event])
        return {"feedback": stored}

    def next_on_agenda(self, now: datetime | None = None) -> dict[str, Any]:
        """The agenda, and its first session that has not ended by ``now`` (None: all over).

        A session without a date counts as upcoming: the catalog may not give one.
        """
        now = now or datetime.now()
        agenda = self.agenda()
        upcoming = [a for a in agenda if (end := _ends_at(a)) is None or end >= now]
        return {"next": upcoming[0] if upcoming else None, "agenda": agenda}


def _ends_at(note: dict[str, Any]) -> datetime | None:
    """When a session ends, in the conference's local time (naive), from its date and end."""
    date, end = str(note.get("date") or "")[:10], _minutes(note.get("end"))
    try:
        day = datetime.fromisoformat(date)
    except ValueError:
        return None
    return None if end is None else day.replace(hour=end // 60, minute=end % 60)
