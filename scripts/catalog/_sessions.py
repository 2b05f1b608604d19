"""The catalog's sessions: drafted per track, scheduled into rooms, staffed and numbered."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from podium.apps.event_assistant._vocabulary import DAYS

from ._pools import FIRST_DAY, Keynote, People, Pools, Room, Schedule, Subtopic, Track
from ._text import (
    MAX_WORDS,
    MIN_WORDS,
    OverlapGuard,
    Picker,
    compose_abstract,
    compose_title,
    pick_tags,
    word_count,
)

__all__ = ["build_catalog"]

# No two abstracts may share more than MAX_SHARED_SENTENCES of their sentences; the
# generator retries for at most TARGET_SHARED_SENTENCES first.
TARGET_SHARED_SENTENCES = 0.4
MAX_SHARED_SENTENCES = 0.5


@dataclass(kw_only=True)
class _Draft:
    """A session while it is being built; becomes a JSON object at the end."""

    track: Track
    kind: str
    level: int
    title: str
    abstract: str
    topics: list[str]
    tags: list[str]
    story_company: str | None = None
    keynote: Keynote | None = None
    day: int = -1
    start: int = -1
    room: Room | None = None
    speakers: list[dict[str, str]] = field(default_factory=list)
    code: str = ""


def _weighted(rng: random.Random, pairs: Sequence[tuple[object, int]]) -> object:
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights=weights, k=1)[0]


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, deterministic)."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _pick_customer(rng: random.Random, people: People, sub: Subtopic) -> tuple[str, str]:
    """A customer for the session's story; industry subtopics get a customer from that industry."""
    customers = people.customers
    fitting = [c for c in customers if c[1] in sub.industries] if sub.industries else []
    return rng.choice(fitting or list(customers))


def _keynote_drafts(pools: Pools, taken: dict[str, None]) -> list[_Draft]:
    drafts = []
    for kn in pools.keynotes:
        drafts.append(
            _Draft(
                track=pools.track_by_name[kn.topics[0]],
                kind="keynote",
                level=kn.level,
                title=kn.title,
                abstract=" ".join(kn.sentences),
                topics=list(kn.topics),
                tags=list(kn.tags),
                keynote=kn,
            )
        )
        taken[kn.title] = None
    return drafts


