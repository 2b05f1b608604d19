"""The catalog's content, read from the JSON files under ``data/catalog/pools/``.

Each file is checked against the conference vocabulary (``podium.apps.event_assistant.
_vocabulary``) when it is loaded, so a track, day, level or session type the assistant does not
know about is an error here rather than a session its tools cannot filter on.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from podium.apps.event_assistant._vocabulary import DAYS, LEVELS, SESSION_TYPES, TOPICS
from podium.errors import ConfigurationError

__all__ = [
    "CONFERENCE_NAME",
    "FIRST_DAY",
    "POOLS_DIR",
    "Keynote",
    "People",
    "Pools",
    "Room",
    "Schedule",
    "Sentences",
    "Subtopic",
    "Track",
    "load_pools",
    "track_file",
]

CONFERENCE_NAME = "Podium Cloud & AI Summit 2026"
FIRST_DAY = date(2026, 12, 7)  # a Monday
POOLS_DIR = Path(__file__).resolve().parents[2] / "data" / "catalog" / "pools"

#: Keynotes are hand-written and scheduled from keynotes.json; every other type is drawn.
_DRAWN_TYPES = tuple(t for t in SESSION_TYPES if t != "keynote")


@dataclass(frozen=True, kw_only=True)
class Subtopic:
    """One focus area inside a track, with its own vocabulary and sentences."""

    name: str
    build: str
    titles: tuple[str, ...]
    techs: tuple[str, ...]
    tags: tuple[str, ...]
    related: tuple[str, ...]
    problems: tuple[str, ...]
    details: tuple[str, ...]
    deep: str
    industries: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Track:
    """A conference track: one of the topics, with a code prefix, its subtopics and the
    track-wide details (practices shared by the track's sessions but by no one subtopic)."""

    name: str
    prefix: str
    weight: int
    audiences: tuple[str, ...]
    metrics: tuple[str, ...]
    roles: tuple[str, ...]
    bridges: tuple[str, ...]
    details: tuple[str, ...]
    subtopics: tuple[Subtopic, ...]


@dataclass(frozen=True, kw_only=True)
class Room:
    """A bookable room; ``kind`` says which session types it suits."""

    venue: str
    name: str
    kind: str  # keynote | large | medium | small | lab | stage


@dataclass(frozen=True, kw_only=True)
class Keynote:
    """A hand-written keynote; keynotes are broad, so they do not use the subtopic pools."""

    topics: tuple[str, ...]
    level: int
    day: int
    start: int
    title: str
    speaker_title: str
    sentences: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Sentences:
    """Sentence and title templates shared by every track (sentences.json)."""

    generic_openers: tuple[str, ...]
    generic_approaches: tuple[str, ...]
    demos: tuple[str, ...]
    story_leads: tuple[str, ...]
    story_bodies: tuple[str, ...]
    hands_on: dict[str, tuple[str, ...]]
    hands_on_count: dict[str, int]
    level_notes: dict[int, tuple[str, ...]]
    takeaways: tuple[str, ...]
    audience_notes: tuple[str, ...]
    title_patterns: dict[str, tuple[str, ...]]


@dataclass(frozen=True, kw_only=True)
class People:
    """Invented speakers' names and titles, customers and partners (people.json)."""

    host_company: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    seniority: tuple[str, ...]
    ranked_words: tuple[str, ...]
    customers: tuple[tuple[str, str], ...]  # (company, industry)
    partners: tuple[str, ...]
    customer_titles: tuple[str, ...]
    partner_titles: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """Durations, rooms, opening hours and the weights that shape the programme."""

    durations: dict[str, int]
    rooms: tuple[Room, ...]
    room_kinds: dict[str, tuple[str, ...]]
    day_windows: tuple[tuple[int, int], ...]  # (open, close) minutes, one per day
    day_weights: tuple[int, ...]
    hands_on_day_weights: tuple[int, ...]
    type_weights: tuple[tuple[str, int], ...]
    level_weights: dict[str, tuple[tuple[int, int], ...]]
    speaker_counts: dict[str, tuple[tuple[int, int], ...]]


@dataclass(frozen=True, kw_only=True)
class Pools:
    """Everything the generator draws from."""

    tracks: tuple[Track, ...]
    track_by_name: dict[str, Track]
    sentences: Sentences
    people: People
    schedule: Schedule
    keynotes: tuple[Keynote, ...]


def track_file(topic: str, root: Path = POOLS_DIR) -> Path:
    """The JSON file of one track: ``tracks/<topic, lower-case, dashes>.json``."""
    return root / "tracks" / f"{topic.lower().replace(' ', '-')}.json"


def load_pools(root: Path = POOLS_DIR) -> Pools:
    """Read and check every pool file under ``root``; tracks come in vocabulary order."""
    tracks = tuple(_track(track_file(topic, root), topic) for topic in TOPICS)
    extra = sorted(
        {p.name for p in (root / "tracks").glob("*.json")}
        - {track_file(t, root).name for t in TOPICS}
    )
    if extra:
        raise ConfigurationError(f"{root / 'tracks'}: {extra} name no topic of the vocabulary")
    with _parsing(root / "sentences.json") as sentences_file:
        sentences = _sentences(_read(sentences_file))
    with _parsing(root / "people.json") as people_file:
        people = _people(_read(people_file))
    with _parsing(root / "schedule.json") as schedule_file:
        schedule = _schedule(_read(schedule_file), _read(root / "venues.json"))
    with _parsing(root / "keynotes.json") as keynotes_file:
        keynotes = tuple(_keynote(k) for k in _read(keynotes_file))
    return Pools(
        tracks=tracks,
        track_by_name={t.name: t for t in tracks},
        sentences=sentences,
        people=people,
        schedule=schedule,
        keynotes=keynotes,
    )


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read catalog pool {path}: {exc}") from exc


@contextmanager
def _parsing(path: Path) -> Iterator[Path]:
    """Turn a missing key or a wrongly typed value in ``path`` into a ConfigurationError."""
    try:
        yield path
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigurationError(f"malformed catalog pool {path}: {exc!r}") from exc


def _check(what: str, values: Iterable[object], allowed: Collection[object]) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ConfigurationError(f"{what}: {unknown} not in {list(allowed)}")


def _check_keys(what: str, mapping: Mapping[Any, object], expected: Collection[object]) -> None:
    if set(mapping) != set(expected):
        raise ConfigurationError(f"{what}: keys {list(mapping)} must be exactly {list(expected)}")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _pairs(
    what: str, weights: Mapping[str, int], allowed: Collection[int]
) -> tuple[tuple[int, int], ...]:
    pairs = tuple((int(k), w) for k, w in weights.items())
    _check(what, (k for k, _ in pairs), allowed)
    return pairs


def _track(path: Path, topic: str) -> Track:
    with _parsing(path):
        return _track_of(path, _read(path), topic)


def _track_of(path: Path, data: dict[str, Any], topic: str) -> Track:
    if data["name"] != topic:
        raise ConfigurationError(f"{path}: name {data['name']!r} should be {topic!r}")
    subtopics = tuple(
        Subtopic(
            name=s["name"],
            build=s["build"],
            titles=tuple(s["titles"]),
            techs=tuple(s["techs"]),
            tags=tuple(s["tags"]),
            related=tuple(s["related"]),
            problems=tuple(s["problems"]),
            details=tuple(s["details"]),
            deep=s["deep"],
            industries=tuple(s.get("industries", ())),
        )
        for s in data["subtopics"]
    )
    for sub in subtopics:
        _check(f"{path}: related topics of {sub.name!r}", sub.related, TOPICS)
    return Track(
        name=data["name"],
        prefix=data["prefix"],
        weight=data["weight"],
        audiences=tuple(data["audiences"]),
        metrics=tuple(data["metrics"]),
        roles=tuple(data["roles"]),
        bridges=tuple(data["bridges"]),
        details=tuple(data["details"]),
        subtopics=subtopics,
    )


def _sentences(data: dict[str, Any]) -> Sentences:
    demos = tuple(data["demos"])
    # A breakout's hands-on line is a demo line: one pool, so the two never drift apart.
    hands_on = {kind: tuple(lines) for kind, lines in data["hands_on"].items()}
    hands_on["breakout"] = demos
    _check_keys("sentences.json hands_on (+ breakout)", hands_on, _DRAWN_TYPES)
    _check_keys("sentences.json hands_on_count", data["hands_on_count"], _DRAWN_TYPES)
    level_notes = {int(level): tuple(lines) for level, lines in data["level_notes"].items()}
    _check_keys("sentences.json level_notes", level_notes, LEVELS)
    patterns = {group: tuple(p) for group, p in data["title_patterns"].items()}
    _check(
        "sentences.json title_patterns",
        patterns,
        {"any", "story", "tech", "100", "400", *SESSION_TYPES},
    )
    return Sentences(
        generic_openers=tuple(data["generic_openers"]),
        generic_approaches=tuple(data["generic_approaches"]),
        demos=demos,
        story_leads=tuple(data["story_leads"]),
        story_bodies=tuple(data["story_bodies"]),
        hands_on=hands_on,
        hands_on_count=dict(data["hands_on_count"]),
        level_notes=level_notes,
        takeaways=tuple(data["takeaways"]),
        audience_notes=tuple(data["audience_notes"]),
        title_patterns=patterns,
    )


def _people(data: dict[str, Any]) -> People:
    return People(
        host_company=data["host_company"],
        first_names=tuple(data["first_names"]),
        last_names=tuple(data["last_names"]),
        seniority=tuple(data["seniority"]),
        ranked_words=tuple(data["ranked_words"]),
        customers=tuple(data["customers"].items()),
        partners=tuple(data["partners"]),
        customer_titles=tuple(data["customer_titles"]),
        partner_titles=tuple(data["partner_titles"]),
    )


def _schedule(data: dict[str, Any], venues: dict[str, dict[str, str]]) -> Schedule:
    days = data["days"]
    if list(days) != list(DAYS):
        raise ConfigurationError(f"schedule.json days: {list(days)} must be {list(DAYS)}")
    if FIRST_DAY.strftime("%A") != DAYS[0]:
        raise ConfigurationError(f"FIRST_DAY {FIRST_DAY} is not a {DAYS[0]}")
    rooms = tuple(
        Room(venue=venue, name=name, kind=kind)
        for venue, by_name in venues.items()
        for name, kind in by_name.items()
    )
    room_kinds = {kind: tuple(kinds) for kind, kinds in data["room_kinds"].items()}
    _check_keys("schedule.json durations_min", data["durations_min"], SESSION_TYPES)
    _check_keys("schedule.json room_kinds", room_kinds, SESSION_TYPES)
    _check_keys("schedule.json type_weights", data["type_weights"], _DRAWN_TYPES)
    _check_keys("schedule.json level_weights", data["level_weights"], _DRAWN_TYPES)
    _check_keys("schedule.json speaker_counts", data["speaker_counts"], SESSION_TYPES)
    _check(
        "venues.json room kinds",
        {r.kind for r in rooms},
        {k for ks in room_kinds.values() for k in ks},
    )
    return Schedule(
        durations=dict(data["durations_min"]),
        rooms=rooms,
        room_kinds=room_kinds,
        day_windows=tuple((_minutes(d["opens"]), _minutes(d["closes"])) for d in days.values()),
        day_weights=tuple(d["weight"] for d in days.values()),
        hands_on_day_weights=tuple(d["hands_on_weight"] for d in days.values()),
        type_weights=tuple(data["type_weights"].items()),
        level_weights={
            kind: _pairs(f"schedule.json level_weights[{kind!r}]", weights, LEVELS)
            for kind, weights in data["level_weights"].items()
        },
        speaker_counts={
            kind: _pairs(f"schedule.json speaker_counts[{kind!r}]", counts, (1, 2, 3))
            for kind, counts in data["speaker_counts"].items()
        },
    )


def _keynote(data: dict[str, Any]) -> Keynote:
    what = f"keynotes.json {data['title']!r}"
    _check(f"{what} topics", data["topics"], TOPICS)
    _check(f"{what} level", [data["level"]], LEVELS)
    _check(f"{what} day", [data["day"]], DAYS)
    return Keynote(
        topics=tuple(data["topics"]),
        level=data["level"],
        day=DAYS.index(data["day"]),
        start=_minutes(data["start"]),
        title=data["title"],
        speaker_title=data["speaker_title"],
        sentences=tuple(s.format(conference=CONFERENCE_NAME) for s in data["sentences"]),
        tags=tuple(data["tags"]),
    )
