"""The sample conference's vocabularies: days, levels, session types and topics (tracks).

This is the single source for the catalog generator (``scripts/make_catalog.py``), the catalog
helpers (``_catalog.py``) and the assistant's tool parameter types (``_tools.py``). Strands
builds each tool's JSON schema from its type hints, so every vocabulary is written once as a
``Literal`` type and its runtime tuple is derived from it with :func:`typing.get_args`.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

__all__ = [
    "DAYS",
    "LEVELS",
    "LEVEL_NAMES",
    "SESSION_TYPES",
    "TOPICS",
    "Day",
    "Level",
    "SessionType",
    "Topic",
]

#: The conference days, in order (the catalog's ``day`` field).
Day: TypeAlias = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
#: Session levels, from 100 (introductory) to 400 (expert).
Level: TypeAlias = Literal[100, 200, 300, 400]
#: Session formats (the catalog's ``type`` field).
SessionType: TypeAlias = Literal[
    "keynote",
    "breakout",
    "workshop",
    "chalk talk",
    "builders' session",
    "code talk",
    "lightning talk",
]
#: The tracks, in catalog order (the catalog's ``topics`` field; the first topic is the track).
Topic: TypeAlias = Literal[
    "generative AI", "security", "serverless", "databases", "analytics", "containers", "networking",
    "observability", "cost", "MLOps", "IoT", "DevOps", "storage", "migration", "industry",
]  # fmt: skip

DAYS: tuple[Day, ...] = get_args(Day)
LEVELS: tuple[Level, ...] = get_args(Level)
SESSION_TYPES: tuple[SessionType, ...] = get_args(SessionType)
TOPICS: tuple[Topic, ...] = get_args(Topic)
#: What each level means, for people.
LEVEL_NAMES: dict[Level, str] = {
    100: "introductory",
    200: "intermediate",
    300: "advanced",
    400: "expert",
}
