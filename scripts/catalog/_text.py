"""A session's words: its abstract, title and tags, composed from the sentence pools."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from ._pools import Pools, Subtopic, Track

__all__ = [
    "MAX_WORDS",
    "MIN_WORDS",
    "OverlapGuard",
    "Picker",
    "compose_abstract",
    "compose_title",
    "pick_tags",
    "word_count",
]

MIN_WORDS, MAX_WORDS = 80, 200

#: The tag a session's format adds to its subtopic's tags.
_FORMAT_TAGS = {
    "workshop": "hands-on",
    "builders' session": "hands-on",
    "code talk": "live-coding",
    "chalk talk": "interactive",
    "lightning talk": "lightning",
}


class Picker:
    """Chooses items at random, preferring the least-used ones so the catalog's sentences
    spread across the pools instead of repeating the same few."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._uses: dict[str, int] = {}

    def pick(self, items: Sequence[str], k: int = 1, exclude: Sequence[str] = ()) -> list[str]:
        """Up to ``k`` distinct least-used items, none of them in ``exclude``."""
        chosen: list[str] = []
        for _ in range(k):
            pool = [i for i in items if i not in chosen and i not in exclude]
            if not pool:
                break
            least = min(self._uses.get(i, 0) for i in pool)
            item = self._rng.choice([i for i in pool if self._uses.get(i, 0) == least])
            self._uses[item] = self._uses.get(item, 0) + 1
            chosen.append(item)
        return chosen

    def one(self, items: Sequence[str]) -> str:
        """One least-used item."""
        return self.pick(items)[0]


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def word_count(text: str) -> int:
    """Words in ``text``, split on whitespace."""
    return len(text.split())


class _Filler:
    """Fills sentence templates for one abstract, rotating through the subtopic's technologies
    so that a single abstract does not keep repeating the same term."""

    def __init__(self, rng: random.Random, ctx: dict[str, str], techs: Sequence[str]) -> None:
        self._ctx = ctx
        self._techs = list(techs)
        rng.shuffle(self._techs)
        self._next = 0

    def _tech(self) -> str:
        tech = self._techs[self._next % len(self._techs)]
        self._next += 1
        return tech

    def __call__(self, template: str) -> str:
        values = dict(self._ctx)
        if "{tech}" in template:
            values["tech"] = self._tech()
        if "{tech2}" in template:
            values["tech2"] = self._tech()
        return template.format(**values)


def compose_abstract(
    *,
    rng: random.Random,
    picker: Picker,
    pools: Pools,
    track: Track,
    sub: Subtopic,
    sub2: Subtopic | None,
    kind: str,
    level: int,
    secondary: Sequence[str],
    story: tuple[str, str] | None,
) -> str:
    """One abstract of MIN_WORDS..MAX_WORDS words for a session of ``sub``."""
    pool = pools.sentences
    ctx = {
        "sub": sub.name,
        "build": sub.build,
        "aud": picker.one(track.audiences),
        "metric": rng.choice(track.metrics),
        "company": story[0] if story else "",
        "industry": story[1] if story else rng.choice(pools.people.customers)[1],
        "a_industry": _article(story[1]) if story else "",
        "pct": str(rng.randrange(18, 73)),
        "n": str(rng.randrange(4, 61)),
        "months": str(rng.randrange(3, 15)),
    }
    fill = _Filler(rng, ctx, sub.techs)

    story_first = story is not None and rng.random() < 0.3
    if story_first:
        opener = fill(picker.one(pool.story_leads))
    elif rng.random() < 0.72:
        opener = picker.one(sub.problems)
    else:
        opener = fill(picker.one(pool.generic_openers))

    details = picker.pick(sub.details, k=2)
    spare_details = picker.pick(sub.details, k=2, exclude=details)
    if sub2 is not None and kind != "lightning talk" and rng.random() < 0.6:
        details.append(picker.one(sub2.details))
    middle: list[str] = list(details)
    # Dropped last-first when an abstract runs long.
    optional: list[str] = details[1:]
    if rng.random() < 0.6:
        optional.append(picker.one(track.details))
        middle.insert(rng.randrange(len(middle) + 1), optional[-1])
    if rng.random() < 0.4:
        optional.append(fill(picker.one(pool.generic_approaches)))
        middle.insert(rng.randrange(len(middle) + 1), optional[-1])
    if story is not None and not story_first:
        middle.insert(rng.randrange(1, len(middle) + 1), fill(picker.one(pool.story_bodies)))
    bridges = [picker.one(pools.track_by_name[t].bridges) for t in secondary]
    for bridge in bridges:
        middle.insert(rng.randrange(1, len(middle) + 1), bridge)
    optional.extend(bridges[1:])

    practical = [fill(s) for s in picker.pick(pool.hands_on[kind], k=pool.hands_on_count[kind])]
    if kind == "breakout" and rng.random() < 0.5:
        practical = []
    level_notes = [fill(picker.one(pool.level_notes[level]))]
    if level == 400:
        level_notes.insert(0, sub.deep)
    closing = [fill(picker.one(pool.takeaways))]
    audience = fill(picker.one(pool.audience_notes)) if rng.random() < 0.5 else None
    if audience is not None:
        closing.insert(rng.randrange(2), audience)
        optional.append(audience)

    # Hands-on notes lead for some sessions and trail for others, so position is no cue;
    # a breakout's demo line only makes sense once the topic has been introduced.
    if practical and kind != "breakout" and rng.random() < 0.35:
        body = [opener, *practical, *middle, *level_notes, *closing]
    else:
        tail = [*level_notes, *closing]
        rng.shuffle(tail)
        body = [opener, *middle, *practical, *tail]

    optional.extend(practical[1:])
    while word_count(" ".join(body)) > MAX_WORDS and optional:
        body.remove(optional.pop())
    fillers = [*spare_details, picker.one(track.details), fill(picker.one(pool.demos))]
    while word_count(" ".join(body)) < MIN_WORDS + 5 and fillers:
        body.insert(len(body) - len(closing), fillers.pop(0))
    text = " ".join(body)
    count = word_count(text)
    if not MIN_WORDS <= count <= MAX_WORDS:
        raise AssertionError(f"abstract length {count} out of range for {sub.name!r}")
    return text