def _draft_sessions(rng: random.Random, pools: Pools, count: int) -> list[_Draft]:
    picker = Picker(rng)
    guard = OverlapGuard()
    taken: dict[str, None] = {}
    drafts = _keynote_drafts(pools, taken)
    regular = count - len(pools.keynotes)
    if regular < len(pools.tracks):
        raise ValueError(f"--count must be at least {len(pools.keynotes) + len(pools.tracks)}")
    schedule = pools.schedule
    per_track = _allocate(regular, [t.weight for t in pools.tracks])
    for track, n_sessions in zip(pools.tracks, per_track, strict=True):
        subs = list(track.subtopics)
        rng.shuffle(subs)
        for i in range(n_sessions):
            sub = subs[i % len(subs)]
            kind = str(_weighted(rng, schedule.type_weights))
            level = int(str(_weighted(rng, schedule.level_weights[kind])))
            others = [s for s in track.subtopics if s is not sub]
            sub2 = rng.choice(others) if rng.random() < 0.5 else None
            n_secondary = min(
                len(sub.related), int(str(_weighted(rng, ((0, 25), (1, 50), (2, 25)))))
            )
            secondary = rng.sample(list(sub.related), n_secondary)
            story = _pick_customer(rng, pools.people, sub) if rng.random() < 0.42 else None
            if kind == "lightning talk" and story is not None and rng.random() < 0.5:
                story = None
            best: tuple[float, str] | None = None
            for _attempt in range(60):
                candidate = compose_abstract(
                    rng=rng,
                    picker=picker,
                    pools=pools,
                    track=track,
                    sub=sub,
                    sub2=sub2,
                    kind=kind,
                    level=level,
                    secondary=secondary,
                    story=story,
                )
                shared = guard.max_shared(candidate)
                if best is None or shared < best[0]:
                    best = (shared, candidate)
                if shared <= TARGET_SHARED_SENTENCES:
                    break
            assert best is not None
            if best[0] > MAX_SHARED_SENTENCES:
                raise AssertionError(f"abstracts for {sub.name!r} keep repeating each other")
            abstract = best[1]
            guard.add(abstract)
            title = compose_title(
                rng=rng, pools=pools, sub=sub, kind=kind, level=level, story=story, taken=taken
            )
            taken[title] = None
            drafts.append(
                _Draft(
                    track=track,
                    kind=kind,
                    level=level,
                    title=title,
                    abstract=abstract,
                    topics=[track.name, *secondary],
                    tags=pick_tags(rng, sub, kind, level, story is not None),
                    story_company=story[0] if story else None,
                )
            )
    return drafts


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _schedule(rng: random.Random, schedule: Schedule, drafts: list[_Draft]) -> None:
    """Give each draft a day, start time and room with no double-booked rooms and nothing
    running against a keynote."""
    durations = schedule.durations
    booked: dict[tuple[int, str, str], list[tuple[int, int]]] = {}
    blocked: dict[int, list[tuple[int, int]]] = {d: [] for d in range(len(DAYS))}
    arena = next(r for r in schedule.rooms if r.kind == "keynote")
    for draft in drafts:
        if draft.keynote is None:
            continue
        draft.day, draft.start, draft.room = draft.keynote.day, draft.keynote.start, arena
        end = draft.start + durations["keynote"]
        blocked[draft.day].append((draft.start, end))
        booked.setdefault((draft.day, arena.venue, arena.name), []).append((draft.start, end))

    # Long sessions first, so they still find room before the grid fills up.
    order = sorted(
        (d for d in drafts if d.keynote is None),
        key=lambda d: -durations[d.kind],
    )
    for draft in order:
        duration = durations[draft.kind]
        rooms = [r for r in schedule.rooms if r.kind in schedule.room_kinds[draft.kind]]
        hands_on = draft.kind in ("workshop", "builders' session")
        weights = schedule.hands_on_day_weights if hands_on else schedule.day_weights
        for attempt in range(400):
            if attempt < 200:
                day = rng.choices(range(len(DAYS)), weights=weights, k=1)[0]
            else:
                day = rng.randrange(len(DAYS))
            room = rng.choice(rooms)
            open_at, close_at = schedule.day_windows[day]
            start = open_at + 30 * rng.randrange((close_at - duration - open_at) // 30 + 1)
            end = start + duration
            key = (day, room.venue, room.name)
            busy = booked.get(key, []) + blocked[day]
            if any(_overlaps(start, end, s, e) for s, e in busy):
                continue
            booked.setdefault(key, []).append((start, end))
            draft.day, draft.start, draft.room = day, start, room
            break
        else:
            raise AssertionError(f"could not schedule {draft.title!r}; increase room capacity")


class _Roster:
    """Invented speakers, reused across sessions (but never twice on one day)."""

    def __init__(self, rng: random.Random, people: People) -> None:
        self._rng = rng
        self._pool = people
        self._names: dict[str, None] = {}
        self._people: list[dict[str, str]] = []
        self._home: list[str] = []
        self._days: list[list[int]] = []

    def _new_name(self) -> str:
        for _ in range(1000):
            name = f"{self._rng.choice(self._pool.first_names)} {self._rng.choice(self._pool.last_names)}"
            if name not in self._names:
                self._names[name] = None
                return name
        raise AssertionError("name pools exhausted")

    def _add(self, title: str, company: str, home: str, day: int) -> dict[str, str]:
        person = {"name": self._new_name(), "title": title, "company": company}
        self._people.append(person)
        self._home.append(home)
        self._days.append([day])
        return person

    def host(self, track: Track, day: int, exclude: list[dict[str, str]]) -> dict[str, str]:
        """A host-company speaker of ``track``, sometimes one who already spoke on another day."""
        rng, pool = self._rng, self._pool
        if rng.random() < 0.3:
            reusable = [
                i
                for i, p in enumerate(self._people)
                if self._home[i] == track.name
                and p["company"] == pool.host_company
                and day not in self._days[i]
                and len(self._days[i]) < 3
                and p not in exclude
            ]
            if reusable:
                i = rng.choice(reusable)
                self._days[i].append(day)
                return self._people[i]
        role = rng.choice(track.roles)
        # Roles that already carry rank ("Staff SRE", "FinOps Lead") take no extra prefix.
        ranked = any(w in role.split() for w in pool.ranked_words)
        title = role if ranked else f"{rng.choice(pool.seniority)}{role}"
        return self._add(title, pool.host_company, track.name, day)

    def guest(self, track: Track, day: int, company: str | None) -> dict[str, str]:
        """A new customer speaker (from ``company`` when given) or partner speaker."""
        rng, pool = self._rng, self._pool
        if company is None:
            if rng.random() < 0.35:
                title, partner = rng.choice(pool.partner_titles), rng.choice(pool.partners)
                return self._add(title, partner, track.name, day)
            company = rng.choice(pool.customers)[0]
        return self._add(rng.choice(pool.customer_titles), company, track.name, day)

    def keynote_speaker(self, title: str, day: int) -> dict[str, str]:
        """A new host-company executive."""
        return self._add(title, self._pool.host_company, "keynote", day)


def _assign_speakers(rng: random.Random, pools: Pools, drafts: list[_Draft]) -> None:
    roster = _Roster(rng, pools.people)
    for draft in sorted(drafts, key=lambda d: (d.day, d.start, d.title)):
        if draft.keynote is not None:
            draft.speakers = [roster.keynote_speaker(draft.keynote.speaker_title, draft.day)]
            continue
        n = int(str(_weighted(rng, pools.schedule.speaker_counts[draft.kind])))
        speakers: list[dict[str, str]] = []
        if draft.story_company is not None and n > 1:
            speakers.append(roster.host(draft.track, draft.day, speakers))
            speakers.append(roster.guest(draft.track, draft.day, draft.story_company))
        elif draft.story_company is not None:
            speakers.append(roster.guest(draft.track, draft.day, draft.story_company))
        while len(speakers) < n:
            if speakers and rng.random() < 0.3:
                speakers.append(roster.guest(draft.track, draft.day, None))
            else:
                speakers.append(roster.host(draft.track, draft.day, speakers))
        draft.speakers = [dict(s) for s in speakers]


def _assign_codes(rng: random.Random, drafts: list[_Draft]) -> None:
    groups: dict[tuple[str, int], list[_Draft]] = {}
    for draft in drafts:
        groups.setdefault((draft.track.prefix, draft.level), []).append(draft)
    for (prefix, level), members in groups.items():
        members.sort(key=lambda d: d.title)
        rng.shuffle(members)
        number = 0
        for draft in members:
            number += 1 if rng.random() < 0.75 else 2
            if number > 99:
                raise AssertionError(f"too many sessions for {prefix}{level // 100}xx")
            draft.code = f"{prefix}{level // 100}{number:02d}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _to_record(draft: _Draft, durations: dict[str, int]) -> dict[str, object]:
    assert draft.room is not None
    return {
        "code": draft.code,
        "title": draft.title,
        "abstract": draft.abstract,
        "type": draft.kind,
        "level": draft.level,
        "topics": draft.topics,
        "day": DAYS[draft.day],
        "date": (FIRST_DAY + timedelta(days=draft.day)).isoformat(),
        "start": _hhmm(draft.start),
        "end": _hhmm(draft.start + durations[draft.kind]),
        "venue": draft.room.venue,
        "room": draft.room.name,
        "speakers": draft.speakers,
        "tags": draft.tags,
    }


def build_catalog(pools: Pools, seed: int, count: int) -> list[dict[str, object]]:
    """Build the synthetic session catalog as a list of JSON-ready dicts, sorted by code."""
    rng = random.Random(seed)
    drafts = _draft_sessions(rng, pools, count)
    _schedule(rng, pools.schedule, drafts)
    _assign_speakers(rng, pools, drafts)
    _assign_codes(rng, drafts)
    records = sorted(
        (_to_record(d, pools.schedule.durations) for d in drafts), key=lambda r: str(r["code"])
    )
    titles = [r["title"] for r in records]
    codes = [r["code"] for r in records]
    assert len(set(titles)) == len(titles), "duplicate session titles"
    assert len(set(codes)) == len(codes), "duplicate session codes"
    for record in records:
        words = word_count(str(record["abstract"]))
        assert MIN_WORDS <= words <= MAX_WORDS, f"{record['code']}: abstract has {words} words"
    return records
