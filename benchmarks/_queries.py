"""Distinct natural-language queries built from the sample catalog (stopwords included).

Every timed query is different, so no figure is served from a cache (the SQLite page cache
aside): titles as people type them, abstract sentences, and questions a visitor would ask of an
event assistant, built from the catalog's tags, topics, levels, days and speakers.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

__all__ = ["natural_queries"]

_LEVELS = {
    100: "beginners",
    200: "people with some experience",
    300: "practitioners",
    400: "experts",
}
_TEMPLATES = [
    "is there a session about {tag}?",
    "what talks cover {tag} and {tag2}?",
    "I want to learn about {topic} for {level}",
    "which sessions on {topic} are on {day}?",
    "where can I find a hands-on {type} on {tag}?",
    "what is {speaker} talking about?",
    "recommend something about {tag} in {topic}",
    "how do I get started with {tag}",
    "are there any {type}s about {topic} on {day} afternoon",
    "who is speaking about {tag} at the {venue}?",
    "tell me more about {title}",
    "I missed the session {title}, what was it about?",
]


def natural_queries(catalog: Path, count: int, seed: int = 0) -> list[str]:
    """``count`` distinct queries (fewer only if the catalog cannot make that many)."""
    with catalog.open(encoding="utf-8") as f:
        rows: list[dict[str, Any]] = [json.loads(line) for line in f]
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    attempts = 0
    while len(seen) < count and attempts < count * 50:
        attempts += 1
        row = rng.choice(rows)
        kind = attempts % 4
        if kind == 0:
            query = row["title"]
        elif kind == 1:
            sentences = [s.strip() for s in row["abstract"].split(". ") if s.strip()]
            query = rng.choice(sentences).rstrip(".")
        else:
            tags = row.get("tags") or ["cloud"]
            topics = row.get("topics") or ["cloud"]
            speakers = row.get("speakers") or [{"name": "someone"}]
            query = rng.choice(_TEMPLATES).format(
                tag=rng.choice(tags).replace("-", " "),
                tag2=rng.choice(tags).replace("-", " "),
                topic=rng.choice(topics),
                level=_LEVELS.get(row.get("level", 200), "everyone"),
                day=row.get("day", "Monday"),
                type=row.get("type", "session"),
                speaker=rng.choice(speakers)["name"],
                venue=row.get("venue", "venue"),
                title=row["title"].lower(),
            )
        seen.setdefault(query, None)
    return list(seen)