def _split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


class OverlapGuard:
    """Tracks which abstracts use which sentences, so a new abstract that repeats too much of
    an earlier one can be recomposed."""

    def __init__(self) -> None:
        self._owners: dict[str, list[int]] = {}
        self._sizes: list[int] = []

    def max_shared(self, text: str) -> float:
        """The largest fraction of sentences ``text`` shares with any earlier abstract."""
        sentences = list(dict.fromkeys(_split_sentences(text)))
        shared: dict[int, int] = {}
        for sentence in sentences:
            for owner in self._owners.get(sentence, ()):
                shared[owner] = shared.get(owner, 0) + 1
        return max(
            (n / min(len(sentences), self._sizes[owner]) for owner, n in shared.items()),
            default=0.0,
        )

    def add(self, text: str) -> None:
        """Record ``text`` as an accepted abstract."""
        sentences = list(dict.fromkeys(_split_sentences(text)))
        index = len(self._sizes)
        self._sizes.append(len(sentences))
        for sentence in sentences:
            self._owners.setdefault(sentence, []).append(index)


def _shares_word(a: str, b: str) -> bool:
    words = {w for w in re.findall(r"[a-z0-9]+", a.lower()) if len(w) > 2}
    return any(w in words for w in re.findall(r"[a-z0-9]+", b.lower()) if len(w) > 2)


def compose_title(
    *,
    rng: random.Random,
    pools: Pools,
    sub: Subtopic,
    kind: str,
    level: int,
    story: tuple[str, str] | None,
    taken: dict[str, None],
) -> str:
    """A title for a session of ``sub`` that is not in ``taken``."""
    patterns = pools.sentences.title_patterns
    groups = ["any", "any", "tech", kind if kind in patterns else "any"]
    if story is not None:
        groups += ["story", "story"]
    if level in (100, 400):
        groups.append(str(level))
    stems = list(sub.titles)
    rng.shuffle(stems)
    for _ in range(40):
        group = rng.choice(groups)
        pattern = rng.choice(patterns[group])
        stem = rng.choice(stems)
        tech = rng.choice(sub.techs)
        if "{tech}" in pattern and _shares_word(stem, tech):
            continue  # avoids titles like "Reproducible ML pipelines with ML pipelines"
        title = pattern.format(
            stem=stem, sub=sub.name, tech=tech, company=story[0] if story else ""
        )
        if title not in taken:
            return title
    # Every pattern was taken: fall back to combining two stems, which is still readable.
    for first in stems:
        for second in stems:
            title = f"{first}: {second[0].lower()}{second[1:]}"
            if first != second and title not in taken:
                return title
    raise AssertionError(f"could not find a unique title for {sub.name!r}")


def pick_tags(
    rng: random.Random, sub: Subtopic, kind: str, level: int, has_story: bool
) -> list[str]:
    """Three to six tags: some of the subtopic's, plus format, level and story markers."""
    tags = rng.sample(list(sub.tags), rng.choice((2, 3)))
    extra = _FORMAT_TAGS.get(kind)
    if extra:
        tags.append(extra)
    if level == 100:
        tags.append("beginner-friendly")
    elif level == 400:
        tags.append("deep-dive")
    if has_story:
        tags.append("customer-story")
    tags = list(dict.fromkeys(tags))[:6]
    for spare in sub.tags:
        if len(tags) >= 3:
            break
        if spare not in tags:
            tags.append(spare)
    return tags
